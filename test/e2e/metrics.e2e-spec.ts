/**
 * Prometheus metrics end to end: the real server, engine and demo model, scraped over HTTP and read back with a
 * strict exposition parser, the way Prometheus reads them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineService } from '../../src/engine/engine.service';
import { createApp } from '../../src/main';
import { MetricsListenError, MetricsServer } from '../../src/metrics/metrics.server';
import { Exposition, family, histogramProblems, histogramSeries, parseExposition, samples, valueOf } from '../support/prometheus-text';
import { request, startServer, TestServer } from './support/server';

const POSITIVE_TEXT = 'I absolutely loved this movie! The acting was superb.';
const NEGATIVE_TEXT = 'What a waste of time. The plot made no sense at all.';

async function scrape(baseUrl: string): Promise<Exposition> {
  const response = await request(baseUrl, 'GET', '/metrics');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(response.text);
}

describe('/metrics on the main port (real engine, demo model)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('serves HTTP, prediction, model, engine and Node.js metrics, every histogram well formed', async () => {
    await server.request('POST', '/sentiment', { json: { text: POSITIVE_TEXT } });
    const exposition = await scrape(server.baseUrl);
    const expected: Array<[string, string]> = [
      ['http_requests_total', 'counter'],
      ['http_request_duration_seconds', 'histogram'],
      ['classifier_predictions_total', 'counter'],
      ['classifier_model_info', 'gauge'],
      ['classifier_engine_requests_total', 'counter'],
      ['classifier_engine_rows_total', 'counter'],
      ['classifier_engine_batches_total', 'counter'],
      ['classifier_engine_cache_hits_total', 'counter'],
      ['classifier_engine_cache_misses_total', 'counter'],
      ['classifier_engine_cache_entries', 'gauge'],
      ['classifier_engine_queue_depth', 'gauge'],
      ['classifier_engine_queue_capacity', 'gauge'],
      ['classifier_engine_in_flight_batches', 'gauge'],
      ['classifier_engine_rejections_total', 'counter'],
      ['classifier_engine_batch_size', 'histogram'],
      ['classifier_engine_padding_ratio', 'histogram'],
      ['classifier_engine_queue_seconds', 'histogram'],
      ['classifier_engine_tokenize_seconds', 'histogram'],
      ['classifier_engine_inference_seconds', 'histogram'],
      ['process_cpu_user_seconds_total', 'counter'],
      ['process_resident_memory_bytes', 'gauge'],
      ['nodejs_eventloop_lag_seconds', 'gauge'],
      ['nodejs_heap_size_used_bytes', 'gauge'],
    ];
    for (const [name, type] of expected) expect([name, family(exposition, name).type]).toEqual([name, type]);
    const histograms = [...exposition.values()].filter((f) => f.type === 'histogram');
    expect(histograms.length).toBeGreaterThanOrEqual(6);
    for (const histogram of histograms) expect(histogramProblems(exposition, histogram.name)).toEqual([]);
    const { body: root } = await server.request('GET', '/');
    expect(samples(exposition, 'classifier_model_info').map((s) => [s.labels, s.value])).toEqual([
      [{ model_name: root.model.name, model_version: root.model.version, execution_provider: 'cpu' }, 1],
    ]);
  });

  it('counts a POST /sentiment exactly once, under its label and model version', async () => {
    const before = await scrape(server.baseUrl);
    const { status, body } = await server.request('POST', '/sentiment', { json: { text: NEGATIVE_TEXT } });
    expect(status).toBe(200);
    const after = await scrape(server.baseUrl);
    const count = (exposition: Exposition, label: string) =>
      valueOf(exposition, 'classifier_predictions_total', { label, model_version: body.model_version });
    expect(body.label).toBe('NEGATIVE');
    expect(count(after, 'NEGATIVE') - count(before, 'NEGATIVE')).toBe(1);
    expect(count(after, 'POSITIVE') - count(before, 'POSITIVE')).toBe(0);
  });

  it('counts every text of a batch under its own label', async () => {
    const before = await scrape(server.baseUrl);
    const texts = [POSITIVE_TEXT, NEGATIVE_TEXT, POSITIVE_TEXT, 'Terrible. Just terrible.', 'A wonderful, moving film.'];
    const { status, body } = await server.request('POST', '/batch-sentiment', { json: { texts } });
    expect(status).toBe(200);
    const after = await scrape(server.baseUrl);
    for (const label of ['NEGATIVE', 'POSITIVE']) {
      const labels = { label, model_version: body.model_version };
      const returned = body.results.filter((r: { label: string }) => r.label === label).length;
      expect([label, valueOf(after, 'classifier_predictions_total', labels) - valueOf(before, 'classifier_predictions_total', labels)]).toEqual([
        label,
        returned,
      ]);
    }
  });

  it('counts HTTP requests by route pattern and status; unknown URLs share one series', async () => {
    const before = await scrape(server.baseUrl);
    await server.request('GET', '/health/ready');
    await server.request('GET', '/health/ready');
    await server.request('POST', '/sentiment', { json: { text: 42 } });
    for (const path of ['/wp-login.php', '/.env', '/admin/config?x=1']) expect((await server.request('GET', path)).status).toBe(404);
    const after = await scrape(server.baseUrl);
    const delta = (labels: Record<string, string>) => valueOf(after, 'http_requests_total', labels) - valueOf(before, 'http_requests_total', labels);
    expect(delta({ method: 'GET', route: '/health/ready', status: '200' })).toBe(2);
    expect(delta({ method: 'POST', route: '/sentiment', status: '400' })).toBe(1);
    expect(delta({ method: 'GET', route: 'unmatched', status: '404' })).toBe(3);
    // The scrape before this one is counted like any request on the main port.
    expect(delta({ method: 'GET', route: '/metrics', status: '200' })).toBe(1);
    const routes = new Set(family(after, 'http_requests_total').samples.map((s) => s.labels.route));
    for (const route of routes) expect(['/', '/sentiment', '/batch-sentiment', '/health/ready', '/metrics', 'unmatched']).toContain(route);
    const [readyTimes] = histogramSeries(after, 'http_request_duration_seconds').filter(
      (s) => s.labels.route === '/health/ready' && s.labels.status === '200',
    );
    expect(readyTimes.count).toBe(valueOf(after, 'http_requests_total', { method: 'GET', route: '/health/ready', status: '200' }));
  });

  it("exports the engine's own statistics, times converted to seconds", async () => {
    await server.request('POST', '/batch-sentiment', { json: { texts: ['one fine day', 'two bad days', 'three'] } });
    // Nothing else runs on this server now, so the engine's numbers hold still between the two reads.
    const exposition = await scrape(server.baseUrl);
    const stats = server.app.get(EngineService).stats()!;
    expect(valueOf(exposition, 'classifier_engine_requests_total')).toBe(stats.requests);
    expect(valueOf(exposition, 'classifier_engine_rows_total')).toBe(stats.rows);
    expect(valueOf(exposition, 'classifier_engine_batches_total')).toBe(stats.batches);
    expect(valueOf(exposition, 'classifier_engine_queue_depth')).toBe(0);
    expect(valueOf(exposition, 'classifier_engine_queue_capacity')).toBe(server.app.get(EngineService).info().batching.queueCapacity);
    for (const [name, histogram] of [
      ['classifier_engine_queue_seconds', stats.queueMs],
      ['classifier_engine_tokenize_seconds', stats.tokenizeMs],
      ['classifier_engine_inference_seconds', stats.inferenceMs],
    ] as const) {
      const [series] = histogramSeries(exposition, name);
      expect(series.count).toBe(histogram.count);
      expect(series.sum).toBeCloseTo(histogram.sum / 1000, 9);
      expect(series.buckets.slice(0, -1).map(([le]) => le)).toEqual(histogram.bounds.map((ms) => ms / 1000));
    }
    const [batchSize] = histogramSeries(exposition, 'classifier_engine_batch_size');
    expect(batchSize.count).toBe(stats.batches);
    expect(batchSize.sum).toBe(stats.rows);
  });

  it('is in the OpenAPI document as text/plain', async () => {
    const { body } = await server.request('GET', '/docs-json');
    expect(Object.keys(body.paths['/metrics'].get.responses['200'].content)).toEqual(['text/plain']);
  });
});

describe('METRICS_PORT (real engine, demo model)', () => {
  it('serves /metrics on its own port only, and closes it with the application', async () => {
    const server = await startServer({ METRICS_PORT: '0', HOST: '127.0.0.1' });
    let metricsUrl = '';
    try {
      const address = server.app.get(MetricsServer).address()!;
      expect(address.port).not.toBe(new URL(server.baseUrl).port);
      metricsUrl = `http://127.0.0.1:${address.port}`;

      await server.request('POST', '/sentiment', { json: { text: POSITIVE_TEXT } });
      const exposition = await scrape(metricsUrl);
      expect(valueOf(exposition, 'http_requests_total', { method: 'POST', route: '/sentiment', status: '200' })).toBe(1);
      expect(exposition.has('classifier_engine_rows_total')).toBe(true);
      expect(exposition.has('nodejs_eventloop_lag_seconds')).toBe(true);

      const onMain = await server.request('GET', '/metrics');
      expect(onMain.status).toBe(404);
      expect(onMain.body.error.code).toBe('NOT_FOUND');

      const other = await request(metricsUrl, 'GET', '/health');
      expect(other.status).toBe(404);
      expect(other.body).toEqual({
        error: { code: 'NOT_FOUND', message: 'No route matches GET /health; this port (METRICS_PORT) serves only GET /metrics' },
      });
      const post = await request(metricsUrl, 'POST', '/metrics', { json: {} });
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET, HEAD');
      expect(post.body.error.code).toBe('METHOD_NOT_ALLOWED');
    } finally {
      await server.close();
    }
    await expect(fetch(`${metricsUrl}/metrics`)).rejects.toThrow();
  });

  it('refuses to start, naming the port, when METRICS_PORT is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    const dataDir = mkdtempSync(join(tmpdir(), 'classifier-metrics-'));
    try {
      const failure = createApp({ env: { METRICS_PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent' } });
      await expect(failure).rejects.toBeInstanceOf(MetricsListenError);
      await expect(failure).rejects.toThrow(
        `Cannot serve metrics on 127.0.0.1:${port} (METRICS_PORT): the port is already in use (choose another METRICS_PORT, or leave it unset to serve /metrics on PORT)`,
      );
    } finally {
      blocker.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
