/**
 * Holm's step-down adjustment (Holm 1979, "A simple sequentially rejective multiple test procedure", Scand. J.
 * Statist. 6, 65-70): sort the m p-values ascending; the i-th smallest (i from 1) is multiplied by m - i + 1,
 * made non-decreasing along the order, and capped at 1. Rejecting where the adjusted p-value is below alpha keeps
 * the family-wise error rate at most alpha under any dependence between the tests. Returns adjusted p-values in
 * the input order.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  for (let i = 0; i < m; i++) {
    const p = pValues[i];
    if (!(p >= 0 && p <= 1)) throw new RangeError(`Expected a p-value in [0, 1] at index ${i} but received ${p}`);
  }
  const order = pValues.map((_, i) => i).sort((i, j) => pValues[i] - pValues[j] || i - j);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((index, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * pValues[index]));
    adjusted[index] = running;
  });
  return adjusted;
}
