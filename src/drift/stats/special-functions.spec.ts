import {
  chiSquareSurvival,
  greatestCommonDivisor,
  logFactorial,
  logGamma,
  regularizedUpperGamma,
  roundHalfEven,
} from './special-functions';

function expectRelative(actual: number, expected: number, tolerance = 1e-13): void {
  expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThanOrEqual(tolerance);
}

describe('special functions (checked against closed forms)', () => {
  it('logGamma equals log((n-1)!) at integers and log(sqrt(pi)) at 1/2', () => {
    let factorial = 1;
    for (let n = 1; n <= 25; n++) {
      expectRelative(logGamma(n + 1) || 1e-300, Math.log((factorial *= n)) || 1e-300);
    }
    expectRelative(logGamma(0.5), 0.5 * Math.log(Math.PI));
    // Gamma(7/2) = 15 sqrt(pi) / 8.
    expectRelative(logGamma(3.5), Math.log((15 * Math.sqrt(Math.PI)) / 8));
    expect(logFactorial(0)).toBe(0);
  });

  it('chi-square survival with 2 degrees of freedom is exp(-x/2), far into the tail', () => {
    for (const x of [0.001, 0.5, 2, 10, 100, 700, 1400]) expectRelative(chiSquareSurvival(x, 2), Math.exp(-x / 2), 1e-12);
  });

  it('Q(n, x) for integer n is the Poisson sum exp(-x) sum_{k<n} x^k / k!', () => {
    for (const n of [1, 3, 7]) {
      for (const x of [0.2, 3, 9, 40]) {
        let term = Math.exp(-x);
        let sum = 0;
        for (let k = 0; k < n; k++) {
          sum += term;
          term *= x / (k + 1);
        }
        expectRelative(regularizedUpperGamma(n, x), sum, 1e-12);
      }
    }
  });

  it('Q(a, 0) = 1 and invalid shapes are rejected with the value named', () => {
    expect(regularizedUpperGamma(2.5, 0)).toBe(1);
    expect(() => regularizedUpperGamma(0, 1)).toThrow('Expected a positive shape for a in regularizedUpperGamma but received 0');
    expect(() => chiSquareSurvival(1, 0)).toThrow(RangeError);
  });

  it('roundHalfEven rounds halves to the even neighbour, like numpy', () => {
    expect([0.5, 1.5, 2.5, 3.5, 2.4, 2.6, 5000.5].map(roundHalfEven)).toEqual([0, 2, 2, 4, 2, 3, 5000]);
  });

  it('greatestCommonDivisor', () => {
    expect(greatestCommonDivisor(1000, 700)).toBe(100);
    expect(greatestCommonDivisor(7, 13)).toBe(1);
    expect(greatestCommonDivisor(5, 5)).toBe(5);
  });
});
