import { Injectable } from '@nestjs/common';
import { PostgresDatabase } from '../database/postgres-database';
import { referenceFromRow, referenceParams, type ReferenceRow, windowFromRow, windowParams, type WindowRow } from './drift-rows';
import { DriftStore, type ReferenceWrite } from './drift.store';
import type { StoredReference, WindowResult } from './drift.types';

/** Drift's tables on PostgreSQL; steps are append-only, like SQLite's. Same columns, PostgreSQL types. */
const MIGRATIONS = [
  `CREATE TABLE drift_references (
     model_version TEXT PRIMARY KEY,
     source TEXT NOT NULL,
     file TEXT,
     created_at BIGINT NOT NULL,
     size INTEGER NOT NULL,
     features TEXT NOT NULL,
     projection TEXT,
     projection_fit_size INTEGER NOT NULL,
     bandwidth DOUBLE PRECISION NOT NULL
   );
   CREATE TABLE drift_windows (
     model_version TEXT NOT NULL,
     sequence INTEGER NOT NULL,
     started_at BIGINT NOT NULL,
     closed_at BIGINT NOT NULL,
     closed_by TEXT NOT NULL,
     size INTEGER NOT NULL,
     status TEXT NOT NULL,
     alpha DOUBLE PRECISION NOT NULL,
     correction TEXT NOT NULL,
     tests TEXT NOT NULL,
     evaluation_ms DOUBLE PRECISION NOT NULL,
     embedding_unavailable TEXT,
     PRIMARY KEY (model_version, sequence)
   );`,
];

const REFERENCE_COLUMNS = 'model_version, source, file, created_at, size, features, projection, projection_fit_size, bandwidth';

/**
 * Drift references and windows on PostgreSQL, shared by every replica: each replica records the windows of its
 * own traffic here, and every replica reports them all. A window's sequence is taken under a per-version
 * transaction lock, so two replicas closing a window at the same moment get consecutive numbers.
 */
@Injectable()
export class PostgresDriftStore extends DriftStore {
  readonly shared = true;
  private readonly ready: Promise<void>;

  constructor(private readonly database: PostgresDatabase) {
    super();
    this.ready = database.migrate('drift', MIGRATIONS);
  }

  async loadReference(modelVersion: string): Promise<StoredReference | undefined> {
    await this.ready;
    const rows = await this.database.query<ReferenceRow & Record<string, unknown>>(
      `SELECT ${REFERENCE_COLUMNS} FROM drift_references WHERE model_version = $1`,
      [modelVersion],
    );
    return rows[0] ? referenceFromRow(rows[0]) : undefined;
  }

  async saveReference(reference: StoredReference, write: ReferenceWrite): Promise<StoredReference> {
    await this.ready;
    const p = referenceParams(reference);
    const onConflict =
      write === 'replace'
        ? `DO UPDATE SET source = excluded.source, file = excluded.file, created_at = excluded.created_at, size = excluded.size,
             features = excluded.features, projection = excluded.projection, projection_fit_size = excluded.projection_fit_size,
             bandwidth = excluded.bandwidth`
        : 'DO NOTHING';
    return this.database.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO drift_references (${REFERENCE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (model_version) ${onConflict}`,
        [p.modelVersion, p.source, p.file, p.createdAt, p.size, p.features, p.projection, p.projectionFitSize, p.bandwidth],
      );
      const { rows } = await tx.query<ReferenceRow & Record<string, unknown>>(
        `SELECT ${REFERENCE_COLUMNS} FROM drift_references WHERE model_version = $1`,
        [reference.modelVersion],
      );
      return referenceFromRow(rows[0]);
    });
  }

  async saveWindow(window: WindowResult, keep: number): Promise<number> {
    await this.ready;
    return this.database.transaction(async (tx) => {
      // Serialises sequence allocation per version across replicas (released at COMMIT or ROLLBACK).
      await tx.query("SELECT pg_advisory_xact_lock(hashtextextended('drift_windows:' || $1, 0))", [window.modelVersion]);
      const { rows } = await tx.query<{ last: number | null }>('SELECT MAX(sequence) AS last FROM drift_windows WHERE model_version = $1', [
        window.modelVersion,
      ]);
      const sequence = Math.max(window.sequence, (rows[0]?.last ?? 0) + 1);
      const p = windowParams({ ...window, sequence });
      await tx.query(
        `INSERT INTO drift_windows (model_version, sequence, started_at, closed_at, closed_by, size, status, alpha, correction, tests, evaluation_ms, embedding_unavailable)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [p.modelVersion, p.sequence, p.startedAt, p.closedAt, p.closedBy, p.size, p.status, p.alpha, p.correction, p.tests, p.evaluationMs, p.embeddingUnavailable],
      );
      await tx.query(
        `DELETE FROM drift_windows WHERE model_version = $1 AND sequence <= (
           SELECT sequence FROM drift_windows WHERE model_version = $1 ORDER BY sequence DESC LIMIT 1 OFFSET $2)`,
        [window.modelVersion, keep],
      );
      return sequence;
    });
  }

  async recentWindows(modelVersion: string, limit: number): Promise<WindowResult[]> {
    await this.ready;
    const rows = await this.database.query<WindowRow & Record<string, unknown>>(
      'SELECT * FROM drift_windows WHERE model_version = $1 ORDER BY sequence DESC LIMIT $2',
      [modelVersion, limit],
    );
    return rows.map(windowFromRow);
  }

  async versions(): Promise<string[]> {
    await this.ready;
    const rows = await this.database.query<{ model_version: string }>(
      'SELECT model_version FROM drift_references UNION SELECT DISTINCT model_version FROM drift_windows ORDER BY 1',
    );
    return rows.map((row) => row.model_version);
  }
}
