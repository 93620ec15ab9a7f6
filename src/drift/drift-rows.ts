import type { StoredReference, WindowResult } from './drift.types';

/**
 * The drift tables' rows, the same on SQLite and PostgreSQL (JSON kept as TEXT on both: it is written and read
 * whole, never queried inside), and their mapping to the domain types.
 */
export interface ReferenceRow {
  model_version: string;
  source: string;
  file: string | null;
  created_at: number;
  size: number;
  features: string;
  projection: string | null;
  projection_fit_size: number;
  bandwidth: number;
}

export interface WindowRow {
  model_version: string;
  sequence: number;
  started_at: number;
  closed_at: number;
  closed_by: string;
  size: number;
  status: string;
  alpha: number;
  correction: string;
  tests: string;
  evaluation_ms: number;
  embedding_unavailable: string | null;
}

export function referenceFromRow(row: ReferenceRow): StoredReference {
  return {
    modelVersion: row.model_version,
    source: row.source as StoredReference['source'],
    file: row.file ?? undefined,
    createdAt: row.created_at,
    size: row.size,
    features: JSON.parse(row.features) as StoredReference['features'],
    projection: row.projection ? (JSON.parse(row.projection) as StoredReference['projection']) : null,
    projectionFitSize: row.projection_fit_size,
    bandwidth: row.bandwidth,
  };
}

/** Named parameters for an INSERT of a reference (camelCase names, JSON serialised). */
export function referenceParams(reference: StoredReference) {
  return {
    modelVersion: reference.modelVersion,
    source: reference.source,
    file: reference.file ?? null,
    createdAt: reference.createdAt,
    size: reference.size,
    features: JSON.stringify(reference.features),
    projection: reference.projection ? JSON.stringify(reference.projection) : null,
    projectionFitSize: reference.projectionFitSize,
    bandwidth: reference.bandwidth,
  };
}

export function windowFromRow(row: WindowRow): WindowResult {
  return {
    modelVersion: row.model_version,
    sequence: row.sequence,
    startedAt: row.started_at,
    closedAt: row.closed_at,
    closedBy: row.closed_by as WindowResult['closedBy'],
    size: row.size,
    status: row.status as WindowResult['status'],
    alpha: row.alpha,
    correction: row.correction as WindowResult['correction'],
    tests: JSON.parse(row.tests) as WindowResult['tests'],
    evaluationMs: row.evaluation_ms,
    embeddingUnavailable: row.embedding_unavailable ?? undefined,
  };
}

/** Named parameters for an INSERT of a window (camelCase names, JSON serialised). */
export function windowParams(window: WindowResult) {
  return {
    modelVersion: window.modelVersion,
    sequence: window.sequence,
    startedAt: window.startedAt,
    closedAt: window.closedAt,
    closedBy: window.closedBy,
    size: window.size,
    status: window.status,
    alpha: window.alpha,
    correction: window.correction,
    tests: JSON.stringify(window.tests),
    evaluationMs: window.evaluationMs,
    embeddingUnavailable: window.embeddingUnavailable ?? null,
  };
}
