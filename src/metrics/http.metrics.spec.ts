import { HttpAdapterHost } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import Fastify, { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { family, histogramProblems, histogramSeries, parseExposition, valueOf } from '../../test/support/prometheus-text';
import { HTTP_METRIC_PROVIDERS, HttpMetrics } from './http.metrics';

describe('HttpMetrics', () => {
  let registry: Registry;
  let fastify: FastifyInstance;

  beforeEach(async () => {
    registry = new Registry();
    const moduleRef = await Test.createTestingModule({
      providers: [HttpMetrics, ...HTTP_METRIC_PROVIDERS, { provide: Registry, useValue: registry }, { provide: HttpAdapterHost, useValue: {} }],
    }).compile();
    fastify = Fastify();
    fastify.get('/job/:id', async () => ({ ok: true }));
    fastify.post('/fail', async (_request, reply) => reply.code(503).send({ busy: true }));
    moduleRef.get(HttpMetrics).install(fastify);
    await fastify.ready();
  });

  afterEach(async () => {
    await fastify.close();
  });

  async function scrape() {
    return parseExposition(await registry.metrics());
  }

  it('labels requests with the route pattern, not the URL', async () => {
    await fastify.inject({ method: 'GET', url: '/job/1' });
    await fastify.inject({ method: 'GET', url: '/job/2?verbose=1' });
    await fastify.inject({ method: 'POST', url: '/fail' });
    const exposition = await scrape();
    expect(valueOf(exposition, 'http_requests_total', { method: 'GET', route: '/job/:id', status: '200' })).toBe(2);
    expect(valueOf(exposition, 'http_requests_total', { method: 'POST', route: '/fail', status: '503' })).toBe(1);
    expect(family(exposition, 'http_requests_total').samples).toHaveLength(2);
  });

  it('puts every unmatched URL into one series', async () => {
    for (let i = 0; i < 20; i++) await fastify.inject({ method: 'GET', url: `/scan/${i}/wp-login.php` });
    const exposition = await scrape();
    expect(family(exposition, 'http_requests_total').samples).toEqual([
      { name: 'http_requests_total', labels: { method: 'GET', route: 'unmatched', status: '404' }, value: 20 },
    ]);
    const routes = new Set(family(exposition, 'http_request_duration_seconds').samples.map((s) => s.labels.route));
    expect([...routes]).toEqual(['unmatched']);
  });

  it('times every request, in seconds, into a well-formed histogram with the same labels', async () => {
    await fastify.inject({ method: 'GET', url: '/job/1' });
    await fastify.inject({ method: 'GET', url: '/job/1' });
    const exposition = await scrape();
    expect(histogramProblems(exposition, 'http_request_duration_seconds')).toEqual([]);
    const [series] = histogramSeries(exposition, 'http_request_duration_seconds');
    expect(series.labels).toEqual({ method: 'GET', route: '/job/:id', status: '200' });
    expect(series.count).toBe(2);
    expect(series.buckets.map(([le]) => le)).toEqual([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, Infinity]);
  });

  it("converts Fastify's elapsed milliseconds to seconds", async () => {
    let hook: ((request: unknown, reply: unknown, done: () => void) => void) | undefined;
    const captured = { addHook: (_name: string, fn: typeof hook) => (hook = fn) } as unknown as FastifyInstance;
    const moduleRef = await Test.createTestingModule({
      providers: [HttpMetrics, ...HTTP_METRIC_PROVIDERS, { provide: Registry, useValue: (registry = new Registry()) }, { provide: HttpAdapterHost, useValue: {} }],
    }).compile();
    moduleRef.get(HttpMetrics).install(captured);
    hook!({ method: 'POST', routeOptions: { url: '/sentiment' } }, { statusCode: 200, elapsedTime: 1234.5 }, () => undefined);
    const [series] = histogramSeries(await scrape(), 'http_request_duration_seconds');
    expect(series.sum).toBeCloseTo(1.2345, 12);
    expect(series.buckets.filter(([le]) => le === 1 || le === 2.5)).toEqual([
      [1, 0],
      [2.5, 1],
    ]);
  });
});
