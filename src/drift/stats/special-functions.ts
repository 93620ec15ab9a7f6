/**
 * Special functions the drift statistics need, in double precision, accurate to about 1e-14 relative in the
 * ranges the tests use (checked against scipy in special-functions.spec.ts and the golden cases).
 */

/**
 * Math functions used in hot loops are bound once here: a global lookup per call is cheap in Node but about 25x
 * slower inside jest's vm sandbox, where the statistics' simulations run.
 */
const { log, exp, abs, floor, log1p, max, min } = Math;
const HALF_LOG_TWO_PI = 0.5 * log(2 * Math.PI);

/**
 * Coefficients B_2k / (2k (2k-1)) of the Stirling series for log Gamma, k = 1..7 (Abramowitz & Stegun 6.1.40).
 * Seven terms at x >= 10 leave a truncation error below 1e-17.
 */
const STIRLING_SERIES = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156];

/** log Gamma(x) for x > 0: the Stirling series after shifting x up to at least 10 with Gamma(x+1) = x Gamma(x). */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`Expected a positive number for x in logGamma but received ${x}`);
  if (x === 1 || x === 2) return 0;
  let shift = 0;
  let product = 1;
  while (x < 10) {
    product *= x;
    x += 1;
    shift += 1;
  }
  const inverse = 1 / x;
  const inverseSquared = inverse * inverse;
  let series = 0;
  for (let k = STIRLING_SERIES.length - 1; k >= 0; k--) series = series * inverseSquared + STIRLING_SERIES[k];
  const stirling = (x - 0.5) * log(x) - x + HALF_LOG_TWO_PI + series * inverse;
  return shift === 0 ? stirling : stirling - log(product);
}

/** log of n! for integer n >= 0. */
export function logFactorial(n: number): number {
  return n < 2 ? 0 : logGamma(n + 1);
}

const GAMMA_EPSILON = 1e-16;
const GAMMA_MAX_ITERATIONS = 100000;
const TINY = 1e-300;

/**
 * Regularized upper incomplete gamma Q(a, x) = Gamma(a, x) / Gamma(a), for a > 0, x >= 0.
 * Below x = a + 1 the power series of P(a, x) converges fast and Q = 1 - P is not small; above it the continued
 * fraction for Q (evaluated with the modified Lentz method) converges fast and keeps full relative precision in
 * the far tail, which is where p-values live (Numerical Recipes, 3rd ed., section 6.2; Lentz 1976).
 */
export function regularizedUpperGamma(a: number, x: number): number {
  if (!(a > 0)) throw new RangeError(`Expected a positive shape for a in regularizedUpperGamma but received ${a}`);
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  const logPrefactor = a * log(x) - x - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < GAMMA_MAX_ITERATIONS; n++) {
      term *= x / (a + n);
      sum += term;
      if (abs(term) < abs(sum) * GAMMA_EPSILON) break;
    }
    return 1 - sum * exp(logPrefactor);
  }
  // Continued fraction Q = e^-x x^a / Gamma(a) * 1/(x+1-a- 1(1-a)/(x+3-a- 2(2-a)/(x+5-a- ...))).
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let fraction = d;
  for (let i = 1; i < GAMMA_MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    fraction *= delta;
    if (abs(delta - 1) < GAMMA_EPSILON) break;
  }
  return exp(logPrefactor) * fraction;
}

/** Survival function of the chi-square distribution with `dof` degrees of freedom: P(X > x). */
export function chiSquareSurvival(x: number, dof: number): number {
  if (!(dof > 0)) throw new RangeError(`Expected positive degrees of freedom for dof but received ${dof}`);
  return regularizedUpperGamma(dof / 2, x / 2);
}

/** log(exp(a) + exp(b)) without overflow; -Infinity stands for a zero term. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const high = max(a, b);
  return high + log1p(exp(min(a, b) - high));
}

/** Rounds half to even, as numpy's round does (scipy rounds the effective KS sample size with it). */
export function roundHalfEven(x: number): number {
  const whole = floor(x);
  const fraction = x - whole;
  if (fraction > 0.5) return whole + 1;
  if (fraction < 0.5) return whole;
  return whole % 2 === 0 ? whole : whole + 1;
}

/** Greatest common divisor of two non-negative integers (Euclid). */
export function greatestCommonDivisor(a: number, b: number): number {
  while (b !== 0) {
    const remainder = a % b;
    a = b;
    b = remainder;
  }
  return a;
}
