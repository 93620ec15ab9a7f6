/**
 * An accepted job survives kill -9: the compiled server is killed (SIGKILL) while a job is part done, started
 * again on the same DATA_DIR, and finishes the job from where the database says it stopped: every result present
 * exactly once, in order, equal to classifying the texts directly, and the chunks committed before the kill kept
 * (not recomputed).
 */
import type BetterSqlite3 from 'better-sqlite3';
import { Sqlite } from '../../src/database/sqlite-driver';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATABASE_FILE } from '../../src/database/sqlite-database';
import { ChildServer, compileServer, spawnServer } from './support/child-server';

const TEXTS = Array.from(
  { length: 400 },
  (_, i) => `Review ${i}: ${['a wonderful film, I loved every minute', 'dull, slow and far too long', 'it was fine, nothing special', 'terrible acting and a silly plot'][i % 4]}.`,
);

/**
 * The first server runs the job slowly on purpose, so that it is certainly part done when polled: chunks of 2 texts
 * and 2 workers put at most 4 texts in the engine's queue, and ENGINE_MAX_WAIT_MS=40 makes every batch wait 40 ms
 * for more texts that never come. That is at least 100 rounds of 40 ms (4 s) for the 400 texts, however fast the
 * machine; a slower (loaded) machine only widens the window.
 */
const SLOW = { JOB_CHUNK_SIZE: '2', JOB_WORKERS: '2', ENGINE_MAX_WAIT_MS: '40', LOG_LEVEL: 'info' };
/** The second server runs at the default pace, and accepts the texts in one /batch-sentiment for the comparison. */
const NORMAL = { MAX_BATCH_TEXTS: String(TEXTS.length), LOG_LEVEL: 'info' };

interface Row {
  idx: number;
  prediction_id: string | null;
}

function readJob(dataDir: string, id: string): { status: string; done: number; committed: Row[]; logged: string[] } {
  const db = new Sqlite(join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    const job = db.prepare('SELECT seq, status, done FROM jobs WHERE id = ?').get(id) as { seq: number; status: string; done: number };
    const committed = db
      .prepare('SELECT idx, prediction_id FROM job_items WHERE job_seq = ? AND label IS NOT NULL ORDER BY idx')
      .all(job.seq) as Row[];
    const logged = (db.prepare('SELECT id FROM predictions WHERE job_id = ?').all(id) as Array<{ id: string }>).map((r) => r.id);
    return { status: job.status, done: job.done, committed, logged };
  } finally {
    db.close();
  }
}

describe('job durability across kill -9 (compiled server, real engine)', () => {
  let dataDir: string;
  const servers: ChildServer[] = [];

  beforeAll(async () => {
    await compileServer();
    dataDir = mkdtempSync(join(tmpdir(), 'classifier-durability-'));
  });

  afterAll(async () => {
    for (const server of servers) {
      if (server.child.exitCode === null && server.child.signalCode === null) {
        server.child.kill('SIGKILL');
        await server.exited;
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes a job from its first unfinished chunk after SIGKILL, and completes it exactly once', async () => {
    const first = await spawnServer({ ...SLOW, DATA_DIR: dataDir });
    servers.push(first);
    const accepted = await first.request('POST', '/async-sentiment', { json: { texts: TEXTS } });
    expect(accepted.status).toBe(202);
    const id: string = accepted.body.job_id;

    // Poll until some, but not all, of the job is done; then kill the process without warning.
    for (;;) {
      const { body } = await first.request('GET', `/job/${id}`);
      expect(body.status).not.toBe('completed');
      if (body.progress.done >= 20) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

    // What the killed process left: a running job, part done, whose progress matches its committed results.
    const atKill = readJob(dataDir, id);
    expect(atKill.status).toBe('running');
    expect(atKill.done).toBeGreaterThanOrEqual(20);
    expect(atKill.done).toBeLessThan(TEXTS.length);
    expect(atKill.committed).toHaveLength(atKill.done);
    expect(atKill.logged.sort()).toEqual(atKill.committed.map((r) => r.prediction_id).sort());

    const second = await spawnServer({ ...NORMAL, DATA_DIR: dataDir });
    servers.push(second);
    await second.waitFor(/Resuming 1 unfinished job\(s\)/);
    await second.waitFor(new RegExp(`Job ${id} resumed at text \\d+ \\(${atKill.done} of ${TEXTS.length} done\\)`));
    let job;
    for (const deadline = Date.now() + 60_000; ; ) {
      job = (await second.request('GET', `/job/${id}?limit=1000`)).body;
      if (job.status !== 'running') break;
      if (Date.now() > deadline) throw new Error(`the job is still running after a minute: ${JSON.stringify(job.progress)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(job).toMatchObject({ status: 'completed', progress: { done: TEXTS.length, total: TEXTS.length }, page: { next_offset: null } });

    // Every result exactly once, in order.
    const results: Array<{ index: number; label: string; score: number; prediction_id: string }> = job.results;
    expect(results.map((r) => r.index)).toEqual(TEXTS.map((_, i) => i));
    expect(new Set(results.map((r) => r.prediction_id)).size).toBe(TEXTS.length);

    // Equal to classifying the texts directly.
    const direct = await second.request('POST', '/batch-sentiment', { json: { texts: TEXTS } });
    expect(direct.status).toBe(200);
    results.forEach((result, i) => {
      expect(result.label).toBe(direct.body.results[i].label);
      expect(result.score).toBeCloseTo(direct.body.results[i].score, 5);
    });

    // Chunks committed before the kill were not recomputed: same prediction ids, one log record per text.
    const byIndex = new Map(results.map((r) => [r.index, r.prediction_id]));
    for (const row of atKill.committed) expect(byIndex.get(row.idx)).toBe(row.prediction_id);
    const atEnd = readJob(dataDir, id);
    expect(atEnd.logged.sort()).toEqual(results.map((r) => r.prediction_id).sort());

    second.child.kill('SIGTERM');
    const exit = await second.exited;
    expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
  });
});
