import { Logger } from '@nestjs/common';
import type BetterSqlite3 from 'better-sqlite3';
import { Sqlite } from '../database/sqlite-driver';
import { fakeClassification } from '../../test/support/fake-engine';
import { JobsHarness, openJobs, until } from '../../test/support/jobs';
import { configWithTempDataDir } from '../../test/support/temp-data-dir';
import type { AppConfig } from '../config/app-config';
import type { RawEnv } from '../config/env.schema';
import { DATABASE_FILE } from '../database/sqlite-database';
import { join } from 'node:path';

const HOUR_MS = 60 * 60 * 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('JobsService', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function setup(env: RawEnv = {}): { config: AppConfig; dataDir: string } {
    const { config, dataDir, remove } = configWithTempDataDir(env);
    cleanups.push(remove);
    return { config, dataDir };
  }

  /** A harness whose workers are not started (the specs start them when they want work done). */
  function open(env: RawEnv = {}): JobsHarness {
    const { config } = setup(env);
    const harness = openJobs(config);
    cleanups.push(() => harness.shutdown());
    return harness;
  }

  async function completed(harness: JobsHarness, id: string): Promise<void> {
    await until(async () => (await harness.jobs.get(id)).status === 'completed', `job ${id} completes`);
  }

  describe('submit', () => {
    it('commits the job and every text before answering, as queued', async () => {
      const { config, dataDir } = setup();
      const harness = openJobs(config);
      cleanups.push(() => harness.shutdown());
      const accepted = await harness.jobs.submit(['good', 'bad', '']);
      expect(accepted).toEqual({ job_id: expect.stringMatching(UUID), status: 'queued', total: 3, created_at: expect.any(String) });
      expect(new Date(accepted.created_at).toISOString()).toBe(accepted.created_at);

      // Another connection (another process, after a crash) sees it committed.
      const other = new Sqlite(join(dataDir, DATABASE_FILE), { readonly: true });
      try {
        expect(other.prepare('SELECT status, total, done FROM jobs WHERE id = ?').get(accepted.job_id)).toEqual({ status: 'queued', total: 3, done: 0 });
        expect(other.prepare('SELECT idx, text FROM job_items ORDER BY idx').all()).toEqual([
          { idx: 0, text: 'good' },
          { idx: 1, text: 'bad' },
          { idx: 2, text: '' },
        ]);
      } finally {
        other.close();
      }
      expect(await harness.jobs.get(accepted.job_id)).toEqual({
        job_id: accepted.job_id,
        status: 'queued',
        progress: { done: 0, total: 3 },
        created_at: accepted.created_at,
      });
    });

    it('rejects more than JOB_MAX_TEXTS texts, and stores nothing', async () => {
      const { jobs } = open({ JOB_MAX_TEXTS: '2' });
      await expect(jobs.submit(['a', 'b', 'c'])).rejects.toThrow(
        expect.objectContaining({
          code: 'VALIDATION_FAILED',
          message: 'texts must contain at most 2 texts but received 3',
          details: [{ field: 'texts', message: 'at most 2 texts (JOB_MAX_TEXTS)' }],
        }),
      );
      expect(await jobs.countByState()).toEqual({ queued: 0, running: 0, completed: 0, failed: 0 });
    });

    it('rejects texts over MAX_TEXT_CHARS, naming each', async () => {
      const { jobs } = open({ MAX_TEXT_CHARS: '3' });
      await expect(jobs.submit(['abc', 'abcd', '😀😀😀', 'abcde'])).rejects.toThrow(
        expect.objectContaining({
          code: 'VALIDATION_FAILED',
          details: [
            { field: 'texts[1]', message: 'texts[1] is 4 characters long; the limit is 3' },
            { field: 'texts[3]', message: 'texts[3] is 5 characters long; the limit is 3' },
          ],
        }),
      );
      expect((await jobs.countByState()).queued).toBe(0);
    });

    it('answers STORAGE_UNAVAILABLE when the job cannot be committed, and keeps no part of it', async () => {
      const { jobs, database } = open();
      database.db.exec('CREATE TRIGGER refuse BEFORE INSERT ON job_items WHEN NEW.idx = 1 BEGIN SELECT RAISE(ABORT, \'disk full\'); END');
      await expect(jobs.submit(['a', 'b'])).rejects.toThrow(expect.objectContaining({ code: 'STORAGE_UNAVAILABLE' }));
      expect(database.db.prepare('SELECT COUNT(*) AS n FROM jobs').get()).toEqual({ n: 0 });
      expect(database.db.prepare('SELECT COUNT(*) AS n FROM job_items').get()).toEqual({ n: 0 });
    });
  });

  describe('get', () => {
    it('answers NOT_FOUND naming an unknown id', async () => {
      const { jobs } = open();
      await expect(jobs.get('nope')).rejects.toThrow(expect.objectContaining({ code: 'NOT_FOUND', message: expect.stringContaining('"nope"') }));
    });

    it('pages the results of a completed job, saying where the next page starts', async () => {
      const harness = open({ JOB_PAGE_SIZE: '4', JOB_CHUNK_SIZE: '3' });
      const texts = Array.from({ length: 10 }, (_, i) => (i % 2 ? `good ${i}` : `bad ${i}`));
      const { job_id } = await harness.jobs.submit(texts);
      harness.runner.start();
      await completed(harness, job_id);

      const first = await harness.jobs.get(job_id);
      expect(first).toMatchObject({
        status: 'completed',
        progress: { done: 10, total: 10 },
        model_version: 'fake@0123456789ab',
        started_at: expect.any(String),
        finished_at: expect.any(String),
        page: { offset: 0, limit: 4, next_offset: 4 },
      });
      expect(first.results!.map((r) => r.index)).toEqual([0, 1, 2, 3]);
      expect((await harness.jobs.get(job_id, { offset: 4 })).page).toEqual({ offset: 4, limit: 4, next_offset: 8 });
      const last = await harness.jobs.get(job_id, { offset: 8 });
      expect(last.results!.map((r) => r.index)).toEqual([8, 9]);
      expect(last.page).toEqual({ offset: 8, limit: 4, next_offset: null });
      expect(await harness.jobs.get(job_id, { offset: 10 })).toMatchObject({ results: [], page: { next_offset: null } });
      expect((await harness.jobs.get(job_id, { offset: 1, limit: 1000 })).results).toHaveLength(9);

      const all = (await harness.jobs.get(job_id, { limit: 1000 })).results!;
      expect(all).toEqual(
        texts.map((text, index) => ({
          index,
          label: fakeClassification(text).label,
          score: fakeClassification(text).score,
          prediction_id: expect.stringMatching(UUID),
        })),
      );
    });

    it('answers STORAGE_UNAVAILABLE naming what could not be read when the database fails', async () => {
      const harness = open();
      const { job_id } = await harness.jobs.submit(['a']);
      jest.spyOn(harness.store, 'find').mockRejectedValueOnce(new Error('connection refused'));
      await expect(harness.jobs.get(job_id)).rejects.toThrow(
        expect.objectContaining({ code: 'STORAGE_UNAVAILABLE', message: `Could not read job ${job_id} from the database; retry later` }),
      );
      // The next read, with the database back, answers.
      expect((await harness.jobs.get(job_id)).status).toBe('queued');
    });

    it('shows no results, and no page, before the job is completed', async () => {
      const { jobs } = open();
      const { job_id } = await jobs.submit(['a']);
      const response = await jobs.get(job_id, { offset: 0, limit: 10 });
      expect(response.results).toBeUndefined();
      expect(response.page).toBeUndefined();
    });
  });

  describe('countByState', () => {
    it('counts jobs in every status, zeros included', async () => {
      const harness = open();
      expect(await harness.jobs.countByState()).toEqual({ queued: 0, running: 0, completed: 0, failed: 0 });
      const done = await harness.jobs.submit(['good']);
      harness.runner.start();
      await completed(harness, done.job_id);
      await harness.runner.beforeApplicationShutdown();
      await harness.jobs.submit(['a']);
      await harness.jobs.submit(['b']);
      expect(await harness.jobs.countByState()).toEqual({ queued: 2, running: 0, completed: 1, failed: 0 });
    });

    it('reads only an index (one grouped query, cheap to scrape)', async () => {
      const { database } = open();
      const plan = database.db.prepare('EXPLAIN QUERY PLAN SELECT status, COUNT(*) AS count FROM jobs GROUP BY status').all() as Array<{ detail: string }>;
      expect(plan.map((step) => step.detail).join('; ')).toMatch(/SCAN jobs USING COVERING INDEX jobs_status_finished_at/);
    });
  });

  describe('retention', () => {
    async function finishedJobs(harness: JobsHarness): Promise<{ completed: string; failed: string }> {
      const completedJob = (await harness.jobs.submit(['good'])).job_id;
      const failedJob = (await harness.jobs.submit(['bad'])).job_id;
      harness.engine.classify.mockImplementation(async (texts: string[]) => {
        if (texts[0] === 'bad') throw Object.assign(new Error('broken'), { code: 'INFERENCE_FAILED' });
        return texts.map(fakeClassification);
      });
      harness.runner.start();
      await completed(harness, completedJob);
      await until(async () => (await harness.jobs.get(failedJob)).status === 'failed', 'the second job fails');
      await harness.runner.beforeApplicationShutdown();
      return { completed: completedJob, failed: failedJob };
    }

    it('deletes completed and failed jobs, with their results, JOB_RETENTION_HOURS after they finished; never unfinished ones', async () => {
      const harness = open({ JOB_RETENTION_HOURS: '2' });
      const finished = await finishedJobs(harness);
      const queued = (await harness.jobs.submit(['still waiting'])).job_id;
      const running = (await harness.jobs.submit(['half done', 'x'])).job_id;
      harness.database.db.prepare(`UPDATE jobs SET status = 'running' WHERE id = ?`).run(running);

      await expect(harness.jobs.pruneExpired(Date.now() + 1.5 * HOUR_MS)).resolves.toBe(0);
      expect((await harness.jobs.get(finished.completed)).status).toBe('completed');

      await expect(harness.jobs.pruneExpired(Date.now() + 2.5 * HOUR_MS)).resolves.toBe(2);
      await expect(harness.jobs.get(finished.completed)).rejects.toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
      await expect(harness.jobs.get(finished.failed)).rejects.toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
      // Far in the future, unfinished jobs are still there, with their texts; the finished ones' rows are gone.
      await expect(harness.jobs.pruneExpired(Date.now() + 1000 * HOUR_MS)).resolves.toBe(0);
      expect((await harness.jobs.get(queued)).status).toBe('queued');
      expect((await harness.jobs.get(running)).status).toBe('running');
      expect(harness.database.db.prepare('SELECT COUNT(*) AS n FROM job_items').get()).toEqual({ n: 3 });
    });

    it('keeps every job when JOB_RETENTION_HOURS is 0', async () => {
      const harness = open({ JOB_RETENTION_HOURS: '0' });
      const finished = await finishedJobs(harness);
      await expect(harness.jobs.pruneExpired(Date.now() + 100_000 * HOUR_MS)).resolves.toBe(0);
      expect((await harness.jobs.get(finished.completed)).status).toBe('completed');
      expect((await harness.jobs.get(finished.failed)).status).toBe('failed');
    });

    it('deletes expired jobs when the module starts', async () => {
      const { config } = setup({ JOB_RETENTION_HOURS: '1' });
      const first = openJobs(config);
      const old = (await first.jobs.submit(['good'])).job_id;
      first.runner.start();
      await completed(first, old);
      first.database.db.prepare('UPDATE jobs SET finished_at = ? WHERE id = ?').run(Date.now() - 2 * HOUR_MS, old);
      await first.shutdown();

      const second = openJobs(config);
      cleanups.push(() => second.shutdown());
      second.jobs.onModuleInit();
      await until(async () => (await second.jobs.countByState()).completed === 0, 'the expired job is deleted');
      await expect(second.jobs.get(old)).rejects.toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    });
  });
});
