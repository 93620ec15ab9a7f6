import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AppError } from '../common/errors/app-error';
import {
  Classification,
  ClassifierEngine,
  ENGINE_LOADER,
  EngineInfo,
  EngineLoader,
  EngineOptions,
  EngineState,
  EngineStats,
} from './engine.types';
import { ModelLoadError } from './model-load.error';
import { digestModelFiles, modelVersion } from './model-version';

/**
 * Owns the native engine: loads the configured model when the module initialises (the application does not
 * start without it), classifies, reports readiness, and closes the engine when the application shuts down.
 */
@Injectable()
export class EngineService implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(EngineService.name);
  private engine: ClassifierEngine | undefined;
  private modelInfo: EngineInfo | undefined;
  private version: string | undefined;
  private currentState: EngineState = 'idle';

  constructor(
    @Inject(ENGINE_LOADER) private readonly loader: EngineLoader,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.load();
  }

  /** Loads the configured model; throws ModelLoadError (with the engine's code) when it cannot. */
  async load(): Promise<void> {
    const { modelDir } = this.config;
    const options = this.engineOptions();
    this.currentState = 'loading';
    this.logger.log(`Loading model from ${modelDir}${options.intraOpThreads ? ` (${options.intraOpThreads} intra-op threads)` : ''}`);
    const started = performance.now();
    try {
      // The files are hashed while the engine loads (both off the event loop), unless MODEL_VERSION names the version.
      const digest = this.config.modelVersion === undefined ? digestModelFiles(modelDir) : Promise.resolve('');
      digest.catch(() => undefined);
      const engine = await this.loader.load(modelDir, options);
      const info = engine.info();
      try {
        this.version = this.config.modelVersion ?? modelVersion(info.modelName, await digest);
      } catch (error) {
        await engine.close().catch(() => undefined);
        throw error;
      }
      this.modelInfo = info;
      this.engine = engine;
    } catch (error) {
      this.currentState = 'failed';
      throw new ModelLoadError(modelDir, error);
    }
    this.currentState = 'ready';
    const info = this.modelInfo;
    if (info.executionProviderFallback) this.logger.warn(`Execution provider: ${info.executionProviderFallback}`);
    this.logger.log(
      `Model "${info.modelName}" version ${this.version} ready in ${Math.round(performance.now() - started)} ms: ` +
        `labels [${info.labels.join(', ')}], max ${info.maxLength} tokens, ${info.executionProvider} execution provider`,
    );
  }

  /** Where the model is in its life cycle. */
  get state(): EngineState {
    return this.currentState;
  }

  /** True when the model is loaded and the service is not shutting down (the readiness condition). */
  isReady(): boolean {
    return this.currentState === 'ready';
  }

  /** The served model's version (MODEL_VERSION, or derived from its files), stamped on every prediction. */
  get modelVersion(): string {
    if (!this.version) throw this.notReady();
    return this.version;
  }

  /** Static facts about the loaded model. */
  info(): EngineInfo {
    if (!this.modelInfo) throw this.notReady();
    return this.modelInfo;
  }

  /**
   * The engine's counters and histograms right now (a cheap in-memory copy), or undefined when no engine is
   * open: before the model loads, after a failed load, and once it is closed.
   */
  stats(): EngineStats | undefined {
    return this.engine?.stats();
  }

  /** Classifies texts; results in input order. Rejects with NOT_READY when no model is loaded. */
  classify(texts: string[]): Promise<Classification[]> {
    // While shutting down the engine still finishes requests that were already accepted.
    if (!this.engine) return Promise.reject(this.notReady());
    return this.engine.classify(texts);
  }

  beforeApplicationShutdown(): void {
    if (this.currentState === 'ready') this.currentState = 'closing';
  }

  async onApplicationShutdown(): Promise<void> {
    const engine = this.engine;
    if (!engine) return;
    this.engine = undefined;
    this.currentState = 'closing';
    try {
      await engine.close();
      this.logger.log('Engine closed');
    } catch (error) {
      this.logger.error(`Closing the engine failed: ${(error as Error).message}`, (error as Error).stack);
    } finally {
      this.currentState = 'closed';
    }
  }

  /** The engine's load options from the configuration; unset settings keep the engine's own defaults. */
  private engineOptions(): EngineOptions {
    const c = this.config;
    const options: EngineOptions = {
      intraOpThreads: c.engineIntraOpThreads,
      maxBatchSize: c.engineMaxBatchSize,
      maxWaitMs: c.engineMaxWaitMs,
      queueCapacity: c.engineQueueCapacity,
      runners: c.engineRunners,
      cacheSize: c.engineCacheSize,
      device: c.engineDevice,
      // Drift detection reads features the engine captures in the same forward pass (docs/drift.md).
      captureFeatures: c.driftEnabled,
      embeddingOutput: c.driftEnabled ? c.driftEmbeddingOutput : undefined,
    };
    for (const key of Object.keys(options) as (keyof EngineOptions)[]) {
      if (options[key] === undefined) delete options[key];
    }
    return options;
  }

  private notReady(): AppError {
    const why =
      this.currentState === 'closing' || this.currentState === 'closed'
        ? 'the service is shutting down'
        : this.currentState === 'failed'
          ? 'the model failed to load'
          : 'the model is still loading';
    return new AppError('NOT_READY', `The model is not available: ${why}`);
  }
}
