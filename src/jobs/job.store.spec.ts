import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { BACKENDS, openDatabase, type Backend } from '../../test/support/stores';
import { PostgresPredictionStore } from '../predictions/postgres-prediction.store';
import { newPredictionId } from '../predictions/prediction-id';
import type { PredictionStore } from '../predictions/prediction.store';
import type { PredictionRecord } from '../predictions/prediction.types';
import { SqlitePredictionStore } from '../predictions/sqlite-prediction.store';
import type { Claim, JobStore } from './job.store';
import type { Chunk, JobResult } from './job.types';
import { PostgresJobStore } from './postgres-job.store';
import { SqliteJobStore } from './sqlite-job.store';

/** A job store on a fresh database, with the prediction log beside it (a chunk's records commit with its results). */
interface Opened {
  store: JobStore;
  predictions: PredictionStore;
  close(): Promise<void>;
}

async function open(backend: Backend): Promise<Opened> {
  const db = await openDatabase(backend);
  const { sqlite, postgres } = db.connect();
  if (sqlite) {
    // The prediction log's table first: the job store's chunk transaction writes to it.
    const predictions = new SqlitePredictionStore(sqlite);
    return { store: new SqliteJobStore(sqlite), predictions, close: () => db.close() };
  }
  const predictions = new PostgresPredictionStore(postgres);
  const store = new PostgresJobStore(postgres);
  db.onDisconnect(() => predictions.onApplicationShutdown());
  await postgres.onModuleInit();
  await predictions.partitions(); // the days' partitions exist before a chunk writes records
  return { store, predictions, close: () => db.close() };
}

const LEASE_MS = 30_000;
const T0 = 1_800_000_000_000;

/** What a worker would write for a chunk: one result and one prediction-log record per text. */
function classified(chunk: Chunk, modelVersion = 'm@1'): { results: JobResult[]; records: PredictionRecord[] } {
  const records = chunk.texts.map(
    (t): PredictionRecord => ({
      id: newPredictionId(),
      createdAt: Date.now(),
      modelVersion,
      label: t.text.startsWith('good') ? 'POSITIVE' : 'NEGATIVE',
      score: 0.75,
      scores: { NEGATIVE: 0.25, POSITIVE: 0.75 },
      latencyMs: 3,
      source: 'job',
      jobId: chunk.jobId,
      inputLength: t.text.length,
    }),
  );
  const results = records.map((r, i) => ({ index: chunk.texts[i].index, label: r.label, score: r.score, predictionId: r.id, modelVersion }));
  return { results, records };
}

describe.each(BACKENDS)('JobStore contract on %s', (backend) => {
  let opened: Opened;
  let store: JobStore;
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));

  beforeEach(async () => {
    opened = await open(backend);
    store = opened.store;
  });
  afterEach(async () => {
    await opened.close();
  });

  async function submit(texts: string[], createdAt = T0): Promise<string> {
    const id = randomUUID();
    await store.create(id, texts, createdAt);
    return id;
  }

  async function claimOrFail(owner: string, size: number, now = T0): Promise<Claim> {
    const claim = await store.claim(owner, size, now, LEASE_MS);
    if (!claim) throw new Error(`${owner} expected to claim texts at ${now} but found none`);
    return claim;
  }

  async function commit(claim: Claim, owner: string, now = T0) {
    const { results, records } = classified(claim.chunk);
    const outcome = await store.commit(claim.chunk, owner, results, records, now);
    return { outcome, results, records };
  }

  async function logged(records: readonly PredictionRecord[]): Promise<number> {
    const found = await Promise.all(records.map((r) => opened.predictions.findById(r.id)));
    return found.filter((r) => r !== undefined).length;
  }

  it('creates a queued job with all its texts, found by id; an unknown id is not found', async () => {
    const id = await submit(['good a', 'bad b', '']);
    expect(await store.find(id)).toEqual({ seq: expect.any(Number), id, status: 'queued', total: 3, done: 0, createdAt: T0 });
    expect(await store.find(randomUUID())).toBeUndefined();
    expect(await store.find('not-a-uuid')).toBeUndefined();
  });

  it('keeps every text exactly as submitted, NUL characters and emoji included', async () => {
    const texts = ['nul \u0000 byte', '😀 très bien 很好', '', '   '];
    await submit(texts);
    const claim = await claimOrFail('w1', 10);
    expect(claim.chunk.texts.map((t) => t.text)).toEqual(texts);
  });

  it('claims the oldest job first, texts in order, up to the size asked; the first claim starts the job', async () => {
    const older = await submit(['a0', 'a1', 'a2']);
    const newer = await submit(['b0']);
    const first = await claimOrFail('w1', 2);
    expect(first).toEqual({
      chunk: { jobSeq: expect.any(Number), jobId: older, texts: [{ index: 0, text: 'a0' }, { index: 1, text: 'a1' }] },
      started: true,
      total: 3,
      done: 0,
    });
    expect(await store.find(older)).toMatchObject({ status: 'running', startedAt: T0 });
    const second = await claimOrFail('w2', 2);
    expect(second.chunk).toMatchObject({ jobId: older, texts: [{ index: 2, text: 'a2' }] });
    expect(second.started).toBe(false);
    const third = await claimOrFail('w1', 2);
    expect(third.chunk).toMatchObject({ jobId: newer, texts: [{ index: 0, text: 'b0' }] });
    expect(third.started).toBe(true);
    expect(await store.claim('w3', 2, T0, LEASE_MS)).toBeUndefined();
  });

  it('gives concurrent claims disjoint chunks that together cover the job', async () => {
    const texts = Array.from({ length: 12 }, (_, i) => `t${i}`);
    await submit(texts);
    const claims = await Promise.all(['w1', 'w2', 'w3', 'w4', 'w5'].map((owner) => store.claim(owner, 3, T0, LEASE_MS)));
    const indexes = claims.flatMap((claim) => claim?.chunk.texts.map((t) => t.index) ?? []);
    expect(indexes.sort((a, b) => a - b)).toEqual(texts.map((_, i) => i));
    expect(claims.filter((claim) => claim?.started)).toHaveLength(1);
  });

  it('hands leased texts to another owner only once the lease expired', async () => {
    await submit(['a', 'b']);
    const first = await claimOrFail('w1', 2);
    expect(await store.claim('w2', 2, T0 + LEASE_MS, LEASE_MS)).toBeUndefined();
    const takeover = await claimOrFail('w2', 2, T0 + LEASE_MS + 1);
    expect(takeover.chunk.texts).toEqual(first.chunk.texts);
    expect(takeover.started).toBe(false);
  });

  it('commits results, progress and prediction-log records together; the last chunk completes the job', async () => {
    const id = await submit(['good 0', 'bad 1', 'good 2']);
    const a = await claimOrFail('w1', 2);
    const b = await claimOrFail('w2', 2);
    const second = await commit(b, 'w2', T0 + 5);
    expect(second.outcome).toEqual({ committed: true, status: 'running' });
    expect(await store.find(id)).toMatchObject({ status: 'running', done: 1, modelVersion: 'm@1' });
    const first = await commit(a, 'w1', T0 + 9);
    expect(first.outcome).toEqual({ committed: true, status: 'completed' });
    expect(await store.find(id)).toMatchObject({ status: 'completed', done: 3, finishedAt: T0 + 9 });
    const seq = a.chunk.jobSeq;
    expect(await store.results(seq, 0, 10)).toEqual([...first.results, ...second.results]);
    expect(await store.results(seq, 1, 1)).toEqual([first.results[1]]);
    expect(await store.results(seq, 3, 10)).toEqual([]);
    expect(await logged([...first.records, ...second.records])).toBe(3);
    expect(await store.claim('w3', 5, T0 + 10 * LEASE_MS, LEASE_MS)).toBeUndefined();
  });

  it('discards a commit whose lease another owner took over, writing nothing; the new owner commits', async () => {
    const id = await submit(['a', 'b']);
    const stale = await claimOrFail('w1', 2);
    const takeover = await claimOrFail('w2', 2, T0 + LEASE_MS + 1);
    const late = await commit(stale, 'w1', T0 + LEASE_MS + 2);
    expect(late.outcome).toEqual({ committed: false, reason: 'lease-lost' });
    expect(await store.find(id)).toMatchObject({ status: 'running', done: 0 });
    expect(await logged(late.records)).toBe(0);
    const current = await commit(takeover, 'w2', T0 + LEASE_MS + 3);
    expect(current.outcome).toEqual({ committed: true, status: 'completed' });
    expect(await store.results(stale.chunk.jobSeq, 0, 10)).toEqual(current.results);
    expect(await logged(current.records)).toBe(2);
  });

  it('discards a second commit of texts that already have results (no duplicate result or record)', async () => {
    const id = await submit(['a', 'b', 'c']);
    const claim = await claimOrFail('w1', 2);
    expect((await commit(claim, 'w1')).outcome.committed).toBe(true);
    const again = await commit(claim, 'w1');
    expect(again.outcome).toEqual({ committed: false, reason: 'lease-lost' });
    expect(await store.find(id)).toMatchObject({ done: 2 });
    expect(await logged(again.records)).toBe(0);
  });

  it('still commits for an owner whose lease expired when nobody took the texts over', async () => {
    const id = await submit(['a']);
    const claim = await claimOrFail('w1', 1);
    expect((await commit(claim, 'w1', T0 + 3 * LEASE_MS)).outcome).toEqual({ committed: true, status: 'completed' });
    expect(await store.find(id)).toMatchObject({ status: 'completed', done: 1 });
  });

  it('discards a commit for a job that failed meanwhile', async () => {
    const id = await submit(['a', 'b']);
    const claim = await claimOrFail('w1', 1);
    expect(await store.markFailed(claim.chunk.jobSeq, { code: 'INFERENCE_FAILED', message: 'boom' }, T0 + 1)).toBe(true);
    const late = await commit(claim, 'w1');
    expect(late.outcome).toEqual({ committed: false, reason: 'job-not-running' });
    expect(await store.find(id)).toMatchObject({ status: 'failed', done: 0, finishedAt: T0 + 1, error: { code: 'INFERENCE_FAILED', message: 'boom' } });
    expect(await logged(late.records)).toBe(0);
    expect(await store.results(claim.chunk.jobSeq, 0, 10)).toEqual([
      expect.objectContaining({ index: 0, label: null }),
      expect.objectContaining({ index: 1, label: null }),
    ]);
    // A final job is not failed again, and its texts are nobody's work any more.
    expect(await store.markFailed(claim.chunk.jobSeq, { code: 'INTERNAL', message: 'again' }, T0 + 2)).toBe(false);
    expect(await store.claim('w2', 5, T0 + 10 * LEASE_MS, LEASE_MS)).toBeUndefined();
  });

  it('renews a lease while it is held, and says when it is not any more', async () => {
    await submit(['a', 'b']);
    const claim = await claimOrFail('w1', 2);
    expect(await store.renew(claim.chunk, 'w1', T0 + 3 * LEASE_MS)).toBe(true);
    expect(await store.claim('w2', 2, T0 + 2 * LEASE_MS, LEASE_MS)).toBeUndefined();
    await claimOrFail('w2', 2, T0 + 3 * LEASE_MS + 1);
    expect(await store.renew(claim.chunk, 'w1', T0 + 5 * LEASE_MS)).toBe(false);
  });

  it('frees released texts for any owner at once; another owner cannot release them', async () => {
    await submit(['a', 'b']);
    const claim = await claimOrFail('w1', 2);
    await store.release(claim.chunk, 'w2');
    expect(await store.claim('w2', 2, T0, LEASE_MS)).toBeUndefined();
    await store.release(claim.chunk, 'w1');
    expect((await claimOrFail('w2', 2)).chunk.texts).toEqual(claim.chunk.texts);
  });

  it('counts jobs by status, and the unfinished ones', async () => {
    expect(await store.countByStatus()).toEqual({ queued: 0, running: 0, completed: 0, failed: 0 });
    await submit(['a']);
    await submit(['b']);
    const claim = await claimOrFail('w1', 1);
    await commit(claim, 'w1');
    const failing = await claimOrFail('w1', 1);
    await store.markFailed(failing.chunk.jobSeq, { code: 'INTERNAL', message: 'x' }, T0);
    await submit(['c', 'd']);
    await claimOrFail('w1', 1);
    await submit(['e']);
    expect(await store.countByStatus()).toEqual({ queued: 1, running: 1, completed: 1, failed: 1 });
    expect(await store.countUnfinished()).toBe(2);
  });

  it('lists final jobs finished before a time and deletes them with their results; unfinished jobs stay', async () => {
    const done = await submit(['a']);
    const doneClaim = await claimOrFail('w1', 1);
    await commit(doneClaim, 'w1', T0 + 100);
    const failed = await submit(['b']);
    const failedClaim = await claimOrFail('w1', 1);
    await store.markFailed(failedClaim.chunk.jobSeq, { code: 'INTERNAL', message: 'x' }, T0 + 200);
    const queued = await submit(['c']);
    const queuedSeq = (await store.find(queued))!.seq;

    expect(await store.finishedBefore(T0 + 150, 10)).toEqual([doneClaim.chunk.jobSeq]);
    expect((await store.finishedBefore(T0 + 250, 10)).sort()).toEqual([doneClaim.chunk.jobSeq, failedClaim.chunk.jobSeq].sort());
    expect(await store.finishedBefore(T0 + 250, 1)).toHaveLength(1);

    await store.delete(doneClaim.chunk.jobSeq);
    await store.delete(doneClaim.chunk.jobSeq); // a second replica pruning the same job: nothing left to do
    await store.delete(queuedSeq); // not final: kept
    expect(await store.find(done)).toBeUndefined();
    expect(await store.results(doneClaim.chunk.jobSeq, 0, 10)).toEqual([]);
    expect(await store.find(failed)).toMatchObject({ status: 'failed' });
    expect(await store.find(queued)).toMatchObject({ status: 'queued', total: 1 });
    expect((await claimOrFail('w1', 5)).chunk.jobId).toBe(queued);
  });
});
