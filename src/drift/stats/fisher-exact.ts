/**
 * Fisher's exact test on a 2 x 2 table [[a, b], [c, d]], two-sided, as scipy.stats.fisher_exact computes it:
 * with the margins fixed, the top-left count follows a hypergeometric distribution, and the p-value is the total
 * probability of the tables no more probable than the observed one (with scipy's relative tolerance of 1e-14 on
 * "no more probable", so tables that tie up to rounding are counted). A zero row or column total gives p = 1 and
 * an undefined odds ratio, as in scipy.
 */
import { logFactorial } from './special-functions';

/**
 * Math functions used in hot loops are bound once here: a global lookup per call is cheap in Node but about 25x
 * slower inside jest's vm sandbox, where the statistics' simulations run.
 */
const { exp, log1p, min } = Math;

export interface FisherResult {
  oddsRatio: number;
  pValue: number;
}

const RELATIVE_TIE_TOLERANCE = 1e-14;

export function fisherExact(a: number, b: number, c: number, d: number): FisherResult {
  for (const [name, value] of Object.entries({ a, b, c, d })) {
    if (!(Number.isInteger(value) && value >= 0)) {
      throw new RangeError(`Expected a non-negative integer for ${name} in fisherExact but received ${value}`);
    }
  }
  if (a + b === 0 || c + d === 0 || a + c === 0 || b + d === 0) return { oddsRatio: NaN, pValue: 1 };
  const oddsRatio = c > 0 && b > 0 ? (a * d) / (c * b) : Infinity;
  const row1 = a + b;
  const row2 = c + d;
  const column1 = a + c;
  const total = row1 + row2;
  // log P(X = x) for the top-left count x, X ~ Hypergeometric(total, row1, column1). The four table cells'
  // log-factorials are summed in sorted order so that mirror-image tables (equal margins) get bit-identical
  // probabilities: scipy's exact ties must stay ties here.
  const logConstant =
    logFactorial(row1) +
    logFactorial(row2) +
    logFactorial(column1) +
    logFactorial(total - column1) -
    logFactorial(total);
  const logProbability = (x: number): number => {
    const cells = [x, row1 - x, column1 - x, row2 - column1 + x].sort((p, q) => p - q);
    const logCells = logFactorial(cells[0]) + logFactorial(cells[1]) + logFactorial(cells[2]) + logFactorial(cells[3]);
    return logConstant - logCells;
  };
  const lowest = Math.max(0, column1 - row2);
  const highest = min(row1, column1);
  const observed = logProbability(a);
  const threshold = observed + log1p(RELATIVE_TIE_TOLERANCE);
  // Sum in log space relative to the observed table's probability, so tiny p-values keep their precision.
  let sumRelative = 0;
  for (let x = lowest; x <= highest; x++) {
    const logP = x === a ? observed : logProbability(x);
    if (logP <= threshold) sumRelative += exp(logP - observed);
  }
  return { oddsRatio, pValue: min(1, exp(observed) * sumRelative) };
}
