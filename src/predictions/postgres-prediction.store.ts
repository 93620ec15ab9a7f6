import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { UUID_PATTERN } from '../common/validation/validators';
import { PostgresDatabase, type PgExecutor } from '../database/postgres-database';
import { PredictionStore, type PruneResult } from './prediction.store';
import { PREDICTION_COLUMNS, predictionFromRow, predictionValues, type PredictionRow } from './prediction-rows';
import type { PredictionRecord } from './prediction.types';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Daily partitions kept ready ahead of today, so no insert ever waits for DDL at midnight. */
const DAYS_AHEAD = 3;
/** How often the partitions ahead are (re)checked. */
const MAINTENANCE_INTERVAL_MS = 60 * 60 * 1000;
/** Serialises partition DDL across replicas (any constant unique to the project, distinct from the migrations'). */
const PARTITION_LOCK_KEY = 7_341_508_202;
/** PostgreSQL's "no partition of relation ... found for row" (check_violation). */
const NO_PARTITION = '23514';

/**
 * The prediction log on PostgreSQL: range-partitioned by `created_at`, one partition per UTC day, created ahead of
 * time; retention drops whole partitions (no DELETE, so no bloat and no vacuum debt at volume). There is no DEFAULT
 * partition on purpose: a row outside every partition is an error the store repairs (it creates the day's
 * partition and retries), and a DEFAULT partition would block detaching and dropping old days cheaply.
 * The primary key must hold the partition key, hence (id, created_at); ids are UUIDv7, unique by themselves.
 */
const MIGRATIONS = [
  `CREATE TABLE predictions (
     id UUID NOT NULL,
     created_at BIGINT NOT NULL,
     model_version TEXT NOT NULL,
     label TEXT NOT NULL,
     score DOUBLE PRECISION NOT NULL,
     scores JSONB NOT NULL,
     latency_ms DOUBLE PRECISION NOT NULL,
     source TEXT NOT NULL,
     job_id TEXT,
     input TEXT,
     input_hash TEXT,
     input_length INTEGER NOT NULL,
     PRIMARY KEY (id, created_at)
   ) PARTITION BY RANGE (created_at);`,
];

@Injectable()
export class PostgresPredictionStore extends PredictionStore implements OnApplicationShutdown {
  private readonly logger = new Logger(PostgresPredictionStore.name);
  private readonly ready: Promise<void>;
  private readonly maintenance: NodeJS.Timeout;

  constructor(private readonly database: PostgresDatabase) {
    super();
    this.ready = database.migrate('predictions', MIGRATIONS).then(() => this.ensurePartitionsAhead(Date.now()));
    this.ready.catch(() => undefined); // reported by PostgresDatabase.onModuleInit and by the first call
    this.maintenance = setInterval(() => {
      this.ensurePartitionsAhead(Date.now()).catch((error: Error) => this.logger.warn(`Creating prediction log partitions failed: ${error.message}`));
    }, MAINTENANCE_INTERVAL_MS);
    this.maintenance.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.maintenance);
  }

  async insertAll(records: readonly PredictionRecord[]): Promise<void> {
    await this.ready;
    try {
      await insertPredictionsPostgres(this.database.pool, records);
    } catch (error) {
      if ((error as { code?: string }).code !== NO_PARTITION) throw error;
      // A record outside the partitions made ahead (a clock far off, or the hourly check not run yet): make its days.
      for (const day of new Set(records.map((r) => dayStart(r.createdAt)))) await this.ensurePartition(day);
      await insertPredictionsPostgres(this.database.pool, records);
    }
  }

  async findById(id: string): Promise<PredictionRecord | undefined> {
    if (!UUID_PATTERN.test(id)) return undefined; // not an id this service hands out; the UUID column would reject it
    await this.ready;
    const rows = await this.database.query<PredictionRow & Record<string, unknown>>('SELECT * FROM predictions WHERE id = $1', [id]);
    return rows[0] ? predictionFromRow(rows[0]) : undefined;
  }

  /** Drops every daily partition that ends at or before `cutoff`: retention works in whole days. */
  async deleteOlderThan(cutoff: number): Promise<PruneResult> {
    await this.ready;
    let removed = 0;
    for (const partition of await this.partitions()) {
      if (partition.end > cutoff) continue;
      await this.database.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK_KEY]);
        await tx.query(`DROP TABLE IF EXISTS ${partition.name}`);
      });
      removed++;
    }
    return { removed, unit: 'daily partitions' };
  }

  /** The partitions with their bounds, oldest first. */
  async partitions(): Promise<{ name: string; start: number; end: number }[]> {
    await this.ready;
    const rows = await this.database.query<{ name: string; bound: string }>(
      `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'predictions'::regclass`,
    );
    return rows
      .map((row) => {
        const match = /FROM \('?(-?\d+)'?\) TO \('?(-?\d+)'?\)/.exec(row.bound);
        if (!match) throw new Error(`Unexpected partition bound of ${row.name}: ${row.bound}`);
        return { name: row.name, start: Number(match[1]), end: Number(match[2]) };
      })
      .sort((a, b) => a.start - b.start);
  }

  private async ensurePartitionsAhead(now: number): Promise<void> {
    const today = dayStart(now);
    for (let day = 0; day <= DAYS_AHEAD; day++) await this.ensurePartition(today + day * DAY_MS);
  }

  /** Creates the partition of the UTC day starting at `start`, unless it exists (under a lock: replicas race here). */
  private async ensurePartition(start: number): Promise<void> {
    const name = partitionName(start);
    await this.database.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK_KEY]);
      await tx.query(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF predictions FOR VALUES FROM (${start}) TO (${start + DAY_MS})`);
    });
  }
}

/**
 * Writes prediction records in one statement, whatever their number: each column travels as one array parameter
 * and `unnest` turns them back into rows. On a transaction's connection the records commit with it (a job chunk's
 * results); shared with the jobs store for that reason, the table being this feature's.
 */
export async function insertPredictionsPostgres(executor: PgExecutor, records: readonly PredictionRecord[]): Promise<void> {
  if (records.length === 0) return;
  const columns: unknown[][] = Array.from({ length: 12 }, () => new Array<unknown>(records.length));
  records.forEach((record, i) => predictionValues(record).forEach((value, column) => (columns[column][i] = value)));
  await executor.query(
    `INSERT INTO predictions (${PREDICTION_COLUMNS})
     SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::float8[], $6::jsonb[], $7::float8[], $8::text[],
                          $9::text[], $10::text[], $11::text[], $12::int[])`,
    columns,
  );
}

function dayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** predictions_20261201 for the UTC day starting at `start`. */
export function partitionName(start: number): string {
  return `predictions_${new Date(start).toISOString().slice(0, 10).replaceAll('-', '')}`;
}
