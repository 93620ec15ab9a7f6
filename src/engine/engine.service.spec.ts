import { Test } from '@nestjs/testing';
import { createFakeEngine, createFakeLoader, FAKE_INFO } from '../../test/support/fake-engine';
import { AppConfig } from '../config/app-config';
import { validateEnv } from '../config/env.schema';
import { EngineService } from './engine.service';
import { ClassifierEngine, ENGINE_LOADER, EngineLoader } from './engine.types';
import { ModelLoadError } from './model-load.error';

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

describe('EngineService', () => {
  let engine: jest.Mocked<ClassifierEngine>;
  let loader: jest.Mocked<EngineLoader>;

  beforeEach(() => {
    engine = createFakeEngine();
    loader = createFakeLoader(engine);
  });

  it('loads the configured model with the configured options at module init', async () => {
    const service = await createService(loader, { ENGINE_INTRA_OP_THREADS: '3' });
    expect(service.state).toBe('idle');
    expect(service.isReady()).toBe(false);
    await service.onModuleInit();
    expect(loader.load).toHaveBeenCalledWith('/models/fake', { intraOpThreads: 3, captureFeatures: true });
    expect(service.state).toBe('ready');
    expect(service.isReady()).toBe(true);
    expect(service.info()).toBe(FAKE_INFO);
  });

  it('passes no thread option when none is configured', async () => {
    const service = await createService(loader);
    await service.onModuleInit();
    expect(loader.load).toHaveBeenCalledWith('/models/fake', { captureFeatures: true });
  });

  it('asks the engine for drift features only while drift is enabled, with the configured embedding output', async () => {
    const named = await createService(loader, { DRIFT_EMBEDDING_OUTPUT: 'pooler_output' });
    await named.onModuleInit();
    expect(loader.load).toHaveBeenLastCalledWith('/models/fake', { captureFeatures: true, embeddingOutput: 'pooler_output' });
    const off = await createService(loader, { DRIFT_ENABLED: 'false', DRIFT_EMBEDDING_OUTPUT: 'pooler_output' });
    await off.onModuleInit();
    expect(loader.load).toHaveBeenLastCalledWith('/models/fake', { captureFeatures: false });
  });

  it('classifies through the engine', async () => {
    const service = await createService(loader);
    await service.onModuleInit();
    await expect(service.classify(['good', 'bad'])).resolves.toEqual([
      expect.objectContaining({ label: 'POSITIVE' }),
      expect.objectContaining({ label: 'NEGATIVE' }),
    ]);
    expect(engine.classify).toHaveBeenCalledWith(['good', 'bad']);
  });

  it("reports the engine's counters while a model is loaded", async () => {
    const service = await createService(loader);
    expect(service.stats()).toBeUndefined();
    await service.onModuleInit();
    engine.stats.mockReturnValue({ ...engine.stats(), queueDepth: 17 });
    expect(service.stats()).toMatchObject({ queueDepth: 17 });
    await service.onApplicationShutdown();
    expect(service.stats()).toBeUndefined();
  });

  it('rejects with NOT_READY before the model is loaded', async () => {
    const service = await createService(loader);
    await expect(service.classify(['x'])).rejects.toMatchObject({ code: 'NOT_READY', message: expect.stringContaining('still loading') });
    expect(() => service.info()).toThrow(expect.objectContaining({ code: 'NOT_READY' }));
  });

  it('wraps a load failure in ModelLoadError with the engine code', async () => {
    loader.load.mockRejectedValue(Object.assign(new Error('no such directory: /models/fake'), { code: 'MODEL_NOT_FOUND' }));
    const service = await createService(loader);
    const failure = service.onModuleInit();
    await expect(failure).rejects.toBeInstanceOf(ModelLoadError);
    await expect(failure).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
      message: 'Could not load the model at /models/fake: [MODEL_NOT_FOUND] no such directory: /models/fake',
    });
    expect(service.state).toBe('failed');
    await expect(service.classify(['x'])).rejects.toMatchObject({ code: 'NOT_READY', message: expect.stringContaining('failed to load') });
  });

  it('stops being ready before shutdown, keeps serving in-flight work, then closes the engine', async () => {
    const service = await createService(loader);
    await service.onModuleInit();
    service.beforeApplicationShutdown();
    expect(service.isReady()).toBe(false);
    expect(service.state).toBe('closing');
    await expect(service.classify(['good'])).resolves.toHaveLength(1);
    await service.onApplicationShutdown();
    expect(engine.close).toHaveBeenCalledTimes(1);
    expect(service.state).toBe('closed');
    await expect(service.classify(['x'])).rejects.toMatchObject({ code: 'NOT_READY', message: expect.stringContaining('shutting down') });
    await service.onApplicationShutdown();
    expect(engine.close).toHaveBeenCalledTimes(1);
  });

  it("passes the engine's statistics through while an engine is open, and undefined otherwise", async () => {
    const service = await createService(loader);
    expect(service.stats()).toBeUndefined();
    await service.onModuleInit();
    const stats = { ...engine.stats(), queueDepth: 17 };
    engine.stats.mockReturnValue(stats);
    expect(service.stats()).toBe(stats);
    await service.onApplicationShutdown();
    expect(service.stats()).toBeUndefined();
  });

  it('does nothing on shutdown when no model was loaded', async () => {
    const service = await createService(loader);
    await service.onApplicationShutdown();
    expect(engine.close).not.toHaveBeenCalled();
  });
});
