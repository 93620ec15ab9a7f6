import { Injectable } from '@nestjs/common';
import type BetterSqlite3 from 'better-sqlite3';
import type { Statement, Transaction } from 'better-sqlite3';
import { insertPredictionsSqlite } from '../predictions/sqlite-prediction.store';
import type { PredictionRecord } from '../predictions/prediction.types';
import type { AppErrorCode } from '../common/errors/error-codes';
import { SqliteDatabase } from '../database/sqlite-database';
import { Job, JOB_STATUSES, JobError, JobResult, JobStatus, PendingText } from './job.types';

/**
 * The jobs' tables; steps are append-only (see SqliteDatabase.migrate).
 *
 * - `jobs.seq` (AUTOINCREMENT, never reused even after retention deletes the newest job) orders jobs by
 *   submission, and the workers' cursor relies on it only growing.
 * - `job_items` holds one row per submitted text: the text until it is classified, then its result. The text is
 *   cleared in the same update that writes the result: it was only kept so the job survives a crash, and what the
 *   service keeps of inputs for longer is PREDICTION_LOG_INPUT's decision, not the jobs'. A row whose `label` is
 *   NULL is still to be classified; that is the whole resume state.
 * - `jobs.done` counts the classified rows; it is updated in the transaction that writes them, so progress and
 *   results never disagree.
 */
const MIGRATIONS = [
  `CREATE TABLE jobs (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
     total INTEGER NOT NULL CHECK (total > 0),
     done INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL,
     started_at INTEGER,
     finished_at INTEGER,
     model_version TEXT,
     error_code TEXT,
     error_message TEXT
   );
   CREATE INDEX jobs_status_finished_at ON jobs (status, finished_at);
   CREATE TABLE job_items (
     job_seq INTEGER NOT NULL REFERENCES jobs (seq) ON DELETE CASCADE,
     idx INTEGER NOT NULL,
     text TEXT,
     label TEXT,
     score REAL,
     prediction_id TEXT,
     model_version TEXT,
     PRIMARY KEY (job_seq, idx)
   );`,
];

interface JobRow {
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

interface ResultRow {
  idx: number;
  label: string;
  score: number;
  prediction_id: string;
  model_version: string;
}

/** The job to claim work from next: the oldest unfinished one after the workers' cursor. */
export interface ActiveJob {
  seq: number;
  id: string;
  status: 'queued' | 'running';
}

/** Where a job is, read cheaply by the workers. */
export interface JobState {
  status: JobStatus;
  done: number;
  total: number;
}

/** SQLite persistence of jobs (I/O only; JobsService and JobRunner hold the rules). */
@Injectable()
export class JobStore {
  private readonly insertJob: Statement<[string, number, number]>;
  private readonly insertItem: Statement<[number, number, string]>;
  private readonly byId: Statement<[string], JobRow>;
  private readonly stateBySeq: Statement<[number], JobState>;
  private readonly nextActiveAfter: Statement<[number], ActiveJob>;
  private readonly pendingAfter: Statement<[number, number, number], { idx: number; text: string }>;
  private readonly resultsFrom: Statement<[number, number, number], ResultRow>;
  private readonly startJob: Statement<[number, number]>;
  private readonly saveResult: Statement<[string, number, string, string, number, number]>;
  private readonly addProgress: Statement<{ seq: number; count: number; modelVersion: string; now: number }>;
  private readonly failJob: Statement<[number, string, string, number]>;
  private readonly countsByStatus: Statement<[], { status: JobStatus; count: number }>;
  private readonly countActive: Statement<[], { count: number }>;
  private readonly selectFinishedBefore: Statement<[number, number], { seq: number }>;
  private readonly deleteItems: Statement<[number]>;
  private readonly deleteJob: Statement<[number]>;
  private readonly transactionOf: Transaction<(work: () => unknown) => unknown>;

  private readonly db: BetterSqlite3.Database;

  constructor(database: SqliteDatabase) {
    database.migrate('jobs', MIGRATIONS);
    const db = database.db;
    this.db = db;
    this.insertJob = db.prepare(`INSERT INTO jobs (id, status, total, created_at) VALUES (?, 'queued', ?, ?)`);
    this.insertItem = db.prepare('INSERT INTO job_items (job_seq, idx, text) VALUES (?, ?, ?)');
    this.byId = db.prepare('SELECT * FROM jobs WHERE id = ?');
    this.stateBySeq = db.prepare('SELECT status, done, total FROM jobs WHERE seq = ?');
    this.nextActiveAfter = db.prepare(
      `SELECT seq, id, status FROM jobs WHERE status IN ('queued', 'running') AND seq > ? ORDER BY seq LIMIT 1`,
    );
    this.pendingAfter = db.prepare(
      'SELECT idx, text FROM job_items WHERE job_seq = ? AND idx > ? AND label IS NULL ORDER BY idx LIMIT ?',
    );
    this.resultsFrom = db.prepare(
      `SELECT idx, label, score, prediction_id, model_version FROM job_items
       WHERE job_seq = ? AND idx >= ? ORDER BY idx LIMIT ?`,
    );
    this.startJob = db.prepare(`UPDATE jobs SET status = 'running', started_at = ? WHERE seq = ? AND status = 'queued'`);
    this.saveResult = db.prepare(
      `UPDATE job_items SET text = NULL, label = ?, score = ?, prediction_id = ?, model_version = ?
       WHERE job_seq = ? AND idx = ? AND label IS NULL`,
    );
    // In an UPDATE every right-hand side reads the row as it was, so `done + @count` is the new count throughout.
    this.addProgress = db.prepare(
      `UPDATE jobs SET
         done = done + @count,
         model_version = COALESCE(model_version, @modelVersion),
         status = CASE WHEN done + @count >= total THEN 'completed' ELSE status END,
         finished_at = CASE WHEN done + @count >= total THEN @now ELSE finished_at END
       WHERE seq = @seq AND status = 'running'`,
    );
    this.failJob = db.prepare(
      `UPDATE jobs SET status = 'failed', finished_at = ?, error_code = ?, error_message = ?
       WHERE seq = ? AND status IN ('queued', 'running')`,
    );
    // Both read only the (status, finished_at) index.
    this.countsByStatus = db.prepare('SELECT status, COUNT(*) AS count FROM jobs GROUP BY status');
    this.countActive = db.prepare(`SELECT COUNT(*) AS count FROM jobs WHERE status IN ('queued', 'running')`);
    this.selectFinishedBefore = db.prepare(
      `SELECT seq FROM jobs WHERE status IN ('completed', 'failed') AND finished_at < ? LIMIT ?`,
    );
    this.deleteItems = db.prepare('DELETE FROM job_items WHERE job_seq = ?');
    this.deleteJob = db.prepare('DELETE FROM jobs WHERE seq = ?');
    this.transactionOf = db.transaction((work: () => unknown) => work());
  }

  /** Runs `work` in one transaction (a savepoint when already inside one): all of its writes commit, or none. */
  transaction<T>(work: () => T): T {
    return this.transactionOf(work) as T;
  }

  /** Commits a queued job and all its texts in one transaction; returns its seq. */
  create(id: string, texts: readonly string[], createdAt: number): number {
    return this.transaction(() => {
      const seq = Number(this.insertJob.run(id, texts.length, createdAt).lastInsertRowid);
      texts.forEach((text, index) => this.insertItem.run(seq, index, text));
      return seq;
    });
  }

  find(id: string): Job | undefined {
    const row = this.byId.get(id);
    return row ? fromRow(row) : undefined;
  }

  /** The job's status and progress, by seq. */
  stateOf(seq: number): JobState | undefined {
    return this.stateBySeq.get(seq);
  }

  /** The oldest queued or running job whose seq is greater than `afterSeq`. */
  nextActive(afterSeq: number): ActiveJob | undefined {
    return this.nextActiveAfter.get(afterSeq);
  }

  /** Up to `limit` texts of the job still to classify, after position `afterIndex`, in order. */
  pending(seq: number, afterIndex: number, limit: number): PendingText[] {
    return this.pendingAfter.all(seq, afterIndex, limit).map((row) => ({ index: row.idx, text: row.text }));
  }

  /** Up to `limit` results of the job from position `offset`, in order. */
  results(seq: number, offset: number, limit: number): JobResult[] {
    return this.resultsFrom.all(seq, offset, limit).map((row) => ({
      index: row.idx,
      label: row.label,
      score: row.score,
      predictionId: row.prediction_id,
      modelVersion: row.model_version,
    }));
  }

  /** queued → running; false when the job was not queued. */
  markRunning(seq: number, startedAt: number): boolean {
    return this.startJob.run(startedAt, seq).changes === 1;
  }

  /**
   * Writes results of a running job, with their prediction-log records, and advances its progress; the job becomes `completed` with its last
   * result. Call inside `transaction`, after checking the job is running, together with whatever else must
   * commit with them; returns the job's status afterwards. Throws when a text already had a result or the job
   * is not running, which the workers' claiming rules out ("This is a bug.").
   */
  saveResults(seq: number, results: readonly JobResult[], predictions: readonly PredictionRecord[], now: number): JobStatus {
    if (results.length === 0) throw new Error(`No results to save for job ${seq}. This is a bug.`);
    insertPredictionsSqlite(this.db, predictions);
    for (const r of results) {
      if (this.saveResult.run(r.label, r.score, r.predictionId, r.modelVersion, seq, r.index).changes !== 1) {
        throw new Error(`Text ${r.index} of job ${seq} was already classified or does not exist. This is a bug.`);
      }
    }
    if (this.addProgress.run({ seq, count: results.length, modelVersion: results[0].modelVersion, now }).changes !== 1) {
      throw new Error(`Job ${seq} is not running. This is a bug.`);
    }
    return this.stateOf(seq)!.status;
  }

  /** queued/running → failed with its error; false when the job was already final. */
  markFailed(seq: number, error: JobError, finishedAt: number): boolean {
    return this.failJob.run(finishedAt, error.code, error.message, seq).changes === 1;
  }

  /** How many jobs are in each status (every status present, 0 when none). */
  countByStatus(): Record<JobStatus, number> {
    const counts = Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>;
    for (const { status, count } of this.countsByStatus.all()) counts[status] = count;
    return counts;
  }

  /** Queued and running jobs. */
  countUnfinished(): number {
    return this.countActive.get()!.count;
  }

  /** Seqs of up to `limit` final jobs that finished before `cutoff` (ms since the epoch). */
  finishedBefore(cutoff: number, limit: number): number[] {
    return this.selectFinishedBefore.all(cutoff, limit).map((row) => row.seq);
  }

  /** Deletes a job and its texts and results, in one transaction. */
  delete(seq: number): void {
    this.transaction(() => {
      this.deleteItems.run(seq);
      this.deleteJob.run(seq);
    });
  }
}

function fromRow(row: JobRow): Job {
  const job: Job = { seq: row.seq, id: row.id, status: row.status, total: row.total, done: row.done, createdAt: row.created_at };
  if (row.started_at !== null) job.startedAt = row.started_at;
  if (row.finished_at !== null) job.finishedAt = row.finished_at;
  if (row.model_version !== null) job.modelVersion = row.model_version;
  if (row.error_code !== null) job.error = { code: row.error_code as AppErrorCode, message: row.error_message ?? '' };
  return job;
}
