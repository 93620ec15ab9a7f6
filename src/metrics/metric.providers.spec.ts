import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Counter, register as globalRegistry, Registry } from 'prom-client';
import { parseExposition, samples, valueOf } from '../../test/support/prometheus-text';
import { counterProvider, gaugeProvider, InjectMetric, registryProvider, setEach } from './metric.providers';

@Injectable()
class FakeJobsService {
  counts: Record<string, number> = { queued: 2, running: 1 };
  failing = false;

  countByState(): Record<string, number> {
    if (this.failing) throw new Error('database is locked');
    return this.counts;
  }
}

const JOBS_DONE = 'test_jobs_done_total';

@Injectable()
class FakeJobsRunner {
  constructor(@InjectMetric(JOBS_DONE) readonly done: Counter<'outcome'>) {}
}

/** A feature module the way a feature adds metrics: providers only, the Registry comes from the app. */
@Module({
  providers: [
    FakeJobsService,
    FakeJobsRunner,
    counterProvider({ name: JOBS_DONE, help: 'Jobs finished.', labelNames: ['outcome'] }),
    gaugeProvider(
      { name: 'test_jobs', help: 'Jobs by state.', labelNames: ['state'] },
      { inject: [FakeJobsService], sample: (gauge, jobs: FakeJobsService) => setEach(gauge, 'state', jobs.countByState()) },
    ),
  ],
})
class FakeJobsModule {}

@Module({ providers: [registryProvider], exports: [registryProvider] })
class RegistryModule {}

async function createApp() {
  const moduleRef = await Test.createTestingModule({ imports: [{ module: RegistryModule, global: true }, FakeJobsModule] })
    .setLogger({ log() {}, error() {}, warn() {} })
    .compile();
  return { registry: moduleRef.get(Registry), runner: moduleRef.get(FakeJobsRunner), jobs: moduleRef.get(FakeJobsService) };
}

describe('metric providers', () => {
  it('register on the application registry, not the global one, so two applications can live in one process', async () => {
    const first = await createApp();
    const second = await createApp();
    first.runner.done.inc({ outcome: 'ok' });
    expect(valueOf(parseExposition(await first.registry.metrics()), JOBS_DONE, { outcome: 'ok' })).toBe(1);
    expect(valueOf(parseExposition(await second.registry.metrics()), JOBS_DONE, { outcome: 'ok' })).toBe(0);
    expect(globalRegistry.getSingleMetric(JOBS_DONE)).toBeUndefined();
  });

  it("collect Node's default metrics on the application registry", async () => {
    const exposition = parseExposition(await (await createApp()).registry.metrics());
    expect(exposition.has('process_cpu_user_seconds_total')).toBe(true);
    expect(exposition.has('nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it('sample a gauge at scrape time from the feature service, dropping series that are gone', async () => {
    const app = await createApp();
    let exposition = parseExposition(await app.registry.metrics());
    expect(valueOf(exposition, 'test_jobs', { state: 'queued' })).toBe(2);
    expect(valueOf(exposition, 'test_jobs', { state: 'running' })).toBe(1);
    app.jobs.counts = { done: 3 };
    exposition = parseExposition(await app.registry.metrics());
    expect(samples(exposition, 'test_jobs').map((s) => [s.labels.state, s.value])).toEqual([['done', 3]]);
  });

  it('keep the scrape working when a feature cannot be sampled', async () => {
    const app = await createApp();
    app.jobs.failing = true;
    const exposition = parseExposition(await app.registry.metrics());
    expect(exposition.has(JOBS_DONE)).toBe(true);
    expect(exposition.has('test_jobs')).toBe(true);
  });
});
