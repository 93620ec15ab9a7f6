/**
 * Compares one window of predictions with the model version's reference: one univariate test per feature, one
 * multivariate test on the projected embeddings, and Holm's correction over all of them, so the chance that a
 * window drawn from the reference's own distribution is flagged stays at most alpha however many tests there are.
 *
 * Pure and synchronous (no I/O, no clock): the drift service runs it on a worker thread, and the same inputs and
 * seed always give the same result. See docs/drift-statistics.md.
 */
import { AppError } from '../common/errors/app-error';
import type { DriftEvaluation, DriftTestResult, FeatureSet } from './feature-set';
import { chiSquareTwoRows } from './stats/chi-square-contingency';
import { fisherExact } from './stats/fisher-exact';
import { holmAdjust } from './stats/holm';
import { ksTwoSample } from './stats/ks-two-sample';
import { medianPairwiseDistance, mmdPermutationTest } from './stats/mmd';
import { SeededRandom } from './stats/seeded-random';

/**
 * Globals used in hot loops are bound once here: a global lookup per call is cheap in Node but about 25x
 * slower inside jest's vm sandbox, where the statistics' simulations run.
 */
const isFiniteNumber = Number.isFinite;

export interface EvaluateWindowOptions {
  /** Family-wise significance level, in (0, 1). */
  alpha: number;
  /** Permutations of the MMD test (the issue asks for at least 500; the service's setting enforces that). */
  permutations: number;
  seed: number;
  /** RBF kernel bandwidth, from referenceBandwidth(reference). */
  bandwidth: number;
}

/** The per-row scalar features tested with KS, in report order, with their FeatureSet columns. */
const SCALAR_FEATURES: ReadonlyArray<[string, keyof FeatureSet]> = [
  ['confidence', 'confidence'],
  ['entropy', 'entropy'],
  ['token_count', 'tokenCount'],
  ['unknown_share', 'unknownShare'],
  ['non_letter_share', 'nonLetterShare'],
];

/**
 * The MMD test's kernel matrix grows with the square of the pooled size; above this many rows per sample a seeded
 * random subsample is tested (still a valid test: a random subsample has the same distribution).
 */
export const MMD_MAX_ROWS_PER_SAMPLE = 2000;
/** Rows of the reference the median-heuristic bandwidth is computed from. */
const BANDWIDTH_SAMPLE_ROWS = 500;
/** Fixed, so a reference always yields the same bandwidth. */
const BANDWIDTH_SEED = 0x62616e64;
/** Derives the MMD subsampling stream from the window's seed, independent of its permutation stream. */
const SUBSAMPLE_SEED_MIX = 0x5bd1e995;

function invalid(message: string): AppError {
  return new AppError('INVALID_ARGUMENT', message);
}

function checkFeatureSet(set: FeatureSet, name: string): void {
  const n = set.size;
  if (!(Number.isInteger(n) && n >= 1)) {
    throw invalid(`Expected at least one prediction in the ${name} but received size ${n}`);
  }
  if (!(Number.isInteger(set.embeddingDim) && set.embeddingDim >= 0)) {
    throw invalid(`Expected a non-negative integer embeddingDim in the ${name} but received ${set.embeddingDim}`);
  }
  if (set.embedding.length !== n * set.embeddingDim) {
    const expected = n * set.embeddingDim;
    throw invalid(`Expected ${expected} embedding values in the ${name} but received ${set.embedding.length}`);
  }
  const columns: Array<[string, ArrayLike<number>]> = [
    ...SCALAR_FEATURES.map(([feature, key]): [string, ArrayLike<number>] => [feature, set[key] as Float64Array]),
    ['truncated', set.truncated],
    ['label', set.label],
    ['embedding', set.embedding],
  ];
  for (const [feature, values] of columns) {
    const expected = feature === 'embedding' ? n * set.embeddingDim : n;
    if (values.length !== expected) {
      throw invalid(`Expected ${expected} ${feature} values in the ${name} but received ${values.length}`);
    }
    for (let i = 0; i < values.length; i++) {
      if (!isFiniteNumber(values[i])) {
        throw invalid(`Expected finite ${feature} values in the ${name} but received ${values[i]} at row ${i}`);
      }
    }
  }
  for (let i = 0; i < n; i++) {
    if (set.label[i] >= set.labels.length) {
      const limit = set.labels.length;
      throw invalid(`Expected label indices below ${limit} in the ${name} but received ${set.label[i]} at row ${i}`);
    }
  }
}

function embeddingColumn(set: FeatureSet, column: number): Float64Array {
  const out = new Float64Array(set.size);
  for (let r = 0; r < set.size; r++) out[r] = set.embedding[r * set.embeddingDim + column];
  return out;
}

/** Counts of each label name in both sets, over the union of their label names (same model: the same names). */
function labelCounts(reference: FeatureSet, window: FeatureSet): { referenceCounts: number[]; windowCounts: number[] } {
  const names = [...new Set([...reference.labels, ...window.labels])];
  const index = new Map(names.map((name, i) => [name, i]));
  const count = (set: FeatureSet): number[] => {
    const counts = new Array<number>(names.length).fill(0);
    for (let r = 0; r < set.size; r++) counts[index.get(set.labels[set.label[r]]) as number]++;
    return counts;
  };
  return { referenceCounts: count(reference), windowCounts: count(window) };
}

/** A seeded random subset of at most `limit` rows of a row-major matrix (all rows, in order, when it fits). */
function subsampleRows(
  matrix: Float64Array,
  rows: number,
  dim: number,
  limit: number,
  random: SeededRandom,
): Float64Array {
  if (rows <= limit) return matrix;
  const indices = Int32Array.from({ length: rows }, (_, i) => i);
  for (let i = 0; i < limit; i++) {
    const j = i + random.nextInt(rows - i);
    const swap = indices[i];
    indices[i] = indices[j];
    indices[j] = swap;
  }
  const out = new Float64Array(limit * dim);
  for (let i = 0; i < limit; i++) out.set(matrix.subarray(indices[i] * dim, (indices[i] + 1) * dim), i * dim);
  return out;
}

/**
 * The RBF bandwidth for a reference: the median pairwise Euclidean distance between its projected embeddings
 * (the median heuristic) over a fixed-seed subsample of at most 500 rows, zero distances ignored; 1 when the
 * reference has no embeddings or they are all identical.
 */
export function referenceBandwidth(reference: FeatureSet): number {
  const dim = reference.embeddingDim;
  if (dim === 0 || reference.size < 2) return 1;
  return medianPairwiseDistance(reference.embedding, dim, BANDWIDTH_SAMPLE_ROWS, BANDWIDTH_SEED);
}

export function evaluateWindow(
  reference: FeatureSet,
  window: FeatureSet,
  options: EvaluateWindowOptions,
): DriftEvaluation {
  const { alpha, permutations, seed, bandwidth } = options;
  if (!(alpha > 0 && alpha < 1)) throw invalid(`Expected a number between 0 and 1 for alpha but received ${alpha}`);
  if (!(Number.isInteger(permutations) && permutations >= 1)) {
    throw invalid(`Expected a positive integer for permutations but received ${permutations}`);
  }
  if (!isFiniteNumber(seed)) throw invalid(`Expected a finite number for seed but received ${seed}`);
  checkFeatureSet(reference, 'reference');
  checkFeatureSet(window, 'window');
  if (reference.embeddingDim !== window.embeddingDim) {
    throw invalid(
      `Expected the window's embeddingDim to equal the reference's ${reference.embeddingDim} ` +
        `but received ${window.embeddingDim}`,
    );
  }
  const dim = reference.embeddingDim;
  if (dim > 0 && !(bandwidth > 0 && isFiniteNumber(bandwidth))) {
    throw invalid(`Expected a positive finite number for bandwidth but received ${bandwidth}`);
  }

  const raw: Array<Omit<DriftTestResult, 'adjusted_p_value' | 'drifted'>> = [];
  for (let c = 0; c < dim; c++) {
    const result = ksTwoSample(embeddingColumn(reference, c), embeddingColumn(window, c));
    raw.push({ feature: `embedding_${c}`, test: 'ks', statistic: result.statistic, p_value: result.pValue });
  }
  for (const [feature, key] of SCALAR_FEATURES) {
    const result = ksTwoSample(reference[key] as Float64Array, window[key] as Float64Array);
    raw.push({ feature, test: 'ks', statistic: result.statistic, p_value: result.pValue });
  }
  const { referenceCounts, windowCounts } = labelCounts(reference, window);
  const labels = chiSquareTwoRows(referenceCounts, windowCounts);
  raw.push({ feature: 'label', test: 'chi2', statistic: labels.statistic, p_value: labels.pValue });

  // Fisher's statistic here is the change in truncation rate (window minus reference): always finite, unlike the
  // odds ratio, and it says which way the rate moved.
  let referenceTruncated = 0;
  let windowTruncated = 0;
  for (let r = 0; r < reference.size; r++) referenceTruncated += reference.truncated[r] ? 1 : 0;
  for (let r = 0; r < window.size; r++) windowTruncated += window.truncated[r] ? 1 : 0;
  const truncation = fisherExact(
    referenceTruncated,
    reference.size - referenceTruncated,
    windowTruncated,
    window.size - windowTruncated,
  );
  raw.push({
    feature: 'truncated',
    test: 'fisher',
    statistic: windowTruncated / window.size - referenceTruncated / reference.size,
    p_value: truncation.pValue,
  });

  if (dim > 0) {
    const subsampling = new SeededRandom(seed ^ SUBSAMPLE_SEED_MIX);
    const limit = MMD_MAX_ROWS_PER_SAMPLE;
    const referencePoints = subsampleRows(reference.embedding, reference.size, dim, limit, subsampling);
    const windowPoints = subsampleRows(window.embedding, window.size, dim, limit, subsampling);
    const mmd = mmdPermutationTest(referencePoints, windowPoints, dim, { bandwidth, permutations, seed });
    raw.push({ feature: 'embedding', test: 'mmd', statistic: mmd.statistic, p_value: mmd.pValue });
  }

  const adjusted = holmAdjust(raw.map((test) => test.p_value));
  const tests: DriftTestResult[] = raw.map((test, i) => ({
    ...test,
    adjusted_p_value: adjusted[i],
    drifted: adjusted[i] < alpha,
  }));
  return { status: tests.some((test) => test.drifted) ? 'drift' : 'ok', alpha, correction: 'holm', tests };
}
