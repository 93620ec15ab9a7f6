import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../common/errors/app-error';
import type { ClassifierEngine } from '../engine/engine.types';
import type { FeatureSet } from './feature-set';
import { sampleOfClassification } from './prediction-sample';
import { SeededRandom } from './stats/seeded-random';
import type { ReferenceSource, SerializedFeatureSet, StoredReference } from './drift.types';
import { rawWindow } from './raw-window';
import { WindowBuffer } from './window-buffer';
import type { WindowEvaluator } from './window-evaluator';

/** Reference files looked for beside model.onnx, in this order. */
export const REFERENCE_FILES = ['drift_reference.txt', 'drift_reference.jsonl'] as const;
/** Optional texts to fit the projection on, disjoint from the reference. */
export const PROJECTION_FIT_FILE = 'drift_projection_fit.txt';
/** Components the embeddings are reduced to (alibi-detect's text example uses 32). */
export const PROJECTION_DIMENSIONS = 32;
/** Fewest reference texts (after the projection split): fewer make every test weak. */
export const MIN_REFERENCE_TEXTS = 50;
/** Fixed seeds: the same texts always give the same reference. */
const SPLIT_SEED = 0x73706c74;
const PROJECTION_SEED = 0x70726f6a;
/** Texts per engine call while building (keeps each call within the engine's queue). */
const CHUNK = 256;

/** Reads drift_reference.txt (one text per line) or .jsonl (`{"text": ...}` or a JSON string per line). */
export async function readReferenceFile(modelDir: string): Promise<{ file: string; texts: string[] } | undefined> {
  for (const name of REFERENCE_FILES) {
    const file = join(modelDir, name);
    if (!existsSync(file)) continue;
    return { file, texts: parseTexts(await readFile(file, 'utf8'), name.endsWith('.jsonl'), file) };
  }
  return undefined;
}

function parseTexts(content: string, jsonLines: boolean, file: string): string[] {
  const lines = content.split(/\r?\n/).filter((line) => line.trim().length > 0);
  if (!jsonLines) return lines;
  return lines.map((line, i) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new AppError('VALIDATION_FAILED', `${file} line ${i + 1} is not JSON: ${(error as Error).message}`);
    }
    const text = typeof value === 'string' ? value : (value as { text?: unknown } | null)?.text;
    if (typeof text !== 'string') throw new AppError('VALIDATION_FAILED', `${file} line ${i + 1} has no string "text"`);
    return text;
  });
}

export interface ReferenceInput {
  modelVersion: string;
  source: ReferenceSource;
  file?: string;
  texts: readonly string[];
  /** Texts to fit the projection on; without them a seeded half of `texts` is used (and not in the reference). */
  projectionTexts?: readonly string[];
  labels: readonly string[];
  now: number;
}

/**
 * Builds a model version's reference: runs the texts through the engine (which captures their features in the
 * same pass as any prediction), fits the embedding projection on texts disjoint from the reference, and keeps
 * only features. Throws VALIDATION_FAILED when too few texts remain for the reference.
 */
export async function buildReference(
  engine: Pick<ClassifierEngine, 'classify' | 'info'>,
  input: ReferenceInput,
  computer: Pick<WindowEvaluator, 'fitReference'>,
): Promise<StoredReference> {
  let referenceTexts: readonly string[] = input.texts;
  let fitTexts: readonly string[] = input.projectionTexts ?? [];
  if (!input.projectionTexts) {
    // Fitting the projection on the reference itself would make the reference look closer to its own principal
    // axes than fresh data does; a seeded split keeps the two apart and the result reproducible.
    const shuffled = shuffle(input.texts, new SeededRandom(SPLIT_SEED));
    const fitCount = Math.floor(shuffled.length / 2);
    fitTexts = shuffled.slice(0, fitCount);
    referenceTexts = shuffled.slice(fitCount);
  }
  if (referenceTexts.length < MIN_REFERENCE_TEXTS) {
    throw new AppError(
      'VALIDATION_FAILED',
      `A drift reference needs at least ${MIN_REFERENCE_TEXTS} texts after the projection split but received ${referenceTexts.length}` +
        (input.projectionTexts ? '' : ` (of ${input.texts.length}: half of them fit the projection)`),
    );
  }
  const labelIndex = new Map(input.labels.map((label, i) => [label, i]));
  const reference = await classifyInto(engine, referenceTexts, labelIndex);
  const fit = reference.embeddingDim > 0 ? await classifyInto(engine, fitTexts, labelIndex) : undefined;
  // The projection fit, the projection and the bandwidth are the heavy part: off the event loop.
  const fitted = await computer.fitReference({
    reference: rawWindow(reference, input.labels),
    fit: fit && fit.embeddingDim === reference.embeddingDim ? fit.embedding.subarray(0, fit.size * fit.embeddingDim) : new Float32Array(0),
    components: PROJECTION_DIMENSIONS,
    seed: PROJECTION_SEED,
  });
  return {
    modelVersion: input.modelVersion,
    source: input.source,
    file: input.file,
    createdAt: input.now,
    size: fitted.features.size,
    features: serialize(fitted.features),
    projection: fitted.projection,
    projectionFitSize: fitted.projection ? fitTexts.length : 0,
    bandwidth: fitted.bandwidth,
  };
}

async function classifyInto(engine: Pick<ClassifierEngine, 'classify' | 'info'>, texts: readonly string[], labelIndex: ReadonlyMap<string, number>): Promise<WindowBuffer> {
  const dim = engine.info().drift?.embeddingDim ?? 0;
  const buffer = new WindowBuffer(texts.length, dim);
  for (let start = 0; start < texts.length; start += CHUNK) {
    const chunk = texts.slice(start, start + CHUNK);
    const results = await engine.classify(chunk);
    results.forEach((result, i) => {
      if (!result.features) {
        throw new AppError('INTERNAL', 'The engine returned no captured features while building a drift reference. This is a bug.');
      }
      buffer.push(sampleOfClassification(chunk[i], result, result.features, labelIndex), 0);
    });
  }
  return buffer;
}

export function serialize(set: FeatureSet): SerializedFeatureSet {
  return {
    size: set.size,
    embeddingDim: set.embeddingDim,
    embedding: Array.from(set.embedding),
    confidence: Array.from(set.confidence),
    entropy: Array.from(set.entropy),
    tokenCount: Array.from(set.tokenCount),
    unknownShare: Array.from(set.unknownShare),
    nonLetterShare: Array.from(set.nonLetterShare),
    truncated: Array.from(set.truncated),
    label: Array.from(set.label),
    labels: [...set.labels],
  };
}

export function deserialize(set: SerializedFeatureSet): FeatureSet {
  return {
    size: set.size,
    embeddingDim: set.embeddingDim,
    embedding: Float64Array.from(set.embedding),
    confidence: Float64Array.from(set.confidence),
    entropy: Float64Array.from(set.entropy),
    tokenCount: Float64Array.from(set.tokenCount),
    unknownShare: Float64Array.from(set.unknownShare),
    nonLetterShare: Float64Array.from(set.nonLetterShare),
    truncated: Uint8Array.from(set.truncated),
    label: Uint16Array.from(set.label),
    labels: [...set.labels],
  };
}

function shuffle<T>(items: readonly T[], random: SeededRandom): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random.nextInt(i + 1);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
