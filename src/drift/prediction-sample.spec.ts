import { entropy, nonLetterShare, sampleOfClassification } from './prediction-sample';

describe('per-prediction drift features', () => {
  it('non-letter share counts code points that are not Unicode letters', () => {
    expect(nonLetterShare('')).toBe(0);
    expect(nonLetterShare('abc')).toBe(0);
    expect(nonLetterShare('ab 1')).toBe(0.5);
    expect(nonLetterShare('@user #tag!')).toBeCloseTo(4 / 11, 12);
    expect(nonLetterShare('日本語')).toBe(0); // letters outside ASCII
    expect(nonLetterShare('Ωé ')).toBeCloseTo(1 / 3, 12);
    expect(nonLetterShare('😀a')).toBe(0.5); // one code point, not two UTF-16 units
  });

  it('entropy is the natural-log Shannon entropy of the scores', () => {
    expect(entropy({ a: 0.5, b: 0.5 })).toBeCloseTo(Math.log(2), 12);
    expect(entropy({ a: 1, b: 0 })).toBe(0);
    expect(entropy({ a: 0.2, b: 0.3, c: 0.5 })).toBeCloseTo(-(0.2 * Math.log(0.2) + 0.3 * Math.log(0.3) + 0.5 * Math.log(0.5)), 12);
  });

  it('unknown share is over word tokens (special tokens excluded); label is its index', () => {
    const sample = sampleOfClassification(
      'hi 1',
      { label: 'POSITIVE', score: 0.8, scores: { NEGATIVE: 0.2, POSITIVE: 0.8 } },
      { tokenCount: 6, specialTokens: 2, unknownTokens: 1, truncated: true },
      new Map([
        ['NEGATIVE', 0],
        ['POSITIVE', 1],
      ]),
    );
    expect(sample).toMatchObject({ confidence: 0.8, tokenCount: 6, unknownShare: 0.25, nonLetterShare: 0.5, truncated: true, label: 1 });
    const onlySpecial = sampleOfClassification('', { label: 'X', score: 1, scores: { X: 1 } }, { tokenCount: 2, specialTokens: 2, unknownTokens: 0, truncated: false }, new Map());
    expect(onlySpecial).toMatchObject({ unknownShare: 0, label: -1 });
  });
});
