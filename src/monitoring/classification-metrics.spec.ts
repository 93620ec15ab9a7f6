import { classificationMetrics, ConfusionCell } from './classification-metrics';

/** Cells from (predicted, actual, count) triples. */
function cells(...triples: [string, string, number][]): ConfusionCell[] {
  return triples.map(([predicted, actual, count]) => ({ predicted, actual, count }));
}

// Expected values are worked out by hand from sklearn's definitions (precision_recall_fscore_support with
// zero_division=0, average='weighted'), written as the fractions they are.
describe('classificationMetrics', () => {
  it('two labels, both predicted and both true', () => {
    // y_true = P P P N | N N P P, y_pred = P P P P | N N N N
    const metrics = classificationMetrics(cells(['P', 'P', 3], ['P', 'N', 1], ['N', 'N', 2], ['N', 'P', 2]));
    // N: TP 2, predicted 4, support 3. P: TP 3, predicted 4, support 5.
    expect(metrics.labels).toEqual([
      { label: 'N', precision: 2 / 4, recall: 2 / 3, f1: expect.closeTo(4 / 7, 12), support: 3, predicted: 4 },
      { label: 'P', precision: 3 / 4, recall: 3 / 5, f1: expect.closeTo(6 / 9, 12), support: 5, predicted: 4 },
    ]);
    expect(metrics.samples).toBe(8);
    expect(metrics.correct).toBe(5);
    expect(metrics.accuracy).toBe(5 / 8);
    expect(metrics.weightedPrecision).toBeCloseTo((3 * (2 / 4) + 5 * (3 / 4)) / 8, 12); // 0.65625
    expect(metrics.weightedRecall).toBeCloseTo((3 * (2 / 3) + 5 * (3 / 5)) / 8, 12); // 0.625
    expect(metrics.weightedF1).toBeCloseTo(53 / 84, 12); // (3·4/7 + 5·2/3) / 8
  });

  it('a label that is never predicted has precision 0 (zero_division=0) and still weighs by its support', () => {
    // y_true = A A B B C, y_pred = A A A B B
    const metrics = classificationMetrics(cells(['A', 'A', 2], ['A', 'B', 1], ['B', 'B', 1], ['B', 'C', 1]));
    expect(metrics.labels).toEqual([
      { label: 'A', precision: expect.closeTo(2 / 3, 12), recall: 1, f1: 0.8, support: 2, predicted: 3 },
      { label: 'B', precision: 0.5, recall: 0.5, f1: 0.5, support: 2, predicted: 2 },
      { label: 'C', precision: 0, recall: 0, f1: 0, support: 1, predicted: 0 },
    ]);
    expect(metrics.accuracy).toBe(3 / 5);
    expect(metrics.weightedPrecision).toBeCloseTo(7 / 15, 12); // (2·2/3 + 2·1/2 + 1·0) / 5
    expect(metrics.weightedRecall).toBeCloseTo(3 / 5, 12);
    expect(metrics.weightedF1).toBeCloseTo(0.52, 12); // (2·0.8 + 2·0.5 + 0) / 5
  });

  it('a label that is never true has recall 0 and weighs nothing in the weighted figures', () => {
    // y_true = A A A B, y_pred = A A C B
    const metrics = classificationMetrics(cells(['A', 'A', 2], ['C', 'A', 1], ['B', 'B', 1]));
    expect(metrics.labels).toEqual([
      { label: 'A', precision: 1, recall: expect.closeTo(2 / 3, 12), f1: 0.8, support: 3, predicted: 2 },
      { label: 'B', precision: 1, recall: 1, f1: 1, support: 1, predicted: 1 },
      { label: 'C', precision: 0, recall: 0, f1: 0, support: 0, predicted: 1 },
    ]);
    expect(metrics.accuracy).toBe(3 / 4);
    expect(metrics.weightedPrecision).toBe(1); // (3·1 + 1·1 + 0·0) / 4
    expect(metrics.weightedRecall).toBeCloseTo(3 / 4, 12);
    expect(metrics.weightedF1).toBeCloseTo(0.85, 12); // (3·0.8 + 1·1) / 4
  });

  it('a single label, always right, scores 1 everywhere', () => {
    const metrics = classificationMetrics(cells(['A', 'A', 5]));
    expect(metrics).toEqual({
      samples: 5,
      correct: 5,
      accuracy: 1,
      weightedPrecision: 1,
      weightedRecall: 1,
      weightedF1: 1,
      labels: [{ label: 'A', precision: 1, recall: 1, f1: 1, support: 5, predicted: 5 }],
    });
  });

  it('a single true label, sometimes predicted as another', () => {
    // y_true = A A A A, y_pred = A A A B
    const metrics = classificationMetrics(cells(['A', 'A', 3], ['B', 'A', 1]));
    expect(metrics.labels).toEqual([
      { label: 'A', precision: 1, recall: 0.75, f1: expect.closeTo(6 / 7, 12), support: 4, predicted: 3 },
      { label: 'B', precision: 0, recall: 0, f1: 0, support: 0, predicted: 1 },
    ]);
    expect(metrics.accuracy).toBe(0.75);
    expect(metrics.weightedPrecision).toBe(1);
    expect(metrics.weightedF1).toBeCloseTo(6 / 7, 12);
  });

  it('adds cells of the same pair and ignores empty ones', () => {
    expect(classificationMetrics(cells(['A', 'A', 1], ['B', 'A', 0], ['A', 'A', 2]))).toEqual(classificationMetrics(cells(['A', 'A', 3])));
  });

  it('gives zeros and no labels for no samples', () => {
    expect(classificationMetrics([])).toEqual({
      samples: 0,
      correct: 0,
      accuracy: 0,
      weightedPrecision: 0,
      weightedRecall: 0,
      weightedF1: 0,
      labels: [],
    });
  });
});
