/**
 * Distribution of the one-sample Kolmogorov-Smirnov statistics for a sample of size n:
 * - D+_n (one-sided, "Smirnov"): exact Birnbaum-Tingey sum;
 * - D_n (two-sided, "Kolmogorov"): the method selection of Simard & L'Ecuyer (2011), as scipy's `kstwo` uses it.
 * The two-sample KS test needs the two-sided survival at the effective size round(mn / (m + n)) in its asymptotic
 * regime (scipy.stats.ks_2samp with method 'asymp').
 *
 * References:
 * - Z. W. Birnbaum, F. H. Tingey (1951), "One-sided confidence contours for probability distribution functions",
 *   Ann. Math. Statist. 22(4), 592-596.
 * - J. Durbin (1968), "The probability that the sample distribution function lies between two parallel straight
 *   lines", Ann. Math. Statist. 39, 398-411; G. Marsaglia, W. W. Tsang, J. Wang (2003), "Evaluating Kolmogorov's
 *   distribution", J. Stat. Softw. 8(18).
 * - W. Pelz, I. J. Good (1976), "Approximating the lower tail-areas of the Kolmogorov-Smirnov one-sample
 *   statistic", JRSS B 38(2), 152-156.
 * - R. Simard, P. L'Ecuyer (2011), "Computing the two-sided Kolmogorov-Smirnov distribution", J. Stat. Softw. 39(11).
 * - J. Ruben, J. Gambino (1982): the closed forms for n*x <= 1 and n*x >= n - 1.
 */
import { logFactorial } from './special-functions';

/** log(2^-1022): below it exp() underflows (cephes MINLOG), so the one-sided survival is reported as 0. */
const MIN_LOG = -708.3964185322641;
const SCALE_EXPONENT = 128;
const SCALE_UP = 2 ** SCALE_EXPONENT;

function clipProbability(p: number): number {
  return Math.min(1, Math.max(0, p));
}

/** log(n! / n^n). */
function logFactorialOverPower(n: number): number {
  return logFactorial(n) - n * Math.log(n);
}

/**
 * P(D+_n >= x), exact (Birnbaum & Tingey 1951):
 *   x * sum_{j=0}^{floor(n(1-x))} C(n, j) (1 - x - j/n)^(n-j) (x + j/n)^(j-1).
 * Every term is positive, so it is summed in log space without cancellation.
 */
export function smirnovSurvival(n: number, x: number): number {
  if (!(n > 0) || !(x >= 0 && x <= 1)) return NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  const nx = n * x;
  if (nx <= 1) return 1 - x * Math.pow(1 + x, n - 1); // Ruben-Gambino closed form for x <= 1/n
  if (-2 * n * x * x < MIN_LOG) return 0;
  if (Math.floor(nx) >= n - 1) return Math.pow(1 - x, n); // closed form for x >= 1 - 1/n
  // Two passes: the log of every term, then their sum relative to the largest. log C(n, j) is a running sum of
  // log((n - i) / (i + 1)) with Kahan compensation: for n = 1e5 plain accumulation alone drifts by ~1e-9.
  const terms = Math.floor(n - nx) + 1;
  const logTerms = new Float64Array(terms);
  let count = 0;
  let largest = -Infinity;
  let logBinomial = 0;
  let compensation = 0;
  for (let j = 0; j < terms; j++) {
    const lower = (n - nx - j) / n; // 1 - x - j/n
    if (!(lower > 0)) break;
    const logTerm = logBinomial + (n - j) * Math.log(lower) + (j - 1) * Math.log(x + j / n);
    logTerms[count++] = logTerm;
    if (logTerm > largest) largest = logTerm;
    const increment = Math.log((n - j) / (j + 1)) - compensation;
    const next = logBinomial + increment;
    compensation = next - logBinomial - increment;
    logBinomial = next;
  }
  let sum = 0;
  for (let j = 0; j < count; j++) sum += Math.exp(logTerms[j] - largest);
  return clipProbability(x * Math.exp(largest + Math.log(sum)));
}

/** Square matrix product of two row-major m x m matrices. */
function multiply(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k];
      if (aik === 0) continue;
      for (let j = 0; j < m; j++) out[i * m + j] += aik * b[k * m + j];
    }
  }
  return out;
}

/**
 * P(D_n < x) by Durbin's matrix formula in the form of Marsaglia, Tsang & Wang (2003): with n x = k - h
 * (k integer, 0 <= h < 1) and the (2k-1) x (2k-1) matrix H, P = n!/n^n (H^n)_{kk}. H^n is built by repeated
 * squaring with a separately tracked power-of-two exponent so nothing overflows.
 */
export function kolmogorovCdfDurbin(n: number, x: number): number {
  if (x >= 1) return 1;
  const nx = n * x;
  if (nx <= 0.5) return 0;
  const k = Math.ceil(nx);
  const h = k - nx;
  const m = 2 * k - 1;
  const H = new Float64Array(m * m);
  const inverseFactorial = new Float64Array(m + 1); // 1/j!
  inverseFactorial[0] = 1;
  for (let j = 1; j <= m; j++) inverseFactorial[j] = inverseFactorial[j - 1] / j;
  for (let row = 0; row < m; row++) {
    for (let col = 0; col < m; col++) {
      const order = row - col + 1;
      if (order >= 0) H[row * m + col] = inverseFactorial[order];
    }
  }
  for (let row = 0; row < m; row++) {
    // First column and last row carry the boundary corrections (1 - h^i) / i!.
    H[row * m] = (1 - Math.pow(h, row + 1)) * inverseFactorial[row + 1];
    H[(m - 1) * m + (m - 1 - row)] = (1 - Math.pow(h, row + 1)) * inverseFactorial[row + 1];
  }
  H[(m - 1) * m] = (1 - 2 * Math.pow(h, m) + Math.pow(Math.max(0, 2 * h - 1), m)) * inverseFactorial[m];

  let power: Float64Array | null = null;
  let powerExponent = 0;
  let base: Float64Array = H;
  let baseExponent = 0;
  let remaining = n;
  const centre = (k - 1) * m + (k - 1);
  while (remaining > 0) {
    if (remaining % 2 === 1) {
      power = power === null ? base.slice() : multiply(power, base, m);
      powerExponent += baseExponent;
    }
    remaining = Math.floor(remaining / 2);
    if (remaining === 0) break;
    base = multiply(base, base, m);
    baseExponent *= 2;
    if (Math.abs(base[centre]) > SCALE_UP) {
      for (let i = 0; i < base.length; i++) base[i] /= SCALE_UP;
      baseExponent += SCALE_EXPONENT;
    }
    if (power !== null && Math.abs(power[centre]) > SCALE_UP) {
      for (let i = 0; i < power.length; i++) power[i] /= SCALE_UP;
      powerExponent += SCALE_EXPONENT;
    }
  }
  const value = (power as Float64Array)[centre];
  if (!(value > 0)) return 0;
  const logP = Math.log(value) + powerExponent * Math.LN2 + logFactorialOverPower(n);
  return clipProbability(Math.exp(logP));
}

/**
 * Pelz & Good (1976) asymptotic series for P(D_n <= x): Kolmogorov's limit plus the Li-Chien / Korolyuk
 * corrections in n^-1/2, n^-1 and n^-3/2, each rewritten with Jacobi theta identities so it converges for small
 * z = x sqrt(n).
 */
export function kolmogorovCdfPelzGood(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const pi2 = Math.PI * Math.PI;
  const pi4 = pi2 * pi2;
  const pi6 = pi4 * pi2;
  const logQ = -pi2 / 8 / z2;
  if (logQ < MIN_LOG) return 0;
  const q = Math.exp(logQ);
  // Sums over odd m = 2k-1 of polynomial(m) * q^(m^2), evaluated from the largest k down (Horner in q^(8k)).
  const k1a = -z2;
  const k1b = pi2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * pi2) / 4;
  const k2c = (pi4 * (1 - 2 * z2)) / 16;
  const k3a = -30 * z6 - 90 * z4 * z4;
  const k3b = (pi2 * (135 * z4 - 96 * z6)) / 4;
  const k3c = (pi4 * (-60 * z2 + 212 * z4)) / 16;
  const k3d = (pi6 * (5 - 30 * z2)) / 64;
  const terms = Math.ceil((16 * z) / Math.PI);
  const K = [0, 0, 0, 0];
  for (let k = terms; k >= 1; k--) {
    const m = 2 * k - 1;
    const m2 = m * m;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qPower = Math.pow(q, 8 * k);
    K[0] = K[0] * qPower + 1;
    K[1] = K[1] * qPower + (k1a + k1b * m2);
    K[2] = K[2] * qPower + (k2a + k2b * m2 + k2c * m4);
    K[3] = K[3] * qPower + (k3a + k3b * m2 + k3c * m4 + k3d * m6);
  }
  const sqrtTwoPi = Math.sqrt(2 * Math.PI);
  const divisors = [z, 6 * z4, 72 * z6 * z, 6480 * z6 * z4];
  for (let i = 0; i < 4; i++) K[i] = (K[i] * q * sqrtTwoPi) / divisors[i];
  // The remaining sums over all integers k of k^2 q'^(k^2) terms, q' = exp(-pi^2 / (2 z^2)).
  const qAll = Math.exp(-pi2 / 2 / z2);
  let extra2 = 0;
  let extra3 = 0;
  const sqrt3z = Math.sqrt(3) * z;
  for (let k = terms; k >= 1; k--) {
    const k2 = k * k;
    const weight = k2 * Math.pow(qAll, k2);
    extra2 += weight;
    const kPi = Math.PI * k;
    extra3 += (sqrt3z + kPi) * (sqrt3z - kPi) * weight;
  }
  K[2] += (extra2 * pi2 * sqrtTwoPi) / (-36 * z2 * z);
  K[3] += (extra3 * pi2 * sqrtTwoPi) / (216 * z6);
  return K[0] + K[1] / Math.sqrt(n) + K[2] / n + K[3] / (n * Math.sqrt(n));
}

/**
 * P(D_n >= x) for the two-sided one-sample statistic (scipy.stats.kstwo.sf), choosing the method as Simard &
 * L'Ecuyer (2011) do. Where they use Pomeranz's recursion (n <= 140, 0.754693 < n x^2 <= 4) this uses Durbin's
 * matrix instead: both are exact, and there the survival is at least 6e-4, so the matrix's ~1e-13 absolute
 * rounding stays far inside the 1e-9 relative target (the golden cases cover that regime).
 */
export function kolmogorovSurvival(n: number, x: number): number {
  if (!Number.isInteger(n) || n <= 0) return NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    // Ruben-Gambino: P(D_n <= x) = n!/n^n (2t - 1)^n for 1/(2n) <= x <= 1/n.
    const cdf = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    return clipProbability(1 - cdf);
  }
  if (t >= n - 1) return clipProbability(2 * Math.pow(1 - x, n));
  if (x >= 0.5) return clipProbability(2 * smirnovSurvival(n, x)); // D+ and D- cannot both exceed 1/2
  const nxSquared = t * x;
  if (n <= 140) {
    if (nxSquared <= 4) return clipProbability(1 - kolmogorovCdfDurbin(n, x));
    return clipProbability(2 * smirnovSurvival(n, x));
  }
  if (nxSquared >= 370) return 0;
  if (nxSquared >= 2.2) return clipProbability(2 * smirnovSurvival(n, x));
  const cdf = n <= 100000 && n * Math.pow(x, 1.5) <= 1.4 ? kolmogorovCdfDurbin(n, x) : kolmogorovCdfPelzGood(n, x);
  return clipProbability(1 - cdf);
}
