import { holmAdjust } from './holm';

describe('holmAdjust', () => {
  it('multiplies the i-th smallest of m p-values by m - i + 1 and keeps the order monotone (worked by hand)', () => {
    // Sorted: 0.005 x4 = 0.02; 0.01 x3 = 0.03; 0.03 x2 = 0.06; 0.04 x1 = 0.04 -> raised to 0.06 (monotone).
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    expect(adjusted[0]).toBeCloseTo(0.03, 15);
    expect(adjusted[1]).toBeCloseTo(0.06, 15);
    expect(adjusted[2]).toBeCloseTo(0.06, 15);
    expect(adjusted[3]).toBeCloseTo(0.02, 15);
  });

  it('caps adjusted p-values at 1', () => {
    expect(holmAdjust([0.5, 0.6])).toEqual([1, 1]);
  });

  it('leaves a single p-value unchanged and an empty family empty', () => {
    expect(holmAdjust([0.3])).toEqual([0.3]);
    expect(holmAdjust([])).toEqual([]);
  });

  it('gives tied p-values the same adjusted value whatever their position', () => {
    const adjusted = holmAdjust([0.02, 0.5, 0.02]);
    expect(adjusted[0]).toBe(adjusted[2]);
    expect(adjusted[0]).toBeCloseTo(0.06, 15);
  });

  it('rejects a value that is not a p-value, naming its index', () => {
    expect(() => holmAdjust([0.1, NaN])).toThrow('Expected a p-value in [0, 1] at index 1 but received NaN');
    expect(() => holmAdjust([1.5])).toThrow(RangeError);
  });
});
