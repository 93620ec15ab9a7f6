/**
 * Pearson's chi-square test of independence on a 2 x L contingency table (reference counts, window counts per
 * label), as scipy.stats.chi2_contingency(table, correction=True) computes it:
 * expected = row total * column total / grand total; dof = L - 1; with dof = 1 each observed count is first moved
 * 0.5 towards its expected count (never past it: Yates' continuity correction); p = chi-square survival.
 *
 * One deliberate difference: scipy refuses a table with a zero expected count, which a label that neither sample
 * predicted produces. Such a column carries no information about a difference, so it is dropped first (and
 * `droppedColumns` says how many). With fewer than two columns left, dof = 0 and scipy's convention applies:
 * statistic 0, p-value 1.
 */
import { chiSquareSurvival } from './special-functions';

export interface ChiSquareResult {
  statistic: number;
  pValue: number;
  dof: number;
  droppedColumns: number;
}

export function chiSquareTwoRows(firstRow: ArrayLike<number>, secondRow: ArrayLike<number>): ChiSquareResult {
  if (firstRow.length !== secondRow.length) {
    throw new RangeError(
      `Expected two rows of equal length for chiSquareTwoRows but received ${firstRow.length} and ${secondRow.length}`,
    );
  }
  const columns: Array<[number, number]> = [];
  for (let i = 0; i < firstRow.length; i++) {
    const a = firstRow[i];
    const b = secondRow[i];
    if (!(Number.isInteger(a) && a >= 0 && Number.isInteger(b) && b >= 0)) {
      throw new RangeError(`Expected non-negative integer counts in column ${i} but received ${a} and ${b}`);
    }
    if (a + b > 0) columns.push([a, b]);
  }
  const droppedColumns = firstRow.length - columns.length;
  let total1 = 0;
  let total2 = 0;
  for (const [a, b] of columns) {
    total1 += a;
    total2 += b;
  }
  const dof = columns.length - 1;
  if (total1 === 0 || total2 === 0 || dof <= 0) {
    // An empty row gives zero expected counts (scipy raises); one column gives dof 0 (scipy: 0 and 1). Neither
    // says anything about a difference.
    return { statistic: 0, pValue: 1, dof: Math.max(dof, 0), droppedColumns };
  }
  const grand = total1 + total2;
  let statistic = 0;
  for (const [a, b] of columns) {
    const columnTotal = a + b;
    for (const [observed, rowTotal] of [
      [a, total1],
      [b, total2],
    ]) {
      const expected = (rowTotal * columnTotal) / grand;
      let corrected = observed;
      if (dof === 1) {
        const difference = expected - observed;
        corrected = observed + Math.sign(difference) * Math.min(0.5, Math.abs(difference));
      }
      const deviation = corrected - expected;
      statistic += (deviation * deviation) / expected;
    }
  }
  return { statistic, pValue: chiSquareSurvival(statistic, dof), dof, droppedColumns };
}
