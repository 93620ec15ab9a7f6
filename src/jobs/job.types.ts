import type { AppErrorCode } from '../common/errors/error-codes';

/**
 * Life cycle of a job:
 * - `queued`: accepted and committed, no text classified yet;
 * - `running`: a worker has started on it (also after a restart, until it finishes);
 * - `completed`: every text is classified; the results are readable;
 * - `failed`: the engine could not classify one of its chunks (a real inference failure, not overload);
 *   `error` says why. Results of a failed job are not served.
 * Only `completed` and `failed` are final, and only final jobs are deleted by retention.
 */
export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Why a job failed, as its client sees it. */
export interface JobError {
  code: AppErrorCode;
  message: string;
}

/** A job as stored (without its texts and results). Times are ms since the epoch. */
export interface Job {
  /** Internal key (submission order); never shown to clients. */
  seq: number;
  /** The public id (UUID). */
  id: string;
  status: JobStatus;
  total: number;
  /** Texts classified and committed. */
  done: number;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  /** Version of the model that classified the job's first committed chunk. */
  modelVersion?: string;
  error?: JobError;
}

/** One text of a job waiting to be classified. */
export interface PendingText {
  /** Position in the submitted list. */
  index: number;
  text: string;
}

/** One classified text of a job. */
export interface JobResult {
  index: number;
  label: string;
  score: number;
  predictionId: string;
  modelVersion: string;
}

/** A slice of a job's texts one worker classifies and commits as a unit. */
export interface Chunk {
  jobSeq: number;
  jobId: string;
  texts: PendingText[];
}
