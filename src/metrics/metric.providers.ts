import { FactoryProvider, Inject, InjectionToken, Logger } from '@nestjs/common';
import {
  collectDefaultMetrics,
  Counter,
  CounterConfiguration,
  Gauge,
  GaugeConfiguration,
  Histogram,
  HistogramConfiguration,
  Registry,
} from 'prom-client';

/**
 * The application's own metrics registry. Never prom-client's global default registry: each application
 * instance (several live in one jest process) has its own, so metric names cannot collide between them.
 * Node's default metrics (CPU, memory, heap, GC, event loop lag, handles) are collected on it at scrape time.
 */
export const registryProvider: FactoryProvider<Registry> = {
  provide: Registry,
  useFactory: () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    return registry;
  },
};

/** Injection token of the metric registered under `name`. */
export function metricToken(name: string): string {
  return `PROMETHEUS_METRIC:${name}`;
}

/** Injects the metric a `*Provider` below registered: `@InjectMetric(HTTP_REQUESTS_TOTAL) counter: Counter<...>`. */
export const InjectMetric = (name: string): ParameterDecorator => Inject(metricToken(name));

/** A metric's configuration without the registries: the provider always registers on the app's registry. */
type Config<C> = Omit<C, 'registers' | 'collect'>;

/**
 * Reads a value from a feature at scrape time (pull: no timers). `inject` names the providers handed to
 * `sample` after the metric, e.g. `{ inject: [JobsService], sample: (gauge, jobs) => ... }`.
 */
export interface ScrapeSampler<M, Deps extends unknown[]> {
  inject: { [K in keyof Deps]: InjectionToken<Deps[K]> };
  sample(metric: M, ...deps: Deps): void;
}

export function counterProvider<L extends string>(config: Config<CounterConfiguration<L>>): FactoryProvider<Counter<L>> {
  return {
    provide: metricToken(config.name),
    inject: [Registry],
    useFactory: (registry: Registry) => new Counter<L>({ ...config, registers: [registry] }),
  };
}

export function histogramProvider<L extends string>(config: Config<HistogramConfiguration<L>>): FactoryProvider<Histogram<L>> {
  if (!config.buckets) throw new Error(`Histogram ${config.name} needs explicit buckets. This is a bug.`);
  return {
    provide: metricToken(config.name),
    inject: [Registry],
    useFactory: (registry: Registry) => new Histogram<L>({ ...config, registers: [registry] }),
  };
}

/**
 * A gauge, optionally set at every scrape by `sampler` from the providers it injects. This is how a feature adds
 * a metric: one entry in its module's providers, e.g.
 * `gaugeProvider({ name: 'classifier_jobs', help: '...', labelNames: ['state'] }, { inject: [JobsService],
 * sample: (gauge, jobs) => setEach(gauge, 'state', jobs.countByState()) })`.
 */
export function gaugeProvider<L extends string, Deps extends unknown[] = []>(
  config: Config<GaugeConfiguration<L>>,
  sampler?: ScrapeSampler<Gauge<L>, Deps>,
): FactoryProvider<Gauge<L>> {
  const logger = new Logger('Metrics');
  return {
    provide: metricToken(config.name),
    inject: [Registry, ...(sampler?.inject ?? [])],
    useFactory: (registry: Registry, ...deps: unknown[]) =>
      new Gauge<L>({
        ...config,
        registers: [registry],
        collect: sampler
          ? function (this: Gauge<L>) {
              // One failing feature must not fail the whole scrape: its gauge keeps its last values.
              try {
                sampler.sample(this, ...(deps as Deps));
              } catch (error) {
                logger.warn(`Could not sample ${config.name}: ${(error as Error).message}`);
              }
            }
          : undefined,
      }),
  };
}

/**
 * Replaces every series of a one-label gauge with `counts` (e.g. jobs by state): series whose key is gone
 * disappear instead of keeping a stale value.
 */
export function setEach<L extends string>(gauge: Gauge<L>, label: L, counts: Readonly<Record<string, number>>): void {
  gauge.reset();
  for (const [key, value] of Object.entries(counts)) gauge.set({ [label]: key } as Partial<Record<L, string>>, value);
}
