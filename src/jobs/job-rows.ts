import type { AppErrorCode } from '../common/errors/error-codes';
import { Job, JOB_STATUSES, JobResult, JobStatus } from './job.types';

/** The jobs' rows as both stores read them (same columns on SQLite and PostgreSQL), and their conversions. */
export interface JobRow {
  seq: number;
  id: string;
  status: JobStatus;
  total: number;
  done: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  model_version: string | null;
  error_code: string | null;
  error_message: string | null;
}

export interface ResultRow {
  idx: number;
  label: string;
  score: number;
  prediction_id: string;
  model_version: string;
}

/** Thrown inside a commit's transaction to roll it back: the chunk is not this owner's, or the job not running. */
export class Discarded extends Error {
  constructor(readonly reason: 'job-not-running' | 'lease-lost') {
    super(`chunk discarded: ${reason}`);
  }
}

/** Every status present, 0 when none. */
export function countsOf(rows: ReadonlyArray<{ status: JobStatus; count: number }>): Record<JobStatus, number> {
  const counts = Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>;
  for (const { status, count } of rows) counts[status] = count;
  return counts;
}

export function fromResultRow(row: ResultRow): JobResult {
  return { index: row.idx, label: row.label, score: row.score, predictionId: row.prediction_id, modelVersion: row.model_version };
}

export function fromRow(row: JobRow): Job {
  const job: Job = { seq: row.seq, id: row.id, status: row.status, total: row.total, done: row.done, createdAt: row.created_at };
  if (row.started_at !== null) job.startedAt = row.started_at;
  if (row.finished_at !== null) job.finishedAt = row.finished_at;
  if (row.model_version !== null) job.modelVersion = row.model_version;
  if (row.error_code !== null) job.error = { code: row.error_code as AppErrorCode, message: row.error_message ?? '' };
  return job;
}
