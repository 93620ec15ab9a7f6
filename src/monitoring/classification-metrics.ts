/**
 * Classification metrics from a confusion matrix, with scikit-learn's definitions (sklearn.metrics
 * precision_recall_fscore_support, accuracy_score), so the figures can be checked against it:
 * - the labels are those that occur as true or as predicted labels, sorted (sklearn's default `labels`);
 * - precision = TP / predicted, recall = TP / support, F1 = 2·TP / (2·TP + FP + FN), each 0 when its
 *   denominator is 0 (sklearn's zero_division=0): a label never predicted has precision 0, a label never true
 *   has recall 0;
 * - weighted = sum over labels of support × metric / number of samples (average='weighted'): labels that never
 *   occur as true labels weigh nothing. (Weighted recall therefore always equals accuracy.)
 */

/** How many labelled predictions had this predicted label and this true label. */
export interface ConfusionCell {
  predicted: string;
  actual: string;
  count: number;
}

export interface LabelMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Samples whose true label this is. */
  support: number;
  /** Samples the model gave this label. */
  predicted: number;
}

export interface ClassificationMetrics {
  samples: number;
  /** Samples whose predicted label is the true one. */
  correct: number;
  accuracy: number;
  weightedPrecision: number;
  weightedRecall: number;
  weightedF1: number;
  /** Per label, sorted by label. */
  labels: LabelMetrics[];
}

/** The metrics of a confusion matrix given as cells (a pair may appear in several cells: they add up). */
export function classificationMetrics(cells: Iterable<ConfusionCell>): ClassificationMetrics {
  const truePositives = new Map<string, number>();
  const support = new Map<string, number>();
  const predicted = new Map<string, number>();
  let samples = 0;
  for (const { predicted: p, actual: a, count } of cells) {
    if (count === 0) continue;
    samples += count;
    predicted.set(p, (predicted.get(p) ?? 0) + count);
    support.set(a, (support.get(a) ?? 0) + count);
    if (p === a) truePositives.set(a, (truePositives.get(a) ?? 0) + count);
  }

  const labels = [...new Set([...support.keys(), ...predicted.keys()])].sort().map((label): LabelMetrics => {
    const tp = truePositives.get(label) ?? 0;
    const labelSupport = support.get(label) ?? 0;
    const labelPredicted = predicted.get(label) ?? 0;
    // FP = predicted - TP and FN = support - TP, so 2TP + FP + FN = predicted + support.
    return {
      label,
      precision: ratio(tp, labelPredicted),
      recall: ratio(tp, labelSupport),
      f1: ratio(2 * tp, labelPredicted + labelSupport),
      support: labelSupport,
      predicted: labelPredicted,
    };
  });

  const correct = [...truePositives.values()].reduce((sum, n) => sum + n, 0);
  const weighted = (metric: (m: LabelMetrics) => number) =>
    ratio(labels.reduce((sum, m) => sum + m.support * metric(m), 0), samples);
  return {
    samples,
    correct,
    accuracy: ratio(correct, samples),
    weightedPrecision: weighted((m) => m.precision),
    weightedRecall: weighted((m) => m.recall),
    weightedF1: weighted((m) => m.f1),
    labels,
  };
}

/** numerator / denominator, or 0 when the denominator is 0 (zero_division=0). */
function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}
