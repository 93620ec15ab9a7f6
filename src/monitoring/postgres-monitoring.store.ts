import { Injectable } from '@nestjs/common';
import { baselineFromRow, type BaselineRow } from './baseline-row';
import { PostgresDatabase } from '../database/postgres-database';
import { MonitoringStore } from './monitoring.store';
import type { Baseline, WindowCell } from './performance-tracker';

/** Monitoring's own table on PostgreSQL: the baseline of each model version, fixed once set. Steps are append-only. */
const MIGRATIONS = [
  `CREATE TABLE monitoring_baselines (
     model_version TEXT PRIMARY KEY,
     window_start BIGINT NOT NULL,
     window_end BIGINT NOT NULL,
     samples INTEGER NOT NULL,
     accuracy DOUBLE PRECISION NOT NULL,
     weighted_f1 DOUBLE PRECISION NOT NULL,
     established_at BIGINT NOT NULL
   );`,
];

/**
 * The labelled counts of the kept windows: feedback in the time range through its covering index, each joined to
 * its prediction by (id, created_at), so the join opens one daily partition per row (partition pruning at run
 * time) and skips feedback whose prediction's day was dropped. Aggregated by PostgreSQL: only the cells travel.
 */
const LABELLED_COUNTS_SQL = `
  SELECT p.model_version AS "modelVersion",
         (f.received_at / $2::bigint) * $2::bigint AS "windowStart",
         p.label AS predicted,
         f.correct_label AS actual,
         count(*)::integer AS count
  FROM feedback AS f
  JOIN predictions AS p ON p.id = f.prediction_id AND p.created_at = f.prediction_created_at
  WHERE f.received_at >= $1
  GROUP BY 1, 2, 3, 4`;

/** Performance monitoring on PostgreSQL (DATABASE_URL): every replica reads the same feedback and baselines. */
@Injectable()
export class PostgresMonitoringStore extends MonitoringStore {
  private readonly ready: Promise<void>;

  constructor(private readonly database: PostgresDatabase) {
    super();
    this.ready = database.migrate('monitoring', MIGRATIONS);
  }

  async labelledCounts(since: number, windowMs: number): Promise<WindowCell[]> {
    await this.ready;
    return this.database.query<WindowCell & Record<string, unknown>>(LABELLED_COUNTS_SQL, [since, windowMs]);
  }

  async baselines(): Promise<Baseline[]> {
    await this.ready;
    const rows = await this.database.query<BaselineRow>('SELECT * FROM monitoring_baselines');
    return rows.map(baselineFromRow);
  }

  /** ON CONFLICT DO NOTHING: when two replicas fix a version's baseline at once, the first commit wins for both. */
  async saveBaseline(baseline: Baseline): Promise<void> {
    await this.ready;
    await this.database.query(
      `INSERT INTO monitoring_baselines (model_version, window_start, window_end, samples, accuracy, weighted_f1, established_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (model_version) DO NOTHING`,
      [baseline.modelVersion, baseline.start, baseline.end, baseline.samples, baseline.accuracy, baseline.weightedF1, baseline.establishedAt],
    );
  }
}
