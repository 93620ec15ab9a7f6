import { Logger } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { FAKE_STATS, fakeClassification } from '../../test/support/fake-engine';
import { createFakeJobEngine, FakeJobEngine, HeldCall, holdEngineCalls, JobsHarness, openJobs, until } from '../../test/support/jobs';
import { configWithTempDataDir } from '../../test/support/temp-data-dir';
import type { AppConfig } from '../config/app-config';
import type { RawEnv } from '../config/env.schema';
import { QUIET_MS } from './job-runner';

function engineError(code: string, message = `engine says ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

/** Lets every pending callback, timer-free, run: what "nothing else happens now" can be checked against. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

const texts = (count: number) => Array.from({ length: count }, (_, i) => (i % 3 === 0 ? `good ${i}` : `text ${i}`));

describe('JobRunner', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function config(env: RawEnv = {}): AppConfig {
    const temp = configWithTempDataDir(env);
    cleanups.push(temp.remove);
    return temp.config;
  }

  function open(configOrEnv: AppConfig | RawEnv = {}, engine: FakeJobEngine = createFakeJobEngine()): JobsHarness {
    const harness = openJobs('dataDir' in configOrEnv ? (configOrEnv as AppConfig) : config(configOrEnv as RawEnv), engine);
    cleanups.push(() => harness.shutdown());
    return harness;
  }

  /** Committed results of a job, read straight from its rows (also before the job completes). */
  function committed(harness: JobsHarness, jobId: string): Array<{ idx: number; prediction_id: string }> {
    return harness.database.db
      .prepare(
        `SELECT idx, prediction_id FROM job_items JOIN jobs ON jobs.seq = job_items.job_seq
         WHERE jobs.id = ? AND label IS NOT NULL ORDER BY idx`,
      )
      .all(jobId) as Array<{ idx: number; prediction_id: string }>;
  }

  function loggedPredictions(harness: JobsHarness, jobId: string): string[] {
    return (harness.database.db.prepare('SELECT id FROM predictions WHERE job_id = ?').all(jobId) as Array<{ id: string }>).map((r) => r.id);
  }

  async function finished(harness: JobsHarness, id: string): Promise<void> {
    await until(async () => ['completed', 'failed'].includes((await harness.jobs.get(id)).status), `job ${id} finishes`);
  }

  it('classifies a job in chunks of JOB_CHUNK_SIZE, in order, and completes it', async () => {
    const harness = open({ JOB_CHUNK_SIZE: '3', JOB_WORKERS: '1' });
    const input = texts(10);
    const { job_id } = await harness.jobs.submit(input);
    harness.runner.start();
    await finished(harness, job_id);
    expect(harness.engine.classify.mock.calls.map(([chunk]) => chunk)).toEqual([input.slice(0, 3), input.slice(3, 6), input.slice(6, 9), input.slice(9)]);
    const job = await harness.jobs.get(job_id, { limit: 100 });
    expect(job).toMatchObject({ status: 'completed', progress: { done: 10, total: 10 } });
    expect(job.results!.map((r) => [r.index, r.label, r.score])).toEqual(
      input.map((text, i) => [i, fakeClassification(text).label, fakeClassification(text).score]),
    );
  });

  it('records every result in the prediction log, as source job with its job id, so feedback can name it', async () => {
    const harness = open({ JOB_CHUNK_SIZE: '2' });
    const input = texts(5);
    const { job_id } = await harness.jobs.submit(input);
    harness.runner.start();
    await finished(harness, job_id);
    const results = (await harness.jobs.get(job_id)).results!;
    for (const result of results) {
      expect(await harness.predictions.find(result.prediction_id)).toMatchObject({
        label: result.label,
        score: result.score,
        source: 'job',
        jobId: job_id,
        modelVersion: 'fake@0123456789ab',
        inputLength: input[result.index].length,
      });
    }
    expect(loggedPredictions(harness, job_id).sort()).toEqual(results.map((r) => r.prediction_id).sort());
  });

  it('commits each chunk with its progress: progress, results and prediction log always agree', async () => {
    const engine = createFakeJobEngine();
    const held = holdEngineCalls(engine);
    const harness = open({ JOB_CHUNK_SIZE: '2', JOB_WORKERS: '1' }, engine);
    const { job_id } = await harness.jobs.submit(texts(5));
    harness.runner.start();
    for (let chunk = 1; chunk <= 3; chunk++) {
      await until(() => held.length === chunk, `chunk ${chunk} is sent`);
      const before = await harness.jobs.get(job_id);
      expect(before.status).toBe('running');
      expect(before.progress.done).toBe(committed(harness, job_id).length);
      expect(loggedPredictions(harness, job_id)).toHaveLength(before.progress.done);
      held[chunk - 1].resolve();
      await until(async () => (await harness.jobs.get(job_id)).progress.done === Math.min(5, chunk * 2), `chunk ${chunk} is committed`);
      expect(committed(harness, job_id)).toHaveLength(Math.min(5, chunk * 2));
      expect(loggedPredictions(harness, job_id)).toHaveLength(Math.min(5, chunk * 2));
    }
    expect((await harness.jobs.get(job_id)).status).toBe('completed');
  });

  it('keeps JOB_WORKERS chunks in flight, no more', async () => {
    const engine = createFakeJobEngine();
    const held = holdEngineCalls(engine);
    const harness = open({ JOB_CHUNK_SIZE: '1', JOB_WORKERS: '2' }, engine);
    const { job_id } = await harness.jobs.submit(texts(4));
    harness.runner.start();
    await until(() => held.length === 2, 'two chunks are sent');
    await settle();
    expect(held).toHaveLength(2);
    held[1].resolve();
    await until(() => held.length === 3, 'a third chunk follows the second');
    await settle();
    expect(held).toHaveLength(3);
    held[0].resolve();
    held[2].resolve();
    await until(() => held.length === 4, 'the last chunk is sent');
    held[3].resolve();
    await finished(harness, job_id);
    expect((await harness.jobs.get(job_id)).results!.map((r) => r.index)).toEqual([0, 1, 2, 3]);
  });

  it('starts work when a job is submitted, without polling the database while idle', async () => {
    const harness = open();
    const claim = jest.spyOn(harness.store, 'claim');
    harness.runner.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(claim).toHaveBeenCalledTimes(1);
    const { job_id } = await harness.jobs.submit(['good']);
    await finished(harness, job_id);
    const lookups = claim.mock.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(claim).toHaveBeenCalledTimes(lookups);
  });

  describe('failures', () => {
    it('fails the job on a real inference failure, recording the code and a message that leaks nothing', async () => {
      const harness = open({ JOB_CHUNK_SIZE: '2', JOB_WORKERS: '1' });
      harness.engine.classify
        .mockImplementationOnce(async (t: string[]) => t.map(fakeClassification))
        .mockRejectedValueOnce(engineError('INFERENCE_FAILED', 'ORT failure at /secret/path'));
      const { job_id } = await harness.jobs.submit(texts(6));
      harness.runner.start();
      await finished(harness, job_id);
      const job = await harness.jobs.get(job_id);
      expect(job).toMatchObject({
        status: 'failed',
        progress: { done: 2, total: 6 },
        finished_at: expect.any(String),
        error: { code: 'INFERENCE_FAILED', message: 'Inference failed. The error has been logged. (while classifying texts 2 to 3)' },
      });
      expect(job.results).toBeUndefined();
      expect(harness.engine.classify).toHaveBeenCalledTimes(2);

      // The workers go on with the next job.
      const next = await harness.jobs.submit(['good']);
      await finished(harness, next.job_id);
      expect((await harness.jobs.get(next.job_id)).status).toBe('completed');
    });

    it.each([
      ['INTERNAL', engineError('INTERNAL'), 'Internal server error. The error has been logged.'],
      ['an error without a code', new TypeError('x is undefined'), 'Internal server error. The error has been logged.'],
      ['INVALID_ARGUMENT', engineError('INVALID_ARGUMENT', 'texts[0] is not a string'), 'texts[0] is not a string'],
    ])('fails the job on %s', async (_name, error, shown) => {
      const harness = open();
      harness.engine.classify.mockRejectedValueOnce(error);
      const { job_id } = await harness.jobs.submit(['a']);
      harness.runner.start();
      await finished(harness, job_id);
      expect((await harness.jobs.get(job_id)).error).toEqual({
        code: _name === 'INVALID_ARGUMENT' ? 'INVALID_ARGUMENT' : 'INTERNAL',
        message: `${shown} (while classifying texts 0 to 0)`,
      });
    });

    it('fails the job when the engine returns the wrong number of results', async () => {
      const harness = open();
      harness.engine.classify.mockResolvedValueOnce([]);
      const { job_id } = await harness.jobs.submit(['a', 'b']);
      harness.runner.start();
      await finished(harness, job_id);
      expect(await harness.jobs.get(job_id)).toMatchObject({ status: 'failed', error: { code: 'INTERNAL' }, progress: { done: 0 } });
    });

    it('discards chunks of a failed job that finish after the failure', async () => {
      const engine = createFakeJobEngine();
      const held = holdEngineCalls(engine);
      const harness = open({ JOB_CHUNK_SIZE: '2', JOB_WORKERS: '2' }, engine);
      const { job_id } = await harness.jobs.submit(texts(4));
      harness.runner.start();
      await until(() => held.length === 2, 'both chunks are sent');
      held[1].reject(engineError('INFERENCE_FAILED'));
      await finished(harness, job_id);
      held[0].resolve();
      await settle();
      expect(await harness.jobs.get(job_id)).toMatchObject({ status: 'failed', progress: { done: 0, total: 4 } });
      expect(committed(harness, job_id)).toEqual([]);
      expect(loggedPredictions(harness, job_id)).toEqual([]);
    });

    it('retries a chunk the engine refuses with OVERLOADED, and never fails the job for it', async () => {
      const harness = open({ JOB_CHUNK_SIZE: '2', JOB_WORKERS: '1' });
      harness.engine.classify.mockRejectedValueOnce(engineError('OVERLOADED')).mockRejectedValueOnce(engineError('OVERLOADED'));
      const input = texts(3);
      const { job_id } = await harness.jobs.submit(input);
      harness.runner.start();
      await finished(harness, job_id);
      const calls = harness.engine.classify.mock.calls.map(([chunk]) => chunk);
      expect(calls).toEqual([input.slice(0, 2), input.slice(0, 2), input.slice(0, 2), input.slice(2)]);
      const job = await harness.jobs.get(job_id);
      expect(job.status).toBe('completed');
      expect(job.results!.map((r) => r.index)).toEqual([0, 1, 2]);
      expect(loggedPredictions(harness, job_id)).toHaveLength(3);
    });

    it('pauses every worker while the engine is overloaded', async () => {
      const harness = open({ JOB_CHUNK_SIZE: '1', JOB_WORKERS: '2' });
      harness.engine.classify.mockRejectedValueOnce(engineError('OVERLOADED'));
      await harness.jobs.submit(['one']);
      harness.runner.start();
      await until(() => harness.engine.classify.mock.calls.length === 1, 'the first chunk is refused');
      // A second job arrives during the pause: no chunk of it starts before the pause ends.
      const second = await harness.jobs.submit(['two']);
      await settle();
      expect(harness.engine.classify).toHaveBeenCalledTimes(1);
      await finished(harness, second.job_id);
    });

    it('retries a chunk whose commit failed for storage, without duplicate predictions', async () => {
      const harness = open({ JOB_CHUNK_SIZE: '2' });
      jest.spyOn(harness.store, 'commit').mockRejectedValueOnce(new Error('disk full'));
      const { job_id } = await harness.jobs.submit(texts(2));
      harness.runner.start();
      await finished(harness, job_id);
      expect((await harness.jobs.get(job_id)).status).toBe('completed');
      expect(harness.engine.classify).toHaveBeenCalledTimes(2);
      expect(loggedPredictions(harness, job_id)).toHaveLength(2);
    });
  });

  describe('sharing the engine with interactive requests', () => {
    /** Answers every engine call as it comes until the job finishes. */
    async function answerAll(harness: JobsHarness, held: HeldCall[], id: string): Promise<void> {
      let answered = 0;
      while (!['completed', 'failed'].includes((await harness.jobs.get(id)).status)) {
        while (answered < held.length) held[answered++].resolve();
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }

    it('while others\' texts wait in the engine queue, sends one chunk at a time, a quarter of JOB_CHUNK_SIZE', async () => {
      const engine = createFakeJobEngine();
      const held = holdEngineCalls(engine);
      let othersWaiting = 50;
      engine.stats.mockImplementation(() => ({ ...FAKE_STATS, requests: held.length, queueDepth: othersWaiting }));
      const harness = open({ JOB_CHUNK_SIZE: '8', JOB_WORKERS: '2' }, engine);
      const { job_id } = await harness.jobs.submit(texts(40));
      harness.runner.start();
      await until(() => held.length === 1, 'one chunk is sent');
      await settle();
      expect(held.map((call) => call.texts.length)).toEqual([2]);
      held[0].resolve();
      await until(() => held.length === 2, 'the next chunk follows');
      await settle();
      expect(held.map((call) => call.texts.length)).toEqual([2, 2]);

      othersWaiting = 0;
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS + 50));
      held[1].resolve();
      await until(() => held.length === 4, 'with the engine quiet, JOB_WORKERS full chunks are in flight');
      expect(held.slice(2).map((call) => call.texts.length)).toEqual([8, 8]);
      await answerAll(harness, held, job_id);
      expect((await harness.jobs.get(job_id, { limit: 100 })).results!.map((r) => r.index)).toEqual(texts(40).map((_, i) => i));
    });

    it('stays in background mode for QUIET_MS after the last call of another caller', async () => {
      const engine = createFakeJobEngine();
      const held = holdEngineCalls(engine);
      let othersCalls = 0;
      engine.stats.mockImplementation(() => ({ ...FAKE_STATS, requests: held.length + othersCalls }));
      const harness = open({ JOB_CHUNK_SIZE: '4', JOB_WORKERS: '2' }, engine);
      const { job_id } = await harness.jobs.submit(texts(20));
      harness.runner.start();
      othersCalls++; // a /sentiment request, say
      await until(() => held.length === 1, 'one chunk is sent');
      await settle();
      expect(held.map((call) => call.texts.length)).toEqual([1]);
      held[0].resolve();
      await until(() => held.length === 2, 'the next chunk follows');
      await settle();
      expect(held.map((call) => call.texts.length)).toEqual([1, 1]);

      await new Promise((resolve) => setTimeout(resolve, QUIET_MS + 50));
      held[1].resolve();
      await until(() => held.length === 4, 'after a quiet second, JOB_WORKERS full chunks are in flight');
      expect(held.slice(2).map((call) => call.texts.length)).toEqual([4, 4]);
      await answerAll(harness, held, job_id);
      expect((await harness.jobs.get(job_id)).status).toBe('completed');
    });

    it('counts its own calls as its own: a job alone on the engine runs at full speed', async () => {
      const engine = createFakeJobEngine();
      const held = holdEngineCalls(engine);
      const harness = open({ JOB_CHUNK_SIZE: '4', JOB_WORKERS: '2' }, engine);
      const { job_id } = await harness.jobs.submit(texts(16));
      harness.runner.start();
      await until(() => held.length === 2, 'two chunks are sent');
      held[0].resolve();
      await until(() => held.length === 3, 'a third chunk follows');
      expect(held.map((call) => call.texts.length)).toEqual([4, 4, 4]);
      await answerAll(harness, held, job_id);
    });
  });

  it('model versions: the job reports the first, results computed by another model say so', async () => {
    const harness = open({ JOB_CHUNK_SIZE: '1', JOB_WORKERS: '1' });
    harness.engine.classify.mockImplementation(async (t: string[]) => {
      const results = t.map(fakeClassification);
      if (harness.engine.classify.mock.calls.length === 2) harness.engine.modelVersion = 'fake@new';
      return results;
    });
    const { job_id } = await harness.jobs.submit(['a', 'b', 'c']);
    harness.runner.start();
    await finished(harness, job_id);
    const job = await harness.jobs.get(job_id);
    expect(job.model_version).toBe('fake@0123456789ab');
    expect(job.results!.map((r) => r.model_version)).toEqual([undefined, 'fake@new', 'fake@new']);
  });

  describe('durability', () => {
    it('resumes a job left running by a crash from its unfinished texts; committed chunks are not recomputed', async () => {
      const shared = config({ JOB_CHUNK_SIZE: '2', JOB_WORKERS: '2' });
      const input = texts(9);
      const firstEngine = createFakeJobEngine();
      const held = holdEngineCalls(firstEngine);
      const first = openJobs(shared, firstEngine);
      const { job_id } = await first.jobs.submit(input);
      first.runner.start();
      // Chunk [2, 3] commits before chunk [0, 1]; the process dies with [0, 1] and [4, 5] in flight.
      await until(() => held.length === 2, 'two chunks are sent');
      held[1].resolve();
      await until(() => held.length === 3, 'the next chunk is sent');
      expect(committed(first, job_id).map((r) => r.idx)).toEqual([2, 3]);
      const before = committed(first, job_id);
      first.crash();

      const second = open(shared);
      expect(await second.jobs.get(job_id)).toMatchObject({ status: 'running', progress: { done: 2, total: 9 } });
      second.runner.start();
      await finished(second, job_id);
      expect(second.engine.classify.mock.calls.map(([chunk]) => chunk)).toEqual([
        [input[0], input[1]],
        [input[4], input[5]],
        [input[6], input[7]],
        [input[8]],
      ]);
      const job = await second.jobs.get(job_id, { limit: 100 });
      expect(job).toMatchObject({ status: 'completed', progress: { done: 9, total: 9 } });
      expect(job.results!.map((r) => r.index)).toEqual(input.map((_, i) => i));
      expect(job.results!.map((r) => r.label)).toEqual(input.map((text) => fakeClassification(text).label));
      // The chunk committed before the crash kept its predictions; each text has exactly one in the log.
      expect(committed(second, job_id).filter((r) => r.idx === 2 || r.idx === 3)).toEqual(before);
      expect(loggedPredictions(second, job_id).sort()).toEqual(job.results!.map((r) => r.prediction_id).sort());
    });

    it('runs jobs that were queued when the process stopped, when the next one starts', async () => {
      const shared = config();
      const first = openJobs(shared);
      const { job_id } = await first.jobs.submit(['good', 'bad']);
      first.crash();
      const second = open(shared);
      second.runner.start();
      await finished(second, job_id);
      expect((await second.jobs.get(job_id)).status).toBe('completed');
    });
  });

  describe('shutdown', () => {
    it('lets chunks in flight commit, starts no new one, and leaves the job for the next start', async () => {
      const shared = config({ JOB_CHUNK_SIZE: '2', JOB_WORKERS: '2' });
      const engine = createFakeJobEngine();
      const held = holdEngineCalls(engine);
      const first = openJobs(shared, engine);
      const input = texts(7);
      const { job_id } = await first.jobs.submit(input);
      first.runner.start();
      await until(() => held.length === 2, 'two chunks are sent');
      const stopped = first.runner.beforeApplicationShutdown();
      held[0].resolve();
      held[1].resolve();
      await stopped;
      await settle();
      expect(held).toHaveLength(2);
      expect(await first.jobs.get(job_id)).toMatchObject({ status: 'running', progress: { done: 4, total: 7 } });
      await first.jobs.submit(['accepted while stopping']);
      await settle();
      expect(held).toHaveLength(2);
      await first.jobs.onApplicationShutdown();
      first.database.onApplicationShutdown();

      const second = open(shared);
      second.runner.start();
      await finished(second, job_id);
      expect(second.engine.classify.mock.calls.map(([chunk]) => chunk)).toEqual(
        expect.arrayContaining([[input[4], input[5]], [input[6]], ['accepted while stopping']]),
      );
      expect(second.engine.classify).toHaveBeenCalledTimes(3);
      expect(await second.jobs.countByState()).toEqual({ queued: 0, running: 0, completed: 2, failed: 0 });
    });

    it('stops waiting after JOB_SHUTDOWN_TIMEOUT_MS; a chunk finishing later is not committed', async () => {
      const engine = createFakeJobEngine();
      const held = holdEngineCalls(engine);
      const harness = open({ JOB_SHUTDOWN_TIMEOUT_MS: '20' }, engine);
      const { job_id } = await harness.jobs.submit(['a', 'b']);
      harness.runner.start();
      await until(() => held.length === 1, 'the chunk is sent');
      await harness.runner.beforeApplicationShutdown();
      held[0].resolve();
      await settle();
      expect(await harness.jobs.get(job_id)).toMatchObject({ status: 'running', progress: { done: 0 } });
      expect(loggedPredictions(harness, job_id)).toEqual([]);
    });

    it('does not wait for a chunk backing off from an overloaded engine', async () => {
      const harness = open({ JOB_SHUTDOWN_TIMEOUT_MS: '600000' });
      harness.engine.classify.mockRejectedValue(engineError('OVERLOADED'));
      const { job_id } = await harness.jobs.submit(['a']);
      harness.runner.start();
      await until(() => harness.engine.classify.mock.calls.length === 1, 'the chunk is refused');
      await harness.runner.beforeApplicationShutdown();
      expect(harness.runner.chunksInFlight).toBe(0);
      expect(await harness.jobs.get(job_id)).toMatchObject({ status: 'running', progress: { done: 0 } });
    });
  });
});
