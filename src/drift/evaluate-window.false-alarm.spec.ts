/**
 * Calibration of the window verdict, by simulation: windows drawn from the reference's own distribution must be
 * flagged at most alpha of the time (the family-wise error rate Holm guarantees), within the binomial noise of a
 * finite simulation (3 standard deviations), and a clearly shifted window must be flagged, naming what moved.
 *
 * Runtime: 1,000 windows of 150 predictions against references of 250 (fresh ones for every window), 4 embedding
 * dimensions, so the spec takes seconds, not minutes; the kernel bandwidth is fixed once from a large sample of the
 * same distribution (recomputing it per reference would only cost time: the bandwidth is a parameter of the
 * statistic, and the permutation p-value is valid for any fixed value). The main simulation gives the MMD test 19 permutations: its p-value is then at least 1/20, which
 * Holm can never bring under alpha among 11 tests, so this simulation checks the calibration of the KS, chi-square,
 * Fisher and Holm parts (the MMD cannot add false alarms here). The MMD's own level is checked separately below,
 * with 99 permutations, and the power check uses the production setting of 500.
 */
import { evaluateWindow, referenceBandwidth } from './evaluate-window';
import { mmdPermutationTest } from './stats/mmd';
import { SeededRandom } from './stats/seeded-random';
import { syntheticFeatures, TYPICAL_SHAPE } from '../../test/support/synthetic-drift-features';

const ALPHA = 0.05;

function binomialUpperTolerance(rate: number, trials: number): number {
  return rate + 3 * Math.sqrt((rate * (1 - rate)) / trials);
}

describe('drift verdict calibration (simulation)', () => {
  it('flags at most alpha (+ binomial tolerance) of 1,000 same-distribution windows, and each test alone is calibrated', () => {
    const simulations = 1000;
    const random = new SeededRandom(9001);
    const bandwidth = referenceBandwidth(syntheticFeatures(random, 500));
    let familyWiseAlarms = 0;
    let uncorrectedAlarms = 0;
    const rejectionsPerTest = new Map<string, number>();
    let testsPerWindow = 0;
    for (let s = 0; s < simulations; s++) {
      const reference = syntheticFeatures(random, 250);
      const window = syntheticFeatures(random, 150);
      const evaluation = evaluateWindow(reference, window, { alpha: ALPHA, permutations: 19, seed: s, bandwidth });
      testsPerWindow = evaluation.tests.length;
      if (evaluation.status === 'drift') familyWiseAlarms++;
      if (evaluation.tests.some((test) => test.p_value < ALPHA)) uncorrectedAlarms++;
      for (const test of evaluation.tests) {
        if (Number.isNaN(test.p_value) || Number.isNaN(test.adjusted_p_value)) throw new Error(`${test.feature}: NaN p-value`);
        if (test.p_value < ALPHA) rejectionsPerTest.set(test.feature, (rejectionsPerTest.get(test.feature) ?? 0) + 1);
      }
    }
    expect(testsPerWindow).toBe(TYPICAL_SHAPE.embeddingDim + 5 + 3);
    const limit = binomialUpperTolerance(ALPHA, simulations);
    expect(familyWiseAlarms / simulations).toBeLessThanOrEqual(limit);
    // The simulation has teeth: without the correction, the same windows would alarm far more often than alpha.
    expect(uncorrectedAlarms / simulations).toBeGreaterThan(0.2);
    for (const [feature, rejections] of rejectionsPerTest) {
      if (rejections / simulations > limit) {
        throw new Error(`${feature}: rejected ${rejections} of ${simulations} same-distribution windows at alpha ${ALPHA}`);
      }
    }
  });

  it('the MMD permutation test alone rejects at most alpha (+ tolerance) of 300 same-distribution pairs', () => {
    const simulations = 300;
    const random = new SeededRandom(4242);
    const dim = 3;
    let rejections = 0;
    for (let s = 0; s < simulations; s++) {
      const draw = (rows: number): Float64Array => Float64Array.from({ length: rows * dim }, () => random.nextGaussian());
      const reference = draw(60);
      const window = draw(60);
      const result = mmdPermutationTest(reference, window, dim, { bandwidth: Math.sqrt(2 * dim), permutations: 99, seed: s });
      if (result.pValue < ALPHA) rejections++;
    }
    expect(rejections / simulations).toBeLessThanOrEqual(binomialUpperTolerance(ALPHA, simulations));
  });

  it('flags a clearly shifted window and names exactly the features that moved', () => {
    const random = new SeededRandom(77);
    const reference = syntheticFeatures(random, 600, { ...TYPICAL_SHAPE, embeddingDim: 8 });
    const shifted = syntheticFeatures(random, 400, {
      ...TYPICAL_SHAPE,
      embeddingDim: 8,
      embeddingShift: 0.6,
      meanTokens: 30,
      labelProbabilities: [0.3, 0.3, 0.4],
    });
    const evaluation = evaluateWindow(reference, shifted, {
      alpha: ALPHA,
      permutations: 500,
      seed: 1,
      bandwidth: referenceBandwidth(reference),
    });
    expect(evaluation.status).toBe('drift');
    const drifted = evaluation.tests.filter((test) => test.drifted).map((test) => test.feature);
    // Longer texts move the token count and, through it, the non-letter share (non-letters per character).
    for (const moved of ['embedding', 'embedding_0', 'label', 'token_count', 'non_letter_share']) expect(drifted).toContain(moved);
    for (const unmoved of ['confidence', 'entropy', 'truncated']) expect(drifted).not.toContain(unmoved);
  });
});
