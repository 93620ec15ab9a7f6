import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Counter, Histogram } from 'prom-client';
import { createTestDatabase, type TestDatabase } from '../../test/support/postgres';
import { makeModelVariant } from '../../test/e2e/support/model-variants';
import type { AppConfig } from '../config/app-config';
import { validateEnv } from '../config/env.schema';
import { PostgresDatabase } from '../database/postgres-database';
import { EngineService } from '../engine/engine.service';
import { NativeEngineLoader } from '../engine/native-engine.loader';
import type { PredictionLogService } from '../predictions/prediction-log.service';
import { ModelEventsService } from './model-events.service';
import { ModelRepository } from './model-repository';
import { ModelRoleSync } from './model-role-sync.service';
import { ModelStore } from './model.store';
import { ModelValidator } from './model-validator';
import { ModelsService } from './models.service';
import { MODEL_ROLES_CHANNEL, PostgresModelStore } from './postgres-model.store';
import { ShadowService } from './shadow.service';

/** One replica: the models feature as the application wires it, on the real engine, over the shared database. */
interface Replica {
  models: ModelsService;
  engine: EngineService;
  sync: ModelRoleSync;
  production(): string | undefined;
  canary(): [string, number] | null;
  close(): Promise<void>;
}

/** ModelsService wired as ModelsModule wires it (metrics on no registry; nothing predicted, so a silent log). */
function modelsService(config: AppConfig, engine: EngineService, store: ModelStore, shadow: ShadowService): ModelsService {
  const metric = <T>(make: (name: string) => T) => make(`m${Math.random().toString(36).slice(2)}`);
  const counter = (labelNames: string[] = []) => metric((name) => new Counter({ name, help: name, labelNames, registers: [] }));
  const histogram = (labelNames: string[] = []) => metric((name) => new Histogram({ name, help: name, labelNames, registers: [] }));
  // The prediction log only tells ModelsService what was predicted (its per-version counts): nothing is predicted here.
  const predictions = { subscribe: () => () => undefined } as unknown as PredictionLogService;
  return new ModelsService(
    config,
    engine,
    new ModelRepository(config),
    store,
    new ModelValidator(config),
    shadow,
    new ModelEventsService(),
    predictions,
    counter(['outcome']) as Counter<'outcome'>,
    histogram(['temperature']) as Histogram<'temperature'>,
    histogram() as Histogram<never>,
    counter() as Counter<never>,
    counter() as Counter<never>,
    counter() as Counter<never>,
    counter() as Counter<never>,
  );
}

async function startReplica(config: AppConfig): Promise<Replica> {
  const database = new PostgresDatabase(config);
  const engine = new EngineService(new NativeEngineLoader(), config);
  const shadow = new ShadowService(config);
  const models = modelsService(config, engine, new PostgresModelStore(database), shadow);
  await database.onModuleInit();
  await models.onModuleInit();
  const sync = new ModelRoleSync(config, models);
  sync.onApplicationBootstrap();
  return {
    models,
    engine,
    sync,
    production: () => engine.productionEngine?.version,
    canary: () => {
      const c = engine.canaryEngine;
      return c ? [c.serving.version, c.percent] : null;
    },
    close: async () => {
      await sync.onApplicationShutdown();
      await shadow.onApplicationShutdown();
      engine.beforeApplicationShutdown();
      await engine.onApplicationShutdown();
      await database.onApplicationShutdown();
    },
  };
}

/** Polls `read` until it returns `expected`; fails after `timeoutMs` naming the last value seen. */
async function eventually<T>(read: () => T | Promise<T>, expected: T, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await read();
    if (JSON.stringify(last) === JSON.stringify(expected)) return;
    if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(last)} after ${timeoutMs} ms, expected ${JSON.stringify(expected)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Runs an admin call, retrying while the replica answers ACTIVATION_IN_PROGRESS: a reconcile set off by an earlier
 * notification may be running there, and admin calls wait for it as an operator would (retry).
 */
async function whenFree<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if ((error as { code?: string }).code !== 'ACTIVATION_IN_PROGRESS' || attempt >= 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * Several replicas on one PostgreSQL, in one process. A and B share the database and MODEL_REPOSITORY (as replicas
 * share a ReadWriteMany volume) and reconcile only hourly, so what reaches B within a test came by NOTIFY (or by
 * the reconcile after its listener reconnected); C reconciles every second, for a change whose notification was
 * missed.
 */
describe('model roles across replicas (ModelsService instances on one PostgreSQL)', () => {
  let testDb: TestDatabase;
  let work: string;
  let importRoot: string;
  let a: Replica;
  let b: Replica;
  let sql: Client;
  const config = (replica: string, reconcileSeconds: number) =>
    validateEnv({
      DATABASE_URL: testDb.url,
      DATA_DIR: join(work, replica),
      MODEL_REPOSITORY: join(work, 'registry'),
      MODEL_IMPORT_ROOT: importRoot,
      MODEL_MIN_ACCURACY: '0.5',
      MODEL_RECONCILE_SECONDS: String(reconcileSeconds),
      ENGINE_INTRA_OP_THREADS: '1',
    });
  /** Writes the production role as a replica would, but without the notification (as if it were lost). */
  const setProductionSilently = (version: string) =>
    sql.query("UPDATE model_roles SET version = $1, updated_at = $2 WHERE role = 'production'", [version, Date.now()]);
  const notify = () => sql.query('SELECT pg_notify($1, $2)', [MODEL_ROLES_CHANNEL, '{"action":"test"}']);

  beforeAll(async () => {
    testDb = await createTestDatabase();
    work = mkdtempSync(join(tmpdir(), 'classifier-replicas-'));
    importRoot = join(work, 'imports');
    mkdirSync(importRoot);
    makeModelVariant(join(importRoot, 'v2'), { name: 'demo-sentiment-replica-v2' });
    makeModelVariant(join(importRoot, 'v3'), { name: 'demo-sentiment-replica-v3' });
    a = await startReplica(config('a', 3600));
    b = await startReplica(config('b', 3600));
    sql = new Client({ connectionString: testDb.url });
    await sql.connect();
    for (const replica of [a, b]) await eventually(() => replica.sync.listening, true);
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    await b?.close();
    await a?.close();
    await testDb?.drop();
    rmSync(work, { recursive: true, force: true });
  });

  it('starts the second replica on the production the first one recorded; both are in sync', async () => {
    expect(a.production()).toBeDefined();
    expect(b.production()).toBe(a.production());
    expect(await a.models.productionMismatch()).toBeUndefined();
    expect(await b.models.productionMismatch()).toBeUndefined();
  });

  it('a version activated on A becomes production on B through the notification', async () => {
    await whenFree(() => a.models.register({ modelPath: join(importRoot, 'v2'), versionName: 'replica-v2' }));
    expect(b.production()).not.toBe('replica-v2');
    await whenFree(() => a.models.activate('replica-v2'));
    await eventually(() => b.production(), 'replica-v2');
    const [answer] = await b.engine.classify(['a fine film']);
    expect(answer.label).toMatch(/POSITIVE|NEGATIVE/);
    expect(await b.models.productionMismatch()).toBeUndefined();
    // The change is in the shared history once, written by the replica that made it.
    const activations = (await b.models.history(50)).filter((e) => e.action === 'activate' && e.version === 'replica-v2');
    expect(activations).toHaveLength(1);
  });

  it('activates on B a version registered on A (one shared registry)', async () => {
    await whenFree(() => a.models.register({ modelPath: join(importRoot, 'v3'), versionName: 'replica-v3' }));
    await whenFree(() => b.models.activate('replica-v3'));
    await eventually(() => a.production(), 'replica-v3');
    await whenFree(() => b.models.activate('replica-v2'));
    await eventually(() => a.production(), 'replica-v2');
  });

  it('a canary set and cleared on A is set and cleared on B', async () => {
    await whenFree(() => a.models.setCanary('replica-v3', 25));
    await eventually(() => b.canary(), ['replica-v3', 25]);
    await whenFree(() => a.models.clearCanary());
    await eventually(() => b.canary(), null);
  });

  it('is not ready while serving another production than the database names; the periodic reconcile applies a change whose notification was missed', async () => {
    const c = await startReplica(config('c', 1));
    try {
      expect(c.production()).toBe('replica-v2');
      await setProductionSilently('replica-v3');
      // No notification: B (hourly reconcile) keeps serving v2 and names both versions.
      expect(await b.models.productionMismatch()).toEqual({
        served: 'replica-v2',
        named: 'replica-v3',
        problem: 'the role change has not been applied here yet',
      });
      expect(b.production()).toBe('replica-v2');
      // C reconciles every second and finds the change by itself.
      await eventually(() => c.production(), 'replica-v3');
      expect(await c.models.productionMismatch()).toBeUndefined();
    } finally {
      await c.close();
    }
    // The next notification brings A and B to the database's roles too.
    await notify();
    await eventually(() => [a.production(), b.production()], ['replica-v3', 'replica-v3']);
    expect(await b.models.productionMismatch()).toBeUndefined();
  });

  it('keeps serving what it has, and is not ready, when the database names a version missing from its MODEL_REPOSITORY', async () => {
    await setProductionSilently('not-in-the-repository');
    await notify();
    await eventually(async () => (await b.models.productionMismatch())?.problem.includes('is not in MODEL_REPOSITORY') ?? false, true);
    expect(await b.models.productionMismatch()).toEqual({
      served: 'replica-v3',
      named: 'not-in-the-repository',
      problem: expect.stringContaining(`is not in MODEL_REPOSITORY (${join(work, 'registry')})`),
    });
    expect(b.production()).toBe('replica-v3');
    expect(await b.engine.classify(['still answering'])).toHaveLength(1);
    await setProductionSilently('replica-v3');
    await notify();
    await eventually(async () => (await b.models.productionMismatch()) === undefined, true);
  });

  it('refuses to load a version whose files differ from its manifest, and keeps serving', async () => {
    await whenFree(() => a.models.register({ modelPath: join(importRoot, 'v2'), versionName: 'replica-v2-damaged' }));
    // B lists what A registered (one shared registry).
    expect((await b.models.list()).map((v) => v.manifest.version)).toContain('replica-v2-damaged');
    // Damage the copy in the shared registry: a replica must not serve it.
    const registry = join(work, 'registry');
    const damaged = readdirSync(registry).find((name) => name.startsWith('replica-v2-damaged.'))!;
    writeFileSync(join(registry, damaged, 'config.json'), '{"damaged": true}');
    await setProductionSilently('replica-v2-damaged');
    await notify();
    await eventually(async () => (await b.models.productionMismatch())?.problem.includes('differ from its manifest') ?? false, true);
    expect(b.production()).toBe('replica-v3');
    await setProductionSilently('replica-v3');
    await notify();
    await eventually(async () => (await b.models.productionMismatch()) === undefined, true);
  });

  it('reconnects its listener when the connection drops, and catches up on the change made meanwhile', async () => {
    const listenerPids = async () =>
      (await sql.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = 'onnx-classifier-server role listener' ORDER BY pid")).rows.map(
        (row) => row.pid,
      );
    const before = await listenerPids();
    expect(before).toHaveLength(2); // A's and B's
    await sql.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [before]);
    // An activation on A (v3 -> v2) while the listeners are down: B may miss its notification, and catches up when
    // its listener is back (a reconcile follows each reconnection; the hourly one is far away).
    await whenFree(() => a.models.activate('replica-v2'));
    expect(a.production()).toBe('replica-v2');
    await eventually(() => b.production(), 'replica-v2');
    await eventually(async () => {
      const after = await listenerPids();
      return after.length === 2 && after.every((pid) => !before.includes(pid));
    }, true);
  });
});

describe('ModelsService when the database fails', () => {
  it('answers STORAGE_UNAVAILABLE, saying the roles could not be read', async () => {
    const work = mkdtempSync(join(tmpdir(), 'classifier-models-storage-'));
    // Nothing listens on port 1 of the loopback: every statement fails as with a lost database.
    const config = validateEnv({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', DATA_DIR: work, DATABASE_CONNECT_TIMEOUT_MS: '500' });
    mkdirSync(join(work, 'models')); // the registry, as startup creates it
    const database = new PostgresDatabase(config);
    const engine = new EngineService(new NativeEngineLoader(), config);
    const models = modelsService(config, engine, new PostgresModelStore(database), new ShadowService(config));
    try {
      await expect(models.list()).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE', message: 'The model roles could not be read; retry later' });
      await expect(models.history(10)).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
      await expect(models.rollback()).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
      await expect(models.productionMismatch()).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    } finally {
      await database.onApplicationShutdown();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
