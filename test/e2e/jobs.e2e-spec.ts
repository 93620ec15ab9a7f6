/**
 * Async jobs end to end on the real server, engine and demo model: submit → poll → completed, results paged and
 * equal to /batch-sentiment's, every result in the prediction log, unknown ids, malformed bodies and query
 * parameters.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { Sqlite } from '../../src/database/sqlite-driver';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATABASE_FILE } from '../../src/database/sqlite-database';
import { parseExposition, valueOf } from '../support/prometheus-text';
import { HttpResult, startServer, TestServer } from './support/server';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Distinct review-like texts, with the edge cases /sentiment accepts (empty, blank, emoji, lone surrogate, NUL). */
function reviews(count: number): string[] {
  const edge = ['', '   ', '😀 très bien 很好', 'lone surrogate \ud800', 'nul \u0000 byte'];
  return Array.from({ length: count }, (_, i) =>
    i < edge.length ? edge[i] : `Review ${i}: the film was ${i % 3 === 0 ? 'wonderful, I loved it' : i % 3 === 1 ? 'dull and far too long' : 'fine'}.`,
  );
}

async function waitUntilFinished(server: TestServer, id: string, timeoutMs = 60_000): Promise<HttpResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await server.request('GET', `/job/${id}`);
    if (response.status !== 200 || response.body.status === 'completed' || response.body.status === 'failed') return response;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${response.body.status} after ${timeoutMs} ms: ${response.text}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('async jobs (real server, real engine)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ JOB_CHUNK_SIZE: '7', JOB_PAGE_SIZE: '10', JOB_MAX_TEXTS: '200', MAX_TEXT_CHARS: '100' });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('accepts a job with 202, then completes it with paged results equal to /batch-sentiment, each in the prediction log', async () => {
    const texts = reviews(45);
    const accepted = await server.request('POST', '/async-sentiment', { json: { texts } });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ job_id: expect.stringMatching(UUID), status: 'queued', total: 45, created_at: expect.stringMatching(ISO_TIME) });
    const id: string = accepted.body.job_id;
    expect(accepted.headers.get('location')).toBe(`/job/${id}`);

    const finished = await waitUntilFinished(server, id);
    expect(finished.status).toBe(200);
    expect(finished.body).toMatchObject({
      job_id: id,
      status: 'completed',
      progress: { done: 45, total: 45 },
      created_at: accepted.body.created_at,
      started_at: expect.stringMatching(ISO_TIME),
      finished_at: expect.stringMatching(ISO_TIME),
      model_version: expect.any(String),
      page: { offset: 0, limit: 10, next_offset: 10 },
    });
    expect(finished.body.error).toBeUndefined();

    // Walk the pages the way a client would: follow next_offset until it is null.
    const results: Array<{ index: number; label: string; score: number; prediction_id: string }> = [];
    let offset: number | null = 0;
    let pages = 0;
    while (offset !== null) {
      const page: HttpResult = await server.request('GET', `/job/${id}?offset=${offset}&limit=20`);
      expect(page.status).toBe(200);
      expect(page.body.page.offset).toBe(offset);
      results.push(...page.body.results);
      offset = page.body.page.next_offset;
      pages++;
    }
    expect(pages).toBe(3);
    expect(results.map((r) => r.index)).toEqual(texts.map((_, i) => i));
    expect(new Set(results.map((r) => r.prediction_id)).size).toBe(45);

    const direct: Array<{ label: string; score: number }> = [];
    for (let i = 0; i < texts.length; i += 20) {
      const batch = await server.request('POST', '/batch-sentiment', { json: { texts: texts.slice(i, i + 20) } });
      expect(batch.status).toBe(200);
      direct.push(...batch.body.results);
    }
    results.forEach((result, i) => {
      expect(result.label).toBe(direct[i].label);
      expect(result.score).toBeCloseTo(direct[i].score, 5);
    });

    const db = new Sqlite(join(server.dataDir, DATABASE_FILE), { readonly: true });
    try {
      const logged = db.prepare(`SELECT id, label, score, source, model_version FROM predictions WHERE job_id = ?`).all(id) as Array<{
        id: string;
        label: string;
        score: number;
        source: string;
        model_version: string;
      }>;
      expect(logged).toHaveLength(45);
      const byId = new Map(logged.map((row) => [row.id, row]));
      for (const result of results) {
        expect(byId.get(result.prediction_id)).toEqual({
          id: result.prediction_id,
          label: result.label,
          score: result.score,
          source: 'job',
          model_version: finished.body.model_version,
        });
      }
    } finally {
      db.close();
    }
  });

  it('GET /metrics counts jobs by state and the predictions of a job by label', async () => {
    const scrape = async () => parseExposition((await server.request('GET', '/metrics')).text);
    const version = (await server.request('GET', '/')).body.model.version as string;
    const before = await scrape();
    const completedBefore = valueOf(before, 'classifier_jobs', { state: 'completed' });
    const predictedBefore = (label: string) => valueOf(before, 'classifier_predictions_total', { label, model_version: version });

    const texts = reviews(12);
    const accepted = await server.request('POST', '/async-sentiment', { json: { texts } });
    expect(accepted.status).toBe(202);
    const finished = await waitUntilFinished(server, accepted.body.job_id);
    expect(finished.body.status).toBe('completed');
    const labels = (await server.request('GET', `/job/${accepted.body.job_id}?limit=100`)).body.results.map((r: { label: string }) => r.label);

    const after = await scrape();
    expect(valueOf(after, 'classifier_jobs', { state: 'completed' })).toBe(completedBefore + 1);
    expect(valueOf(after, 'classifier_jobs', { state: 'queued' })).toBe(0);
    expect(valueOf(after, 'classifier_jobs', { state: 'running' })).toBe(0);
    for (const label of ['NEGATIVE', 'POSITIVE']) {
      const expected = labels.filter((l: string) => l === label).length;
      expect(valueOf(after, 'classifier_predictions_total', { label, model_version: version }) - predictedBefore(label)).toBe(expected);
    }
  });

  it('answers an offset past the end with an empty last page', async () => {
    const accepted = await server.request('POST', '/async-sentiment', { json: { texts: ['good', 'bad'] } });
    await waitUntilFinished(server, accepted.body.job_id);
    const past = await server.request('GET', `/job/${accepted.body.job_id}?offset=5`);
    expect(past.status).toBe(200);
    expect(past.body).toMatchObject({ status: 'completed', results: [], page: { offset: 5, limit: 10, next_offset: null } });
    const last = await server.request('GET', `/job/${accepted.body.job_id}?offset=1&limit=1000`);
    expect(last.body.results.map((r: { index: number }) => r.index)).toEqual([1]);
    expect(last.body.page).toEqual({ offset: 1, limit: 1000, next_offset: null });
  });

  it('answers 404 NOT_FOUND naming an unknown job id', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const id of [unknown, 'not-a-job']) {
      const response = await server.request('GET', `/job/${id}`);
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('NOT_FOUND');
      expect(response.body.error.message).toContain(`"${id}"`);
    }
  });

  it.each([
    ['offset=-1', 'offset must be an integer between 0 and 1000000000 but received "-1"'],
    ['offset=abc', 'offset must be an integer between 0 and 1000000000 but received "abc"'],
    ['offset=1.5', 'offset must be an integer between 0 and 1000000000 but received "1.5"'],
    ['offset=', 'offset must be an integer between 0 and 1000000000 but received ""'],
    ['limit=0', 'limit must be an integer between 1 and 1000 but received 0'],
    ['limit=1001', 'limit must be an integer between 1 and 1000 but received 1001'],
    ['limit=1&limit=2', 'limit must be an integer between 1 and 1000 but received 2 values (give it once)'],
    ['page=2', 'property page is not allowed'],
  ])('answers 400 VALIDATION_FAILED for the query ?%s', async (query, message) => {
    const accepted = await server.request('POST', '/async-sentiment', { json: { texts: ['x'] } });
    const response = await server.request('GET', `/job/${accepted.body.job_id}?${query}`);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message });
  });

  it.each([
    ['an empty list', { texts: [] }, 'texts must contain at least one text'],
    ['texts as a string', { texts: 'good' }, 'texts must be an array of strings but received a string'],
    ['a number among the texts', { texts: ['good', 3] }, 'texts[1] must be a string but received the number 3'],
    ['the single-text body', { text: 'good' }, '2 problems: property text is not allowed; texts is required (an array of strings)'],
    ['a text over MAX_TEXT_CHARS', { texts: ['ok', 'x'.repeat(101)] }, 'texts[1] is 101 characters long; the limit is 100'],
    ['more texts than JOB_MAX_TEXTS', { texts: Array.from({ length: 201 }, () => 'x') }, 'texts must contain at most 200 texts but received 201'],
    ['an array body', [{ texts: ['x'] }], 'The request body must be a JSON object but received an array'],
  ])('answers %s with 400 VALIDATION_FAILED naming the problem, and stores nothing', async (_name, body, message) => {
    const before = await countJobs(server);
    const response = await server.request('POST', '/async-sentiment', { json: body });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message });
    expect(await countJobs(server)).toBe(before);
  });

  it('answers malformed JSON with 400 INVALID_JSON and a body of the wrong type with 415', async () => {
    const invalid = await server.request('POST', '/async-sentiment', { body: '{"texts": [', headers: { 'content-type': 'application/json' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('INVALID_JSON');
    const text = await server.request('POST', '/async-sentiment', { body: 'texts=a', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('leaves a job part done at shutdown and finishes it after a restart on the same DATA_DIR', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'classifier-jobs-restart-'));
    try {
      // Slow on purpose (see jobs-durability.e2e-spec.ts): every batch of at most 2 texts waits 40 ms.
      const slow = await startServer({ DATA_DIR: dataDir, JOB_CHUNK_SIZE: '1', JOB_WORKERS: '2', ENGINE_MAX_WAIT_MS: '40' });
      const texts = reviews(200);
      const { body } = await slow.request('POST', '/async-sentiment', { json: { texts } });
      const id: string = body.job_id;
      await until(async () => (await slow.request('GET', `/job/${id}`)).body.progress.done >= 4);
      await slow.close();
      const stopped = readOnly(dataDir, (db) => db.prepare('SELECT status, done FROM jobs WHERE id = ?').get(id)) as { status: string; done: number };
      expect(stopped.status).toBe('running');
      expect(stopped.done).toBeLessThan(texts.length);

      const restarted = await startServer({ DATA_DIR: dataDir });
      try {
        const finished = await waitUntilFinished(restarted, id);
        expect(finished.body).toMatchObject({ status: 'completed', progress: { done: texts.length, total: texts.length } });
        const page = await restarted.request('GET', `/job/${id}?limit=1000`);
        expect(page.body.results.map((r: { index: number }) => r.index)).toEqual(texts.map((_, i) => i));
      } finally {
        await restarted.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('lists the job routes in GET /', async () => {
    const { body } = await server.request('GET', '/');
    const routes = body.endpoints.map((e: { method: string; path: string }) => `${e.method} ${e.path}`);
    expect(routes).toEqual(expect.arrayContaining(['POST /async-sentiment', 'GET /job/{id}']));
  });
});

async function countJobs(server: TestServer): Promise<number> {
  return readOnly(server.dataDir, (db) => (db.prepare('SELECT COUNT(*) AS n FROM jobs').get() as { n: number }).n);
}

function readOnly<T>(dataDir: string, read: (db: BetterSqlite3.Database) => T): T {
  const db = new Sqlite(join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

async function until(condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
