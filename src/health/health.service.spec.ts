import { HttpAdapterHost } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { FAKE_INFO, idleStats } from '../../test/support/fake-engine';
import { AppConfig } from '../config/app-config';
import { validateEnv } from '../config/env.schema';
import { PostgresDatabase } from '../database/postgres-database';
import { SqliteDatabase, WritableCheck } from '../database/sqlite-database';
import { EngineService } from '../engine/engine.service';
import { EngineState, EngineStats } from '../engine/engine.types';
import { ModelsService } from '../models/models.service';
import { DatabaseHealthIndicator } from './database.health';
import { EngineQueueHealthIndicator } from './engine-queue.health';
import { HealthService } from './health.service';
import { ModelHealthIndicator } from './model.health';
import { ModelRolesHealthIndicator } from './model-roles.health';
import { ShutdownService } from './shutdown.service';

/** FAKE_INFO's queue holds 4096 texts; the default READY_MAX_QUEUE_RATIO 0.9 makes 3686.4 the limit. */
const CAPACITY = FAKE_INFO.batching.queueCapacity;

describe('HealthService', () => {
  let health: HealthService;
  let shutdown: ShutdownService;
  const engine = {
    state: 'ready' as EngineState,
    isReady: () => engine.state === 'ready',
    info: () => FAKE_INFO,
    modelVersion: 'fake@0123456789ab',
    stats: jest.fn<EngineStats | undefined, []>(),
  };
  const database = { checkWritable: jest.fn<WritableCheck, []>() };
  /** ModelsService's answer to "is the production served here the one the database names?" (PostgreSQL only). */
  const models = { productionMismatch: jest.fn<ReturnType<ModelsService['productionMismatch']>, []>() };

  async function create(env: Record<string, string> = {}) {
    const moduleRef = await Test.createTestingModule({
      imports: [TerminusModule.forRoot({ logger: false })],
      providers: [
        HealthService,
        ModelHealthIndicator,
        ModelRolesHealthIndicator,
        EngineQueueHealthIndicator,
        DatabaseHealthIndicator,
        ShutdownService,
        { provide: EngineService, useValue: engine },
        { provide: SqliteDatabase, useValue: database },
        { provide: PostgresDatabase, useValue: { enabled: false } },
        { provide: ModelsService, useValue: models },
        { provide: AppConfig, useValue: validateEnv(env) },
        { provide: HttpAdapterHost, useValue: {} },
      ],
    })
      .setLogger({ log() {}, error() {}, warn() {} })
      .compile();
    health = moduleRef.get(HealthService);
    shutdown = moduleRef.get(ShutdownService);
  }

  function withQueueDepth(queueDepth: number) {
    engine.stats.mockReturnValue({ ...idleStats(), queueDepth });
  }

  beforeEach(async () => {
    engine.state = 'ready';
    engine.stats.mockReset().mockReturnValue(idleStats());
    database.checkWritable.mockReset().mockReturnValue({ writable: true });
    models.productionMismatch.mockReset().mockResolvedValue(undefined);
    await create();
  });

  it('is ready when the model is loaded, the queue has room and the database commits', async () => {
    withQueueDepth(12);
    await expect(health.ready()).resolves.toEqual({
      status: 'ok',
      info: {
        model: expect.objectContaining({ status: 'up', state: 'ready', name: 'fake-sentiment', version: 'fake@0123456789ab' }),
        engine: { status: 'up', queueDepth: 12, queueCapacity: CAPACITY, maxRatio: 0.9 },
        database: { status: 'up' },
        modelRoles: { status: 'up' },
      },
      error: {},
      details: expect.any(Object),
    });
    expect(database.checkWritable).toHaveBeenCalledTimes(1);
  });

  it('reports the model in detail from memory, without writing to the database', async () => {
    withQueueDepth(7);
    await expect(health.report()).resolves.toMatchObject({
      status: 'ok',
      info: {
        model: {
          status: 'up',
          state: 'ready',
          name: 'fake-sentiment',
          version: 'fake@0123456789ab',
          labels: ['NEGATIVE', 'POSITIVE'],
          executionProvider: 'cpu',
          queueDepth: 7,
          queueCapacity: CAPACITY,
          inFlightBatches: 0,
        },
      },
    });
    expect(database.checkWritable).not.toHaveBeenCalled();
  });

  it('is live without looking at the model, the engine or the database', async () => {
    engine.state = 'loading';
    engine.stats.mockReturnValue(undefined);
    await expect(health.live()).resolves.toMatchObject({ status: 'ok', info: {} });
    expect(database.checkWritable).not.toHaveBeenCalled();
    expect(engine.stats).not.toHaveBeenCalled();
  });

  it.each(['idle', 'loading', 'failed', 'closing', 'closed'] as EngineState[])('is not ready while the model is %s', async (state) => {
    engine.state = state;
    const failure = health.ready();
    await expect(failure).rejects.toMatchObject({
      code: 'NOT_READY',
      message: expect.stringContaining(`model: the model is not loaded (state: ${state})`),
      details: expect.arrayContaining([{ indicator: 'model', status: 'down', state, message: `the model is not loaded (state: ${state})` }]),
    });
    await expect(health.report()).rejects.toMatchObject({ code: 'NOT_READY' });
  });

  it('is not ready while the engine queue is at or above READY_MAX_QUEUE_RATIO of its capacity', async () => {
    const limit = Math.ceil(0.9 * CAPACITY);
    withQueueDepth(limit - 1);
    await expect(health.ready()).resolves.toMatchObject({ status: 'ok' });
    withQueueDepth(limit);
    await expect(health.ready()).rejects.toMatchObject({
      code: 'NOT_READY',
      details: [
        {
          indicator: 'engine',
          status: 'down',
          queueDepth: limit,
          queueCapacity: CAPACITY,
          maxRatio: 0.9,
          message: `the engine queue holds ${limit} of ${CAPACITY} texts, at or above READY_MAX_QUEUE_RATIO (0.9)`,
        },
      ],
    });
    // Saturation is a reason to send traffic elsewhere, not a fault: the report (and liveness) stay up.
    await expect(health.report()).resolves.toMatchObject({ status: 'ok' });
  });

  it('with READY_MAX_QUEUE_RATIO=1, is not ready only while the queue is full', async () => {
    await create({ READY_MAX_QUEUE_RATIO: '1' });
    withQueueDepth(CAPACITY - 1);
    await expect(health.ready()).resolves.toMatchObject({ status: 'ok' });
    withQueueDepth(CAPACITY);
    await expect(health.ready()).rejects.toMatchObject({ details: [expect.objectContaining({ indicator: 'engine' })] });
  });

  it('is not ready when the database cannot commit, saying why', async () => {
    database.checkWritable.mockReturnValue({ writable: false, reason: 'database or disk is full' });
    await expect(health.ready()).rejects.toMatchObject({
      code: 'NOT_READY',
      message: 'The service is not ready (database: the database cannot commit: database or disk is full)',
      details: [{ indicator: 'database', status: 'down', message: 'the database cannot commit: database or disk is full' }],
    });
  });

  it('is not ready while this replica serves another production version than the database names, naming both', async () => {
    models.productionMismatch.mockResolvedValue({ served: 'v1', named: 'v2', problem: 'the role change has not been applied here yet' });
    const message = 'this replica serves production v1 but the database names v2: the role change has not been applied here yet';
    await expect(health.ready()).rejects.toMatchObject({
      code: 'NOT_READY',
      message: `The service is not ready (modelRoles: ${message})`,
      details: [{ indicator: 'modelRoles', status: 'down', servedVersion: 'v1', databaseVersion: 'v2', message }],
    });
    models.productionMismatch.mockRejectedValue(new Error('connection refused'));
    await expect(health.ready()).rejects.toMatchObject({
      details: [{ indicator: 'modelRoles', status: 'down', message: 'could not compare the production served with the database: connection refused' }],
    });
  });

  it('answers shutting_down from the first shutdown hook, while liveness stays up', async () => {
    await expect(health.ready()).resolves.toMatchObject({ status: 'ok' });
    shutdown.onModuleDestroy();
    const expected = {
      code: 'NOT_READY',
      message: 'The service is shutting down',
      details: [{ indicator: 'service', status: 'shutting_down', message: 'the service is shutting down' }],
    };
    await expect(health.ready()).rejects.toMatchObject(expected);
    await expect(health.report()).rejects.toMatchObject(expected);
    await expect(health.live()).resolves.toMatchObject({ status: 'ok' });
  });

  it('lists the failing dependencies after shutting_down', async () => {
    shutdown.onModuleDestroy();
    engine.state = 'closing';
    await expect(health.ready()).rejects.toMatchObject({
      message: 'The service is shutting down (model: the model is not loaded (state: closing))',
      details: [{ indicator: 'service', status: 'shutting_down' }, { indicator: 'model', status: 'down' }],
    });
  });
});
