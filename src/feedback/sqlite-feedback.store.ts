import { Injectable } from '@nestjs/common';
import { feedbackFromRow, type FeedbackRow } from './feedback-row';
import type { Statement } from 'better-sqlite3';
import { SqliteDatabase } from '../database/sqlite-database';
import { FeedbackStore, type FeedbackTarget } from './feedback.store';
import type { SaveFeedbackResult, StoredFeedback } from './feedback.types';

/**
 * The feedback table; steps are append-only (see SqliteDatabase.migrate). One row per prediction (the primary
 * key), so a second feedback replaces the first. The foreign key deletes a prediction's feedback with the
 * prediction when the prediction log's retention removes it: feedback only means something next to its
 * prediction. (A later migration that rebuilds the predictions table must therefore copy it in place rather
 * than DROP it: dropping it would delete every feedback row through the cascade.)
 * The index on (received_at, correct_label) serves monitoring's time-window reads without touching the table.
 */
const MIGRATIONS = [
  `CREATE TABLE feedback (
     prediction_id TEXT PRIMARY KEY REFERENCES predictions (id) ON DELETE CASCADE,
     correct_label TEXT NOT NULL,
     received_at INTEGER NOT NULL,
     first_received_at INTEGER NOT NULL,
     revision INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX feedback_received_at ON feedback (received_at, correct_label);`,
];

/** SQLite persistence of feedback (the embedded default). */
@Injectable()
export class SqliteFeedbackStore extends FeedbackStore {
  private readonly byId: Statement;
  private readonly insert: Statement;
  private readonly replace: Statement;
  private readonly saveTransaction: (predictionId: string, correctLabel: string, receivedAt: number) => SaveFeedbackResult;

  constructor(database: SqliteDatabase) {
    super();
    database.migrate('feedback', MIGRATIONS);
    const db = database.db;
    this.byId = db.prepare('SELECT * FROM feedback WHERE prediction_id = ?');
    this.insert = db.prepare(
      `INSERT INTO feedback (prediction_id, correct_label, received_at, first_received_at, revision)
       VALUES (@predictionId, @correctLabel, @receivedAt, @firstReceivedAt, @revision)`,
    );
    this.replace = db.prepare(
      `UPDATE feedback SET correct_label = @correctLabel, received_at = @receivedAt, revision = @revision
       WHERE prediction_id = @predictionId`,
    );
    const save = db.transaction((predictionId: string, correctLabel: string, receivedAt: number): SaveFeedbackResult => {
      const previous = this.findSync(predictionId);
      if (!previous) {
        const feedback = { predictionId, correctLabel, receivedAt, firstReceivedAt: receivedAt, revision: 1 };
        this.insert.run(feedback);
        return { outcome: 'created', feedback };
      }
      if (previous.correctLabel === correctLabel) return { outcome: 'unchanged', feedback: previous };
      const feedback = { ...previous, correctLabel, receivedAt, revision: previous.revision + 1 };
      this.replace.run(feedback);
      return { outcome: 'replaced', feedback, previous };
    });
    // IMMEDIATE takes the write lock before the read, so the read-then-write holds even against another process.
    this.saveTransaction = (...args) => save.immediate(...args);
  }

  async find(predictionId: string): Promise<StoredFeedback | undefined> {
    return this.findSync(predictionId);
  }

  /** One transaction that takes the write lock first; the foreign key already ties the row to its prediction. */
  async save(prediction: FeedbackTarget, correctLabel: string, receivedAt: number): Promise<SaveFeedbackResult> {
    return this.saveTransaction(prediction.id, correctLabel, receivedAt);
  }

  private findSync(predictionId: string): StoredFeedback | undefined {
    const row = this.byId.get(predictionId) as FeedbackRow | undefined;
    return row && feedbackFromRow(row);
  }
}
