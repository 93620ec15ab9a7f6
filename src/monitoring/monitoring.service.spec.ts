import { Logger } from '@nestjs/common';
import { openStores, type StoreHarness } from '../../test/support/stores';
import { configWithTempDataDir } from '../../test/support/temp-data-dir';
import { Clock } from '../common/clock';
import type { AppConfig } from '../config/app-config';
import { SqliteDatabase } from '../database/sqlite-database';
import { FeedbackService } from '../feedback/feedback.service';
import { SqliteFeedbackStore } from '../feedback/sqlite-feedback.store';
import { PredictionLogService } from '../predictions/prediction-log.service';
import { SqlitePredictionStore } from '../predictions/sqlite-prediction.store';
import { MonitoringService } from './monitoring.service';
import { SqliteMonitoringStore } from './sqlite-monitoring.store';

const MINUTE = 60_000;
/** A window boundary (windows of 1 minute here). */
const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const ENV = { MONITOR_WINDOW_MINUTES: '1', MONITOR_MIN_SAMPLES: '4', MONITOR_DEGRADATION_THRESHOLD: '0.25', MONITOR_HISTORY_WINDOWS: '3' };
const SCORES = { NEGATIVE: 0.5, POSITIVE: 0.5 };

class FakeClock extends Clock {
  time = T0;
  override now(): number {
    return this.time;
  }
}

describe('MonitoringService', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    cleanups.splice(0).reverse().forEach((cleanup) => cleanup());
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  function tempDataDir(): { config: AppConfig } {
    const temp = configWithTempDataDir(ENV);
    cleanups.push(temp.remove);
    return temp;
  }

  /** Everything on one real database: prediction log, feedback, monitoring (started), with a settable clock. */
  async function start({ config }: { config: AppConfig } = tempDataDir(), clock = new FakeClock()) {
    const database = new SqliteDatabase(config);
    const predictions = new PredictionLogService(new SqlitePredictionStore(database), config);
    const feedback = new FeedbackService(predictions, new SqliteFeedbackStore(database), clock, config);
    const store = new SqliteMonitoringStore(database);
    const monitoring = new MonitoringService(feedback, store, clock, config);
    await monitoring.onModuleInit();
    cleanups.push(() => {
      monitoring.onApplicationShutdown();
      database.onApplicationShutdown();
    });
    /** Logs `count` predictions of `predicted` by `version` and sends `actual` as feedback for each, now. */
    const label = async (predicted: string, actual: string, count = 1, version = 'v1') => {
      const inputs = Array.from({ length: count }, () => ({ text: 't', label: predicted, score: 0.5, scores: SCORES }));
      const records = await predictions.record(inputs, version, { source: 'batch', latencyMs: 1 });
      for (const record of records) await feedback.submit(record.id, actual);
      return records.map((record) => record.id);
    };
    return { monitoring, feedback, store, database, clock, label, stop: () => database.onApplicationShutdown() };
  }

  it('reports each window of each version, with its figures, as feedback arrives', async () => {
    const { monitoring, label, clock } = await start();
    clock.time = T0 + 10_000;
    await label('POSITIVE', 'POSITIVE', 3);
    await label('POSITIVE', 'NEGATIVE', 1);
    await label('NEGATIVE', 'NEGATIVE', 2);
    await label('NEGATIVE', 'POSITIVE', 2);
    await label('NEGATIVE', 'NEGATIVE', 1, 'v0');
    const report = monitoring.report();
    expect(report).toMatchObject({ generated_at: '2025-03-01T10:00:10.000Z', window_minutes: 1, min_samples: 4, degradation_threshold: 0.25, history_windows: 3 });
    expect(report.models.map((m) => m.model_version)).toEqual(['v0', 'v1']);
    const v1 = report.models[1];
    expect(v1).toMatchObject({ degraded: false, assessed_window_start: '2025-03-01T10:00:00.000Z', baseline: null, history: [] });
    // NEGATIVE: TP 2, predicted 4, support 3; POSITIVE: TP 3, predicted 4, support 5 (worked out by hand).
    expect(v1.current).toEqual({
      model_version: 'v1',
      start: '2025-03-01T10:00:00.000Z',
      end: '2025-03-01T10:01:00.000Z',
      closed: false,
      samples: 8,
      correct: 5,
      accuracy: 5 / 8,
      weighted_precision: expect.closeTo(0.65625, 12),
      weighted_recall: expect.closeTo(0.625, 12),
      weighted_f1: expect.closeTo(53 / 84, 12),
      labels: [
        { label: 'NEGATIVE', precision: 0.5, recall: expect.closeTo(2 / 3, 12), f1: expect.closeTo(4 / 7, 12), support: 3, predicted: 4 },
        { label: 'POSITIVE', precision: 0.75, recall: 0.6, f1: expect.closeTo(2 / 3, 12), support: 5, predicted: 4 },
      ],
      degradation: { status: 'no_baseline', degraded: false, baseline_f1: null, relative_drop: null, threshold: 0.25 },
    });
    expect(monitoring.report({ model_version: 'v0' }).models.map((m) => m.model_version)).toEqual(['v0']);
  });

  it('rebuilds the same report after a restart from the database (feedback joined with predictions), replacements included', async () => {
    const dataDir = tempDataDir();
    const first = await start(dataDir);
    first.clock.time = T0 + 1000;
    await first.label('POSITIVE', 'POSITIVE', 4);
    first.clock.time = T0 + MINUTE + 1000;
    const [replaced] = await first.label('NEGATIVE', 'NEGATIVE', 3);
    await first.label('NEGATIVE', 'POSITIVE', 2, 'v2');
    first.clock.time = T0 + 2 * MINUTE + 1000;
    await first.feedback.submit(replaced, 'POSITIVE'); // moves from the window of T0 + 1 min to the current one
    const before = first.monitoring.report();
    expect(before.models.find((m) => m.model_version === 'v1')?.history.map((w) => w.samples)).toEqual([2, 4]);
    first.monitoring.onApplicationShutdown();
    first.stop();

    const second = await start(dataDir, first.clock);
    expect(second.monitoring.report()).toEqual(before);
  });

  it('runs its SQL once, at startup: feedback and reads use the windows in memory', async () => {
    const { monitoring, label, store } = await start();
    const labelledCounts = jest.spyOn(store, 'labelledCounts');
    await label('POSITIVE', 'NEGATIVE', 5);
    monitoring.report();
    monitoring.currentFigures();
    expect(labelledCounts).not.toHaveBeenCalled();
    expect(monitoring.report().models[0].current?.samples).toBe(5);
  });

  it('reads only the feedback of the kept windows, through the covering index', async () => {
    const { store } = await start();
    const plan = store.explainLabelledCounts().join('\n');
    expect(plan).toMatch(/SEARCH f USING COVERING INDEX feedback_received_at \(received_at>\?\)/);
    expect(plan).toMatch(/SEARCH p USING PRIMARY KEY \(id=\?\)/);
  });

  it('fixes the baseline when its window ends, stores it, and keeps it across a restart', async () => {
    jest.useFakeTimers();
    const dataDir = tempDataDir();
    const clock = new FakeClock();
    clock.time = T0 + 30_000;
    const first = await start(dataDir, clock);
    await first.label('POSITIVE', 'POSITIVE', 4);
    expect(await first.store.baselines()).toEqual([]);
    // Nobody reads: the timer rolls the windows at the boundary.
    first.clock.time = T0 + MINUTE + 1;
    jest.advanceTimersByTime(30_001);
    const baseline = { modelVersion: 'v1', start: T0, end: T0 + MINUTE, samples: 4, accuracy: 1, weightedF1: 1, establishedAt: T0 + MINUTE + 1 };
    expect(await first.store.baselines()).toEqual([baseline]);
    first.monitoring.onApplicationShutdown();
    first.stop();

    first.clock.time = T0 + 2 * MINUTE;
    const second = await start(dataDir, first.clock);
    expect(await second.store.baselines()).toEqual([baseline]);
    expect(second.monitoring.report().models[0].baseline).toEqual({
      start: '2025-03-01T10:00:00.000Z',
      end: '2025-03-01T10:01:00.000Z',
      samples: 4,
      accuracy: 1,
      weighted_f1: 1,
      established_at: '2025-03-01T10:01:00.001Z',
    });
  });

  it('logs one structured warning when degradation starts and one when it ends', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { monitoring, label, clock } = await start();
    clock.time = T0;
    await label('POSITIVE', 'POSITIVE', 4); // baseline: weighted F1 1
    clock.time = T0 + MINUTE;
    await label('POSITIVE', 'NEGATIVE', 6); // weighted F1 0
    expect(monitoring.report().models[0]).toMatchObject({ degraded: true, current: { degradation: { status: 'degraded', relative_drop: 1 } } });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toEqual({
      msg: 'Model version v1 is degraded: weighted F1 0.0000 is 100.0 % below its baseline 1.0000 (threshold 25 %)',
      event: 'model_degradation_started',
      model_version: 'v1',
      window_start: '2025-03-01T10:01:00.000Z',
      window_end: '2025-03-01T10:02:00.000Z',
      samples: 4,
      accuracy: 0,
      weighted_f1: 0,
      baseline_f1: 1,
      relative_drop: 1,
      threshold: 0.25,
    });

    clock.time = T0 + 2 * MINUTE;
    await label('POSITIVE', 'POSITIVE', 3); // too few to judge: still degraded, nothing logged
    expect(warn).toHaveBeenCalledTimes(1);
    await label('POSITIVE', 'POSITIVE', 3);
    expect(monitoring.report().models[0].degraded).toBe(false);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls[1][0]).toMatchObject({ event: 'model_degradation_ended', model_version: 'v1', samples: 4, weighted_f1: 1, relative_drop: 0 });
  });

  it('gives cheap current figures per version for metrics', async () => {
    const { monitoring, label } = await start();
    await label('POSITIVE', 'POSITIVE', 3);
    await label('POSITIVE', 'NEGATIVE', 1);
    await label('NEGATIVE', 'NEGATIVE', 1, 'v2');
    expect(monitoring.currentFigures()).toEqual([
      { modelVersion: 'v1', windowStart: T0, windowEnd: T0 + MINUTE, samples: 4, accuracy: 0.75, weightedF1: expect.any(Number), degraded: false, assessed: true },
      { modelVersion: 'v2', windowStart: T0, windowEnd: T0 + MINUTE, samples: 1, accuracy: 1, weightedF1: 1, degraded: false, assessed: false },
    ]);
  });

  it('returns at most the history asked for, and never more than MONITOR_HISTORY_WINDOWS', async () => {
    const { monitoring, label, clock } = await start();
    for (let i = 0; i < 5; i++) {
      clock.time = T0 + i * MINUTE;
      await label('POSITIVE', 'POSITIVE');
    }
    expect(monitoring.report({ history: 2 }).models[0].history).toHaveLength(2);
    expect(monitoring.report({ history: 100 }).models[0].history).toHaveLength(3);
    expect(monitoring.report().models[0].history).toHaveLength(3);
  });
});

describe('MonitoringService on PostgreSQL (several replicas)', () => {
  let harness: StoreHarness;
  const services: MonitoringService[] = [];
  afterEach(async () => {
    services.splice(0).forEach((service) => service.onApplicationShutdown());
    jest.restoreAllMocks();
    await harness.close();
  });

  /** One replica's prediction log, feedback and monitoring (started) on the shared database. */
  async function replica(clock: Clock) {
    const { config, predictions: predictionStore, feedback: feedbackStore, monitoring: store } = harness.replica();
    const predictions = new PredictionLogService(predictionStore, config);
    const feedback = new FeedbackService(predictions, feedbackStore, clock, config);
    const monitoring = new MonitoringService(feedback, store, clock, config);
    await monitoring.onModuleInit();
    services.push(monitoring);
    const label = async (predicted: string, actual: string, count = 1) => {
      const inputs = Array.from({ length: count }, () => ({ text: 't', label: predicted, score: 0.5, scores: SCORES }));
      for (const record of await predictions.record(inputs, 'v1', { source: 'batch', latencyMs: 1 })) await feedback.submit(record.id, actual);
    };
    return { monitoring, label, store };
  }

  it('gives the same figures on every replica, from the shared store, once each has refreshed', async () => {
    harness = await openStores('PostgreSQL', ENV);
    const clock = new FakeClock();
    clock.time = T0 + 10_000;
    const [a, b] = [await replica(clock), await replica(clock)];
    await a.label('POSITIVE', 'POSITIVE', 3);
    await b.label('POSITIVE', 'NEGATIVE', 2);
    // Before a reload neither counts the feedback it received itself: both still agree (on nothing yet).
    expect(a.monitoring.report()).toEqual(b.monitoring.report());
    await Promise.all([a.monitoring.refresh(), b.monitoring.refresh()]);
    const report = a.monitoring.report();
    expect(report.models.map((m) => [m.model_version, m.current?.samples, m.current?.correct])).toEqual([['v1', 5, 3]]);
    expect(b.monitoring.report()).toEqual(report);
  });

  it('reloads by itself every MONITOR_REFRESH_SECONDS', async () => {
    harness = await openStores('PostgreSQL', { ...ENV, MONITOR_WINDOW_MINUTES: '60', MONITOR_REFRESH_SECONDS: '1' });
    const clock = new Clock();
    const [a, b] = [await replica(clock), await replica(clock)];
    await a.label('NEGATIVE', 'NEGATIVE', 2);
    const samples = () => b.monitoring.report().models[0]?.current?.samples;
    // Nobody calls refresh(): the replica's timer must pick up the feedback sent to the other one.
    const deadline = Date.now() + 10_000;
    while (samples() !== 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(samples()).toBe(2);
  });

  it('keeps the last figures, and keeps serving, when a reload fails', async () => {
    harness = await openStores('PostgreSQL', ENV);
    const clock = new FakeClock();
    clock.time = T0 + 10_000;
    const a = await replica(clock);
    await a.label('POSITIVE', 'POSITIVE', 2);
    await a.monitoring.refresh();
    const before = a.monitoring.report();
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(a.store, 'labelledCounts').mockRejectedValueOnce(new Error('connection terminated'));
    await expect(a.monitoring.refresh()).resolves.toBeUndefined();
    expect(a.monitoring.report()).toEqual(before);
    await a.label('POSITIVE', 'NEGATIVE', 1);
    await a.monitoring.refresh();
    expect(a.monitoring.report().models[0].current?.samples).toBe(3);
  });
});
