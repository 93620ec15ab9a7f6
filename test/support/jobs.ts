import type { Classification, EngineStats } from '../../lib';
import type { AppConfig } from '../../src/config/app-config';
import { PostgresDatabase } from '../../src/database/postgres-database';
import { SqliteDatabase } from '../../src/database/sqlite-database';
import type { EngineService } from '../../src/engine/engine.service';
import { JobRunner } from '../../src/jobs/job-runner';
import { JobStore } from '../../src/jobs/job.store';
import { JobsService } from '../../src/jobs/jobs.service';
import { PostgresJobStore } from '../../src/jobs/postgres-job.store';
import { SqliteJobStore } from '../../src/jobs/sqlite-job.store';
import { PostgresPredictionStore } from '../../src/predictions/postgres-prediction.store';
import { PredictionLogService } from '../../src/predictions/prediction-log.service';
import { SqlitePredictionStore } from '../../src/predictions/sqlite-prediction.store';
import { FAKE_STATS, fakeClassification } from './fake-engine';

/** What the job workers use of EngineService, as mocks the specs steer. */
export interface FakeJobEngine {
  classify: jest.Mock<Promise<Classification[]>, [string[]]>;
  /** The engine's counters; by default those of an engine only the jobs use (one request per classify call). */
  stats: jest.Mock<EngineStats, []>;
  modelVersion: string;
  /** EngineService.classifyRouted: `classify`, stamped with `modelVersion` as it is when the call finishes. */
  classifyRouted(texts: string[]): Promise<{ results: Classification[]; version: string }>;
}

export function createFakeJobEngine(): FakeJobEngine {
  const engine: FakeJobEngine = {
    classify: jest.fn(async (texts: string[]) => texts.map(fakeClassification)),
    stats: jest.fn(() => ({ ...FAKE_STATS, requests: engine.classify.mock.calls.length })),
    modelVersion: 'fake@0123456789ab',
    classifyRouted: async (texts) => {
      const results = await engine.classify(texts);
      return { results, version: engine.modelVersion };
    },
  };
  return engine;
}

/** One engine call held until the spec answers it. */
export interface HeldCall {
  texts: string[];
  resolve(): void;
  reject(error: unknown): void;
}

/** Makes `engine.classify` hold every call until the spec resolves (with fakeClassification) or rejects it. */
export function holdEngineCalls(engine: FakeJobEngine): HeldCall[] {
  const held: HeldCall[] = [];
  engine.classify.mockImplementation(
    (texts: string[]) =>
      new Promise<Classification[]>((resolve, reject) =>
        held.push({ texts, resolve: () => resolve(texts.map(fakeClassification)), reject }),
      ),
  );
  return held;
}

/** The jobs feature wired by hand on a real database, like one process (replica) of the server. */
export interface JobsHarness<Database = SqliteDatabase> {
  database: Database;
  store: JobStore;
  predictions: PredictionLogService;
  runner: JobRunner;
  jobs: JobsService;
  engine: FakeJobEngine;
  /** Graceful shutdown, in the application's order: workers, then the service, then the database. */
  shutdown(): Promise<void>;
  /** Stops like a killed process: the database connection is dropped and nothing else runs. */
  crash(): void;
}

/**
 * One replica of the jobs feature on PostgreSQL (`config.databaseUrl`): its own pool, stores, log and runner.
 * Several on one database behave as several server processes. Resolves once its tables and the prediction log's
 * partitions exist.
 */
export async function openPostgresJobs(config: AppConfig, engine: FakeJobEngine = createFakeJobEngine()): Promise<JobsHarness<PostgresDatabase>> {
  if (!config.databaseUrl) throw new Error('openPostgresJobs needs config.databaseUrl (createTestDatabase().url)');
  const database = new PostgresDatabase(config);
  const predictionStore = new PostgresPredictionStore(database);
  const predictions = new PredictionLogService(predictionStore, config);
  const store = new PostgresJobStore(database);
  const runner = new JobRunner(store, engine as unknown as EngineService, predictions, config);
  const jobs = new JobsService(store, runner, config);
  await database.onModuleInit();
  await predictionStore.partitions(); // awaits the partitions made ahead
  let crashed = false;
  return {
    database,
    store,
    predictions,
    runner,
    jobs,
    engine,
    shutdown: async () => {
      await runner.beforeApplicationShutdown();
      await jobs.onApplicationShutdown();
      predictionStore.onApplicationShutdown();
      if (!crashed) await database.onApplicationShutdown();
    },
    // A killed replica: its connections go (every later statement of it fails: no renewal, no commit, no claim),
    // its leases stay in the database until they expire. Specs never answer its held engine calls.
    crash: () => {
      crashed = true;
      void database.pool.end();
    },
  };
}

export function openJobs(config: AppConfig, engine: FakeJobEngine = createFakeJobEngine()): JobsHarness {
  const database = new SqliteDatabase(config);
  const predictions = new PredictionLogService(new SqlitePredictionStore(database), config);
  const store = new SqliteJobStore(database);
  const runner = new JobRunner(store, engine as unknown as EngineService, predictions, config);
  const jobs = new JobsService(store, runner, config);
  return {
    database,
    store,
    predictions,
    runner,
    jobs,
    engine,
    shutdown: async () => {
      await runner.beforeApplicationShutdown();
      await jobs.onApplicationShutdown();
      database.onApplicationShutdown();
    },
    // A dropped connection is what a killed process leaves: the committed transactions in the file, nothing else.
    // (Specs never answer the crashed instance's held engine calls, so its workers do nothing more.)
    crash: () => database.db.close(),
  };
}

/** Resolves once `condition` holds; fails after `timeoutMs` naming what it waited for. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
