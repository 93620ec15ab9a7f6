import { Injectable } from '@nestjs/common';
import type BetterSqlite3 from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { SqliteDatabase } from '../database/sqlite-database';
import { PredictionStore, type PruneResult } from './prediction.store';
import { PREDICTION_COLUMNS, predictionFromRow, predictionValues, type PredictionRow } from './prediction-rows';
import type { PredictionRecord } from './prediction.types';

/** The prediction log's table; steps are append-only (see SqliteDatabase.migrate). */
const MIGRATIONS = [
  `CREATE TABLE predictions (
     id TEXT PRIMARY KEY,
     created_at INTEGER NOT NULL,
     model_version TEXT NOT NULL,
     label TEXT NOT NULL,
     score REAL NOT NULL,
     scores TEXT NOT NULL,
     latency_ms REAL NOT NULL,
     source TEXT NOT NULL,
     job_id TEXT,
     input TEXT,
     input_hash TEXT,
     input_length INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX predictions_created_at ON predictions (created_at);`,
];

/** SQLite persistence of the prediction log (the embedded default). */
@Injectable()
export class SqlitePredictionStore extends PredictionStore {
  private readonly byId: Statement;
  private readonly prune: Statement;
  private readonly db: BetterSqlite3.Database;

  constructor(database: SqliteDatabase) {
    super();
    database.migrate('predictions', MIGRATIONS);
    this.db = database.db;
    this.byId = this.db.prepare('SELECT * FROM predictions WHERE id = ?');
    this.prune = this.db.prepare('DELETE FROM predictions WHERE created_at < ?');
  }

  async insertAll(records: readonly PredictionRecord[]): Promise<void> {
    insertPredictionsSqlite(this.db, records);
  }

  async findById(id: string): Promise<PredictionRecord | undefined> {
    const row = this.byId.get(id) as PredictionRow | undefined;
    return row ? predictionFromRow(row) : undefined;
  }

  async deleteOlderThan(cutoff: number): Promise<PruneResult> {
    return { removed: this.prune.run(cutoff).changes, unit: 'predictions' };
  }
}

/** Per connection: the insert statement and a transaction over any number of records, prepared once. */
const inserters = new WeakMap<BetterSqlite3.Database, (records: readonly PredictionRecord[]) => void>();

/**
 * Writes prediction records on `db` in one transaction; inside a transaction the caller opened (a job chunk's,
 * with its results), the records join it (better-sqlite3 nests it as a savepoint) and commit with it. Shared
 * with the jobs store for that reason; the table is this feature's.
 */
export function insertPredictionsSqlite(db: BetterSqlite3.Database, records: readonly PredictionRecord[]): void {
  let insert = inserters.get(db);
  if (!insert) {
    // Positional parameters: binding an array of values is cheaper than building a named-parameter object per row.
    const statement = db.prepare(
      `INSERT INTO predictions (${PREDICTION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    insert = db.transaction((rows: readonly PredictionRecord[]) => {
      for (const record of rows) statement.run(predictionValues(record));
    });
    inserters.set(db, insert);
  }
  insert(records);
}
