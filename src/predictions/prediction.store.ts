import { Injectable } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import { SqliteDatabase } from '../database/sqlite-database';
import type { PredictionRecord, PredictionSource } from './prediction.types';

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

interface PredictionRow {
  id: string;
  created_at: number;
  model_version: string;
  label: string;
  score: number;
  scores: string;
  latency_ms: number;
  source: string;
  job_id: string | null;
  input: string | null;
  input_hash: string | null;
  input_length: number;
}

/** SQLite persistence of the prediction log (I/O only; PredictionLogService holds the rules). */
@Injectable()
export class PredictionStore {
  private readonly insert: Statement;
  private readonly byId: Statement;
  private readonly prune: Statement;
  /** One transaction over any number of records, prepared once: this runs for every request. */
  private readonly insertInTransaction: (records: readonly PredictionRecord[]) => void;

  constructor(private readonly database: SqliteDatabase) {
    database.migrate('predictions', MIGRATIONS);
    const db = database.db;
    // Positional parameters: binding an array of values is cheaper than building a named-parameter object per row.
    this.insert = db.prepare(
      `INSERT INTO predictions (id, created_at, model_version, label, score, scores, latency_ms, source, job_id, input, input_hash, input_length)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.byId = db.prepare('SELECT * FROM predictions WHERE id = ?');
    this.prune = db.prepare('DELETE FROM predictions WHERE created_at < ?');
    this.insertInTransaction = db.transaction((records: readonly PredictionRecord[]) => {
      for (const r of records) {
        this.insert.run(
          r.id,
          r.createdAt,
          r.modelVersion,
          r.label,
          r.score,
          JSON.stringify(r.scores),
          r.latencyMs,
          r.source,
          r.jobId ?? null,
          r.input ?? null,
          r.inputHash ?? null,
          r.inputLength,
        );
      }
    });
  }

  /**
   * Commits every record or none (one transaction). Inside a transaction the caller opened, the records join it
   * (better-sqlite3 nests it as a savepoint) and are committed with it.
   */
  insertAll(records: readonly PredictionRecord[]): void {
    this.insertInTransaction(records);
  }

  findById(id: string): PredictionRecord | undefined {
    const row = this.byId.get(id) as PredictionRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Deletes predictions made before `cutoff` (ms since the epoch); returns how many. */
  deleteOlderThan(cutoff: number): number {
    return this.prune.run(cutoff).changes;
  }
}

function fromRow(row: PredictionRow): PredictionRecord {
  return {
    id: row.id,
    createdAt: row.created_at,
    modelVersion: row.model_version,
    label: row.label,
    score: row.score,
    scores: JSON.parse(row.scores) as Record<string, number>,
    latencyMs: row.latency_ms,
    source: row.source as PredictionSource,
    ...(row.job_id !== null ? { jobId: row.job_id } : {}),
    ...(row.input !== null ? { input: row.input } : {}),
    ...(row.input_hash !== null ? { inputHash: row.input_hash } : {}),
    inputLength: row.input_length,
  };
}
