import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { feedbackFromRow, type FeedbackRow } from './feedback-row';
import { UUID_PATTERN } from '../common/validation/validators';
import { PostgresDatabase } from '../database/postgres-database';
import { FeedbackStore, type FeedbackTarget } from './feedback.store';
import type { SaveFeedbackResult, StoredFeedback } from './feedback.types';

/** How often feedback whose prediction's day left the log is deleted. */
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/**
 * The feedback table on PostgreSQL; steps are append-only (see PostgresDatabase.migrate). One row per prediction.
 * The prediction log is partitioned by day and its retention drops whole days, so no foreign key can point at it
 * (a foreign key to a partitioned table must include the partition key, and it would make every DROP of a day
 * check or cascade into feedback). Instead each row keeps its prediction's `prediction_created_at`:
 * - reads join the prediction by (id, created_at), so feedback disappears with its prediction's day at once, and
 *   the join touches one partition only;
 * - a sweep deletes, through the index on prediction_created_at, the rows older than the oldest day still in the
 *   log (feedback is far smaller than the log, so a ranged DELETE is cheap).
 * The covering index on received_at serves monitoring's windows without touching the table.
 */
const MIGRATIONS = [
  `CREATE TABLE feedback (
     prediction_id UUID PRIMARY KEY,
     prediction_created_at BIGINT NOT NULL,
     correct_label TEXT NOT NULL,
     received_at BIGINT NOT NULL,
     first_received_at BIGINT NOT NULL,
     revision INTEGER NOT NULL
   );
   CREATE INDEX feedback_received_at ON feedback (received_at) INCLUDE (prediction_id, prediction_created_at, correct_label);
   CREATE INDEX feedback_prediction_created_at ON feedback (prediction_created_at);`,
];

/** Feedback on PostgreSQL (DATABASE_URL): several replicas save into it at once. */
@Injectable()
export class PostgresFeedbackStore extends FeedbackStore implements OnApplicationShutdown {
  private readonly logger = new Logger(PostgresFeedbackStore.name);
  private readonly ready: Promise<void>;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly database: PostgresDatabase) {
    super();
    this.ready = database.migrate('feedback', MIGRATIONS);
    this.sweeper = setInterval(() => {
      this.sweepExpired().catch((error: Error) => this.logger.warn(`Deleting feedback of expired predictions failed: ${error.message}`));
    }, SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  async find(predictionId: string): Promise<StoredFeedback | undefined> {
    if (!UUID_PATTERN.test(predictionId)) return undefined; // not an id the log hands out; the UUID column would reject it
    await this.ready;
    const rows = await this.database.query<FeedbackRow>(
      `SELECT f.* FROM feedback AS f
       WHERE f.prediction_id = $1
         AND EXISTS (SELECT 1 FROM predictions AS p WHERE p.id = f.prediction_id AND p.created_at = f.prediction_created_at)`,
      [predictionId],
    );
    return rows[0] ? feedbackFromRow(rows[0]) : undefined;
  }

  /**
   * One transaction: INSERT ... ON CONFLICT DO NOTHING creates the first feedback (a concurrent insert of the same
   * prediction waits for the other to commit, then does nothing); otherwise SELECT ... FOR UPDATE locks the row,
   * so concurrent replacements from any replica apply one after another, each seeing the label the previous one
   * wrote (no lost update, no skipped revision).
   */
  async save(prediction: FeedbackTarget, correctLabel: string, receivedAt: number): Promise<SaveFeedbackResult> {
    await this.ready;
    return this.database.transaction(async (tx) => {
      const inserted = await tx.query<FeedbackRow>(
        `INSERT INTO feedback (prediction_id, prediction_created_at, correct_label, received_at, first_received_at, revision)
         VALUES ($1, $2, $3, $4, $4, 1)
         ON CONFLICT (prediction_id) DO NOTHING
         RETURNING *`,
        [prediction.id, prediction.createdAt, correctLabel, receivedAt],
      );
      if (inserted.rows[0]) return { outcome: 'created', feedback: feedbackFromRow(inserted.rows[0]) };
      const held = await tx.query<FeedbackRow>('SELECT * FROM feedback WHERE prediction_id = $1 FOR UPDATE', [prediction.id]);
      if (!held.rows[0]) {
        // Only the sweep deletes rows, and only those of predictions already gone from the log.
        throw new Error(`The feedback of prediction ${prediction.id} was deleted while being saved (its prediction expired)`);
      }
      const previous = feedbackFromRow(held.rows[0]);
      if (previous.correctLabel === correctLabel) return { outcome: 'unchanged', feedback: previous };
      const updated = await tx.query<FeedbackRow>(
        `UPDATE feedback SET correct_label = $2, received_at = $3, revision = revision + 1
         WHERE prediction_id = $1
         RETURNING *`,
        [prediction.id, correctLabel, receivedAt],
      );
      return { outcome: 'replaced', feedback: feedbackFromRow(updated.rows[0]), previous };
    });
  }

  /**
   * Deletes the feedback of predictions made before the oldest day still in the prediction log (their days were
   * dropped by its retention). Returns how many rows went. Runs hourly; reads already ignore these rows.
   */
  async sweepExpired(): Promise<number> {
    await this.ready;
    const [{ oldest }] = await this.database.query<{ oldest: number | null }>(
      `SELECT min((regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''?(-?\\d+)''?\\)'))[1]::bigint) AS oldest
       FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid
       WHERE i.inhparent = to_regclass('predictions')`,
    );
    // No day at all: the log is not set up (or was emptied by hand); deleting everything would be a guess.
    if (oldest === null) return 0;
    const deleted = await this.database.pool.query('DELETE FROM feedback WHERE prediction_created_at < $1', [oldest]);
    return deleted.rowCount ?? 0;
  }
}
