import { chiSquareTwoRows } from './chi-square-contingency';
import { fisherExact } from './fisher-exact';

describe('chiSquareTwoRows', () => {
  it('identical rows: statistic 0, p 1 (Yates never moves a count past its expected value)', () => {
    const result = chiSquareTwoRows([10, 10], [10, 10]);
    expect(result.statistic).toBe(0);
    expect(result.pValue).toBe(1);
    expect(result.dof).toBe(1);
  });

  it('computes Pearson statistic without correction when dof > 1 (worked by hand)', () => {
    // Totals 30 / 30, columns 20 / 20 / 20: every expected count is 10; deviations +-5, 0, -+5 -> 4 * 25 / 10 = 10.
    const result = chiSquareTwoRows([15, 10, 5], [5, 10, 15]);
    expect(result.statistic).toBeCloseTo(10, 12);
    expect(result.dof).toBe(2);
    expect(result.pValue).toBeCloseTo(Math.exp(-5), 14); // chi2 survival with 2 dof is exp(-x/2)
  });

  it('drops label columns that are zero in both rows and reports how many', () => {
    const withZeros = chiSquareTwoRows([15, 0, 10, 5], [5, 0, 10, 15]);
    expect(withZeros.droppedColumns).toBe(1);
    expect(withZeros.statistic).toBeCloseTo(10, 12);
  });

  it('a single remaining label, or an empty row, carries no information: statistic 0, p 1', () => {
    expect(chiSquareTwoRows([30, 0], [40, 0])).toEqual({ statistic: 0, pValue: 1, dof: 0, droppedColumns: 1 });
    expect(chiSquareTwoRows([0, 0], [4, 5]).pValue).toBe(1);
  });

  it('rejects mismatched rows and counts that are not non-negative integers', () => {
    expect(() => chiSquareTwoRows([1, 2], [1])).toThrow('Expected two rows of equal length');
    expect(() => chiSquareTwoRows([1, -2], [1, 2])).toThrow('Expected non-negative integer counts in column 1 but received -2 and 2');
  });
});

describe('fisherExact', () => {
  it('a perfectly separated 3 + 3 table: p = 2 / C(6, 3) = 0.1', () => {
    const result = fisherExact(3, 0, 0, 3);
    expect(result.pValue).toBeCloseTo(0.1, 14);
    expect(result.oddsRatio).toBe(Infinity);
  });

  it('a table at its most probable arrangement has p = 1', () => {
    expect(fisherExact(1, 0, 0, 1).pValue).toBeCloseTo(1, 14);
    expect(fisherExact(50, 50, 50, 50).pValue).toBeCloseTo(1, 12);
  });

  it('a zero row or column total gives p = 1 and an undefined odds ratio (nothing was truncated anywhere)', () => {
    const result = fisherExact(0, 1000, 0, 800);
    expect(result.pValue).toBe(1);
    expect(result.oddsRatio).toBeNaN();
  });

  it('rejects counts that are not non-negative integers, naming the cell', () => {
    expect(() => fisherExact(1, 2.5, 3, 4)).toThrow('Expected a non-negative integer for b in fisherExact but received 2.5');
  });
});
