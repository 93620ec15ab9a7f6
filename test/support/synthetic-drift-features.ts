/**
 * Synthetic FeatureSets with the shapes real traffic has (for the drift statistics specs): correlated Gaussian
 * projected embeddings, confidences on a 3-decimal grid (ties), entropy as a function of confidence, Poisson token
 * counts (heavy ties), zero-inflated unknown-token shares, non-letter shares that are small fractions, rare
 * truncation and an unbalanced label distribution. Each knob can be moved to simulate drift.
 */
import type { FeatureSet } from '../../src/drift/feature-set';
import { SeededRandom } from '../../src/drift/stats/seeded-random';

/**
 * Math functions used in hot loops are bound once here: a global lookup per call is cheap in Node but about 25x
 * slower inside jest's vm sandbox, where the statistics' simulations run.
 */
const { exp, pow, round, log, max } = Math;

export interface FeatureShape {
  embeddingDim: number;
  /** Added to every embedding coordinate's mean. */
  embeddingShift: number;
  /** Exponent of the confidence skew: larger means more confident predictions. */
  confidenceSkew: number;
  meanTokens: number;
  unknownRate: number;
  nonLetterMax: number;
  truncationRate: number;
  labelProbabilities: number[];
}

export const TYPICAL_SHAPE: FeatureShape = {
  embeddingDim: 4,
  embeddingShift: 0,
  confidenceSkew: 3,
  meanTokens: 18,
  unknownRate: 0.1,
  nonLetterMax: 12,
  truncationRate: 0.03,
  labelProbabilities: [0.6, 0.3, 0.1],
};

export const LABELS = ['negative', 'positive', 'neutral'];

function poisson(random: SeededRandom, lambda: number): number {
  const limit = exp(-lambda);
  let k = 0;
  let product = random.nextFloat();
  while (product > limit) {
    k += 1;
    product *= random.nextFloat();
  }
  return k;
}

export function syntheticFeatures(random: SeededRandom, size: number, shape: FeatureShape = TYPICAL_SHAPE): FeatureSet {
  const dim = shape.embeddingDim;
  const embedding = new Float64Array(size * dim);
  const set: FeatureSet = {
    size,
    embedding,
    embeddingDim: dim,
    confidence: new Float64Array(size),
    entropy: new Float64Array(size),
    tokenCount: new Float64Array(size),
    unknownShare: new Float64Array(size),
    nonLetterShare: new Float64Array(size),
    truncated: new Uint8Array(size),
    label: new Uint16Array(size),
    labels: LABELS,
  };
  for (let r = 0; r < size; r++) {
    // Correlated coordinates: each shares a common factor with the first.
    const common = random.nextGaussian();
    for (let c = 0; c < dim; c++) {
      embedding[r * dim + c] = shape.embeddingShift + (c === 0 ? common : 0.5 * common + random.nextGaussian()) / (1 + c);
    }
    const confidence = round((0.5 + 0.5 * (1 - pow(random.nextFloat(), shape.confidenceSkew))) * 1000) / 1000;
    set.confidence[r] = confidence;
    const other = max(1 - confidence, 1e-12);
    set.entropy[r] = -(confidence * log(confidence) + other * log(other));
    const tokens = 2 + poisson(random, shape.meanTokens);
    set.tokenCount[r] = tokens;
    let unknown = 0;
    for (let t = 2; t < tokens; t++) if (random.nextFloat() < shape.unknownRate / 5) unknown++;
    set.unknownShare[r] = tokens > 2 ? unknown / (tokens - 2) : 0;
    const characters = 5 * tokens;
    set.nonLetterShare[r] = random.nextInt(shape.nonLetterMax + 1) / characters;
    set.truncated[r] = random.nextFloat() < shape.truncationRate ? 1 : 0;
    let u = random.nextFloat();
    let label = 0;
    while (label < shape.labelProbabilities.length - 1 && u >= shape.labelProbabilities[label]) {
      u -= shape.labelProbabilities[label];
      label++;
    }
    set.label[r] = label;
  }
  return set;
}
