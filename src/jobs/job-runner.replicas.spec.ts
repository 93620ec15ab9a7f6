import { Logger } from '@nestjs/common';
import { fakeClassification } from '../../test/support/fake-engine';
import { createFakeJobEngine, holdEngineCalls, JobsHarness, openPostgresJobs, until } from '../../test/support/jobs';
import { createTestDatabase, type TestDatabase } from '../../test/support/postgres';
import { configWithTempDataDir } from '../../test/support/temp-data-dir';
import type { PostgresDatabase } from '../database/postgres-database';
import type { RawEnv } from '../config/env.schema';

type Replica = JobsHarness<PostgresDatabase>;

const texts = (count: number) => Array.from({ length: count }, (_, i) => (i % 3 === 0 ? `good ${i}` : `text ${i}`));

/**
 * Several JobRunner "replicas" (each its own pool, stores and runner, as separate server processes would be) on one
 * PostgreSQL database, sharing jobs through leased claims.
 */
describe('JobRunner replicas on PostgreSQL', () => {
  let testDb: TestDatabase;
  const cleanups: Array<() => Promise<void> | void> = [];
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));
  beforeEach(async () => {
    testDb = await createTestDatabase();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await testDb.drop();
  });

  async function replica(env: RawEnv, engine = createFakeJobEngine()): Promise<Replica> {
    const { config, remove } = configWithTempDataDir({ JOB_POLL_INTERVAL_MS: '20', JOB_SHUTDOWN_TIMEOUT_MS: '50', ...env });
    cleanups.push(remove);
    const harness = await openPostgresJobs({ ...config, databaseUrl: testDb.url }, engine);
    cleanups.push(() => harness.shutdown());
    return harness;
  }

  /** The job's committed rows and prediction-log rows, read straight from the database. */
  async function stored(replica: Replica, jobId: string) {
    const [job] = await replica.database.query<{ seq: number; status: string; done: number; total: number; finished_at: number | null }>(
      'SELECT seq, status, done, total, finished_at FROM jobs WHERE id = $1',
      [jobId],
    );
    const results = await replica.database.query<{ idx: number; label: string; prediction_id: string }>(
      'SELECT idx, label, prediction_id FROM job_items WHERE job_seq = $1 AND label IS NOT NULL ORDER BY idx',
      [job.seq],
    );
    const logged = (await replica.database.query<{ id: string }>('SELECT id::text AS id FROM predictions WHERE job_id = $1', [jobId])).map((r) => r.id);
    return { job, results, logged };
  }

  /** Every text has exactly one result, with its own label, and exactly one prediction-log record: the result's. */
  async function expectExactlyOnce(replica: Replica, jobId: string, input: string[]): Promise<void> {
    const { job, results, logged } = await stored(replica, jobId);
    expect(job).toMatchObject({ status: 'completed', done: input.length, total: input.length, finished_at: expect.any(Number) });
    expect(results.map((r) => r.idx)).toEqual(input.map((_, i) => i));
    expect(results.map((r) => r.label)).toEqual(input.map((text) => fakeClassification(text).label));
    expect(logged).toHaveLength(input.length);
    expect(logged.sort()).toEqual(results.map((r) => r.prediction_id).sort());
  }

  async function completed(replica: Replica, jobId: string, timeoutMs?: number): Promise<void> {
    await until(async () => (await replica.jobs.get(jobId)).status === 'completed', `job ${jobId} completes`, timeoutMs);
  }

  it('two replicas share one job: disjoint chunks, every text once, completed once', async () => {
    const heldEngine = createFakeJobEngine();
    const held = holdEngineCalls(heldEngine);
    const a = await replica({ JOB_CHUNK_SIZE: '2', JOB_WORKERS: '2' }, heldEngine);
    const b = await replica({ JOB_CHUNK_SIZE: '2', JOB_WORKERS: '2' });
    const input = texts(20);
    // Submitted on A; B, which nobody tells, finds it by polling.
    const { job_id } = await a.jobs.submit(input);
    a.runner.start();
    await until(() => held.length === 2, 'replica A holds two chunks');
    b.runner.start();
    await until(async () => (await stored(b, job_id)).job.done === 16, 'replica B classifies every other text');
    for (const call of held) call.resolve();
    await completed(a, job_id);

    const aTexts = held.flatMap((call) => call.texts);
    const bTexts = b.engine.classify.mock.calls.flatMap(([chunk]) => chunk);
    expect(aTexts).toHaveLength(4);
    expect([...aTexts, ...bTexts].sort()).toEqual([...input].sort());
    await expectExactlyOnce(a, job_id, input);
    expect(await b.jobs.get(job_id)).toMatchObject({ status: 'completed', progress: { done: 20, total: 20 } });
  });

  it('a chunk in the engine for longer than the lease stays its replica\'s while the replica renews the lease', async () => {
    const heldEngine = createFakeJobEngine();
    const held = holdEngineCalls(heldEngine);
    const env = { JOB_CHUNK_SIZE: '2', JOB_WORKERS: '1', JOB_LEASE_SECONDS: '1' };
    const a = await replica(env, heldEngine);
    const b = await replica(env);
    const input = texts(4);
    const { job_id } = await a.jobs.submit(input);
    a.runner.start();
    await until(() => held.length === 1, 'replica A is classifying its chunk');
    b.runner.start();
    await until(async () => (await stored(b, job_id)).job.done === 2, 'replica B classifies the other chunk');
    // Three lease lengths with B polling every 20 ms: without renewals B would have taken texts 0 and 1 over.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(b.engine.classify.mock.calls.map(([chunk]) => chunk)).toEqual([input.slice(2)]);
    held[0].resolve();
    await completed(a, job_id);
    await expectExactlyOnce(a, job_id, input);
  });

  it("a crashed replica's chunk is taken over once its lease expired; the job ends with exactly total results and log rows", async () => {
    const heldEngine = createFakeJobEngine();
    const held = holdEngineCalls(heldEngine);
    const env = { JOB_CHUNK_SIZE: '3', JOB_WORKERS: '1', JOB_LEASE_SECONDS: '1' };
    const a = await replica(env, heldEngine);
    const input = texts(10);
    const { job_id } = await a.jobs.submit(input);
    a.runner.start();
    await until(() => held.length === 1, 'replica A is classifying its first chunk');
    a.crash(); // mid-chunk, nothing committed: its lease on texts 0 to 2 stays in the database
    expect(held[0].texts).toEqual(input.slice(0, 3));

    const bEngine = createFakeJobEngine();
    const calledAt: number[] = [];
    bEngine.classify.mockImplementation(async (chunk: string[]) => {
      calledAt.push(Date.now());
      return chunk.map(fakeClassification);
    });
    const b = await replica(env, bEngine);
    const [lease] = await b.database.query<{ lease_until: number }>(
      'SELECT max(lease_until) AS lease_until FROM job_items i JOIN jobs j ON j.seq = i.job_seq WHERE j.id = $1',
      [job_id],
    );
    b.runner.start();
    await completed(b, job_id, 10_000);
    const calls = bEngine.classify.mock.calls.map(([chunk]) => chunk);
    expect([...calls].sort()).toEqual([input.slice(0, 3), input.slice(3, 6), input.slice(6, 9), input.slice(9)].sort());
    // The dead replica's texts went to B only after their lease had expired, not while it was valid.
    const takeover = calls.findIndex((chunk) => chunk[0] === input[0]);
    expect(calledAt[takeover]).toBeGreaterThan(lease.lease_until);
    await expectExactlyOnce(b, job_id, input);
  });

  it('rejects the late commit of a replica whose lease expired and was taken over', async () => {
    const heldEngine = createFakeJobEngine();
    const held = holdEngineCalls(heldEngine);
    const env = { JOB_CHUNK_SIZE: '4', JOB_WORKERS: '1', JOB_LEASE_SECONDS: '1' };
    const a = await replica(env, heldEngine);
    // A stalls (a long pause, a network partition): its renewals do not reach the database, so its lease expires.
    jest.spyOn(a.store, 'renew').mockResolvedValue(true);
    const commit = jest.spyOn(a.store, 'commit');
    const input = texts(4);
    const { job_id } = await a.jobs.submit(input);
    a.runner.start();
    await until(() => held.length === 1, 'replica A is classifying the job');

    const b = await replica(env);
    b.runner.start();
    await completed(b, job_id, 10_000);
    expect(b.engine.classify.mock.calls.map(([chunk]) => chunk)).toEqual([input]);
    const before = await stored(b, job_id);

    held[0].resolve(); // A wakes up with its results and tries to commit them
    await until(() => commit.mock.results.length === 1, "replica A's commit returns");
    await expect(commit.mock.results[0].value).resolves.toEqual({ committed: false, reason: 'lease-lost' });
    expect(await stored(b, job_id)).toEqual(before);
    await expectExactlyOnce(b, job_id, input);
  });

  it('a replica shutting down hands back a chunk waiting out a back-off: another takes it at once, not after the lease', async () => {
    const refusing = createFakeJobEngine();
    refusing.classify.mockRejectedValue(Object.assign(new Error('queue full'), { code: 'OVERLOADED' }));
    const env = { JOB_CHUNK_SIZE: '5', JOB_WORKERS: '1', JOB_LEASE_SECONDS: '3600' };
    const a = await replica(env, refusing);
    const input = texts(5);
    const { job_id } = await a.jobs.submit(input);
    a.runner.start();
    await until(() => refusing.classify.mock.calls.length >= 1, 'replica A is refused and backs off');
    await a.runner.beforeApplicationShutdown();

    const b = await replica(env);
    b.runner.start();
    await completed(b, job_id); // within the spec's 10 s, while A's lease had an hour to run
    expect(b.engine.classify.mock.calls.map(([chunk]) => chunk)).toEqual([input]);
    await expectExactlyOnce(b, job_id, input);
  });

  it('fails a job once when a replica hits a real inference failure; the other replica discards its chunk', async () => {
    const heldEngine = createFakeJobEngine();
    const held = holdEngineCalls(heldEngine);
    const a = await replica({ JOB_CHUNK_SIZE: '2', JOB_WORKERS: '1' }, heldEngine);
    const b = await replica({ JOB_CHUNK_SIZE: '2', JOB_WORKERS: '1' }, (() => {
      const engine = createFakeJobEngine();
      engine.classify.mockRejectedValue(Object.assign(new Error('ORT failure'), { code: 'INFERENCE_FAILED' }));
      return engine;
    })());
    const { job_id } = await a.jobs.submit(texts(4));
    a.runner.start();
    await until(() => held.length === 1, 'replica A holds a chunk');
    b.runner.start();
    await until(async () => (await a.jobs.get(job_id)).status === 'failed', 'the job fails');
    held[0].resolve();
    await until(async () => a.runner.chunksInFlight === 0, "replica A's chunk ends");
    const { job, results, logged } = await stored(a, job_id);
    expect(job).toMatchObject({ status: 'failed', done: 0 });
    expect(results).toEqual([]);
    expect(logged).toEqual([]);
    expect(await a.jobs.get(job_id)).toMatchObject({ error: { code: 'INFERENCE_FAILED' } });
  });
});
