import type { CapturedFeatures } from '../../lib';
import type { PredictionRecord } from '../predictions/prediction.types';

/** The scalar features of one prediction, as the window buffer stores them. */
export interface PredictionSample {
  confidence: number;
  entropy: number;
  tokenCount: number;
  unknownShare: number;
  nonLetterShare: number;
  truncated: boolean;
  /** Index of the predicted label in the version's labels, -1 when it is not one of them. */
  label: number;
  /** The captured embedding (a view into the engine's buffer: copy before keeping), when there is one. */
  embedding?: Float32Array;
}

const LETTER = /\p{L}/u;

/** Share of the text's code points that are not Unicode letters (0 for ""). O(length), no allocation per character beyond the iterator's. */
export function nonLetterShare(text: string): number {
  let total = 0;
  let letters = 0;
  for (const character of text) {
    total++;
    // ASCII fast path: most traffic is ASCII, and the regex is the slow part.
    const code = character.charCodeAt(0);
    if (code < 128) {
      if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) letters++;
    } else if (LETTER.test(character)) {
      letters++;
    }
  }
  return total === 0 ? 0 : (total - letters) / total;
}

/** Shannon entropy (natural log) of a probability distribution; 0 terms contribute 0. */
export function entropy(probabilities: Record<string, number>): number {
  let sum = 0;
  for (const key in probabilities) {
    const p = probabilities[key];
    if (p > 0) sum -= p * Math.log(p);
  }
  return sum;
}

/**
 * The sample of one committed prediction, or undefined when it carries no captured features (capture off, or a
 * record made before the engine captured). `labelIndex` maps label names to their index in the version's labels.
 */
export function sampleOf(record: PredictionRecord, labelIndex: ReadonlyMap<string, number>): PredictionSample | undefined {
  if (!record.features) return undefined;
  return sampleOfClassification(record.features.text, record, record.features.captured, labelIndex);
}

/** The sample of one classified text (live predictions and reference texts alike). */
export function sampleOfClassification(
  text: string,
  output: { label: string; score: number; scores: Record<string, number> },
  captured: CapturedFeatures,
  labelIndex: ReadonlyMap<string, number>,
): PredictionSample {
  const wordTokens = captured.tokenCount - captured.specialTokens;
  return {
    confidence: output.score,
    entropy: entropy(output.scores),
    tokenCount: captured.tokenCount,
    unknownShare: wordTokens > 0 ? captured.unknownTokens / wordTokens : 0,
    nonLetterShare: nonLetterShare(text),
    truncated: captured.truncated,
    label: labelIndex.get(output.label) ?? -1,
    embedding: captured.embedding,
  };
}
