import { Test } from '@nestjs/testing';
import { createFakeEngine, createFakeLoader, FAKE_INFO } from '../../test/support/fake-engine';
import { AppConfig } from '../config/app-config';
import { validateEnv } from '../config/env.schema';
import { EngineService } from './engine.service';
import { ClassifierEngine, ENGINE_LOADER, EngineLoader, ServingEngine } from './engine.types';
import { trafficBucket } from './traffic-split';

async function createService(loader: EngineLoader, env: Record<string, string> = {}): Promise<EngineService> {
  const moduleRef = await Test.createTestingModule({
    providers: [
      EngineService,
      { provide: ENGINE_LOADER, useValue: loader },
      { provide: AppConfig, useValue: validateEnv({ MODEL_DIR: '/models/fake', ...env }) },
    ],
  })
    .setLogger({ log() {}, error() {}, warn() {} })
    .compile();
  return moduleRef.get(EngineService);
}

function serving(version: string, engine: ClassifierEngine = createFakeEngine()): ServingEngine {
  return { version, engine, info: FAKE_INFO, modelDir: `/registry/${version}` };
}

describe('EngineService (the router in front of the loaded engines)', () => {
  let engine: jest.Mocked<ClassifierEngine>;
  let loader: jest.Mocked<EngineLoader>;

  beforeEach(() => {
    engine = createFakeEngine();
    loader = createFakeLoader(engine);
  });

  it('loads engines on the shared thread pools by default, on threads of their own when a thread count is set', async () => {
    await (await createService(loader, { ENGINE_INTRA_OP_THREADS: '3' })).load('/registry/a');
    expect(loader.load).toHaveBeenLastCalledWith('/registry/a', { intraOpThreads: 3, captureFeatures: true, threadNiceness: 2 });
    await (await createService(loader)).load('/registry/b');
    expect(loader.load).toHaveBeenLastCalledWith('/registry/b', { sharedThreads: true, captureFeatures: true, threadNiceness: 2 });
    await (await createService(loader, { ENGINE_SHARED_THREADS: 'false' })).load('/registry/c');
    expect(loader.load).toHaveBeenLastCalledWith('/registry/c', { captureFeatures: true, threadNiceness: 2 });
  });

  it('passes ENGINE_THREAD_NICENESS to the engine (default 2), and leaves the engine at the process priority when it is 0', async () => {
    await (await createService(loader, { ENGINE_THREAD_NICENESS: '5' })).load('/registry/a');
    expect(loader.load).toHaveBeenLastCalledWith('/registry/a', { sharedThreads: true, captureFeatures: true, threadNiceness: 5 });
    await (await createService(loader)).load('/registry/c');
    expect(loader.load).toHaveBeenLastCalledWith('/registry/c', { sharedThreads: true, captureFeatures: true, threadNiceness: 2 });
    await (await createService(loader, { ENGINE_THREAD_NICENESS: '0' })).load('/registry/b');
    expect(loader.load).toHaveBeenLastCalledWith('/registry/b', { sharedThreads: true, captureFeatures: true });
    expect(() => validateEnv({ MODEL_DIR: '/models/fake', ENGINE_THREAD_NICENESS: '20' })).toThrow(/ENGINE_THREAD_NICENESS/);
  });

  it('asks the engine for drift features only while drift is enabled, with the configured embedding output', async () => {
    await (await createService(loader, { DRIFT_EMBEDDING_OUTPUT: 'pooler_output' })).load('/registry/a');
    expect(loader.load).toHaveBeenLastCalledWith('/registry/a', { sharedThreads: true, captureFeatures: true, embeddingOutput: 'pooler_output', threadNiceness: 2 });
    await (await createService(loader, { DRIFT_ENABLED: 'false', DRIFT_EMBEDDING_OUTPUT: 'pooler_output' })).load('/registry/b');
    expect(loader.load).toHaveBeenLastCalledWith('/registry/b', { sharedThreads: true, captureFeatures: false, threadNiceness: 2 });
  });

  it('is not ready, and refuses with NOT_READY, until a production engine serves', async () => {
    const service = await createService(loader);
    expect(service.state).toBe('idle');
    service.markLoading();
    expect(service.isReady()).toBe(false);
    await expect(service.classify(['x'])).rejects.toMatchObject({ code: 'NOT_READY', message: expect.stringContaining('still loading') });
    expect(() => service.info()).toThrow(expect.objectContaining({ code: 'NOT_READY' }));
    service.markFailed();
    await expect(service.classify(['x'])).rejects.toMatchObject({ code: 'NOT_READY', message: expect.stringContaining('failed to load') });
    service.serve(serving('v1', engine));
    expect(service.state).toBe('ready');
    expect(service.info()).toBe(FAKE_INFO);
    expect(service.modelVersion).toBe('v1');
  });

  it('stamps each call with the version whose engine computed it, even when production switches meanwhile', async () => {
    const service = await createService(loader);
    let release!: () => void;
    const slow = createFakeEngine();
    slow.classify.mockImplementation(async (texts) => {
      await new Promise<void>((resolve) => (release = resolve));
      return texts.map(() => ({ label: 'NEGATIVE', score: 0.8, scores: { NEGATIVE: 0.8, POSITIVE: 0.2 } }));
    });
    service.serve(serving('old', slow));
    const inFlight = service.classifyRouted(['a']);
    const previous = service.serve(serving('new', engine));
    expect(previous?.version).toBe('old');
    await expect(service.classifyRouted(['good'])).resolves.toMatchObject({ version: 'new' });
    release();
    await expect(inFlight).resolves.toMatchObject({ version: 'old', results: [{ label: 'NEGATIVE' }] });
  });

  it('sends the canary its share of interactive calls only, and the same client key always the same way', async () => {
    const service = await createService(loader);
    service.serve(serving('prod'));
    service.setCanary(serving('canary'), 30);
    const keyed = await Promise.all(Array.from({ length: 20 }, () => service.classifyRouted(['x'], true, 'client-42')));
    const expected = trafficBucket('client-42') < 30 ? 'canary' : 'prod';
    expect(new Set(keyed.map((r) => r.version))).toEqual(new Set([expected]));
    const jobs = await Promise.all(Array.from({ length: 50 }, () => service.classifyRouted(['x'])));
    expect(new Set(jobs.map((r) => r.version))).toEqual(new Set(['prod']));
    service.setCanary(undefined);
    const after = await Promise.all(Array.from({ length: 50 }, () => service.classifyRouted(['x'], true)));
    expect(new Set(after.map((r) => r.version))).toEqual(new Set(['prod']));
  });

  it('passes the production engine statistics through, and undefined without one', async () => {
    const service = await createService(loader);
    expect(service.stats()).toBeUndefined();
    service.serve(serving('v1', engine));
    const stats = { ...engine.stats(), queueDepth: 17 };
    engine.stats.mockReturnValue(stats);
    expect(service.stats()).toBe(stats);
  });

  it('stops being ready before shutdown, keeps serving accepted work, then closes every engine once', async () => {
    const service = await createService(loader);
    const canary = createFakeEngine();
    service.serve(serving('v1', engine));
    service.setCanary(serving('c', canary), 10);
    service.beforeApplicationShutdown();
    expect(service.isReady()).toBe(false);
    expect(service.state).toBe('closing');
    await expect(service.classify(['good'])).resolves.toHaveLength(1);
    await service.onApplicationShutdown();
    expect(engine.close).toHaveBeenCalledTimes(1);
    expect(canary.close).toHaveBeenCalledTimes(1);
    expect(service.state).toBe('closed');
    await expect(service.classify(['x'])).rejects.toMatchObject({ code: 'NOT_READY', message: expect.stringContaining('shutting down') });
    await service.onApplicationShutdown();
    expect(engine.close).toHaveBeenCalledTimes(1);
  });
});

describe('trafficBucket', () => {
  it('is stable and spreads keys evenly over [0, 100)', () => {
    expect(trafficBucket('abc')).toBe(trafficBucket('abc'));
    const buckets = Array.from({ length: 10_000 }, (_, i) => trafficBucket(`user-${i}`));
    expect(Math.min(...buckets)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...buckets)).toBeLessThan(100);
    const below30 = buckets.filter((b) => b < 30).length / buckets.length;
    // Binomial standard deviation at n = 10,000, p = 0.3 is 0.0046: 4 sigma.
    expect(Math.abs(below30 - 0.3)).toBeLessThan(0.0184);
  });
});
