import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type BetterSqlite3 from 'better-sqlite3';
import { Sqlite } from './sqlite-driver';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config';

/** The database file inside DATA_DIR. */
export const DATABASE_FILE = 'classifier.db';

/** Thrown at boot when the database cannot be opened or migrated; the message says where and why. */
export class DatabaseOpenError extends Error {
  readonly code = 'DATABASE_UNAVAILABLE';

  constructor(path: string, cause: unknown) {
    super(`Cannot open the database ${path}: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'DatabaseOpenError';
  }
}

/** How long a write waits for a lock another connection holds before failing. */
const BUSY_TIMEOUT_MS = 5000;
/** The same for the readiness probe, which runs often and on the event loop. */
const PROBE_BUSY_TIMEOUT_MS = 100;

export type WritableCheck = { writable: true } | { writable: false; reason: string };

/**
 * The embedded SQLite database (better-sqlite3), the default store when DATABASE_URL is unset, that makes accepted
 * work durable: jobs, the prediction log, feedback, model roles, drift. One connection, in WAL mode so readers
 * never block the writer, opened when the first store asks for it (so a server on PostgreSQL never creates the
 * file).
 * better-sqlite3 is synchronous: each statement runs on the JS thread, which is right for the small indexed
 * reads and writes the features make (microseconds) and keeps a commit done before the response is sent.
 * Each feature owns its tables through `migrate` and keeps its statements in its own store provider.
 * Global, so it is shut down last, after every feature that writes to it.
 */
@Injectable()
export class SqliteDatabase implements OnApplicationShutdown {
  private readonly logger = new Logger(SqliteDatabase.name);
  private opened: BetterSqlite3.Database | undefined;
  readonly path: string;

  constructor(private readonly config: AppConfig) {
    this.path = join(config.dataDir, DATABASE_FILE);
  }

  /** The connection, for the features' store providers to prepare their statements on; opened on first use. */
  get db(): BetterSqlite3.Database {
    this.opened ??= this.open();
    return this.opened;
  }

  private open(): BetterSqlite3.Database {
    const config = this.config;
    let connection: BetterSqlite3.Database;
    try {
      mkdirSync(config.dataDir, { recursive: true });
      connection = new Sqlite(this.path);
      connection.pragma('journal_mode = WAL');
      connection.pragma(`synchronous = ${config.dbSynchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      connection.pragma('foreign_keys = ON');
      // Another process (a second replica pointed at the same DATA_DIR by mistake, a backup) may hold the lock briefly.
      connection.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      connection.exec(`
        CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS health_probe (id INTEGER PRIMARY KEY CHECK (id = 1), checked_at INTEGER NOT NULL);
      `);
    } catch (error) {
      throw new DatabaseOpenError(this.path, error);
    }
    this.logger.log(`Database ${this.path} open (WAL, synchronous=${config.dbSynchronous})`);
    return connection;
  }

  /**
   * Brings `component`'s tables to the latest version: runs the steps after the recorded version, each in a
   * transaction with its version bump. Steps are append-only: a shipped step is never edited.
   */
  migrate(component: string, steps: readonly string[]): void {
    const connection = this.db;
    try {
      const row = connection.prepare('SELECT version FROM schema_versions WHERE component = ?').get(component) as
        | { version: number }
        | undefined;
      const current = row?.version ?? 0;
      if (current > steps.length) {
        throw new Error(
          `${component}'s tables are at version ${current}, newer than this server knows (${steps.length}): was the database written by a newer release?`,
        );
      }
      const record = connection.prepare(
        'INSERT INTO schema_versions (component, version) VALUES (?, ?) ON CONFLICT (component) DO UPDATE SET version = excluded.version',
      );
      for (let version = current + 1; version <= steps.length; version++) {
        connection.transaction(() => {
          connection.exec(steps[version - 1]);
          record.run(component, version);
        })();
      }
    } catch (error) {
      throw new DatabaseOpenError(this.path, error);
    }
  }

  /** Whether a write commits now (readiness): a full disk, a read-only mount or a lost file all show here. */
  checkWritable(): WritableCheck {
    const connection = this.db;
    if (!connection.open) return { writable: false, reason: 'the database is closed' };
    // A lock held by another process must not stall the event loop for the full busy timeout on every probe.
    connection.pragma(`busy_timeout = ${PROBE_BUSY_TIMEOUT_MS}`);
    try {
      connection.prepare('INSERT OR REPLACE INTO health_probe (id, checked_at) VALUES (1, ?)').run(Date.now());
      return { writable: true };
    } catch (error) {
      return { writable: false, reason: (error as Error).message };
    } finally {
      connection.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }

  onApplicationShutdown(): void {
    const connection = this.opened;
    if (!connection?.open) return;
    try {
      // Folds the WAL back into the main file so a copy of DATA_DIR/classifier.db alone is complete.
      connection.pragma('wal_checkpoint(TRUNCATE)');
    } catch (error) {
      this.logger.warn(`WAL checkpoint at shutdown failed: ${(error as Error).message}`);
    }
    connection.close();
    this.logger.log('Database closed');
  }
}
