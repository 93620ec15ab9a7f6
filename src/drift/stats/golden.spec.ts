/**
 * Every statistic against scipy's own outputs on the golden cases written by
 * test/golden/drift-statistics/generate.py (Debian python3-scipy; the JSON records the versions).
 * Tolerance: 1e-9 relative. The one looser case is a value scipy reports below 1e-300 (deep in the subnormal
 * range, where a double carries fewer significant digits and both sides may underflow differently): there the
 * comparison is absolute, |actual - expected| <= 1e-300.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { chiSquareTwoRows } from './chi-square-contingency';
import { fisherExact } from './fisher-exact';
import { kolmogorovSurvival, smirnovSurvival } from './kolmogorov-distribution';
import { ksTwoSample } from './ks-two-sample';
import { chiSquareSurvival } from './special-functions';

interface Golden {
  scipy: string;
  ks_2samp: Array<{ name: string; x: number[]; y: number[]; regime: 'exact' | 'asymptotic'; statistic: number; p_value: number }>;
  kolmogorov: Array<{ n: number; x: number; sf: number; smirnov: number }>;
  chi2_sf: Array<{ dof: number; x: number; sf: number }>;
  chi2_contingency: Array<{ table: number[][]; statistic: number; p_value: number; dof: number; dropped_columns: number }>;
  fisher_exact: Array<{ table: number[][]; p_value: number; odds_ratio: number | 'Infinity' | null }>;
}

const GOLDEN_PATH = join(__dirname, '../../../test/golden/drift-statistics/drift-golden.json');
const golden = JSON.parse(readFileSync(GOLDEN_PATH, 'utf8')) as Golden;

const RELATIVE = 1e-9;
const SUBNORMAL_FLOOR = 1e-300;

function relativeError(actual: number, expected: number): number {
  if (actual === expected) return 0;
  if (Math.abs(expected) < SUBNORMAL_FLOOR) return Math.abs(actual - expected) <= SUBNORMAL_FLOOR ? 0 : Infinity;
  return Math.abs(actual - expected) / Math.abs(expected);
}

function expectClose(actual: number, expected: number, what: string): void {
  const error = relativeError(actual, expected);
  if (!(error <= RELATIVE)) {
    throw new Error(`${what}: expected ${expected} (scipy) but computed ${actual}, relative error ${error}`);
  }
}

describe(`drift statistics equal scipy ${golden.scipy} on the golden cases`, () => {
  it('has cases in every family (the golden file is complete)', () => {
    expect(golden.ks_2samp.length).toBeGreaterThan(30);
    expect(golden.ks_2samp.some((c) => c.regime === 'asymptotic')).toBe(true);
    expect(golden.ks_2samp.some((c) => c.regime === 'exact')).toBe(true);
    expect(golden.kolmogorov.length).toBeGreaterThan(100);
    expect(golden.chi2_contingency.length).toBeGreaterThan(10);
    expect(golden.fisher_exact.length).toBeGreaterThan(10);
  });

  describe('ks_2samp(method=auto), two-sided', () => {
    for (const c of golden.ks_2samp) {
      it(`${c.name} (${c.regime})`, () => {
        const result = ksTwoSample(c.x, c.y);
        expectClose(result.statistic, c.statistic, 'statistic');
        expectClose(result.pValue, c.p_value, 'p-value');
        expect(result.method).toBe(c.regime);
      });
    }
  });

  it('kstwo.sf (two-sided Kolmogorov survival) on a grid covering every method branch', () => {
    for (const c of golden.kolmogorov) expectClose(kolmogorovSurvival(c.n, c.x), c.sf, `kstwo.sf(${c.x}, ${c.n})`);
  });

  it('special.smirnov (one-sided Smirnov survival) on the same grid', () => {
    for (const c of golden.kolmogorov) expectClose(smirnovSurvival(c.n, c.x), c.smirnov, `smirnov(${c.n}, ${c.x})`);
  });

  it('chi2.sf', () => {
    for (const c of golden.chi2_sf) expectClose(chiSquareSurvival(c.x, c.dof), c.sf, `chi2.sf(${c.x}, ${c.dof})`);
  });

  describe('chi2_contingency (Yates when dof = 1; all-zero label columns dropped first)', () => {
    for (const c of golden.chi2_contingency) {
      it(JSON.stringify(c.table), () => {
        const result = chiSquareTwoRows(c.table[0], c.table[1]);
        expectClose(result.statistic, c.statistic, 'statistic');
        expectClose(result.pValue, c.p_value, 'p-value');
        expect(result.dof).toBe(c.dof);
        expect(result.droppedColumns).toBe(c.dropped_columns);
      });
    }
  });

  describe('fisher_exact, two-sided', () => {
    for (const c of golden.fisher_exact) {
      it(JSON.stringify(c.table), () => {
        const [[a, b], [cc, d]] = c.table;
        const result = fisherExact(a, b, cc, d);
        expectClose(result.pValue, c.p_value, 'p-value');
        if (c.odds_ratio === null) expect(result.oddsRatio).toBeNaN();
        else if (c.odds_ratio === 'Infinity') expect(result.oddsRatio).toBe(Infinity);
        else expectClose(result.oddsRatio, c.odds_ratio, 'odds ratio');
      });
    }
  });
});
