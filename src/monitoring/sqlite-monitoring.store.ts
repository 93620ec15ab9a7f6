import { Injectable } from '@nestjs/common';
import { baselineFromRow, type BaselineRow } from './baseline-row';
import type { Statement } from 'better-sqlite3';
import { SqliteDatabase } from '../database/sqlite-database';
import { MonitoringStore } from './monitoring.store';
import type { Baseline, WindowCell } from './performance-tracker';

/** Monitoring's own table: the baseline of each model version, fixed once set. Steps are append-only. */
const MIGRATIONS = [
  `CREATE TABLE monitoring_baselines (
     model_version TEXT PRIMARY KEY,
     window_start INTEGER NOT NULL,
     window_end INTEGER NOT NULL,
     samples INTEGER NOT NULL,
     accuracy REAL NOT NULL,
     weighted_f1 REAL NOT NULL,
     established_at INTEGER NOT NULL
   ) WITHOUT ROWID;`,
];

/**
 * The labelled predictions received since @since, counted per (model version, window, predicted label, true
 * label): the join of feedback with the prediction log, aggregated by SQLite. It reads only feedback rows in the
 * time range, through the covering index feedback_received_at, and one prediction per feedback by primary key,
 * so its cost follows the feedback in the kept windows, not the size of the prediction log.
 */
const LABELLED_COUNTS_SQL = `
  SELECT p.model_version AS modelVersion,
         -- better-sqlite3 binds JS numbers as REAL: the CAST keeps this an integer division.
         (f.received_at / CAST(@windowMs AS INTEGER)) * CAST(@windowMs AS INTEGER) AS windowStart,
         p.label AS predicted,
         f.correct_label AS actual,
         COUNT(*) AS count
  FROM feedback AS f
  JOIN predictions AS p ON p.id = f.prediction_id
  WHERE f.received_at >= @since
  GROUP BY 1, 2, 3, 4`;

/** SQLite reads and writes of performance monitoring (the embedded default). */
@Injectable()
export class SqliteMonitoringStore extends MonitoringStore {
  private readonly selectBaselines: Statement;
  private readonly insertBaseline: Statement;
  private labelledCountsStatement: Statement | undefined;

  constructor(private readonly database: SqliteDatabase) {
    super();
    database.migrate('monitoring', MIGRATIONS);
    this.selectBaselines = database.db.prepare('SELECT * FROM monitoring_baselines');
    this.insertBaseline = database.db.prepare(
      `INSERT INTO monitoring_baselines (model_version, window_start, window_end, samples, accuracy, weighted_f1, established_at)
       VALUES (@modelVersion, @start, @end, @samples, @accuracy, @weightedF1, @establishedAt)
       ON CONFLICT (model_version) DO NOTHING`,
    );
  }

  /** Labelled predictions received at or after `since`, per model version, window of `windowMs`, and label pair. */
  async labelledCounts(since: number, windowMs: number): Promise<WindowCell[]> {
    // Prepared on first use: the feedback and predictions tables are created by their own features' stores,
    // which Nest may build after this one; by the first call (onModuleInit) every store exists.
    this.labelledCountsStatement ??= this.database.db.prepare(LABELLED_COUNTS_SQL);
    return this.labelledCountsStatement.all({ since, windowMs }) as WindowCell[];
  }

  /** The query plan of labelledCounts, one line per step (for the spec that keeps it on the index). */
  explainLabelledCounts(): string[] {
    const rows = this.database.db.prepare(`EXPLAIN QUERY PLAN ${LABELLED_COUNTS_SQL}`).all({ since: 0, windowMs: 1 }) as { detail: string }[];
    return rows.map((row) => row.detail);
  }

  async baselines(): Promise<Baseline[]> {
    return (this.selectBaselines.all() as BaselineRow[]).map(baselineFromRow);
  }

  /** Stores a version's baseline; one already stored is kept (a baseline never changes). */
  async saveBaseline(baseline: Baseline): Promise<void> {
    this.insertBaseline.run(baseline);
  }
}
