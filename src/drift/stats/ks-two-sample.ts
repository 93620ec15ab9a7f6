/**
 * Two-sided two-sample Kolmogorov-Smirnov test with the semantics of scipy.stats.ks_2samp(method='auto'):
 * - statistic D = max |F1(t) - F2(t)| over the pooled observations (ties handled by counting "<= t" in each sample);
 * - exact p-value when max(n1, n2) <= 10000: with h = round(D * lcm(n1, n2)), the share of lattice paths from
 *   (0, 0) to (n1, n2) that leave the band |x/n1 - y/n2| < h/lcm (Hodges 1958, following Drion, Gnedenko and
 *   Korolyuk); D is then reported as h/lcm;
 * - when the exact computation is impossible or fails (p-value outside [0, 1]), or max(n1, n2) > 10000, the
 *   asymptotic p-value: the two-sided one-sample Kolmogorov survival at the effective size round(n1 n2 / (n1 + n2)).
 *
 * References: J. L. Hodges Jr. (1958), "The significance probability of the Smirnov two-sample test", Arkiv for
 * Matematik 3(43), 469-486; T. Viehmann (2021), "Numerically more stable computation of the p-values for the
 * two-sample Kolmogorov-Smirnov test", arXiv:2102.08037 (the recursion on the share of paths already outside).
 */
import { kolmogorovSurvival } from './kolmogorov-distribution';
import { greatestCommonDivisor, roundHalfEven } from './special-functions';

/**
 * Globals used in hot loops are bound once here: a global lookup per call is cheap in Node but about 25x
 * slower inside jest's vm sandbox, where the statistics' simulations run.
 */
const isFiniteNumber = Number.isFinite;
const { floor, ceil, min, max } = Math;

/** scipy's 'auto' switches from exact to asymptotic above this sample size. */
export const KS_EXACT_MAX_SIZE = 10000;

export interface KsResult {
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymptotic';
}

function sortedCopy(values: ArrayLike<number>, name: string): Float64Array {
  const copy = new Float64Array(values.length);
  copy.set(values);
  for (let i = 0; i < copy.length; i++) {
    if (!isFiniteNumber(copy[i])) {
      throw new RangeError(`Expected finite numbers for ${name} but received ${copy[i]} at index ${i}`);
    }
  }
  return copy.sort();
}

/**
 * The largest gaps between the two empirical CDFs, above and below, evaluated at every pooled observation as
 * (count in sample 1 <= t) / n1 - (count in sample 2 <= t) / n2, the same floating-point expression scipy uses.
 */
function ecdfGaps(first: Float64Array, second: Float64Array): { above: number; below: number } {
  const n1 = first.length;
  const n2 = second.length;
  let i = 0;
  let j = 0;
  let above = -Infinity;
  let below = Infinity;
  while (i < n1 || j < n2) {
    const t = j >= n2 || (i < n1 && first[i] <= second[j]) ? first[i] : second[j];
    while (i < n1 && first[i] <= t) i++;
    while (j < n2 && second[j] <= t) j++;
    const gap = i / n1 - j / n2;
    if (gap > above) above = gap;
    if (gap < below) below = gap;
  }
  return { above, below };
}

/**
 * P(D >= h/n) for equal sizes n: 2 * sum_{k>=1} (-1)^(k+1) C(2n, n - kh) / C(2n, n), evaluated as a nested
 * product of the ratios of consecutive binomials (Horner form), which avoids the alternating sum's cancellation.
 */
function equalSizeOutsideProbability(n: number, h: number): number {
  let nested = 0;
  for (let k = floor(n / h); k >= 0; k--) {
    // C(2n, n - (k+1)h) / C(2n, n - kh) as a product of h factors.
    let ratio = 1;
    for (let j = 0; j < h; j++) ratio = ((n - k * h - j) * ratio) / (n + k * h + j + 1);
    nested = ratio * (1 - nested);
  }
  return 2 * nested;
}

/**
 * Share of lattice paths from (0, 0) to (m, n) (unit steps right or up) that touch or cross a boundary
 * |x/m - y/n| >= h/lcm, computed directly as that share (Viehmann 2021): at a point inside the band,
 * share(x, y) = (x share(x-1, y) + y share(x, y-1)) / (x + y), because x of the x + y paths' last steps come from
 * the left; at a point outside, share = 1. One column of the lattice is kept, updated in place over the band.
 */
function unequalSizeOutsideProbability(m: number, n: number, g: number, h: number): number {
  if (m < n) [m, n] = [n, m];
  const mg = m / g;
  const ng = n / g;
  // (x, y) is inside the band when |ng x - mg y| < h.
  const share = new Float64Array(n + 1).fill(1);
  let lo = 0;
  let hi = min(ceil(h / mg), n + 1);
  for (let y = lo; y < hi; y++) share[y] = 0;
  for (let x = 1; x <= m; x++) {
    const previousLo = lo;
    lo = min(max(floor((ng * x - h) / mg) + 1, 0), n);
    hi = min(ceil((ng * x + h) / mg), n + 1);
    if (hi <= lo) return 1;
    let below = lo === 0 ? 0 : 1; // share of the point under the band's lowest point: outside, hence 1
    for (let y = lo; y < hi; y++) {
      below = (x * share[y] + y * below) / (x + y);
      share[y] = below;
    }
    for (let y = previousLo; y < lo; y++) share[y] = 1; // fell out of the band: outside from now on
  }
  return share[n];
}

/** The exact two-sided p-value, or null when it cannot be computed reliably (scipy then falls back too). */
function exactPValue(n1: number, n2: number, h: number): number | null {
  const g = greatestCommonDivisor(n1, n2);
  const p = n1 === n2 ? equalSizeOutsideProbability(n1, h) : unequalSizeOutsideProbability(n1, n2, g, h);
  return p >= 0 && p <= 1 ? p : null;
}

/** The asymptotic two-sided p-value as scipy computes it: Kolmogorov survival at round(n1 n2 / (n1 + n2)). */
function asymptoticPValue(n1: number, n2: number, d: number): number {
  const larger = max(n1, n2);
  const smaller = min(n1, n2);
  const effectiveSize = roundHalfEven((larger * smaller) / (larger + smaller));
  return kolmogorovSurvival(effectiveSize, d);
}

export function ksTwoSample(sample1: ArrayLike<number>, sample2: ArrayLike<number>): KsResult {
  const first = sortedCopy(sample1, 'sample1');
  const second = sortedCopy(sample2, 'sample2');
  const n1 = first.length;
  const n2 = second.length;
  if (n1 === 0 || n2 === 0) {
    throw new RangeError(`Expected two non-empty samples for ksTwoSample but received sizes ${n1} and ${n2}`);
  }
  const { above, below } = ecdfGaps(first, second);
  const belowMagnitude = min(1, max(0, -below));
  let d = belowMagnitude > above ? belowMagnitude : above;

  if (max(n1, n2) <= KS_EXACT_MAX_SIZE) {
    const lcm = (n1 / greatestCommonDivisor(n1, n2)) * n2;
    const h = roundHalfEven(d * lcm);
    d = h / lcm;
    if (h === 0) return { statistic: d, pValue: 1, method: 'exact' };
    const exact = exactPValue(n1, n2, h);
    if (exact !== null) return { statistic: d, pValue: exact, method: 'exact' };
  }
  const p = asymptoticPValue(n1, n2, d);
  return { statistic: d, pValue: min(1, max(0, p)), method: 'asymptotic' };
}
