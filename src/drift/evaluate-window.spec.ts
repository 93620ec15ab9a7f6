import { AppError } from '../common/errors/app-error';
import { evaluateWindow, referenceBandwidth } from './evaluate-window';
import type { FeatureSet } from './feature-set';
import { SeededRandom } from './stats/seeded-random';
import { syntheticFeatures, TYPICAL_SHAPE } from '../../test/support/synthetic-drift-features';

const OPTIONS = { alpha: 0.05, permutations: 99, seed: 1, bandwidth: 1 };

function constantFeatures(size: number, dim: number): FeatureSet {
  return {
    size,
    embedding: new Float64Array(size * dim).fill(0.5),
    embeddingDim: dim,
    confidence: new Float64Array(size).fill(0.9),
    entropy: new Float64Array(size).fill(0.3),
    tokenCount: new Float64Array(size).fill(12),
    unknownShare: new Float64Array(size),
    nonLetterShare: new Float64Array(size),
    truncated: new Uint8Array(size),
    label: new Uint16Array(size),
    labels: ['only'],
  };
}

describe('evaluateWindow', () => {
  it('reports every test, in order, with raw and Holm-adjusted p-values', () => {
    const random = new SeededRandom(10);
    const reference = syntheticFeatures(random, 300);
    const window = syntheticFeatures(random, 200);
    const evaluation = evaluateWindow(reference, window, { ...OPTIONS, bandwidth: referenceBandwidth(reference) });
    expect(evaluation.alpha).toBe(0.05);
    expect(evaluation.correction).toBe('holm');
    expect(evaluation.tests.map((t) => `${t.feature}:${t.test}`)).toEqual([
      'embedding_0:ks',
      'embedding_1:ks',
      'embedding_2:ks',
      'embedding_3:ks',
      'confidence:ks',
      'entropy:ks',
      'token_count:ks',
      'unknown_share:ks',
      'non_letter_share:ks',
      'label:chi2',
      'truncated:fisher',
      'embedding:mmd',
    ]);
    const m = evaluation.tests.length;
    const smallest = Math.min(...evaluation.tests.map((t) => t.p_value));
    for (const test of evaluation.tests) {
      expect(test.adjusted_p_value).toBeGreaterThanOrEqual(test.p_value);
      expect(test.adjusted_p_value).toBeLessThanOrEqual(1);
      expect(test.drifted).toBe(test.adjusted_p_value < 0.05);
      if (test.p_value === smallest) expect(test.adjusted_p_value).toBeCloseTo(Math.min(1, m * smallest), 15);
    }
    expect(evaluation.status).toBe(evaluation.tests.some((t) => t.drifted) ? 'drift' : 'ok');
  });

  it('is reproducible: the same inputs and seed give the same evaluation', () => {
    const random = new SeededRandom(11);
    const reference = syntheticFeatures(random, 150);
    const window = syntheticFeatures(random, 100);
    expect(evaluateWindow(reference, window, OPTIONS)).toEqual(evaluateWindow(reference, window, OPTIONS));
  });

  it('features constant in both samples carry no information: p = 1 everywhere, no NaN, status ok', () => {
    const evaluation = evaluateWindow(constantFeatures(50, 2), constantFeatures(40, 2), OPTIONS);
    expect(evaluation.status).toBe('ok');
    for (const test of evaluation.tests) {
      expect(test.p_value).toBe(1);
      expect(test.adjusted_p_value).toBe(1);
      expect(test.statistic).toBe(0);
    }
  });

  it('a model without embeddings gets no embedding tests (neither per component nor MMD)', () => {
    const random = new SeededRandom(12);
    const shape = { ...TYPICAL_SHAPE, embeddingDim: 0 };
    const evaluation = evaluateWindow(syntheticFeatures(random, 100, shape), syntheticFeatures(random, 100, shape), {
      ...OPTIONS,
      bandwidth: NaN, // unused without embeddings
    });
    expect(evaluation.tests.map((t) => t.feature)).toEqual([
      'confidence',
      'entropy',
      'token_count',
      'unknown_share',
      'non_letter_share',
      'label',
      'truncated',
    ]);
  });

  it('counts labels by name, so the same labels in another order compare equal', () => {
    const reference = constantFeatures(30, 0);
    reference.labels = ['a', 'b'];
    reference.label = Uint16Array.from({ length: 30 }, (_, i) => (i < 10 ? 0 : 1)); // 10 a, 20 b
    const window = constantFeatures(30, 0);
    window.labels = ['b', 'a'];
    window.label = Uint16Array.from({ length: 30 }, (_, i) => (i < 20 ? 0 : 1)); // 20 b, 10 a
    const label = evaluateWindow(reference, window, OPTIONS).tests.find((t) => t.feature === 'label');
    expect(label?.statistic).toBe(0);
    expect(label?.p_value).toBe(1);
  });

  it('reports the change in truncation rate as the Fisher test statistic', () => {
    const reference = constantFeatures(100, 0);
    const window = constantFeatures(50, 0);
    reference.truncated.fill(1, 0, 10); // 10 %
    window.truncated.fill(1, 0, 20); // 40 %
    const truncated = evaluateWindow(reference, window, OPTIONS).tests.find((t) => t.feature === 'truncated');
    expect(truncated?.statistic).toBeCloseTo(0.3, 15);
    expect(truncated?.drifted).toBe(true);
  });

  it('rejects malformed inputs with INVALID_ARGUMENT, naming the problem', () => {
    const good = constantFeatures(10, 2);
    const expectInvalid = (run: () => unknown, message: string): void => {
      try {
        run();
      } catch (error) {
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).code).toBe('INVALID_ARGUMENT');
        expect((error as AppError).message).toContain(message);
        return;
      }
      throw new Error(`expected an error containing "${message}"`);
    };
    expectInvalid(() => evaluateWindow(good, good, { ...OPTIONS, alpha: 0 }), 'Expected a number between 0 and 1 for alpha but received 0');
    expectInvalid(() => evaluateWindow(good, constantFeatures(10, 3), OPTIONS), "Expected the window's embeddingDim to equal the reference's 2 but received 3");
    expectInvalid(() => evaluateWindow(good, good, { ...OPTIONS, bandwidth: 0 }), 'Expected a positive finite number for bandwidth but received 0');
    expectInvalid(() => evaluateWindow(constantFeatures(0, 2), good, OPTIONS), 'Expected at least one prediction in the reference but received size 0');
    const broken = constantFeatures(10, 2);
    broken.entropy[3] = NaN;
    expectInvalid(() => evaluateWindow(good, broken, OPTIONS), 'Expected finite entropy values in the window but received NaN at row 3');
    const badLabel = constantFeatures(10, 2);
    badLabel.label[0] = 4;
    expectInvalid(() => evaluateWindow(good, badLabel, OPTIONS), 'Expected label indices below 1 in the window but received 4 at row 0');
  });
});

describe('referenceBandwidth', () => {
  it('is the median pairwise distance of the reference embeddings, fixed (same reference, same bandwidth)', () => {
    const reference = constantFeatures(3, 1);
    reference.embedding = Float64Array.of(0, 1, 3);
    expect(referenceBandwidth(reference)).toBe(2);
    expect(referenceBandwidth(reference)).toBe(2);
  });

  it('is 1 when there is nothing to measure (no embeddings, or all identical)', () => {
    expect(referenceBandwidth(constantFeatures(10, 0))).toBe(1);
    expect(referenceBandwidth(constantFeatures(10, 4))).toBe(1);
  });
});
