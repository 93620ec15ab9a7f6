import type { PredictionRecord } from '../predictions/prediction.types';
import type { Chunk, Job, JobError, JobResult, JobStatus } from './job.types';

/** What a claim handed to one worker: a chunk of one job's texts, leased to the claiming owner. */
export interface Claim {
  chunk: Chunk;
  /** Whether this claim moved the job from queued to running (its first chunk anywhere). */
  started: boolean;
  /** The job's size and committed progress when the chunk was claimed (for logs). */
  total: number;
  done: number;
}

/**
 * What became of a chunk's commit: committed (with the job's status afterwards), or discarded with nothing written
 * because the job is no longer running (it failed meanwhile) or because the chunk is no longer this owner's (its
 * lease expired and another worker claimed it, or its texts already have results).
 */
export type CommitOutcome = { committed: true; status: JobStatus } | { committed: false; reason: 'job-not-running' | 'lease-lost' };

/**
 * The jobs' persistence (I/O only; JobsService and JobRunner hold the rules). Implemented by SqliteJobStore (the
 * embedded default, one process) and PostgresJobStore (DATABASE_URL, several replicas); both pass
 * job.store.spec.ts.
 *
 * Work is handed out by leases: `claim` gives a worker up to `size` unclassified texts of the oldest unfinished job
 * that nobody holds, leased to `owner` until a time; the worker renews the lease while the chunk is in the engine;
 * `commit` writes results only while the chunk is still the owner's and its texts still have no result, so a text
 * never gets two results or two prediction-log records, whichever workers (or replicas) raced for it.
 */
export abstract class JobStore {
  /**
   * Whether other processes share this store (PostgreSQL): their jobs are not announced to this one, so idle
   * workers poll, and a dead process's leases are only freed by expiry.
   */
  abstract readonly shared: boolean;

  /** Commits a queued job and all its texts in one transaction; returns its seq. */
  abstract create(id: string, texts: readonly string[], createdAt: number): Promise<number>;

  abstract find(id: string): Promise<Job | undefined>;

  /** Up to `limit` results of the job from position `offset`, in order. */
  abstract results(seq: number, offset: number, limit: number): Promise<JobResult[]>;

  /**
   * Leases up to `size` unclassified, unleased (or lease-expired at `now`) texts of the oldest queued or running
   * job that has any, in index order, to `owner` until `now + leaseMs`; a queued job becomes running. Undefined
   * when there is no such text.
   */
  abstract claim(owner: string, size: number, now: number, leaseMs: number): Promise<Claim | undefined>;

  /** Extends the owner's lease on the chunk to `until`; false when the chunk is no longer (wholly) the owner's. */
  abstract renew(chunk: Chunk, owner: string, until: number): Promise<boolean>;

  /** Gives the owner's lease on the chunk up (the chunk was not classified), so any worker may claim it at once. */
  abstract release(chunk: Chunk, owner: string): Promise<void>;

  /**
   * In one transaction: checks the chunk's texts are still leased to `owner` and unclassified and the job is
   * running, then writes their results, the prediction-log records, the job's progress (completed with its last
   * text) and frees the lease. Otherwise writes nothing and says why. Throws only when the database fails.
   */
  abstract commit(chunk: Chunk, owner: string, results: readonly JobResult[], predictions: readonly PredictionRecord[], now: number): Promise<CommitOutcome>;

  /** queued/running → failed with its error; false when the job was already final. */
  abstract markFailed(seq: number, error: JobError, finishedAt: number): Promise<boolean>;

  /** How many jobs are in each status (every status present, 0 when none). */
  abstract countByStatus(): Promise<Record<JobStatus, number>>;

  /** Queued and running jobs. */
  abstract countUnfinished(): Promise<number>;

  /** Seqs of up to `limit` final jobs that finished before `cutoff` (ms since the epoch). */
  abstract finishedBefore(cutoff: number, limit: number): Promise<number[]>;

  /** Deletes a final job with its texts and results, in one transaction (nothing when it is gone already). */
  abstract delete(seq: number): Promise<void>;
}
