import type { PredictionRecord, PredictionSource } from './prediction.types';

/**
 * The predictions table's columns, in the order both stores write them, and the mapping between a row and a
 * record: one place for what SQLite and PostgreSQL store alike.
 */
export const PREDICTION_COLUMNS =
  'id, created_at, model_version, label, score, scores, latency_ms, source, job_id, input, input_hash, input_length';

/** A stored prediction: `scores` is JSON text in SQLite, already parsed (JSONB) in PostgreSQL. */
export interface PredictionRow {
  id: string;
  created_at: number;
  model_version: string;
  label: string;
  score: number;
  scores: string | Record<string, number>;
  latency_ms: number;
  source: string;
  job_id: string | null;
  input: string | null;
  input_hash: string | null;
  input_length: number;
}

/** A record's values in PREDICTION_COLUMNS order (scores as JSON text). */
export function predictionValues(r: PredictionRecord): unknown[] {
  return [
    r.id,
    r.createdAt,
    r.modelVersion,
    r.label,
    r.score,
    JSON.stringify(r.scores),
    r.latencyMs,
    r.source,
    r.jobId ?? null,
    r.input ?? null,
    r.inputHash ?? null,
    r.inputLength,
  ];
}

export function predictionFromRow(row: PredictionRow): PredictionRecord {
  return {
    id: row.id,
    createdAt: row.created_at,
    modelVersion: row.model_version,
    label: row.label,
    score: row.score,
    scores: typeof row.scores === 'string' ? (JSON.parse(row.scores) as Record<string, number>) : row.scores,
    latencyMs: row.latency_ms,
    source: row.source as PredictionSource,
    ...(row.job_id !== null ? { jobId: row.job_id } : {}),
    ...(row.input !== null ? { input: row.input } : {}),
    ...(row.input_hash !== null ? { inputHash: row.input_hash } : {}),
    inputLength: row.input_length,
  };
}
