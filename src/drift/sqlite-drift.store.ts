import { Injectable } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import { SqliteDatabase } from '../database/sqlite-database';
import { DriftStore, type ReferenceWrite } from './drift.store';
import { referenceFromRow, referenceParams, type ReferenceRow, windowFromRow, windowParams, type WindowRow } from './drift-rows';
import type { StoredReference, WindowResult } from './drift.types';

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

/** The SQLite DriftStore (better-sqlite3 is synchronous; each method settles at once). */
@Injectable()
export class SqliteDriftStore extends DriftStore {
  readonly shared = false;
  private readonly selectReference: Statement;
  private readonly upsertReference: Statement;
  private readonly insertReferenceIfAbsent: Statement;
  private readonly selectLastSequence: Statement;
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
    this.insertReferenceIfAbsent = db.prepare(
      `INSERT INTO drift_references (model_version, source, file, created_at, size, features, projection, projection_fit_size, bandwidth)
       VALUES (@modelVersion, @source, @file, @createdAt, @size, @features, @projection, @projectionFitSize, @bandwidth)
       ON CONFLICT (model_version) DO NOTHING`,
    );
    this.selectLastSequence = db.prepare('SELECT MAX(sequence) AS last FROM drift_windows WHERE model_version = ?');
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
    return row ? referenceFromRow(row) : undefined;
  }

  async saveReference(reference: StoredReference, write: ReferenceWrite): Promise<StoredReference> {
    return this.database.db.transaction(() => {
      (write === 'replace' ? this.upsertReference : this.insertReferenceIfAbsent).run(referenceParams(reference));
      return referenceFromRow(this.selectReference.get(reference.modelVersion) as ReferenceRow);
    })();
  }

  async saveWindow(window: WindowResult, keep: number): Promise<number> {
    return this.database.db.transaction(() => {
      const last = (this.selectLastSequence.get(window.modelVersion) as { last: number | null }).last ?? 0;
      const sequence = Math.max(window.sequence, last + 1);
      this.insertWindow.run(windowParams({ ...window, sequence }));
      this.pruneWindows.run({ modelVersion: window.modelVersion, keep });
      return sequence;
    })();
  }

  async recentWindows(modelVersion: string, limit: number): Promise<WindowResult[]> {
    return (this.selectWindows.all(modelVersion, limit) as WindowRow[]).map(windowFromRow);
  }

  async versions(): Promise<string[]> {
    return (this.selectVersions.all() as { model_version: string }[]).map((row) => row.model_version);
  }
}
