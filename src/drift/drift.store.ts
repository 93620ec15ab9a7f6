import { Injectable } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import { SqliteDatabase } from '../database/sqlite-database';
import type { StoredReference, WindowResult } from './drift.types';

/**
 * Persistence of drift references and closed windows. Asynchronous so that a networked implementation
 * (PostgreSQL, for several replicas) can take its place; the SQLite one below answers at once.
 */
export abstract class DriftStore {
  abstract loadReference(modelVersion: string): Promise<StoredReference | undefined>;
  /** Replaces the version's reference. */
  abstract saveReference(reference: StoredReference): Promise<void>;
  /** Appends a closed window, then deletes the version's windows beyond the newest `keep`. */
  abstract saveWindow(window: WindowResult, keep: number): Promise<void>;
  /** The version's newest windows, newest first. */
  abstract recentWindows(modelVersion: string, limit: number): Promise<WindowResult[]>;
  /** Every model version with a reference or windows. */
  abstract versions(): Promise<string[]>;
}

/** Drift's own tables; steps are append-only (see SqliteDatabase.migrate). */
const MIGRATIONS = [
  `CREATE TABLE drift_references (
     model_version TEXT PRIMARY KEY,
     source TEXT NOT NULL,
     file TEXT,
     created_at INTEGER NOT NULL,
     size INTEGER NOT NULL,
     features TEXT NOT NULL,
     projection TEXT,
     projection_fit_size INTEGER NOT NULL,
     bandwidth REAL NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE drift_windows (
     model_version TEXT NOT NULL,
     sequence INTEGER NOT NULL,
     started_at INTEGER NOT NULL,
     closed_at INTEGER NOT NULL,
     closed_by TEXT NOT NULL,
     size INTEGER NOT NULL,
     status TEXT NOT NULL,
     alpha REAL NOT NULL,
     correction TEXT NOT NULL,
     tests TEXT NOT NULL,
     evaluation_ms REAL NOT NULL,
     embedding_unavailable TEXT,
     PRIMARY KEY (model_version, sequence)
   ) WITHOUT ROWID;`,
];

interface ReferenceRow {
  model_version: string;
  source: string;
  file: string | null;
  created_at: number;
  size: number;
  features: string;
  projection: string | null;
  projection_fit_size: number;
  bandwidth: number;
}

interface WindowRow {
  model_version: string;
  sequence: number;
  started_at: number;
  closed_at: number;
  closed_by: string;
  size: number;
  status: string;
  alpha: number;
  correction: string;
  tests: string;
  evaluation_ms: number;
  embedding_unavailable: string | null;
}

/** The SQLite DriftStore (better-sqlite3 is synchronous; each method settles at once). */
@Injectable()
export class SqliteDriftStore extends DriftStore {
  private readonly selectReference: Statement;
  private readonly upsertReference: Statement;
  private readonly insertWindow: Statement;
  private readonly pruneWindows: Statement;
  private readonly selectWindows: Statement;
  private readonly selectVersions: Statement;

  constructor(private readonly database: SqliteDatabase) {
    super();
    database.migrate('drift', MIGRATIONS);
    const db = database.db;
    this.selectReference = db.prepare('SELECT * FROM drift_references WHERE model_version = ?');
    this.upsertReference = db.prepare(
      `INSERT INTO drift_references (model_version, source, file, created_at, size, features, projection, projection_fit_size, bandwidth)
       VALUES (@modelVersion, @source, @file, @createdAt, @size, @features, @projection, @projectionFitSize, @bandwidth)
       ON CONFLICT (model_version) DO UPDATE SET source = excluded.source, file = excluded.file, created_at = excluded.created_at,
         size = excluded.size, features = excluded.features, projection = excluded.projection,
         projection_fit_size = excluded.projection_fit_size, bandwidth = excluded.bandwidth`,
    );
    this.insertWindow = db.prepare(
      `INSERT INTO drift_windows (model_version, sequence, started_at, closed_at, closed_by, size, status, alpha, correction, tests, evaluation_ms, embedding_unavailable)
       VALUES (@modelVersion, @sequence, @startedAt, @closedAt, @closedBy, @size, @status, @alpha, @correction, @tests, @evaluationMs, @embeddingUnavailable)`,
    );
    this.pruneWindows = db.prepare(
      `DELETE FROM drift_windows WHERE model_version = @modelVersion AND sequence <= (
         SELECT sequence FROM drift_windows WHERE model_version = @modelVersion ORDER BY sequence DESC LIMIT 1 OFFSET @keep)`,
    );
    this.selectWindows = db.prepare('SELECT * FROM drift_windows WHERE model_version = ? ORDER BY sequence DESC LIMIT ?');
    this.selectVersions = db.prepare(
      'SELECT model_version FROM drift_references UNION SELECT DISTINCT model_version FROM drift_windows ORDER BY 1',
    );
  }

  async loadReference(modelVersion: string): Promise<StoredReference | undefined> {
    const row = this.selectReference.get(modelVersion) as ReferenceRow | undefined;
    if (!row) return undefined;
    return {
      modelVersion: row.model_version,
      source: row.source as StoredReference['source'],
      file: row.file ?? undefined,
      createdAt: row.created_at,
      size: row.size,
      features: JSON.parse(row.features) as StoredReference['features'],
      projection: row.projection ? (JSON.parse(row.projection) as StoredReference['projection']) : null,
      projectionFitSize: row.projection_fit_size,
      bandwidth: row.bandwidth,
    };
  }

  async saveReference(reference: StoredReference): Promise<void> {
    this.upsertReference.run({
      ...reference,
      file: reference.file ?? null,
      features: JSON.stringify(reference.features),
      projection: reference.projection ? JSON.stringify(reference.projection) : null,
    });
  }

  async saveWindow(window: WindowResult, keep: number): Promise<void> {
    this.database.db.transaction(() => {
      this.insertWindow.run({
        ...window,
        tests: JSON.stringify(window.tests),
        embeddingUnavailable: window.embeddingUnavailable ?? null,
      });
      this.pruneWindows.run({ modelVersion: window.modelVersion, keep });
    })();
  }

  async recentWindows(modelVersion: string, limit: number): Promise<WindowResult[]> {
    return (this.selectWindows.all(modelVersion, limit) as WindowRow[]).map((row) => ({
      modelVersion: row.model_version,
      sequence: row.sequence,
      startedAt: row.started_at,
      closedAt: row.closed_at,
      closedBy: row.closed_by as WindowResult['closedBy'],
      size: row.size,
      status: row.status as WindowResult['status'],
      alpha: row.alpha,
      correction: row.correction as WindowResult['correction'],
      tests: JSON.parse(row.tests) as WindowResult['tests'],
      evaluationMs: row.evaluation_ms,
      embeddingUnavailable: row.embedding_unavailable ?? undefined,
    }));
  }

  async versions(): Promise<string[]> {
    return (this.selectVersions.all() as { model_version: string }[]).map((row) => row.model_version);
  }
}
