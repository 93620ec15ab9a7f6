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
  const temp = configWithTempDataDir(env);
  const testDb = backend === 'PostgreSQL' ? await createTestDatabase() : undefined;
  const closers: Array<() => Promise<void> | void> = [];
  return {
    backend,
    replica() {
      if (!testDb) {
        const sqlite = new SqliteDatabase(temp.config);
        closers.push(() => sqlite.onApplicationShutdown());
        return {
          config: temp.config,
          sqlite,
          predictions: new SqlitePredictionStore(sqlite),
          feedback: new SqliteFeedbackStore(sqlite),
          monitoring: new SqliteMonitoringStore(sqlite),
        };
      }
      const config: AppConfig = { ...temp.config, databaseUrl: testDb.url };
      const postgres = new PostgresDatabase(config);
      const predictions = new PostgresPredictionStore(postgres);
      const feedback = new PostgresFeedbackStore(postgres);
      closers.push(async () => {
        predictions.onApplicationShutdown();
        feedback.onApplicationShutdown();
        await postgres.onApplicationShutdown();
      });
      return { config, postgres, predictions, feedback, monitoring: new PostgresMonitoringStore(postgres) };
    },
    async close() {
      for (const close of closers.splice(0).reverse()) await close();
      await testDb?.drop();
      temp.remove();
    },
  };
}
