import { medianPairwiseDistance, mmdPermutationTest } from './mmd';
import { SeededRandom } from './seeded-random';

function gaussianPoints(random: SeededRandom, rows: number, dim: number, shift = 0): Float64Array {
  return Float64Array.from({ length: rows * dim }, () => shift + random.nextGaussian());
}

describe('mmdPermutationTest', () => {
  it('computes the unbiased MMD^2 (worked by hand for two points per sample)', () => {
    // X = Y = {0, 1}, bandwidth 1: k(0,1) = e = exp(-1/2). Within terms: 2e / 2 each; between: (2 + 2e) * 2 / 4.
    const e = Math.exp(-0.5);
    const result = mmdPermutationTest(Float64Array.of(0, 1), Float64Array.of(0, 1), 1, { bandwidth: 1, permutations: 10, seed: 1 });
    expect(result.statistic).toBeCloseTo(2 * e - (1 + e), 6); // the kernel is stored in float32
  });

  it('is reproducible for a seed, and its p-value is (1 + count) / (1 + permutations)', () => {
    const random = new SeededRandom(5);
    const x = gaussianPoints(random, 40, 3);
    const y = gaussianPoints(random, 30, 3);
    const options = { bandwidth: 2, permutations: 99, seed: 11 };
    const first = mmdPermutationTest(x, y, 3, options);
    expect(mmdPermutationTest(x, y, 3, options)).toEqual(first);
    const count = first.pValue * 100 - 1;
    expect(Math.abs(count - Math.round(count))).toBeLessThan(1e-9);
    expect(first.pValue).toBeGreaterThanOrEqual(1 / 100);
  });

  it('finds a mean shift: every permutation falls below the observed statistic', () => {
    const random = new SeededRandom(6);
    const result = mmdPermutationTest(gaussianPoints(random, 80, 2), gaussianPoints(random, 60, 2, 1.5), 2, {
      bandwidth: 2,
      permutations: 200,
      seed: 3,
    });
    expect(result.pValue).toBe(1 / 201);
  });

  it('with fewer than two points in a sample there is no statistic: 0 and p = 1', () => {
    expect(mmdPermutationTest(Float64Array.of(1, 2), Float64Array.of(1, 2, 3, 4), 2, { bandwidth: 1, permutations: 5, seed: 1 })).toEqual({
      statistic: 0,
      pValue: 1,
    });
  });

  it('rejects a bad bandwidth or permutation count, naming it', () => {
    const points = Float64Array.of(0, 1, 2);
    expect(() => mmdPermutationTest(points, points, 1, { bandwidth: 0, permutations: 5, seed: 1 })).toThrow(
      'Expected a positive finite number for bandwidth but received 0',
    );
    expect(() => mmdPermutationTest(points, points, 1, { bandwidth: 1, permutations: 0, seed: 1 })).toThrow(
      'Expected a positive integer for permutations but received 0',
    );
  });
});

describe('medianPairwiseDistance', () => {
  it('is the median of the pairwise distances (1, 2, 3 for the points 0, 1, 3)', () => {
    expect(medianPairwiseDistance(Float64Array.of(0, 1, 3), 1, 100, 1)).toBe(2);
  });

  it('ignores exact duplicates, and is 1 when every point is the same', () => {
    expect(medianPairwiseDistance(Float64Array.of(0, 0, 4), 1, 100, 1)).toBe(4);
    expect(medianPairwiseDistance(Float64Array.of(2, 2, 2, 2), 2, 100, 1)).toBe(1);
  });
});
