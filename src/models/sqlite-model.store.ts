import { Injectable } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import { SqliteDatabase } from '../database/sqlite-database';
import { ModelStore } from './model.store';
import type { HistoryEntry, NewHistoryEntry, RoleAssignment, RoleChange } from './model.types';
import { historyFromRow, roleFromRow, type HistoryRow, type RoleRow } from './model-rows';

/** The models feature's tables; steps are append-only (see SqliteDatabase.migrate). */
const MIGRATIONS = [
  `CREATE TABLE model_roles (
     role TEXT PRIMARY KEY,
     version TEXT NOT NULL,
     traffic REAL,
     updated_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE model_history (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     action TEXT NOT NULL,
     version TEXT,
     previous_version TEXT,
     outcome TEXT NOT NULL,
     detail TEXT NOT NULL
   );
   CREATE TABLE model_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;`,
];

/** SQLite persistence of model roles and history (synchronous underneath, async to its callers). */
@Injectable()
export class SqliteModelStore extends ModelStore {
  private readonly selectRoles: Statement;
  private readonly upsertRole: Statement;
  private readonly deleteRole: Statement;
  private readonly insertHistory: Statement;
  private readonly selectHistory: Statement;
  private readonly selectSetting: Statement;
  private readonly upsertSetting: Statement;

  constructor(private readonly database: SqliteDatabase) {
    super();
    database.migrate('models', MIGRATIONS);
    const db = database.db;
    this.selectRoles = db.prepare('SELECT * FROM model_roles ORDER BY role');
    this.upsertRole = db.prepare(
      `INSERT INTO model_roles (role, version, traffic, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (role) DO UPDATE SET version = excluded.version, traffic = excluded.traffic, updated_at = excluded.updated_at`,
    );
    this.deleteRole = db.prepare('DELETE FROM model_roles WHERE role = ?');
    this.insertHistory = db.prepare(
      'INSERT INTO model_history (at, action, version, previous_version, outcome, detail) VALUES (@at, @action, @version, @previousVersion, @outcome, @detail)',
    );
    this.selectHistory = db.prepare('SELECT * FROM model_history WHERE id < ? ORDER BY id DESC LIMIT ?');
    this.selectSetting = db.prepare('SELECT value FROM model_settings WHERE key = ?');
    this.upsertSetting = db.prepare(
      'INSERT INTO model_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
  }

  async roles(): Promise<RoleAssignment[]> {
    return (this.selectRoles.all() as RoleRow[]).map(roleFromRow);
  }

  async changeRoles(changes: readonly RoleChange[], entry: NewHistoryEntry): Promise<void> {
    this.database.db.transaction(() => {
      for (const change of changes) {
        if (change.version === undefined) this.deleteRole.run(change.role);
        else this.upsertRole.run(change.role, change.version, change.traffic ?? null, entry.at);
      }
      this.insertHistory.run(toParams(entry));
    })();
  }

  async appendHistory(entry: NewHistoryEntry): Promise<void> {
    this.insertHistory.run(toParams(entry));
  }

  async history(limit: number, beforeId = Number.MAX_SAFE_INTEGER): Promise<HistoryEntry[]> {
    return (this.selectHistory.all(beforeId, limit) as HistoryRow[]).map(historyFromRow);
  }

  async setting(key: string): Promise<string | undefined> {
    return (this.selectSetting.get(key) as { value: string } | undefined)?.value;
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.upsertSetting.run(key, value);
  }
}

function toParams(entry: NewHistoryEntry): Record<string, unknown> {
  return {
    at: entry.at,
    action: entry.action,
    version: entry.version ?? null,
    previousVersion: entry.previousVersion ?? null,
    outcome: entry.outcome,
    detail: entry.detail,
  };
}
