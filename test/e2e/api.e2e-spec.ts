import { ERROR_CODES } from '../../lib';
import { ERROR_HTTP } from '../../src/common/errors/error-codes';
import { EngineService } from '../../src/engine/engine.service';
import { startServer, TestServer } from './support/server';

const POSITIVE_TEXT = 'I absolutely loved this movie! The acting was superb.';
const NEGATIVE_TEXT = 'What a waste of time. The plot made no sense at all.';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** The demo model's name, then the first 12 hex digits of the SHA-256 of its files. */
const MODEL_VERSION = /^[A-Za-z0-9._/-]+@[0-9a-f]{12}$/;

describe('API (real engine, demo model)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('GET / describes the service, the model and the endpoints', async () => {
    const { status, body, headers } = await server.request('GET', '/');
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/^application\/json/);
    expect(body).toMatchObject({
      message: expect.stringContaining('Welcome'),
      model: { labels: ['NEGATIVE', 'POSITIVE'], execution_provider: 'cpu' },
      docs: '/docs',
    });
    // Server paths are for admin callers only (GET /models); the overview is public.
    expect(body.model).not.toHaveProperty('path');
    expect(typeof body.model.name).toBe('string');
    expect(body.model.max_length).toBeGreaterThan(0);
    const routes = body.endpoints.map((e: { method: string; path: string }) => `${e.method} ${e.path}`);
    expect(routes).toEqual(expect.arrayContaining(['POST /sentiment', 'POST /batch-sentiment', 'GET /health']));
  });

  it('POST /sentiment says POSITIVE for a glowing review', async () => {
    const { status, body } = await server.request('POST', '/sentiment', { json: { text: POSITIVE_TEXT } });
    expect(status).toBe(200);
    expect(body).toEqual({
      text: POSITIVE_TEXT,
      label: 'POSITIVE',
      score: expect.any(Number),
      prediction_id: expect.stringMatching(UUID),
      model_version: expect.stringMatching(MODEL_VERSION),
    });
    expect(body.score).toBeGreaterThan(0.5);
    expect(body.score).toBeLessThanOrEqual(1);
  });

  it('POST /sentiment says NEGATIVE for a scathing review', async () => {
    const { status, body } = await server.request('POST', '/sentiment', { json: { text: NEGATIVE_TEXT } });
    expect(status).toBe(200);
    expect(body).toEqual({
      text: NEGATIVE_TEXT,
      label: 'NEGATIVE',
      score: expect.any(Number),
      prediction_id: expect.stringMatching(UUID),
      model_version: expect.stringMatching(MODEL_VERSION),
    });
    expect(body.score).toBeGreaterThan(0.5);
  });

  it.each(['', '   ', '\n\t', '😀 très bien 很好', 'lone surrogate \ud800', 'nul \u0000 byte', 'a'.repeat(10_000)])('POST /sentiment classifies the edge-case text %#', async (text) => {
    const { status, body } = await server.request('POST', '/sentiment', { json: { text } });
    expect(status).toBe(200);
    expect(body.text).toBe(text);
    expect(['NEGATIVE', 'POSITIVE']).toContain(body.label);
    expect(body.score).toBeGreaterThanOrEqual(0.5);
  });

  it('POST /batch-sentiment returns results in input order, equal to single calls', async () => {
    const texts = [NEGATIVE_TEXT, POSITIVE_TEXT, '', 'It was fine, I guess.', POSITIVE_TEXT, 'Terrible. Just terrible.'];
    const { status, body } = await server.request('POST', '/batch-sentiment', { json: { texts } });
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['model_version', 'processing_time', 'results']);
    expect(body.model_version).toMatch(MODEL_VERSION);
    expect(body.results.map((r: { text: string }) => r.text)).toEqual(texts);
    const ids = body.results.map((r: { prediction_id: string }) => r.prediction_id);
    ids.forEach((id: string) => expect(id).toMatch(UUID));
    expect(new Set(ids).size).toBe(texts.length);
    expect(body.results[0].label).toBe('NEGATIVE');
    expect(body.results[1].label).toBe('POSITIVE');
    expect(typeof body.processing_time).toBe('number');
    expect(body.processing_time).toBeGreaterThan(0);
    expect(body.processing_time).toBeLessThan(30);

    const singles = await Promise.all(texts.map((text) => server.request('POST', '/sentiment', { json: { text } })));
    singles.forEach((single, i) => {
      expect(single.status).toBe(200);
      expect(body.results[i].label).toBe(single.body.label);
      // Padding to the longest text of a batch may move the last float digits.
      expect(body.results[i].score).toBeCloseTo(single.body.score, 4);
    });
  });

  it('serves many concurrent requests consistently', async () => {
    const texts = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? POSITIVE_TEXT : NEGATIVE_TEXT));
    const responses = await Promise.all(texts.map((text) => server.request('POST', '/sentiment', { json: { text } })));
    responses.forEach((response, i) => {
      expect(response.status).toBe(200);
      expect(response.body.label).toBe(i % 2 === 0 ? 'POSITIVE' : 'NEGATIVE');
    });
  });

  it('POST /batch-sentiment accepts exactly MAX_BATCH_TEXTS (64) texts', async () => {
    const texts = Array.from({ length: 64 }, (_, i) => `review number ${i}: ${i % 3 ? POSITIVE_TEXT : NEGATIVE_TEXT}`);
    const { status, body } = await server.request('POST', '/batch-sentiment', { json: { texts } });
    expect(status).toBe(200);
    expect(body.results).toHaveLength(64);
    expect(body.results.map((r: { text: string }) => r.text)).toEqual(texts);
  });

  it.each(['/health', '/health/ready'])('GET %s reports the model up', async (path) => {
    const { status, body, headers } = await server.request('GET', path);
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toContain('no-store');
    expect(body).toMatchObject({ status: 'ok', info: { model: { status: 'up', state: 'ready', labels: ['NEGATIVE', 'POSITIVE'] } } });
  });

  it('GET /health/live answers without checking the model', async () => {
    const { status, body } = await server.request('GET', '/health/live');
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', info: {} });
  });

  it('serves the Swagger UI at /docs and the OpenAPI document at /docs-json', async () => {
    const ui = await server.request('GET', '/docs');
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toMatch(/text\/html/);
    expect(ui.text).toContain('swagger');

    const { status, body } = await server.request('GET', '/docs-json');
    expect(status).toBe(200);
    expect(body.openapi).toMatch(/^3\./);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(['/', '/sentiment', '/batch-sentiment', '/health', '/health/live', '/health/ready']),
    );
    expect(body.paths['/sentiment'].post.responses).toHaveProperty('200');
    expect(body.paths['/sentiment'].post.responses).toHaveProperty('400');
    expect(body.components.schemas).toHaveProperty('ErrorBodyDto');
  });

  it('maps every engine error code to an HTTP status', () => {
    expect(ERROR_CODES.length).toBeGreaterThan(0);
    for (const code of ERROR_CODES) expect(ERROR_HTTP).toHaveProperty(code);
  });

  it('exposes the loaded engine state', () => {
    expect(server.app.get(EngineService).state).toBe('ready');
  });
});
