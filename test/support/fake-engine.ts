import type { Classification, EngineInfo, EngineStats, Histogram } from '../../lib';
import type { ClassifierEngine, EngineLoader } from '../../src/engine/engine.types';

export const FAKE_INFO: EngineInfo = {
  modelPath: '/models/fake',
  modelName: 'fake-sentiment',
  labels: ['NEGATIVE', 'POSITIVE'],
  inputs: [],
  outputs: [],
  executionProvider: 'cpu',
  maxLength: 512,
  batching: { maxBatchSize: 32, maxBatchTokens: 16384, maxWaitMs: 2, queueCapacity: 4096, runners: 2, intraOpThreads: 1, maxPaddingRatio: 0.1, threadNiceness: 0 },
  drift: { captureFeatures: false, unavailable: 'the fake engine has no model outputs' },
};

/** Positive when the text contains "good", negative otherwise. */
export function fakeClassification(text: string): Classification {
  const positive = text.includes('good');
  const score = positive ? 0.9 : 0.8;
  return {
    label: positive ? 'POSITIVE' : 'NEGATIVE',
    score,
    scores: positive ? { NEGATIVE: 1 - score, POSITIVE: score } : { NEGATIVE: score, POSITIVE: 1 - score },
  };
}

/** An empty histogram with these upper bounds (one count per bound, plus +Inf). */
export function emptyHistogram(bounds: number[]): Histogram {
  return { bounds: [...bounds], counts: new Array<number>(bounds.length + 1).fill(0), count: 0, sum: 0 };
}

const MS_BOUNDS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

/** The statistics of an engine that has done nothing yet, shaped as the native engine reports them. */
export function idleStats(): EngineStats {
  return {
    requests: 0,
    rows: 0,
    batches: 0,
    queueDepth: 0,
    inFlightBatches: 0,
    deliveries: 0,
    cache: { hits: 0, misses: 0, size: 0 },
    rejections: {},
    batchSize: emptyHistogram([1, 2, 4, 8, 16, 32, 64, 128, 256]),
    paddingRatio: emptyHistogram([0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]),
    queueMs: emptyHistogram(MS_BOUNDS),
    tokenizeMs: emptyHistogram(MS_BOUNDS),
    inferenceMs: emptyHistogram(MS_BOUNDS),
  };
}

/** An idle engine's counters (the same object every time: tests spread it to vary one field). */
export const FAKE_STATS: EngineStats = idleStats();

/** A fake engine; `stats` answers idleStats() unless a test replaces it (`engine.stats.mockReturnValue(...)`). */
export function createFakeEngine(): jest.Mocked<ClassifierEngine> {
  return {
    classify: jest.fn(async (texts: string[]) => texts.map(fakeClassification)),
    info: jest.fn(() => FAKE_INFO),
    stats: jest.fn(() => idleStats()),
    close: jest.fn(async () => undefined),
  };
}

export function createFakeLoader(engine: ClassifierEngine = createFakeEngine()): jest.Mocked<EngineLoader> {
  return { load: jest.fn(async (_modelDir: string, _options: object) => engine) };
}
