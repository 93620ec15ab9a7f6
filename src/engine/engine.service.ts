import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
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
  RoutedClassification,
  ServingEngine,
} from './engine.types';
import { trafficBucket } from './traffic-split';

/**
 * The router in front of the loaded engines: every classification goes to the production version's engine, or
 * to the canary's for its share of interactive traffic. Each call returns the version of the engine that
 * computed it, so a swap between the call and its answer cannot mislabel a result. The models feature decides
 * what is loaded and when (ModelsService); this service loads engines with the configured options, switches the
 * router in one assignment, and closes engines once the calls they accepted have finished.
 */
@Injectable()
export class EngineService implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(EngineService.name);
  private production: ServingEngine | undefined;
  private canary: { serving: ServingEngine; percent: number } | undefined;
  /** Engines switched out of the router that are still finishing their calls. */
  private readonly retiring = new Set<Promise<void>>();
  private currentState: EngineState = 'idle';

  constructor(
    @Inject(ENGINE_LOADER) private readonly loader: EngineLoader,
    private readonly config: AppConfig,
  ) {}

  /** Loads a model directory into a new engine with the configured options; it serves nothing until `serve`. */
  load(modelDir: string): Promise<ClassifierEngine> {
    return this.loader.load(modelDir, this.engineOptions());
  }

  /** Startup could not produce a production engine: readiness and callers say the model failed to load. */
  markFailed(): void {
    if (!this.production) this.currentState = 'failed';
  }

  /** Marks the startup load as running (readiness says "still loading"). */
  markLoading(): void {
    if (!this.production) this.currentState = 'loading';
  }

  /**
   * Makes `serving` the production engine: calls made from now on use it; calls already accepted by the previous
   * engine finish there. Returns the previous production (the caller retires it, or keeps it for another role).
   */
  serve(serving: ServingEngine): ServingEngine | undefined {
    const previous = this.production;
    this.production = serving;
    if (this.currentState !== 'closing' && this.currentState !== 'closed') this.currentState = 'ready';
    return previous;
  }

  /** Sends `percent` (0-100) of interactive calls to `serving`, or none when undefined. Returns the previous canary. */
  setCanary(serving: ServingEngine | undefined, percent = 0): ServingEngine | undefined {
    const previous = this.canary?.serving;
    this.canary = serving ? { serving, percent } : undefined;
    return previous;
  }

  /** The production engine right now, if any. */
  get productionEngine(): ServingEngine | undefined {
    return this.production;
  }

  /** The canary engine and its share, if any. */
  get canaryEngine(): { serving: ServingEngine; percent: number } | undefined {
    return this.canary ? { ...this.canary } : undefined;
  }

  /**
   * Closes an engine that left the router. The native close finishes every call the engine already accepted
   * before it frees the session, and a call is handed to its engine in the same tick it is routed, so nothing
   * routed to it is lost.
   */
  retire(serving: ServingEngine): Promise<void> {
    const closing = serving.engine.close().catch((error: Error) => {
      this.logger.error(`Closing the engine of ${serving.version} failed: ${error.message}`);
    });
    this.retiring.add(closing);
    void closing.finally(() => this.retiring.delete(closing));
    return closing;
  }

  /** Where the served model is in its life cycle. */
  get state(): EngineState {
    return this.currentState;
  }

  /** True when a production engine is loaded and the service is not shutting down (the readiness condition). */
  isReady(): boolean {
    return this.currentState === 'ready';
  }

  /** The production version, stamped on predictions of callers that do not use classifyRouted. */
  get modelVersion(): string {
    if (!this.production) throw this.notReady();
    return this.production.version;
  }

  /** Static facts about the production model. */
  info(): EngineInfo {
    if (!this.production) throw this.notReady();
    return this.production.info;
  }

  /** The production engine's counters and histograms, or undefined when none is open. */
  stats(): EngineStats | undefined {
    return this.production?.engine.stats();
  }

  /** Classifies texts on the production engine; results in input order. */
  async classify(texts: string[]): Promise<Classification[]> {
    return (await this.classifyRouted(texts)).results;
  }

  /**
   * Classifies texts and says which version computed them. With `interactive`, a canary takes its share: by a
   * stable hash of `clientKey` when given (the same key always lands on the same version), at random otherwise.
   */
  classifyRouted(texts: string[], interactive = false, clientKey?: string): Promise<RoutedClassification> {
    const production = this.production;
    if (!production) return Promise.reject(this.notReady());
    let target = production;
    const canary = this.canary;
    if (interactive && canary && canary.percent > 0) {
      const bucket = clientKey === undefined ? Math.random() * 100 : trafficBucket(clientKey);
      if (bucket < canary.percent) target = canary.serving;
    }
    const { version } = target;
    return target.engine.classify(texts).then((results) => ({ results, version }));
  }

  beforeApplicationShutdown(): void {
    if (this.currentState === 'ready') this.currentState = 'closing';
  }

  async onApplicationShutdown(): Promise<void> {
    const engines = [this.production, this.canary?.serving].filter((s): s is ServingEngine => !!s);
    this.production = undefined;
    this.canary = undefined;
    if (engines.length === 0 && this.retiring.size === 0) return;
    this.currentState = 'closing';
    await Promise.all([...engines.map((s) => this.retire(s)), ...this.retiring]);
    this.logger.log('Engine closed');
    this.currentState = 'closed';
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
      threadNiceness: c.engineThreadNiceness || undefined,
      device: c.engineDevice,
      // Drift detection reads features the engine captures in the same forward pass (docs/drift.md).
      captureFeatures: c.driftEnabled,
      embeddingOutput: c.driftEnabled ? c.driftEmbeddingOutput : undefined,
      // Several versions can be loaded at once: on the shared pools they split the cores instead of multiplying
      // threads. An explicit per-engine thread count asks for threads of the engine's own.
      sharedThreads: c.engineSharedThreads && c.engineIntraOpThreads === undefined ? true : undefined,
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
