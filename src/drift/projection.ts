/**
 * Reduces sentence embeddings (hundreds of dimensions) to at most a few dozen principal components before the
 * drift tests: per-dimension tests on 768 correlated coordinates waste power on multiple-testing correction, and
 * the MMD kernel is better behaved in a low-dimensional space (the reduction alibi-detect uses for text).
 *
 * PCA by randomized subspace iteration (Halko, Martinsson & Tropp 2011, "Finding structure with randomness",
 * SIAM Review 53(2), algorithm 4.4): a seeded Gaussian start of k + 10 directions, two power iterations through the
 * centred data's covariance, then the exact eigen-decomposition (cyclic Jacobi) of the covariance restricted to
 * that subspace. When inputDim <= k + 10 the subspace is the whole space and the result is exact PCA.
 * The projection is plain JSON data, stored with the reference so the same map applies to every window.
 */
import { AppError } from '../common/errors/app-error';
import { SeededRandom } from './stats/seeded-random';

export interface Projection {
  method: 'pca';
  inputDim: number;
  outputDim: number;
  mean: number[];
  /** outputDim rows, each a unit vector inputDim wide, by decreasing explained variance. */
  components: number[][];
}

const OVERSAMPLING = 10;
const POWER_ITERATIONS = 2;
const JACOBI_SWEEPS = 100;

function invalid(message: string): AppError {
  return new AppError('INVALID_ARGUMENT', message);
}

/** Orthonormalizes the columns of a row-major dim x width matrix in place (modified Gram-Schmidt, twice). */
function orthonormalizeColumns(matrix: Float64Array, dim: number, width: number, random: SeededRandom): void {
  for (let column = 0; column < width; column++) {
    for (let attempt = 0; attempt < 3; attempt++) {
      for (let pass = 0; pass < 2; pass++) {
        for (let previous = 0; previous < column; previous++) {
          let dot = 0;
          for (let i = 0; i < dim; i++) dot += matrix[i * width + column] * matrix[i * width + previous];
          for (let i = 0; i < dim; i++) matrix[i * width + column] -= dot * matrix[i * width + previous];
        }
      }
      let norm = 0;
      for (let i = 0; i < dim; i++) norm += matrix[i * width + column] ** 2;
      norm = Math.sqrt(norm);
      if (norm > 1e-12) {
        for (let i = 0; i < dim; i++) matrix[i * width + column] /= norm;
        break;
      }
      // The data has lower rank than the subspace: any direction orthogonal to the others will do.
      for (let i = 0; i < dim; i++) matrix[i * width + column] = random.nextGaussian();
    }
  }
}

/** scores = centred(X) * basis: rows x width. */
function scoresOf(
  embeddings: Float64Array,
  mean: Float64Array,
  rows: number,
  dim: number,
  basis: Float64Array,
  width: number,
): Float64Array {
  const scores = new Float64Array(rows * width);
  const centred = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < dim; i++) centred[i] = embeddings[r * dim + i] - mean[i];
    for (let i = 0; i < dim; i++) {
      const value = centred[i];
      if (value === 0) continue;
      const basisRow = i * width;
      const out = r * width;
      for (let c = 0; c < width; c++) scores[out + c] += value * basis[basisRow + c];
    }
  }
  return scores;
}

/** Eigen-decomposition of a symmetric size x size matrix by cyclic Jacobi rotations: values, and vectors as columns. */
function symmetricEigen(input: Float64Array, size: number): { values: Float64Array; vectors: Float64Array } {
  const a = input.slice();
  const vectors = new Float64Array(size * size);
  for (let i = 0; i < size; i++) vectors[i * size + i] = 1;
  for (let sweep = 0; sweep < JACOBI_SWEEPS; sweep++) {
    let offDiagonal = 0;
    let diagonal = 0;
    for (let p = 0; p < size; p++) {
      diagonal += a[p * size + p] ** 2;
      for (let q = p + 1; q < size; q++) offDiagonal += a[p * size + q] ** 2;
    }
    if (offDiagonal <= 1e-30 * Math.max(diagonal, 1e-300)) break;
    for (let p = 0; p < size; p++) {
      for (let q = p + 1; q < size; q++) {
        const apq = a[p * size + q];
        if (apq === 0) continue;
        const theta = (a[q * size + q] - a[p * size + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < size; k++) {
          const akp = a[k * size + p];
          const akq = a[k * size + q];
          a[k * size + p] = c * akp - s * akq;
          a[k * size + q] = s * akp + c * akq;
        }
        for (let k = 0; k < size; k++) {
          const apk = a[p * size + k];
          const aqk = a[q * size + k];
          a[p * size + k] = c * apk - s * aqk;
          a[q * size + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < size; k++) {
          const vkp = vectors[k * size + p];
          const vkq = vectors[k * size + q];
          vectors[k * size + p] = c * vkp - s * vkq;
          vectors[k * size + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(size);
  for (let i = 0; i < size; i++) values[i] = a[i * size + i];
  return { values, vectors };
}

/**
 * Fits a PCA projection of the row-major `embeddings` (`dim` wide) to min(k, dim) components, reproducibly for a
 * given seed. Each component's sign is fixed so its largest-magnitude coordinate is positive.
 */
export function fitProjection(embeddings: Float64Array, dim: number, k: number, seed: number): Projection {
  if (!(Number.isInteger(dim) && dim > 0)) throw invalid(`Expected a positive integer for dim but received ${dim}`);
  if (!(Number.isInteger(k) && k > 0)) throw invalid(`Expected a positive integer for k but received ${k}`);
  const rows = embeddings.length / dim;
  if (!Number.isInteger(rows) || rows < 2) {
    const received = embeddings.length;
    throw invalid(`Expected at least 2 embeddings of ${dim} values for fitProjection but received ${received} values`);
  }
  for (let i = 0; i < embeddings.length; i++) {
    if (!Number.isFinite(embeddings[i])) {
      throw invalid(`Expected finite embedding values but received ${embeddings[i]} at index ${i}`);
    }
  }
  const outputDim = Math.min(k, dim);
  const width = Math.min(dim, outputDim + OVERSAMPLING);
  const mean = new Float64Array(dim);
  for (let r = 0; r < rows; r++) for (let i = 0; i < dim; i++) mean[i] += embeddings[r * dim + i];
  for (let i = 0; i < dim; i++) mean[i] /= rows;

  const random = new SeededRandom(seed);
  let basis = new Float64Array(dim * width);
  if (width === dim) {
    for (let i = 0; i < dim; i++) basis[i * width + i] = 1; // the whole space: exact PCA
  } else {
    for (let i = 0; i < basis.length; i++) basis[i] = random.nextGaussian();
    orthonormalizeColumns(basis, dim, width, random);
    for (let iteration = 0; iteration < POWER_ITERATIONS; iteration++) {
      const scores = scoresOf(embeddings, mean, rows, dim, basis, width);
      // basis <- centred(X)^T scores, i.e. the covariance applied to the basis (up to a factor).
      const next = new Float64Array(dim * width);
      for (let r = 0; r < rows; r++) {
        for (let i = 0; i < dim; i++) {
          const value = embeddings[r * dim + i] - mean[i];
          if (value === 0) continue;
          for (let c = 0; c < width; c++) next[i * width + c] += value * scores[r * width + c];
        }
      }
      basis = next;
      orthonormalizeColumns(basis, dim, width, random);
    }
  }
  // Covariance restricted to the subspace: S = scores^T scores / (rows - 1).
  const scores = scoresOf(embeddings, mean, rows, dim, basis, width);
  const restricted = new Float64Array(width * width);
  for (let r = 0; r < rows; r++) {
    for (let a = 0; a < width; a++) {
      const sa = scores[r * width + a];
      for (let b = a; b < width; b++) restricted[a * width + b] += sa * scores[r * width + b];
    }
  }
  for (let a = 0; a < width; a++) {
    for (let b = a; b < width; b++) {
      restricted[a * width + b] /= rows - 1;
      restricted[b * width + a] = restricted[a * width + b];
    }
  }
  const { values, vectors } = symmetricEigen(restricted, width);
  const order = Array.from({ length: width }, (_, i) => i).sort((i, j) => values[j] - values[i] || i - j);
  const components: number[][] = [];
  for (const eigen of order.slice(0, outputDim)) {
    const component = new Array<number>(dim).fill(0);
    for (let i = 0; i < dim; i++) {
      let sum = 0;
      for (let c = 0; c < width; c++) sum += basis[i * width + c] * vectors[c * width + eigen];
      component[i] = sum;
    }
    let largest = 0;
    for (let i = 1; i < dim; i++) if (Math.abs(component[i]) > Math.abs(component[largest])) largest = i;
    if (component[largest] < 0) for (let i = 0; i < dim; i++) component[i] = -component[i];
    components.push(component);
  }
  return { method: 'pca', inputDim: dim, outputDim, mean: Array.from(mean), components };
}

/** Projects row-major embeddings (`projection.inputDim` wide) onto the components: rows x outputDim, row-major. */
export function project(projection: Projection, embeddings: Float64Array): Float64Array {
  const { inputDim, outputDim, mean, components } = projection;
  const rows = embeddings.length / inputDim;
  if (!Number.isInteger(rows)) {
    const received = embeddings.length;
    throw invalid(`Expected embeddings whose length is a multiple of ${inputDim} but received ${received} values`);
  }
  if (mean.length !== inputDim || components.length !== outputDim || components.some((c) => c.length !== inputDim)) {
    throw invalid(
      `Expected a projection with a mean of ${inputDim} values and ${outputDim} components of ${inputDim} values`,
    );
  }
  const out = new Float64Array(rows * outputDim);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < outputDim; c++) {
      const component = components[c];
      let sum = 0;
      for (let i = 0; i < inputDim; i++) sum += (embeddings[r * inputDim + i] - mean[i]) * component[i];
      out[r * outputDim + c] = sum;
    }
  }
  return out;
}
