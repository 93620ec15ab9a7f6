/**
 * Maximum mean discrepancy between two samples of points (Gretton et al. 2012, "A kernel two-sample test", JMLR
 * 13, 723-773) with the Gaussian (RBF) kernel k(x, y) = exp(-|x - y|^2 / (2 sigma^2)), sigma fixed from the
 * reference. The statistic is the unbiased estimate MMD^2_u; its p-value comes from a seeded permutation test
 * (relabel the pooled points at random, keeping the group sizes): p = (1 + #{permuted >= observed}) /
 * (1 + permutations), which is a valid p-value for any number of permutations (Phipson & Smyth 2010).
 */
import { SeededRandom } from './seeded-random';

/**
 * Math functions used in hot loops are bound once here: a global lookup per call is cheap in Node but about 25x
 * slower inside jest's vm sandbox, where the statistics' simulations run.
 */
const { exp, fround, sqrt, min } = Math;

export interface MmdResult {
  statistic: number;
  pValue: number;
}

export interface MmdOptions {
  bandwidth: number;
  permutations: number;
  seed: number;
}

/**
 * Sums of kernel values over ordered pairs (i != j) within and between groups follow from the within-sum of one
 * group alone: with r_i the row sums and T their total, S_AB = sum_{i in A} r_i - S_AA and S_BB = T - S_AA - 2 S_AB.
 * So each permutation costs |A|^2 / 2 kernel look-ups for the smaller group A.
 */
class PooledKernel {
  readonly size: number;
  private readonly values: Float32Array; // kernel matrix, row-major; float32 halves the memory of large windows
  readonly rowSums: Float64Array; // off-diagonal
  readonly total: number;

  constructor(points: Float64Array, count: number, dim: number, bandwidth: number) {
    this.size = count;
    this.values = new Float32Array(count * count);
    this.rowSums = new Float64Array(count);
    const scale = -1 / (2 * bandwidth * bandwidth);
    let total = 0;
    for (let i = 0; i < count; i++) {
      for (let j = i + 1; j < count; j++) {
        let squared = 0;
        for (let k = 0; k < dim; k++) {
          const difference = points[i * dim + k] - points[j * dim + k];
          squared += difference * difference;
        }
        const value = fround(exp(squared * scale));
        this.values[i * count + j] = value;
        this.values[j * count + i] = value;
        this.rowSums[i] += value;
        this.rowSums[j] += value;
        total += 2 * value;
      }
    }
    this.total = total;
  }

  /** Unbiased MMD^2 for the split "members (ascending indices) versus the rest". */
  statistic(members: Int32Array): number {
    const n = this.size;
    const values = this.values;
    const rowSums = this.rowSums;
    const nA = members.length;
    const nB = n - nA;
    let withinA = 0;
    let rowSumA = 0;
    for (let a = 0; a < nA; a++) {
      const row = members[a] * n;
      rowSumA += rowSums[members[a]];
      let sum = 0;
      for (let b = a + 1; b < nA; b++) sum += values[row + members[b]];
      withinA += 2 * sum;
    }
    const between = rowSumA - withinA;
    const withinB = this.total - withinA - 2 * between;
    return withinA / (nA * (nA - 1)) + withinB / (nB * (nB - 1)) - (2 * between) / (nA * nB);
  }
}

/**
 * `first` and `second` are row-major point sets `dim` wide. Needs at least 2 points in each sample; with fewer the
 * statistic is undefined and the result is statistic 0, p-value 1 (no evidence of a difference).
 */
export function mmdPermutationTest(
  first: Float64Array,
  second: Float64Array,
  dim: number,
  options: MmdOptions,
): MmdResult {
  const { bandwidth, permutations, seed } = options;
  if (!(dim > 0) || !Number.isInteger(dim)) {
    throw new RangeError(`Expected a positive integer for dim but received ${dim}`);
  }
  if (!(bandwidth > 0 && Number.isFinite(bandwidth))) {
    throw new RangeError(`Expected a positive finite number for bandwidth but received ${bandwidth}`);
  }
  if (!(Number.isInteger(permutations) && permutations >= 1)) {
    throw new RangeError(`Expected a positive integer for permutations but received ${permutations}`);
  }
  const n1 = first.length / dim;
  const n2 = second.length / dim;
  if (!Number.isInteger(n1) || !Number.isInteger(n2)) {
    throw new RangeError(`Expected point arrays whose lengths are multiples of dim ${dim}`);
  }
  if (n1 < 2 || n2 < 2) return { statistic: 0, pValue: 1 };
  const pooled = new Float64Array(first.length + second.length);
  pooled.set(first, 0);
  pooled.set(second, first.length);
  for (let i = 0; i < pooled.length; i++) {
    if (!Number.isFinite(pooled[i])) throw new RangeError(`Expected finite coordinates but received ${pooled[i]}`);
  }
  const count = n1 + n2;
  const kernel = new PooledKernel(pooled, count, dim, bandwidth);
  // The smaller group is the one whose within-sum is computed; the statistic is symmetric in the two groups.
  const groupSize = min(n1, n2);
  const observedMembers = new Int32Array(groupSize);
  const offset = n1 <= n2 ? 0 : n1;
  for (let i = 0; i < groupSize; i++) observedMembers[i] = offset + i;
  const observed = kernel.statistic(observedMembers);

  const random = new SeededRandom(seed);
  const shuffled = new Int32Array(count);
  const chosen = new Uint8Array(count);
  const members = new Int32Array(groupSize);
  let atLeastAsLarge = 0;
  for (let p = 0; p < permutations; p++) {
    for (let i = 0; i < count; i++) shuffled[i] = i;
    // Partial Fisher-Yates: the first groupSize entries are a uniform random subset.
    for (let i = 0; i < groupSize; i++) {
      const j = i + random.nextInt(count - i);
      const swap = shuffled[i];
      shuffled[i] = shuffled[j];
      shuffled[j] = swap;
    }
    chosen.fill(0);
    for (let i = 0; i < groupSize; i++) chosen[shuffled[i]] = 1;
    let next = 0;
    for (let i = 0; i < count; i++) if (chosen[i] === 1) members[next++] = i; // ascending: cache-friendly rows
    if (kernel.statistic(members) >= observed) atLeastAsLarge++;
  }
  return { statistic: observed, pValue: (atLeastAsLarge + 1) / (permutations + 1) };
}

/**
 * Median of the pairwise Euclidean distances between (a seeded subsample of at most `maxPoints` of) the points,
 * ignoring zero distances (exact duplicates); 1 when every point is identical. The usual "median heuristic"
 * bandwidth for the RBF kernel.
 */
export function medianPairwiseDistance(points: Float64Array, dim: number, maxPoints: number, seed: number): number {
  const count = points.length / dim;
  const random = new SeededRandom(seed);
  const indices = Array.from({ length: count }, (_, i) => i);
  const used = min(count, maxPoints);
  for (let i = 0; i < used; i++) {
    const j = i + random.nextInt(count - i);
    [indices[i], indices[j]] = [indices[j], indices[i]];
  }
  const all = new Float64Array((used * (used - 1)) / 2);
  let found = 0;
  for (let a = 0; a < used; a++) {
    for (let b = a + 1; b < used; b++) {
      let squared = 0;
      for (let k = 0; k < dim; k++) {
        const difference = points[indices[a] * dim + k] - points[indices[b] * dim + k];
        squared += difference * difference;
      }
      if (squared > 0) all[found++] = sqrt(squared);
    }
  }
  if (found === 0) return 1;
  const distances = all.subarray(0, found).sort(); // typed-array sort is numeric
  distances.sort((x, y) => x - y);
  const middle = distances.length >> 1;
  return distances.length % 2 === 1 ? distances[middle] : (distances[middle - 1] + distances[middle]) / 2;
}
