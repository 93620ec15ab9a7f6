import type { CapturedFeatures } from '../../lib';

/** Where a prediction was asked for. */
export type PredictionSource = 'sentiment' | 'batch' | 'job';

/** One logged prediction: what the prediction log stores and what feedback and monitoring read back. */
export interface PredictionRecord {
  /** UUID returned to the client as `prediction_id`: version 7, so ids sort by creation time (prediction-id.ts). */
  id: string;
  /** When the prediction was made, in ms since the epoch. */
  createdAt: number;
  modelVersion: string;
  label: string;
  score: number;
  /** Probability of every label. */
  scores: Record<string, number>;
  /** Time the request spent in classification (the whole call, for a batch or a job's chunk), in ms. */
  latencyMs: number;
  source: PredictionSource;
  /** The job the prediction belongs to, for source 'job'. */
  jobId?: string;
  /** The input text, when PREDICTION_LOG_INPUT=full. */
  input?: string;
  /** SHA-256 (hex) of the input's UTF-8 bytes, when PREDICTION_LOG_INPUT is full or hash. */
  inputHash?: string;
  /** Length of the input in UTF-16 code units (kept whatever the privacy setting: drift statistics use it). */
  inputLength: number;
  /**
   * In memory only, never persisted: what the engine captured for drift detection and the text it came from,
   * handed to listeners with the committed record and dropped after them.
   */
  features?: PredictionFeatures;
}

/** A prediction's drift features as the listeners see them (see PredictionRecord.features). */
export interface PredictionFeatures {
  captured: CapturedFeatures;
  text: string;
}

/** What a caller hands the prediction log for one text. */
export interface PredictionInput {
  text: string;
  label: string;
  score: number;
  scores: Record<string, number>;
  /** The engine's captured features (Classification.features), when it captures them. */
  features?: CapturedFeatures;
}

export interface RecordOptions {
  source: PredictionSource;
  latencyMs: number;
  jobId?: string;
  /** Default: now. */
  createdAt?: number;
}

/** Called after predictions are committed (metrics count them, monitoring watches them). Must not throw. */
export type PredictionListener = (records: readonly PredictionRecord[]) => void;
