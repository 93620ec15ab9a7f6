import type { AppConfig } from '../../src/config/app-config';
import type { RawEnv } from '../../src/config/env.schema';
import { PostgresDatabase } from '../../src/database/postgres-database';
import { SqliteDatabase } from '../../src/database/sqlite-database';
import type { FeedbackStore } from '../../src/feedback/feedback.store';
import { PostgresFeedbackStore } from '../../src/feedback/postgres-feedback.store';
import { SqliteFeedbackStore } from '../../src/feedback/sqlite-feedback.store';
import type { MonitoringStore } from '../../src/monitoring/monitoring.store';
import { PostgresMonitoringStore } from '../../src/monitoring/postgres-monitoring.store';
import { SqliteMonitoringStore } from '../../src/monitoring/sqlite-monitoring.store';
import { PostgresPredictionStore } from '../../src/predictions/postgres-prediction.store';
import type { PredictionStore } from '../../src/predictions/prediction.store';
import { SqlitePredictionStore } from '../../src/predictions/sqlite-prediction.store';
import { createTestDatabase } from './postgres';
import { configWithTempDataDir } from './temp-data-dir';

export type Backend = 'SQLite' | 'PostgreSQL';
export const BACKENDS: Backend[] = ['SQLite', 'PostgreSQL'];

/** One replica's view of a database: the configuration it runs with and the stores of the prediction log, feedback and monitoring. */
export interface Replica {
  config: AppConfig;
  predictions: PredictionStore;
  feedback: FeedbackStore;
  monitoring: MonitoringStore;
  /** Set on the SQLite backend. */
  sqlite?: SqliteDatabase;
  /** Set on the PostgreSQL backend. */
  postgres?: PostgresDatabase;
}

/**
 * A fresh, empty database of `backend` for one test, and any number of replicas on it (each with its own
 * connection or pool, as separate server processes would have). `close()` shuts every replica and removes the
 * database.
 */
export interface StoreHarness {
  backend: Backend;
  replica(): Replica;
  close(): Promise<void>;
}

export async function openStores(backend: Backend, env: RawEnv = {}): Promise<StoreHarness> {
  const db = await openDatabase(backend, env);
  return {
    backend,
    replica() {
      const { sqlite, postgres } = db.connect();
      if (sqlite) {
        return {
          config: db.config,
          sqlite,
          predictions: new SqlitePredictionStore(sqlite),
          feedback: new SqliteFeedbackStore(sqlite),
          monitoring: new SqliteMonitoringStore(sqlite),
        };
      }
      const predictions = new PostgresPredictionStore(postgres);
      const feedback = new PostgresFeedbackStore(postgres);
      db.onDisconnect(() => {
        predictions.onApplicationShutdown();
        feedback.onApplicationShutdown();
      });
      return { config: db.config, postgres, predictions, feedback, monitoring: new PostgresMonitoringStore(postgres) };
    },
    close: () => db.close(),
  };
}

/** One connection to a test database: a replica's, or the same replica's after a restart. */
export type Connection = { sqlite: SqliteDatabase; postgres?: undefined } | { sqlite?: undefined; postgres: PostgresDatabase };

/**
 * A fresh, empty database of `backend` for one test, for the specs of one store. `connect()` opens another
 * connection to it (its own SQLite handle or PostgreSQL pool, as another server process would have);
 * `disconnect()` closes every connection opened so far and keeps the data (a restart); `close()` also removes the
 * database.
 */
export interface DatabaseHarness {
  backend: Backend;
  /** The configuration the connections are opened with (DATABASE_URL set on PostgreSQL). */
  config: AppConfig;
  /** The PostgreSQL database's URL; undefined on SQLite. */
  url?: string;
  connect(): Connection;
  /** Runs `close` (a store's own shutdown) at the next disconnect, before the connections it uses close. */
  onDisconnect(close: () => Promise<void> | void): void;
  disconnect(): Promise<void>;
  close(): Promise<void>;
}

export async function openDatabase(backend: Backend, env: RawEnv = {}): Promise<DatabaseHarness> {
  const temp = configWithTempDataDir(env);
  const testDb = backend === 'PostgreSQL' ? await createTestDatabase() : undefined;
  const config: AppConfig = testDb ? { ...temp.config, databaseUrl: testDb.url } : temp.config;
  let closers: Array<() => Promise<void> | void> = [];
  const disconnect = async (): Promise<void> => {
    const pending = closers.reverse();
    closers = [];
    for (const close of pending) await close();
  };
  return {
    backend,
    config,
    url: testDb?.url,
    connect() {
      if (!testDb) {
        const sqlite = new SqliteDatabase(config);
        closers.push(() => sqlite.onApplicationShutdown());
        return { sqlite };
      }
      const postgres = new PostgresDatabase(config);
      closers.push(() => postgres.onApplicationShutdown());
      return { postgres };
    },
    onDisconnect(close) {
      closers.push(close);
    },
    disconnect,
    async close() {
      await disconnect();
      await testDb?.drop();
      temp.remove();
    },
  };
}

/** A store of one feature on `connection`: its SQLite or its PostgreSQL implementation. */
export function storeOn<S>(
  connection: Connection,
  make: { sqlite(database: SqliteDatabase): S; postgres(database: PostgresDatabase): S },
): S {
  return connection.sqlite ? make.sqlite(connection.sqlite) : make.postgres(connection.postgres);
}
