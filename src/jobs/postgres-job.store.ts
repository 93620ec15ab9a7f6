import { Injectable } from '@nestjs/common';
import { PostgresDatabase } from '../database/postgres-database';
import { insertPredictionsPostgres } from '../predictions/postgres-prediction.store';
import type { PredictionRecord } from '../predictions/prediction.types';
import { countsOf, Discarded, fromResultRow, fromRow, JobRow, ResultRow } from './job-rows';
import { Claim, CommitOutcome, JobStore } from './job.store';
import type { Chunk, Job, JobError, JobResult, JobStatus } from './job.types';

/**
 * The jobs' tables on PostgreSQL, the same columns as on SQLite (ms timestamps BIGINT, scores DOUBLE PRECISION);
 * steps are append-only (PostgresDatabase.migrate). `job_items` holds the lease of a claimed text (`lease_owner`,
 * `lease_until`); the partial index over unclassified texts keeps claims cheap deep into a large job, and the
 * partial index over unfinished jobs keeps finding the oldest one cheap however many finished jobs are kept.
 * Results are unique per (job, index): the primary key, and a result is only ever written over a NULL label.
 * A text is kept as its UTF-8 bytes (BYTEA), not TEXT: PostgreSQL's TEXT cannot hold U+0000, which the API accepts
 * (and SQLite stores), and a job with such a text must not be refused on one store only.
 */
const MIGRATIONS = [
  `CREATE TABLE jobs (
     seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
     total INTEGER NOT NULL CHECK (total > 0),
     done INTEGER NOT NULL DEFAULT 0,
     created_at BIGINT NOT NULL,
     started_at BIGINT,
     finished_at BIGINT,
     model_version TEXT,
     error_code TEXT,
     error_message TEXT
   );
   CREATE INDEX jobs_status_finished_at ON jobs (status, finished_at);
   CREATE INDEX jobs_unfinished ON jobs (seq) WHERE status IN ('queued', 'running');
   CREATE TABLE job_items (
     job_seq BIGINT NOT NULL REFERENCES jobs (seq) ON DELETE CASCADE,
     idx INTEGER NOT NULL,
     text BYTEA,
     label TEXT,
     score DOUBLE PRECISION,
     prediction_id TEXT,
     model_version TEXT,
     lease_owner TEXT,
     lease_until BIGINT,
     PRIMARY KEY (job_seq, idx)
   );
   CREATE INDEX job_items_unclassified ON job_items (job_seq, idx) WHERE label IS NULL;`,
];

/** A text nobody holds at $1 (ms): never leased, freed, or its lease expired. */
const CLAIMABLE = '{t}.label IS NULL AND ({t}.lease_until IS NULL OR {t}.lease_until < $1)';
const claimable = (table: string) => CLAIMABLE.replaceAll('{t}', table);

/**
 * Leases, in one statement, up to $2 claimable texts of the oldest unfinished job after seq $5 that has any, to
 * owner $3 until $4. FOR UPDATE SKIP LOCKED: texts another replica is claiming right now are skipped, not waited
 * for, so concurrent claims get disjoint chunks; and a row whose lease another claim committed meanwhile is
 * re-checked against CLAIMABLE after locking (READ COMMITTED) and left out.
 */
const CLAIM = `
  WITH picked AS (
    SELECT i.job_seq, i.idx FROM job_items i
    WHERE ${claimable('i')}
      AND i.job_seq = (
        SELECT j.seq FROM jobs j
        WHERE j.status IN ('queued', 'running') AND j.seq > $5
          AND EXISTS (SELECT 1 FROM job_items p WHERE p.job_seq = j.seq AND ${claimable('p')})
        ORDER BY j.seq LIMIT 1)
    ORDER BY i.idx LIMIT $2
    FOR UPDATE OF i SKIP LOCKED)
  UPDATE job_items i SET lease_owner = $3, lease_until = $4
  FROM picked WHERE i.job_seq = picked.job_seq AND i.idx = picked.idx
  RETURNING i.job_seq, i.idx, i.text`;

/** How many jobs one claim looks at when the oldest ones' claimable texts are all being claimed by others. */
const CLAIM_ATTEMPTS = 8;

/**
 * PostgreSQL persistence of jobs (DATABASE_URL): several replicas share the jobs, each claiming chunks under a
 * lease (see JobStore and docs/replicas.md#jobs). Statements that change a job row take the job's texts' row
 * locks first and the job row's second (claim, commit), so two replicas never wait on each other in a cycle.
 */
@Injectable()
export class PostgresJobStore extends JobStore {
  readonly shared = true;
  private readonly ready: Promise<void>;

  constructor(private readonly database: PostgresDatabase) {
    super();
    this.ready = database.migrate('jobs', MIGRATIONS);
  }

  async create(id: string, texts: readonly string[], createdAt: number): Promise<number> {
    await this.ready;
    return this.database.transaction(async (tx) => {
      const { rows } = await tx.query<{ seq: number }>(
        `INSERT INTO jobs (id, status, total, created_at) VALUES ($1, 'queued', $2, $3) RETURNING seq`,
        [id, texts.length, createdAt],
      );
      const seq = rows[0].seq;
      // One statement whatever the number of texts: the array is one parameter, its positions the indexes.
      await tx.query(
        'INSERT INTO job_items (job_seq, idx, text) SELECT $1, n - 1, t FROM unnest($2::bytea[]) WITH ORDINALITY AS u(t, n)',
        [seq, texts.map((text) => Buffer.from(text, 'utf8'))],
      );
      return seq;
    });
  }

  async find(id: string): Promise<Job | undefined> {
    await this.ready;
    const rows = await this.database.query<JobRow & Record<string, unknown>>('SELECT * FROM jobs WHERE id = $1', [id]);
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  async results(seq: number, offset: number, limit: number): Promise<JobResult[]> {
    await this.ready;
    const rows = await this.database.query<ResultRow & Record<string, unknown>>(
      `SELECT idx, label, score, prediction_id, model_version FROM job_items
       WHERE job_seq = $1 AND idx >= $2 ORDER BY idx LIMIT $3`,
      [seq, offset, limit],
    );
    return rows.map(fromResultRow);
  }

  async claim(owner: string, size: number, now: number, leaseMs: number): Promise<Claim | undefined> {
    await this.ready;
    return this.database.transaction(async (tx) => {
      let afterSeq = 0;
      for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
        const { rows } = await tx.query<{ job_seq: number; idx: number; text: Buffer }>(CLAIM, [now, size, owner, now + leaseMs, afterSeq]);
        if (rows.length === 0) {
          // Nothing claimable anywhere, or the oldest such job's texts are all being claimed this instant: then
          // look past it.
          const next = await tx.query<{ seq: number }>(
            `SELECT j.seq FROM jobs j WHERE j.status IN ('queued', 'running') AND j.seq > $2
               AND EXISTS (SELECT 1 FROM job_items p WHERE p.job_seq = j.seq AND ${claimable('p')})
             ORDER BY j.seq LIMIT 1`,
            [now, afterSeq],
          );
          if (next.rows.length === 0) return undefined;
          afterSeq = next.rows[0].seq;
          continue;
        }
        const seq = rows[0].job_seq;
        const started = await tx.query(`UPDATE jobs SET status = 'running', started_at = $2 WHERE seq = $1 AND status = 'queued'`, [seq, now]);
        const job = await tx.query<{ id: string; status: JobStatus; total: number; done: number }>(
          'SELECT id, status, total, done FROM jobs WHERE seq = $1',
          [seq],
        );
        const { id, status, total, done } = job.rows[0];
        if (status !== 'queued' && status !== 'running') {
          // The job failed between the pick and the lease (its texts are nobody's work now): look past it.
          afterSeq = seq;
          continue;
        }
        const texts = rows.map((row) => ({ index: row.idx, text: row.text.toString('utf8') })).sort((a, b) => a.index - b.index);
        return { chunk: { jobSeq: seq, jobId: id, texts }, started: started.rowCount === 1, total, done };
      }
      return undefined;
    });
  }

  async renew(chunk: Chunk, owner: string, until: number): Promise<boolean> {
    await this.ready;
    const { rowCount } = await this.database.pool.query(
      `UPDATE job_items SET lease_until = $4
       WHERE job_seq = $1 AND idx = ANY($2::int[]) AND lease_owner = $3 AND label IS NULL`,
      [chunk.jobSeq, chunk.texts.map((t) => t.index), owner, until],
    );
    return rowCount === chunk.texts.length;
  }

  async release(chunk: Chunk, owner: string): Promise<void> {
    await this.ready;
    await this.database.query(
      `UPDATE job_items SET lease_owner = NULL, lease_until = NULL
       WHERE job_seq = $1 AND idx = ANY($2::int[]) AND lease_owner = $3 AND label IS NULL`,
      [chunk.jobSeq, chunk.texts.map((t) => t.index), owner],
    );
  }

  /**
   * The lease is checked as "still this owner's", not "not yet expired": an expired lease nobody took over still
   * names this owner, and the texts' row locks this UPDATE takes keep any claim out until the commit ends, so
   * committing then loses nothing and duplicates nothing.
   */
  async commit(
    chunk: Chunk,
    owner: string,
    results: readonly JobResult[],
    predictions: readonly PredictionRecord[],
    now: number,
  ): Promise<CommitOutcome> {
    if (results.length === 0) throw new Error(`No results to save for job ${chunk.jobId}. This is a bug.`);
    await this.ready;
    try {
      return await this.database.transaction(async (tx): Promise<CommitOutcome> => {
        const saved = await tx.query(
          `UPDATE job_items i SET text = NULL, label = r.label, score = r.score, prediction_id = r.prediction_id,
             model_version = r.model_version, lease_owner = NULL, lease_until = NULL
           FROM unnest($3::int[], $4::text[], $5::float8[], $6::text[], $7::text[]) AS r (idx, label, score, prediction_id, model_version)
           WHERE i.job_seq = $1 AND i.idx = r.idx AND i.lease_owner = $2 AND i.label IS NULL`,
          [
            chunk.jobSeq,
            owner,
            results.map((r) => r.index),
            results.map((r) => r.label),
            results.map((r) => r.score),
            results.map((r) => r.predictionId),
            results.map((r) => r.modelVersion),
          ],
        );
        if (saved.rowCount !== results.length) throw new Discarded('lease-lost');
        // The job row's lock serialises the replicas' progress updates: the last chunk anywhere completes it, once.
        const progress = await tx.query<{ status: JobStatus }>(
          `UPDATE jobs SET
             done = done + $2,
             model_version = COALESCE(model_version, $3),
             status = CASE WHEN done + $2 >= total THEN 'completed' ELSE status END,
             finished_at = CASE WHEN done + $2 >= total THEN $4::bigint ELSE finished_at END
           WHERE seq = $1 AND status = 'running'
           RETURNING status`,
          [chunk.jobSeq, results.length, results[0].modelVersion, now],
        );
        if (progress.rows.length !== 1) throw new Discarded('job-not-running');
        await insertPredictionsPostgres(tx, predictions);
        return { committed: true, status: progress.rows[0].status };
      });
    } catch (error) {
      if (error instanceof Discarded) return { committed: false, reason: error.reason };
      throw error;
    }
  }

  async markFailed(seq: number, error: JobError, finishedAt: number): Promise<boolean> {
    await this.ready;
    const { rowCount } = await this.database.pool.query(
      `UPDATE jobs SET status = 'failed', finished_at = $1, error_code = $2, error_message = $3
       WHERE seq = $4 AND status IN ('queued', 'running')`,
      [finishedAt, error.code, error.message, seq],
    );
    return rowCount === 1;
  }

  async countByStatus(): Promise<Record<JobStatus, number>> {
    await this.ready;
    return countsOf(await this.database.query<{ status: JobStatus; count: number }>('SELECT status, count(*)::int AS count FROM jobs GROUP BY status'));
  }

  async countUnfinished(): Promise<number> {
    await this.ready;
    const rows = await this.database.query<{ count: number }>(`SELECT count(*)::int AS count FROM jobs WHERE status IN ('queued', 'running')`);
    return rows[0].count;
  }

  async finishedBefore(cutoff: number, limit: number): Promise<number[]> {
    await this.ready;
    const rows = await this.database.query<{ seq: number }>(
      `SELECT seq FROM jobs WHERE status IN ('completed', 'failed') AND finished_at < $1 ORDER BY finished_at LIMIT $2`,
      [cutoff, limit],
    );
    return rows.map((row) => row.seq);
  }

  /** Replicas pruning at the same time delete each job once: the second finds it gone and deletes nothing. */
  async delete(seq: number): Promise<void> {
    await this.ready;
    await this.database.query(`DELETE FROM jobs WHERE seq = $1 AND status IN ('completed', 'failed')`, [seq]);
  }
}
