/**
 * Overload end to end: with a small engine queue (ENGINE_QUEUE_CAPACITY), concurrent batch requests that do not
 * fit are answered at once with 429 OVERLOADED and a Retry-After header, the accepted ones complete, and the
 * server keeps serving.
 */
import { startServer, TestServer } from './support/server';

describe('overload (real server, real engine)', () => {
  let server: TestServer;

  beforeAll(async () => {
    // A tiny queue and no cache, so that concurrent requests of 64 distinct texts cannot all be queued.
    server = await startServer({ ENGINE_QUEUE_CAPACITY: '64', ENGINE_CACHE_SIZE: '0', ENGINE_MAX_BATCH_SIZE: '8' });
  });

  afterAll(async () => {
    await server.close();
  });

  test('requests beyond the queue get 429 OVERLOADED with Retry-After; accepted ones complete', async () => {
    const requests = Array.from({ length: 12 }, (_, r) =>
      server.request('POST', '/batch-sentiment', {
        json: { texts: Array.from({ length: 64 }, (_, i) => `request ${r} text ${i}: the film was ${i % 2 ? 'great' : 'awful'}`) },
      }),
    );
    const results = await Promise.all(requests);
    const statuses = results.map((r) => r.status);
    if (!statuses.every((s) => s === 200 || s === 429)) throw new Error(JSON.stringify(results.map((r) => [r.status, r.body])).slice(0, 800));
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(statuses).toContain(200);
    expect(statuses).toContain(429);
    for (const rejected of results.filter((r) => r.status === 429)) {
      expect(rejected.headers.get('retry-after')).toBe('1');
      expect(rejected.body).toEqual({ error: { code: 'OVERLOADED', message: expect.stringMatching(/overloaded/) } });
    }
    for (const accepted of results.filter((r) => r.status === 200)) expect(accepted.body.results).toHaveLength(64);

    const after = await server.request('POST', '/sentiment', { json: { text: 'still serving' } });
    expect(after.status).toBe(200);
  });
});
