import type { DriftEvaluation, DriftTestResult } from './feature-set';
import type { Projection } from './projection';

/** What a closed window was found to be. */
export type WindowStatus = 'ok' | 'drift' | 'no_reference' | 'insufficient_samples';

/** Where a reference came from. */
export type ReferenceSource = 'file' | 'admin';

/** A model version's reference: features of known-good texts (never the texts), with the projection fitted apart. */
export interface StoredReference {
  modelVersion: string;
  source: ReferenceSource;
  /** The file it was read from (source 'file'). */
  file?: string;
  createdAt: number;
  size: number;
  /** Columnar features (see feature-set.ts), embeddings already projected. */
  features: SerializedFeatureSet;
  /** Fitted on texts disjoint from the reference; null when the model has no embedding. */
  projection: Projection | null;
  /** How many texts the projection was fitted on. */
  projectionFitSize: number;
  /** The MMD kernel bandwidth fixed from the reference. */
  bandwidth: number;
}

/** A FeatureSet as plain JSON-able arrays (the store's format). */
export interface SerializedFeatureSet {
  size: number;
  embeddingDim: number;
  embedding: number[];
  confidence: number[];
  entropy: number[];
  tokenCount: number[];
  unknownShare: number[];
  nonLetterShare: number[];
  truncated: number[];
  label: number[];
  labels: string[];
}

/** A closed window and what its evaluation found. */
export interface WindowResult {
  modelVersion: string;
  /** Per model version, increasing. */
  sequence: number;
  startedAt: number;
  closedAt: number;
  /** Why it closed: full, or its time was up. */
  closedBy: 'size' | 'time';
  size: number;
  status: WindowStatus;
  alpha: number;
  correction: 'holm';
  tests: DriftTestResult[];
  /** Time the statistics took, in ms (0 when nothing was tested). */
  evaluationMs: number;
  /** Why the embedding was not tested, when it was not. */
  embeddingUnavailable?: string;
}

export type { DriftEvaluation, DriftTestResult };
