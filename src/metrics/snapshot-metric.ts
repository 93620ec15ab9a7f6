import type { Metric, Registry } from 'prom-client';
import type { Histogram as HistogramSnapshot } from '../engine/engine.types';

/** One exposition line of a metric: `<metricName>{labels} value`. */
export interface Sample {
  /** Defaults to the metric's name; a histogram's lines are `<name>_bucket`, `<name>_sum`, `<name>_count`. */
  metricName?: string;
  labels?: Record<string, string>;
  value: number;
}

export type SnapshotMetricType = 'counter' | 'gauge' | 'histogram';

/**
 * A metric whose values are kept elsewhere (the native engine's counters and histograms) and read at scrape
 * time. prom-client's Counter, Gauge and Histogram own their values and cannot be set from outside (a
 * Histogram only grows by observe()), so this is the small collector the Registry accepts instead: it has the
 * name, help, type and `get()` the Registry formats, and nothing to reset.
 */
export class SnapshotMetric {
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: SnapshotMetricType,
    private readonly read: () => Sample[],
  ) {}

  async get() {
    const values = this.read().map(({ metricName, labels, value }) => ({ metricName, labels: labels ?? {}, value }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Registry.resetMetrics() calls this; the values belong to their source, so there is nothing to reset. */
  reset(): void {}

  registerOn(registry: Registry): this {
    // Registry's type lists prom-client's own classes, but it needs only the members above (see prom-client's
    // registry.js: name, type, get, reset).
    registry.registerMetric(this as unknown as Metric);
    return this;
  }
}

/**
 * The exposition lines of a histogram from the engine's snapshot. The engine counts per bucket (its last count
 * is the +Inf bucket); Prometheus wants cumulative buckets: `<name>_bucket{le="b"}` counts every observation
 * <= b, so the +Inf bucket equals `_count`. `convert` changes the unit (e.g. milliseconds to seconds) of the
 * bounds and the sum alike.
 */
export function histogramSamples(name: string, histogram: HistogramSnapshot, convert: (value: number) => number = (v) => v): Sample[] {
  const samples: Sample[] = [];
  let cumulative = 0;
  histogram.bounds.forEach((bound, i) => {
    cumulative += histogram.counts[i] ?? 0;
    samples.push({ metricName: `${name}_bucket`, labels: { le: formatBound(convert(bound)) }, value: cumulative });
  });
  samples.push({ metricName: `${name}_bucket`, labels: { le: '+Inf' }, value: histogram.count });
  samples.push({ metricName: `${name}_sum`, value: convert(histogram.sum) });
  samples.push({ metricName: `${name}_count`, value: histogram.count });
  return samples;
}

/** A bucket bound as text, without binary noise a conversion may add (0.1 * 0.001 is 0.00010000000000000002). */
function formatBound(bound: number): string {
  return String(Number(bound.toPrecision(12)));
}
