import { AppError } from '../common/errors/app-error';
import { fitProjection, project } from './projection';
import { SeededRandom } from './stats/seeded-random';

function dot(a: number[], b: number[]): number {
  return a.reduce((sum, value, i) => sum + value * b[i], 0);
}

/** Rows = sum_j sqrt(variance_j) z_j axis_j + small isotropic noise, for orthonormal axes. */
function latentData(random: SeededRandom, rows: number, axes: number[][], variances: number[], noise: number): Float64Array {
  const dim = axes[0].length;
  const data = new Float64Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < axes.length; j++) {
      const z = random.nextGaussian() * Math.sqrt(variances[j]);
      for (let i = 0; i < dim; i++) data[r * dim + i] += z * axes[j][i];
    }
    for (let i = 0; i < dim; i++) data[r * dim + i] += 5 + noise * random.nextGaussian();
  }
  return data;
}

describe('fitProjection / project', () => {
  it('finds the principal axis of 2-D data along (3, 4)/5, sign fixed so the largest coordinate is positive', () => {
    const random = new SeededRandom(1);
    const data = latentData(random, 500, [[-0.6, -0.8], [0.8, -0.6]], [9, 0.01], 0);
    const projection = fitProjection(data, 2, 1, 7);
    expect(projection.outputDim).toBe(1);
    expect(projection.components[0][0]).toBeCloseTo(0.6, 2);
    expect(projection.components[0][1]).toBeCloseTo(0.8, 2);
    expect(projection.mean[0]).toBeCloseTo(5, 0);
  });

  it('recovers the top-3 subspace of 100-D data by randomized iteration, in order of variance', () => {
    const random = new SeededRandom(2);
    const dim = 100;
    const axis = (i: number): number[] => Array.from({ length: dim }, (_, k) => (k === i ? 1 : 0));
    // Rotate the canonical axes a little so the answer is not a coordinate direction.
    const mix = (a: number[], b: number[], angle: number): number[] => a.map((v, k) => Math.cos(angle) * v + Math.sin(angle) * b[k]);
    const axes = [mix(axis(10), axis(20), 0.3), mix(axis(20), axis(10), -0.3), axis(55)];
    const data = latentData(random, 800, axes, [100, 25, 4], 0.05);
    const projection = fitProjection(data, dim, 3, 11);
    expect(projection.components).toHaveLength(3);
    for (let j = 0; j < 3; j++) {
      expect(Math.abs(dot(projection.components[j], axes[j]))).toBeGreaterThan(0.999);
      expect(dot(projection.components[j], projection.components[j])).toBeCloseTo(1, 10);
    }
    expect(dot(projection.components[0], projection.components[1])).toBeCloseTo(0, 10);
  });

  it('is reproducible for a seed and plain JSON data', () => {
    const random = new SeededRandom(3);
    const data = Float64Array.from({ length: 200 * 50 }, () => random.nextGaussian());
    const first = fitProjection(data, 50, 8, 99);
    expect(fitProjection(data, 50, 8, 99)).toEqual(first);
    expect(JSON.parse(JSON.stringify(first))).toEqual(first);
  });

  it('keeps at most inputDim components', () => {
    const random = new SeededRandom(4);
    const data = Float64Array.from({ length: 30 * 3 }, () => random.nextGaussian());
    expect(fitProjection(data, 3, 32, 1).outputDim).toBe(3);
  });

  it('projects rows as (x - mean) . component: the mean maps to 0, a component direction to its length', () => {
    const projection = { method: 'pca' as const, inputDim: 2, outputDim: 2, mean: [1, 1], components: [[0.6, 0.8], [0.8, -0.6]] };
    const out = project(projection, Float64Array.of(1, 1, 1 + 3 * 0.6, 1 + 3 * 0.8));
    [0, 0, 3, 0].forEach((expected, i) => expect(out[i]).toBeCloseTo(expected, 12));
  });

  it('rejects malformed input with INVALID_ARGUMENT and a message naming the problem', () => {
    expect(() => fitProjection(Float64Array.of(1, 2, 3), 2, 1, 1)).toThrow(AppError);
    expect(() => fitProjection(Float64Array.of(1, 2, 3, 4), 2, 0, 1)).toThrow('Expected a positive integer for k but received 0');
    expect(() => fitProjection(Float64Array.of(1, NaN, 3, 4), 2, 1, 1)).toThrow('Expected finite embedding values but received NaN at index 1');
    const projection = { method: 'pca' as const, inputDim: 2, outputDim: 1, mean: [0, 0], components: [[1, 0]] };
    expect(() => project(projection, Float64Array.of(1, 2, 3))).toThrow('Expected embeddings whose length is a multiple of 2');
  });
});
