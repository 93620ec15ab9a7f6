import { Injectable } from '@nestjs/common';
import type BetterSqlite3 from 'better-sqlite3';
import type { Statement, Transaction } from 'better-sqlite3';
import { insertPredictionsSqlite } from '../predictions/sqlite-prediction.store';
import type { PredictionRecord } from '../predictions/prediction.types';
import { SqliteDatabase } from '../database/sqlite-database';
import { countsOf, Discarded, fromResultRow, fromRow, JobRow, ResultRow } from './job-rows';
import { Claim, CommitOutcome, JobStore } from './job.store';
import type { Chunk, Job, JobError, JobResult, JobStatus } from './job.types';

/**
 * The jobs' tables; steps are append-only (see SqliteDatabase.migrate).
 *
 * - `jobs.seq` (AUTOINCREMENT, never reused even after retention deletes the newest job) orders jobs by
 *   submission: the oldest unfinished job is worked on first.
 * - `job_items` holds one row per submitted text: the text until it is classified, then its result. The text is
 *   cleared in the same update that writes the result: it was only kept so the job survives a crash, and what the
 *   service keeps of inputs for longer is PREDICTION_LOG_INPUT's decision, not the jobs'. A row whose `label` is
 *   NULL is still to be classified; that is the whole resume state.
 * - `jobs.done` counts the classified rows; it is updated in the transaction that writes them, so progress and
 *   results never disagree.
 * - Step 2: the lease (`lease_owner`, `lease_until`) of a text a worker claimed, the same protocol as on
 *   PostgreSQL (see JobStore), and an index over the unclassified texts so that a claim deep into a large job
 *   does not walk its classified rows.
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
  `ALTER TABLE job_items ADD COLUMN lease_owner TEXT;
   ALTER TABLE job_items ADD COLUMN lease_until INTEGER;
   CREATE INDEX job_items_unclassified ON job_items (job_seq, idx) WHERE label IS NULL;`,
];

/** The job a claim takes texts from. */
interface ClaimableJob {
  seq: number;
  id: string;
  status: 'queued' | 'running';
  total: number;
  done: number;
}

/**
 * SQLite persistence of jobs (the embedded default). One process owns the file, so leases only ever order this
 * process's own workers; any lease found when the store opens is a dead process's and is cleared at once, so a
 * restart resumes every unfinished text without waiting for leases to expire.
 */
@Injectable()
export class SqliteJobStore extends JobStore {
  readonly shared = false;
  private readonly insertJob: Statement<[string, number, number]>;
  private readonly insertItem: Statement<[number, number, string]>;
  private readonly byId: Statement<[string], JobRow>;
  private readonly oldestClaimable: Statement<[number], ClaimableJob>;
  private readonly claimableOf: Statement<[number, number, number], { idx: number; text: string }>;
  private readonly lease: Statement<[string | null, number | null, number, number, string | null]>;
  private readonly resultsFrom: Statement<[number, number, number], ResultRow>;
  private readonly startJob: Statement<[number, number]>;
  private readonly saveResult: Statement<[string, number, string, string, number, number, string]>;
  private readonly addProgress: Statement<{ seq: number; count: number; modelVersion: string; now: number }>;
  private readonly failJob: Statement<[number, string, string, number]>;
  private readonly countsByStatus: Statement<[], { status: JobStatus; count: number }>;
  private readonly countActive: Statement<[], { count: number }>;
  private readonly selectFinishedBefore: Statement<[number, number], { seq: number }>;
  private readonly deleteJob: Statement<[number]>;
  private readonly transactionOf: Transaction<(work: () => unknown) => unknown>;

  private readonly db: BetterSqlite3.Database;

  constructor(database: SqliteDatabase) {
    super();
    database.migrate('jobs', MIGRATIONS);
    const db = database.db;
    this.db = db;
    this.insertJob = db.prepare(`INSERT INTO jobs (id, status, total, created_at) VALUES (?, 'queued', ?, ?)`);
    this.insertItem = db.prepare('INSERT INTO job_items (job_seq, idx, text) VALUES (?, ?, ?)');
    this.byId = db.prepare('SELECT * FROM jobs WHERE id = ?');
    const claimable = 'label IS NULL AND (lease_until IS NULL OR lease_until < ?)';
    this.oldestClaimable = db.prepare(
      `SELECT seq, id, status, total, done FROM jobs
       WHERE status IN ('queued', 'running')
         AND EXISTS (SELECT 1 FROM job_items WHERE job_seq = jobs.seq AND ${claimable})
       ORDER BY seq LIMIT 1`,
    );
    // Parameters in the order they appear: the lease's cutoff, then the job, then the limit.
    this.claimableOf = db.prepare(`SELECT idx, text FROM job_items WHERE ${claimable} AND job_seq = ? ORDER BY idx LIMIT ?`);
    // Sets (or, with NULLs, frees) the lease of one text, if it is unclassified and held by `holder` (NULL: anyone).
    this.lease = db.prepare(
      `UPDATE job_items SET lease_owner = ?, lease_until = ?
       WHERE job_seq = ? AND idx = ? AND label IS NULL AND lease_owner IS COALESCE(?, lease_owner)`,
    );
    this.resultsFrom = db.prepare(
      `SELECT idx, label, score, prediction_id, model_version FROM job_items
       WHERE job_seq = ? AND idx >= ? ORDER BY idx LIMIT ?`,
    );
    this.startJob = db.prepare(`UPDATE jobs SET status = 'running', started_at = ? WHERE seq = ? AND status = 'queued'`);
    this.saveResult = db.prepare(
      `UPDATE job_items SET text = NULL, label = ?, score = ?, prediction_id = ?, model_version = ?, lease_owner = NULL, lease_until = NULL
       WHERE job_seq = ? AND idx = ? AND label IS NULL AND lease_owner = ?`,
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
    // Its texts go with it (ON DELETE CASCADE; SqliteDatabase turns foreign keys on).
    this.deleteJob = db.prepare(`DELETE FROM jobs WHERE seq = ? AND status IN ('completed', 'failed')`);
    this.transactionOf = db.transaction((work: () => unknown) => work());
    // Any lease still here was taken by a process that is gone (this one owns the file now).
    db.prepare('UPDATE job_items SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL').run();
  }

  /** Runs `work` in one transaction: all of its writes commit, or none. */
  private transaction<T>(work: () => T): T {
    return this.transactionOf(work) as T;
  }

  async create(id: string, texts: readonly string[], createdAt: number): Promise<number> {
    return this.transaction(() => {
      const seq = Number(this.insertJob.run(id, texts.length, createdAt).lastInsertRowid);
      texts.forEach((text, index) => this.insertItem.run(seq, index, text));
      return seq;
    });
  }

  async find(id: string): Promise<Job | undefined> {
    const row = this.byId.get(id);
    return row ? fromRow(row) : undefined;
  }

  async results(seq: number, offset: number, limit: number): Promise<JobResult[]> {
    return this.resultsFrom.all(seq, offset, limit).map(fromResultRow);
  }

  async claim(owner: string, size: number, now: number, leaseMs: number): Promise<Claim | undefined> {
    return this.transaction(() => {
      const job = this.oldestClaimable.get(now);
      if (!job) return undefined;
      const texts = this.claimableOf.all(now, job.seq, size);
      for (const { idx } of texts) this.lease.run(owner, now + leaseMs, job.seq, idx, null);
      const started = job.status === 'queued' && this.startJob.run(now, job.seq).changes === 1;
      const chunk: Chunk = { jobSeq: job.seq, jobId: job.id, texts: texts.map((row) => ({ index: row.idx, text: row.text })) };
      return { chunk, started, total: job.total, done: job.done };
    });
  }

  async renew(chunk: Chunk, owner: string, until: number): Promise<boolean> {
    return this.transaction(() => {
      let held = 0;
      for (const { index } of chunk.texts) held += this.lease.run(owner, until, chunk.jobSeq, index, owner).changes;
      return held === chunk.texts.length;
    });
  }

  async release(chunk: Chunk, owner: string): Promise<void> {
    this.transaction(() => {
      for (const { index } of chunk.texts) this.lease.run(null, null, chunk.jobSeq, index, owner);
    });
  }

  async commit(
    chunk: Chunk,
    owner: string,
    results: readonly JobResult[],
    predictions: readonly PredictionRecord[],
    now: number,
  ): Promise<CommitOutcome> {
    if (results.length === 0) throw new Error(`No results to save for job ${chunk.jobId}. This is a bug.`);
    try {
      return this.transaction((): CommitOutcome => {
        for (const r of results) {
          if (this.saveResult.run(r.label, r.score, r.predictionId, r.modelVersion, chunk.jobSeq, r.index, owner).changes !== 1) {
            throw new Discarded('lease-lost');
          }
        }
        const progress = { seq: chunk.jobSeq, count: results.length, modelVersion: results[0].modelVersion, now };
        if (this.addProgress.run(progress).changes !== 1) throw new Discarded('job-not-running');
        insertPredictionsSqlite(this.db, predictions);
        return { committed: true, status: this.byId.get(chunk.jobId)!.status };
      });
    } catch (error) {
      if (error instanceof Discarded) return { committed: false, reason: error.reason };
      throw error;
    }
  }

  async markFailed(seq: number, error: JobError, finishedAt: number): Promise<boolean> {
    return this.failJob.run(finishedAt, error.code, error.message, seq).changes === 1;
  }

  async countByStatus(): Promise<Record<JobStatus, number>> {
    return countsOf(this.countsByStatus.all());
  }

  async countUnfinished(): Promise<number> {
    return this.countActive.get()!.count;
  }

  async finishedBefore(cutoff: number, limit: number): Promise<number[]> {
    return this.selectFinishedBefore.all(cutoff, limit).map((row) => row.seq);
  }

  async delete(seq: number): Promise<void> {
    this.deleteJob.run(seq);
  }
}
