import type { Classification, EngineInfo } from '../../lib';
import type { ClassifierEngine, EngineLoader } from '../../src/engine/engine.types';

export const FAKE_INFO: EngineInfo = {
  modelPath: '/models/fake',
  modelName: 'fake-sentiment',
  labels: ['NEGATIVE', 'POSITIVE'],
  inputs: [],
  outputs: [],
  executionProvider: 'cpu',
  maxLength: 512,
  batching: { maxBatchSize: 32, maxBatchTokens: 16384, maxWaitMs: 2, queueCapacity: 4096, runners: 2, intraOpThreads: 1, maxPaddingRatio: 0.1 },
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

export function createFakeEngine(): jest.Mocked<ClassifierEngine> {
  return {
    classify: jest.fn(async (texts: string[]) => texts.map(fakeClassification)),
    info: jest.fn(() => FAKE_INFO),
    close: jest.fn(async () => undefined),
  };
}

export function createFakeLoader(engine: ClassifierEngine = createFakeEngine()): jest.Mocked<EngineLoader> {
  return { load: jest.fn(async (_modelDir: string, _options: object) => engine) };
}
