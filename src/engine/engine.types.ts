import type { Classification, EngineInfo, EngineOptions, EngineStats, Histogram } from '../../lib';

export type { Classification, EngineInfo, EngineOptions, EngineStats, Histogram };

/** The part of the native `Engine` (lib/index.d.ts) the service uses; unit tests substitute a fake. */
export interface ClassifierEngine {
  classify(texts: string[]): Promise<Classification[]>;
  info(): EngineInfo;
  /** [sync] The batcher's, cache's and runners' counters and histograms (metrics and readiness read them). */
  stats(): EngineStats;
  close(): Promise<void>;
}

/** Loads a model directory into an engine: the I/O boundary of the engine feature. */
export interface EngineLoader {
  load(modelDir: string, options: EngineOptions): Promise<ClassifierEngine>;
}

/** Injection token of the EngineLoader (the native one in production, a fake in unit tests). */
export const ENGINE_LOADER = Symbol('ENGINE_LOADER');

/** Life cycle of the served model. */
export type EngineState = 'idle' | 'loading' | 'ready' | 'failed' | 'closing' | 'closed';

/** A loaded engine serving one registered model version. */
export interface ServingEngine {
  version: string;
  engine: ClassifierEngine;
  info: EngineInfo;
  /** The version's directory in the registry. */
  modelDir: string;
}

/** Results and the version whose engine computed them. */
export interface RoutedClassification {
  results: Classification[];
  version: string;
}
