import { createHash } from 'node:crypto';
import { configWithTempDataDir } from '../../test/support/temp-data-dir';
import type { RawEnv } from '../config/env.schema';
import { SqliteDatabase } from '../database/sqlite-database';
import { PredictionLogService } from './prediction-log.service';
import { PredictionStore } from './prediction.store';
import { insertPredictionsSqlite, SqlitePredictionStore } from './sqlite-prediction.store';
import type { PredictionRecord } from './prediction.types';

const INPUT = { text: 'naïve café 😀', label: 'POSITIVE', score: 0.75, scores: { NEGATIVE: 0.25, POSITIVE: 0.75 } };
const SHA256 = createHash('sha256').update(INPUT.text, 'utf8').digest('hex');

describe('PredictionLogService', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).reverse().forEach((cleanup) => cleanup()));

  function open(env: RawEnv = {}): { log: PredictionLogService; database: SqliteDatabase; dataDir: string } {
    const { config, dataDir, remove } = configWithTempDataDir(env);
    const database = new SqliteDatabase(config);
    const log = new PredictionLogService(new SqlitePredictionStore(database), config);
    cleanups.push(remove, () => database.onApplicationShutdown());
    return { log, database, dataDir };
  }

  it("hands the engine's captured features to listeners in memory, and never stores them", async () => {
    const { log } = open({ PREDICTION_LOG_INPUT: 'full' });
    const captured = { embedding: new Float32Array([0.5, -1]), tokenCount: 7, specialTokens: 2, unknownTokens: 1, truncated: false };
    const seen: PredictionRecord[] = [];
    log.subscribe((records) => seen.push(...records));
    const [record] = await log.record([{ ...INPUT, features: captured }], 'v1', { source: 'sentiment', latencyMs: 1 });
    expect(seen[0].features).toEqual({ captured, text: INPUT.text });
    expect(seen[0].features!.captured).toBe(captured);
    const stored = (await log.find(record.id))!;
    expect(stored.features).toBeUndefined();
    expect(stored.input).toBe(INPUT.text);
  });

  it.each([
    ['full', { input: INPUT.text, inputHash: SHA256 }],
    ['hash', { inputHash: SHA256 }],
    ['none', {}],
  ])('PREDICTION_LOG_INPUT=%s keeps exactly what it says of the input', async (mode, kept) => {
    const { log } = open({ PREDICTION_LOG_INPUT: mode });
    const [record] = await log.record([INPUT], 'm@1', { source: 'sentiment', latencyMs: 3.5 });
    const stored = (await log.find(record.id))!;
    expect(stored).toEqual({
      id: record.id,
      createdAt: record.createdAt,
      modelVersion: 'm@1',
      label: 'POSITIVE',
      score: 0.75,
      scores: { NEGATIVE: 0.25, POSITIVE: 0.75 },
      latencyMs: 3.5,
      source: 'sentiment',
      inputLength: INPUT.text.length,
      ...kept,
    });
  });

  it('keeps records across a restart of the service (the database file is the log)', async () => {
    const { config, remove } = configWithTempDataDir();
    cleanups.push(remove);
    const first = new SqliteDatabase(config);
    const [record] = await new PredictionLogService(new SqlitePredictionStore(first), config).record([INPUT], 'm@1', {
      source: 'job',
      jobId: 'job-1',
      latencyMs: 1,
    });
    first.onApplicationShutdown();
    const second = new SqliteDatabase(config);
    cleanups.push(() => second.onApplicationShutdown());
    expect(await new PredictionLogService(new SqlitePredictionStore(second), config).find(record.id)).toMatchObject({ jobId: 'job-1', source: 'job' });
  });

  it('tells subscribers about committed records, and a failing subscriber does not fail the request', async () => {
    const { log } = open();
    const seen: PredictionRecord[][] = [];
    log.subscribe(() => {
      throw new Error('listener bug');
    });
    log.subscribe((records) => seen.push([...records]));
    const records = await log.record([INPUT, { ...INPUT, label: 'NEGATIVE' }], 'm@1', { source: 'batch', latencyMs: 2 });
    expect(seen).toEqual([records]);
  });

  it("built with newRecords and committed in a caller's transaction, tells subscribers only when the caller publishes after its commit", async () => {
    const { log, database } = open();
    const listener = jest.fn();
    log.subscribe(listener);
    const rolledBack = log.newRecords([INPUT], 'm@1', { source: 'job', jobId: 'j', latencyMs: 1 });
    expect(() =>
      database.db.transaction(() => {
        insertPredictionsSqlite(database.db, rolledBack);
        throw new Error('the rest of the chunk failed');
      })(),
    ).toThrow('the rest of the chunk failed');
    expect(await log.find(rolledBack[0].id)).toBeUndefined();
    expect(listener).not.toHaveBeenCalled();

    const logged = log.newRecords([INPUT], 'm@1', { source: 'job', jobId: 'j', latencyMs: 1 });
    expect(await log.find(logged[0].id)).toBeUndefined(); // built, not written
    database.db.transaction(() => insertPredictionsSqlite(database.db, logged))();
    expect(listener).not.toHaveBeenCalled();
    log.publish(logged);
    expect(listener).toHaveBeenCalledWith(logged);
    expect(await log.find(logged[0].id)).toEqual(logged[0]);
  });

  it('deletes predictions older than PREDICTION_LOG_RETENTION_DAYS when it starts, and keeps the rest', async () => {
    const { log } = open({ PREDICTION_LOG_RETENTION_DAYS: '2' });
    const now = Date.now();
    const [old] = await log.record([INPUT], 'm@1', { source: 'sentiment', latencyMs: 1, createdAt: now - 3 * 86_400_000 });
    const [recent] = await log.record([INPUT], 'm@1', { source: 'sentiment', latencyMs: 1, createdAt: now - 1 * 86_400_000 });
    log.onModuleInit();
    await log.onApplicationShutdown();
    expect(await log.find(old.id)).toBeUndefined();
    expect(await log.find(recent.id)).toBeDefined();
  });

  it('answers STORAGE_UNAVAILABLE and tells no subscriber when the commit fails', async () => {
    const { log, database } = open();
    const listener = jest.fn();
    log.subscribe(listener);
    database.db.exec('DROP TABLE predictions');
    await expect(log.record([INPUT], 'm@1', { source: 'sentiment', latencyMs: 1 })).rejects.toThrow(
      expect.objectContaining({ code: 'STORAGE_UNAVAILABLE' }),
    );
    expect(listener).not.toHaveBeenCalled();
  });
  describe('recordGrouped', () => {
    it('commits the records of requests that finish together in one transaction, each request answered after it', async () => {
      const { log } = open();
      // The store's insertAll is one transaction per call (see PredictionStore): spy on it, calling through.
      const insertAll = jest.spyOn((log as unknown as { store: PredictionStore }).store, 'insertAll');
      const [one, two] = await Promise.all([
        log.recordGrouped([INPUT], 'm@1', { source: 'sentiment', latencyMs: 1 }),
        log.recordGrouped([INPUT, { ...INPUT, label: 'NEGATIVE' }], 'm@1', { source: 'batch', latencyMs: 2 }),
      ]);
      expect(insertAll.mock.calls.map(([records]) => records.length)).toEqual([3]);
      expect(await Promise.all(one.map(async (r) => (await log.find(r.id))?.source))).toEqual(['sentiment']);
      expect(await Promise.all(two.map(async (r) => (await log.find(r.id))?.label))).toEqual(['POSITIVE', 'NEGATIVE']);
    });

    it('stores the same record as record() does', async () => {
      const { log } = open({ PREDICTION_LOG_INPUT: 'full' });
      const [record] = await log.recordGrouped([INPUT], 'm@1', { source: 'sentiment', latencyMs: 3.5 });
      expect(await log.find(record.id)).toEqual({ ...record, input: INPUT.text, inputHash: SHA256 });
    });

    it('tells subscribers once per request, after the commit', async () => {
      const { log, database } = open();
      const seen: string[] = [];
      // Asked synchronously, in the listener: the row must already be in the table.
      const count = database.db.prepare('SELECT COUNT(*) AS n FROM predictions WHERE id = ?');
      log.subscribe((records) => seen.push(records.map((r) => ((count.get(r.id) as { n: number }).n === 1 ? 'committed' : 'missing')).join(',')));
      await Promise.all([
        log.recordGrouped([INPUT], 'm@1', { source: 'sentiment', latencyMs: 1 }),
        log.recordGrouped([INPUT, INPUT], 'm@1', { source: 'batch', latencyMs: 1 }),
      ]);
      expect(seen).toEqual(['committed', 'committed,committed']);
    });

    it('answers STORAGE_UNAVAILABLE and tells no subscriber when the commit fails', async () => {
      const { log, database } = open();
      const listener = jest.fn();
      log.subscribe(listener);
      database.db.exec('DROP TABLE predictions');
      const results = await Promise.allSettled([
        log.recordGrouped([INPUT], 'm@1', { source: 'sentiment', latencyMs: 1 }),
        log.recordGrouped([INPUT], 'm@1', { source: 'sentiment', latencyMs: 1 }),
      ]);
      expect(results).toEqual([
        { status: 'rejected', reason: expect.objectContaining({ code: 'STORAGE_UNAVAILABLE' }) },
        { status: 'rejected', reason: expect.objectContaining({ code: 'STORAGE_UNAVAILABLE' }) },
      ]);
      expect(listener).not.toHaveBeenCalled();
    });

    it('commits records still waiting for their group when the application shuts down, before the database closes', async () => {
      const { log, database } = open();
      const pending = log.recordGrouped([INPUT], 'm@1', { source: 'sentiment', latencyMs: 1 });
      void log.onApplicationShutdown();
      const count = () => (database.db.prepare('SELECT COUNT(*) AS n FROM predictions').get() as { n: number }).n;
      expect(count()).toBe(1);
      const [record] = await pending;
      expect(await log.find(record.id)).toBeDefined();
      // A request the engine finishes after that is committed in its own turn, before anything else can run.
      void log.recordGrouped([INPUT], 'm@1', { source: 'sentiment', latencyMs: 1 });
      expect(count()).toBe(2);
    });
  });
});
