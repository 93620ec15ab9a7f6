import { Test } from '@nestjs/testing';
import { Registry } from 'prom-client';
import { FAKE_INFO } from '../../test/support/fake-engine';
import { Exposition, family, histogramProblems, histogramSeries, parseExposition, valueOf } from '../../test/support/prometheus-text';
import { EngineService } from '../engine/engine.service';
import type { EngineStats } from '../engine/engine.types';
import { EngineMetrics } from './engine.metrics';

/** Engine statistics as the native engine reports them: per-bucket counts (last one +Inf), times in ms. */
const STATS: EngineStats = {
  requests: 10,
  rows: 25,
  batches: 7,
  queueDepth: 3,
  inFlightBatches: 2,
  deliveries: 40,
  cache: { hits: 5, misses: 25, size: 20 },
  rejections: { OVERLOADED: 4, INTERNAL: 1 },
  batchSize: { bounds: [1, 2, 4], counts: [2, 3, 1, 1], count: 7, sum: 19 },
  paddingRatio: { bounds: [0.1, 0.5], counts: [4, 2, 1], count: 7, sum: 1.75 },
  queueMs: { bounds: [0.1, 1, 10], counts: [1, 2, 0, 4], count: 7, sum: 12345.5 },
  tokenizeMs: { bounds: [0.25, 2.5], counts: [0, 10, 0], count: 10, sum: 5 },
  inferenceMs: { bounds: [5, 50], counts: [0, 0, 7], count: 7, sum: 1400 },
};

describe('EngineMetrics', () => {
  let registry: Registry;
  const engine = { stats: jest.fn<EngineStats | undefined, []>(), info: () => FAKE_INFO };

  beforeEach(async () => {
    engine.stats.mockReset().mockReturnValue(STATS);
    registry = new Registry();
    const moduleRef = await Test.createTestingModule({
      providers: [EngineMetrics, { provide: Registry, useValue: registry }, { provide: EngineService, useValue: engine }],
    }).compile();
    await moduleRef.init();
  });

  async function scrape(): Promise<Exposition> {
    return parseExposition(await registry.metrics());
  }

  it('exports the counters and gauges as the engine counts them', async () => {
    const exposition = await scrape();
    const expected: Array<[string, string, number]> = [
      ['classifier_engine_requests_total', 'counter', 10],
      ['classifier_engine_rows_total', 'counter', 25],
      ['classifier_engine_batches_total', 'counter', 7],
      ['classifier_engine_cache_hits_total', 'counter', 5],
      ['classifier_engine_cache_misses_total', 'counter', 25],
      ['classifier_engine_cache_entries', 'gauge', 20],
      ['classifier_engine_queue_depth', 'gauge', 3],
      ['classifier_engine_queue_capacity', 'gauge', 4096],
      ['classifier_engine_in_flight_batches', 'gauge', 2],
    ];
    for (const [name, type, value] of expected) {
      expect([name, family(exposition, name).type, valueOf(exposition, name)]).toEqual([name, type, value]);
    }
  });

  it('exports rejections by code, with 0 for the usual codes that have not happened', async () => {
    const exposition = await scrape();
    const rejections = family(exposition, 'classifier_engine_rejections_total');
    expect(rejections.type).toBe('counter');
    expect(Object.fromEntries(rejections.samples.map((s) => [s.labels.code, s.value]))).toEqual({
      OVERLOADED: 4,
      TIMEOUT: 0,
      CANCELLED: 0,
      INTERNAL: 1,
    });
  });

  it('turns per-bucket counts into cumulative buckets, +Inf equal to the count', async () => {
    const exposition = await scrape();
    expect(histogramSeries(exposition, 'classifier_engine_batch_size')).toEqual([
      { labels: {}, buckets: [[1, 2], [2, 5], [4, 6], [Infinity, 7]], sum: 19, count: 7 },
    ]);
    expect(histogramSeries(exposition, 'classifier_engine_padding_ratio')).toEqual([
      { labels: {}, buckets: [[0.1, 4], [0.5, 6], [Infinity, 7]], sum: 1.75, count: 7 },
    ]);
  });

  it('converts the time histograms from milliseconds to seconds: bounds and sums', async () => {
    const text = await registry.metrics();
    // The bounds as a scraper reads them: exact decimal seconds, no binary noise from the conversion.
    expect(text).toContain('classifier_engine_queue_seconds_bucket{le="0.0001"} 1\n');
    expect(text).toContain('classifier_engine_queue_seconds_bucket{le="0.001"} 3\n');
    expect(text).toContain('classifier_engine_queue_seconds_bucket{le="0.01"} 3\n');
    expect(text).toContain('classifier_engine_queue_seconds_bucket{le="+Inf"} 7\n');
    expect(text).toContain('classifier_engine_tokenize_seconds_bucket{le="0.00025"} 0\n');
    expect(text).toContain('classifier_engine_tokenize_seconds_bucket{le="0.0025"} 10\n');

    const exposition = parseExposition(text);
    const [queue] = histogramSeries(exposition, 'classifier_engine_queue_seconds');
    expect(queue.count).toBe(7);
    expect(queue.sum).toBeCloseTo(12.3455, 12);
    const [tokenize] = histogramSeries(exposition, 'classifier_engine_tokenize_seconds');
    expect(tokenize.sum).toBeCloseTo(0.005, 12);
    expect(histogramSeries(exposition, 'classifier_engine_inference_seconds')).toEqual([
      { labels: {}, buckets: [[0.005, 0], [0.05, 0], [Infinity, 7]], sum: 1.4, count: 7 },
    ]);
    for (const name of ['batch_size', 'padding_ratio', 'queue_seconds', 'tokenize_seconds', 'inference_seconds']) {
      expect(histogramProblems(exposition, `classifier_engine_${name}`)).toEqual([]);
    }
  });

  it('reads the engine once per scrape, so every engine metric of a scrape comes from one snapshot', async () => {
    await registry.metrics();
    expect(engine.stats).toHaveBeenCalledTimes(1);
    engine.stats.mockReturnValue({ ...STATS, requests: 11 });
    expect(valueOf(await scrape(), 'classifier_engine_requests_total')).toBe(11);
    expect(engine.stats).toHaveBeenCalledTimes(2);
  });

  it('has no engine samples while no engine is open', async () => {
    engine.stats.mockReturnValue(undefined);
    const exposition = await scrape();
    expect(family(exposition, 'classifier_engine_requests_total').samples).toEqual([]);
    expect(family(exposition, 'classifier_engine_queue_seconds').samples).toEqual([]);
    expect(family(exposition, 'classifier_engine_rejections_total').samples).toEqual([]);
  });
});
