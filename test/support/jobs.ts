import type { Classification, EngineStats } from '../../lib';
import type { AppConfig } from '../../src/config/app-config';
import { SqliteDatabase } from '../../src/database/sqlite-database';
import type { EngineService } from '../../src/engine/engine.service';
import { JobRunner } from '../../src/jobs/job-runner';
import { JobStore } from '../../src/jobs/job.store';
import { JobsService } from '../../src/jobs/jobs.service';
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

/** The jobs feature wired by hand on a real SQLite database, like one process of the server. */
export interface JobsHarness {
  database: SqliteDatabase;
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

export function openJobs(config: AppConfig, engine: FakeJobEngine = createFakeJobEngine()): JobsHarness {
  const database = new SqliteDatabase(config);
  const predictions = new PredictionLogService(new SqlitePredictionStore(database), config);
  const store = new JobStore(database);
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
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
