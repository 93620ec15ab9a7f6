import { ksTwoSample, KS_EXACT_MAX_SIZE } from './ks-two-sample';

/** Binomial coefficient for small arguments. */
function choose(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return result;
}

describe('ksTwoSample', () => {
  it('completely separated samples: D = 1 and p = 2 / C(n1 + n2, n1) (only the two extreme orderings are as extreme)', () => {
    for (const [x, y] of [
      [[1, 2, 3], [4, 5, 6]],
      [[10, 11], [1, 2, 3]],
      [[0, 1, 2, 3, 4], [9, 8, 7, 6, 5, 10, 11]],
    ]) {
      const result = ksTwoSample(x, y);
      expect(result.statistic).toBe(1);
      expect(result.pValue).toBeCloseTo(2 / choose(x.length + y.length, x.length), 14);
      expect(result.method).toBe('exact');
    }
  });

  it('identical or constant samples carry no evidence: D = 0, p = 1 (not NaN)', () => {
    expect(ksTwoSample([1, 2, 3], [3, 2, 1])).toEqual({ statistic: 0, pValue: 1, method: 'exact' });
    expect(ksTwoSample([7, 7, 7, 7], [7, 7])).toEqual({ statistic: 0, pValue: 1, method: 'exact' });
  });

  it('is symmetric in its two samples', () => {
    const x = [0.1, 0.5, 0.5, 0.9, 1.3, 2.2, 2.2, 3];
    const y = [0.4, 0.5, 1.1, 1.2, 2.5];
    expect(ksTwoSample(x, y)).toEqual(ksTwoSample(y, x));
  });

  it('evaluates the statistic at tied values as the largest gap between "<= t" counts', () => {
    // F1 at 1 = 2/3, F2 at 1 = 0 -> D = 2/3.
    expect(ksTwoSample([1, 1, 2], [2, 2, 2]).statistic).toBeCloseTo(2 / 3, 15);
  });

  it(`switches to the asymptotic p-value above ${KS_EXACT_MAX_SIZE} observations in the larger sample`, () => {
    const large = Array.from({ length: KS_EXACT_MAX_SIZE + 1 }, (_, i) => i / KS_EXACT_MAX_SIZE);
    const small = [0.1, 0.3, 0.5, 0.7, 0.9];
    expect(ksTwoSample(large, small).method).toBe('asymptotic');
    expect(ksTwoSample(large.slice(0, KS_EXACT_MAX_SIZE), small).method).toBe('exact');
  });

  it('rejects empty samples and non-finite values, naming the problem', () => {
    expect(() => ksTwoSample([], [1])).toThrow('Expected two non-empty samples for ksTwoSample but received sizes 0 and 1');
    expect(() => ksTwoSample([1, NaN], [1])).toThrow('Expected finite numbers for sample1 but received NaN at index 1');
  });
});
