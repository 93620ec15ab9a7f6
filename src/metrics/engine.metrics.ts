import { Injectable, OnModuleInit } from '@nestjs/common';
import { Registry } from 'prom-client';
import { EngineService } from '../engine/engine.service';
import type { EngineStats } from '../engine/engine.types';
import { histogramSamples, Sample, SnapshotMetric, SnapshotMetricType } from './snapshot-metric';

/** Rejection codes always exported (0 until one happens), so `rate()` works from the first scrape. */
const REJECTION_CODES = ['OVERLOADED', 'TIMEOUT', 'CANCELLED'] as const;

const msToSeconds = (ms: number) => ms / 1000;

/**
 * The native engine's own statistics (engine.stats()) as Prometheus metrics, read at scrape time: nothing is
 * polled and nothing is copied between scrapes. Before the model is loaded and after the engine is closed they
 * have no samples. The engine measures time in milliseconds; the metrics are in seconds.
 */
@Injectable()
export class EngineMetrics implements OnModuleInit {
  /** One stats() snapshot serves every engine metric of a scrape, so they agree with each other. */
  private snapshot: EngineStats | undefined;
  private snapshotTaken = false;

  constructor(
    private readonly registry: Registry,
    private readonly engine: EngineService,
  ) {}

  onModuleInit(): void {
    const counter = (name: string, help: string, value: (s: EngineStats) => number) => this.scalar(name, help, 'counter', value);
    const gauge = (name: string, help: string, value: (s: EngineStats) => number) => this.scalar(name, help, 'gauge', value);

    counter('classifier_engine_requests_total', 'Classify calls the engine accepted (one per request or job chunk, whatever its number of texts).', (s) => s.requests);
    counter('classifier_engine_rows_total', 'Texts the engine computed (cache hits excluded).', (s) => s.rows);
    counter('classifier_engine_batches_total', 'Batches the engine ran.', (s) => s.batches);
    counter('classifier_engine_cache_hits_total', 'Texts answered from the result cache.', (s) => s.cache.hits);
    counter('classifier_engine_cache_misses_total', 'Texts looked up in the result cache and not found.', (s) => s.cache.misses);
    gauge('classifier_engine_cache_entries', 'Results held in the result cache (ENGINE_CACHE_SIZE is the most).', (s) => s.cache.size);
    gauge('classifier_engine_queue_depth', 'Texts waiting for a batch right now.', (s) => s.queueDepth);
    gauge('classifier_engine_queue_capacity', 'Texts the queue holds before calls are rejected with 429 OVERLOADED (ENGINE_QUEUE_CAPACITY).', () => this.engine.info().batching.queueCapacity);
    gauge('classifier_engine_in_flight_batches', 'Batches being computed right now.', (s) => s.inFlightBatches);

    this.metric('classifier_engine_rejections_total', 'Calls the engine rejected before computing them, by code: OVERLOADED (queue full), TIMEOUT, CANCELLED.', 'counter', (s) => {
      const counts: Record<string, number> = Object.fromEntries(REJECTION_CODES.map((code) => [code, 0]));
      for (const [code, count] of Object.entries(s.rejections)) counts[code] = count ?? 0;
      return Object.entries(counts).map(([code, value]) => ({ labels: { code }, value }));
    });

    this.histogram('classifier_engine_batch_size', 'Texts per batch.', (s) => s.batchSize);
    this.histogram('classifier_engine_padding_ratio', 'Share of padding cells in each batch (compute spent on padding).', (s) => s.paddingRatio);
    this.histogram('classifier_engine_queue_seconds', 'Per call: time from submission to the start of its (last) batch.', (s) => s.queueMs, msToSeconds);
    this.histogram('classifier_engine_tokenize_seconds', 'Per call: tokenization time.', (s) => s.tokenizeMs, msToSeconds);
    this.histogram('classifier_engine_inference_seconds', 'Per batch: ONNX Runtime time.', (s) => s.inferenceMs, msToSeconds);
  }

  private scalar(name: string, help: string, type: SnapshotMetricType, value: (s: EngineStats) => number): void {
    this.metric(name, help, type, (s) => [{ value: value(s) }]);
  }

  private histogram(name: string, help: string, of: (s: EngineStats) => EngineStats['batchSize'], convert?: (v: number) => number): void {
    this.metric(name, help, 'histogram', (s) => histogramSamples(name, of(s), convert));
  }

  private metric(name: string, help: string, type: SnapshotMetricType, samples: (s: EngineStats) => Sample[]): void {
    new SnapshotMetric(name, help, type, () => {
      const stats = this.stats();
      return stats ? samples(stats) : [];
    }).registerOn(this.registry);
  }

  /**
   * The engine's statistics for the scrape in progress. The Registry calls every metric's get() in one
   * synchronous loop, so the snapshot taken by the first is kept until the current job ends (a microtask).
   */
  private stats(): EngineStats | undefined {
    if (!this.snapshotTaken) {
      this.snapshot = this.engine.stats();
      this.snapshotTaken = true;
      queueMicrotask(() => {
        this.snapshotTaken = false;
        this.snapshot = undefined;
      });
    }
    return this.snapshot;
  }
}
