import { Injectable } from '@nestjs/common';
import { PostgresDatabase, type PgExecutor } from '../database/postgres-database';
import { ModelStore } from './model.store';
import type { HistoryEntry, NewHistoryEntry, RoleAssignment, RoleChange } from './model.types';
import { historyFromRow, roleFromRow, type HistoryRow, type RoleRow } from './model-rows';

/**
 * The channel on which a committed role change is announced to every replica (LISTEN/NOTIFY). The payload is
 * informative only ({"action", "version"}): a listener re-reads the roles, so a lost or merged notification
 * costs nothing but the wait for the periodic reconcile.
 */
export const MODEL_ROLES_CHANNEL = 'model_roles_changed';

/** The models feature's tables on PostgreSQL; steps are append-only, like SQLite's. */
const MIGRATIONS = [
  `CREATE TABLE model_roles (
     role TEXT PRIMARY KEY,
     version TEXT NOT NULL,
     traffic DOUBLE PRECISION,
     updated_at BIGINT NOT NULL
   );
   CREATE TABLE model_history (
     id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     at BIGINT NOT NULL,
     action TEXT NOT NULL,
     version TEXT,
     previous_version TEXT,
     outcome TEXT NOT NULL,
     detail TEXT NOT NULL
   );
   CREATE TABLE model_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
];

const INSERT_HISTORY = 'INSERT INTO model_history (at, action, version, previous_version, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6)';

/**
 * Model roles, history and settings on PostgreSQL, shared by every replica. A role change commits with its history
 * entry and its notification in one transaction: the other replicas are told only what was committed.
 */
@Injectable()
export class PostgresModelStore extends ModelStore {
  private readonly ready: Promise<void>;

  constructor(private readonly database: PostgresDatabase) {
    super();
    this.ready = database.migrate('models', MIGRATIONS);
  }

  async roles(): Promise<RoleAssignment[]> {
    await this.ready;
    const rows = await this.database.query<RoleRow>('SELECT role, version, traffic, updated_at FROM model_roles ORDER BY role');
    return rows.map(roleFromRow);
  }

  async changeRoles(changes: readonly RoleChange[], entry: NewHistoryEntry): Promise<void> {
    await this.ready;
    await this.database.transaction(async (tx) => {
      for (const change of changes) {
        if (change.version === undefined) await tx.query('DELETE FROM model_roles WHERE role = $1', [change.role]);
        else {
          await tx.query(
            `INSERT INTO model_roles (role, version, traffic, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (role) DO UPDATE SET version = excluded.version, traffic = excluded.traffic, updated_at = excluded.updated_at`,
            [change.role, change.version, change.traffic ?? null, entry.at],
          );
        }
      }
      await insertHistory(tx, entry);
      // Delivered by PostgreSQL at COMMIT, never for a rolled-back change.
      await tx.query('SELECT pg_notify($1, $2)', [MODEL_ROLES_CHANNEL, JSON.stringify({ action: entry.action, version: entry.version ?? null })]);
    });
  }

  async appendHistory(entry: NewHistoryEntry): Promise<void> {
    await this.ready;
    await insertHistory(this.database.pool, entry);
  }

  async history(limit: number, beforeId = Number.MAX_SAFE_INTEGER): Promise<HistoryEntry[]> {
    await this.ready;
    const rows = await this.database.query<HistoryRow>('SELECT * FROM model_history WHERE id < $1 ORDER BY id DESC LIMIT $2', [beforeId, limit]);
    return rows.map(historyFromRow);
  }

  async setting(key: string): Promise<string | undefined> {
    await this.ready;
    const rows = await this.database.query<{ value: string }>('SELECT value FROM model_settings WHERE key = $1', [key]);
    return rows[0]?.value;
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.ready;
    await this.database.query('INSERT INTO model_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }
}

function insertHistory(executor: PgExecutor, entry: NewHistoryEntry): Promise<unknown> {
  return executor.query(INSERT_HISTORY, [entry.at, entry.action, entry.version ?? null, entry.previousVersion ?? null, entry.outcome, entry.detail]);
}
