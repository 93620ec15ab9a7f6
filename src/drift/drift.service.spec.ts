/**
 * DriftService on a real SQLite store and the real prediction log, with a fake engine (deterministic captured
 * features) and an evaluator that records each job and answers what the test asks (or runs the real statistics).
 */
import { Logger } from '@nestjs/common';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Classification, EngineInfo } from '../../lib';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { PostgresDatabase } from '../database/postgres-database';
import { SqliteDatabase } from '../database/sqlite-database';
import { EngineService } from '../engine/engine.service';
import { ModelEventsService } from '../models/model-events.service';
import { PredictionLogService } from '../predictions/prediction-log.service';
import { PostgresPredictionStore } from '../predictions/postgres-prediction.store';
import { SqlitePredictionStore } from '../predictions/sqlite-prediction.store';
import type { PredictionSource } from '../predictions/prediction.types';
import { FAKE_INFO } from '../../test/support/fake-engine';
import { createTestDatabase, type TestDatabase } from '../../test/support/postgres';
import { configWithTempDataDir } from '../../test/support/temp-data-dir';
import { DriftReportService } from './drift-report.service';
import { DriftService } from './drift.service';
import { PostgresDriftStore } from './postgres-drift.store';
import { SqliteDriftStore } from './sqlite-drift.store';
import { EvaluationJob, ReferenceFit, ReferenceJob, runEvaluationJob, runReferenceJob } from './evaluation-job';
import type { DriftEvaluation } from './feature-set';
import { EvaluationOutcome, WindowEvaluator } from './window-evaluator';

const DIM = 4;
const INFO: EngineInfo = {
  ...FAKE_INFO,
  drift: { captureFeatures: true, embeddingOutput: 'sentence_embedding', embeddingDim: DIM, embeddingSource: 'pooled' },
};

/** Features that depend on the text only, so a reference and a window of the same texts look alike. */
function classify(text: string): Classification {
  const positive = text.includes('good');
  const score = positive ? 0.9 : 0.7;
  const embedding = new Float32Array(DIM);
  for (let d = 0; d < DIM; d++) embedding[d] = ((text.length * (d + 1)) % 17) / 17 + (positive ? 1 : 0);
  return {
    label: positive ? 'POSITIVE' : 'NEGATIVE',
    score,
    scores: positive ? { NEGATIVE: 0.1, POSITIVE: 0.9 } : { NEGATIVE: 0.7, POSITIVE: 0.3 },
    features: { embedding, tokenCount: text.split(' ').length + 2, specialTokens: 2, unknownTokens: text.includes('?') ? 1 : 0, truncated: text.length > 60 },
  };
}

class FakeClock extends Clock {
  time = Date.UTC(2026, 10, 30, 12);
  now(): number {
    return this.time;
  }
}

/** Records jobs; answers with `answer(job)` (default: the real statistics, inline). */
class RecordingEvaluator extends WindowEvaluator {
  jobs: EvaluationJob[] = [];
  answer: (job: EvaluationJob) => DriftEvaluation = runEvaluationJob;
  async evaluate(job: EvaluationJob): Promise<EvaluationOutcome> {
    this.jobs.push(job);
    return { evaluation: this.answer(job), evaluationMs: 12.5 };
  }
  referenceJobs = 0;
  async fitReference(job: ReferenceJob): Promise<ReferenceFit> {
    this.referenceJobs++;
    return runReferenceJob(job);
  }
}

const verdict = (status: 'ok' | 'drift'): DriftEvaluation => ({
  status,
  alpha: 0.05,
  correction: 'holm',
  tests: [
    { feature: 'confidence', test: 'ks', statistic: 0.5, p_value: 0.001, adjusted_p_value: status === 'drift' ? 0.01 : 0.5, drifted: status === 'drift' },
  ],
});

function referenceTexts(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${i % 2 ? 'good' : 'bad'} review number ${i}${' x'.repeat(i % 7)}`);
}

describe('DriftService', () => {
  const cleanups: Array<() => void> = [];
  beforeEach(() => {
    // Quiet specs: the lines are asserted where they matter.
    for (const level of ['log', 'warn', 'error'] as const) jest.spyOn(Logger.prototype, level).mockImplementation(() => undefined);
  });
  afterEach(() => {
    while (cleanups.length) cleanups.pop()!();
    jest.restoreAllMocks();
  });

  function modelDir(files: Record<string, string> = {}): string {
    const dir = mkdtempSync(join(tmpdir(), 'drift-model-'));
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  /** A service over a real database (reused across "restarts" when `config` is passed again). */
  async function start(options: { env?: Record<string, string>; dir?: string; config?: AppConfig } = {}) {
    let config = options.config;
    if (!config) {
      const temp = configWithTempDataDir({ DRIFT_WINDOW_SIZE: '20', DRIFT_MIN_SAMPLES: '10', ...options.env, MODEL_DIR: options.dir ?? modelDir() });
      cleanups.push(temp.remove);
      config = temp.config;
    }
    const database = new SqliteDatabase(config);
    const predictions = new PredictionLogService(new SqlitePredictionStore(database), config);
    const engine = {
      modelVersion: 'v1',
      info: () => INFO,
      classify: jest.fn(async (texts: string[]) => texts.map(classify)),
    } as unknown as EngineService;
    const evaluator = new RecordingEvaluator();
    const clock = new FakeClock();
    const events = new ModelEventsService();
    const drift = new DriftService(config, engine, predictions, new SqliteDriftStore(database), evaluator, clock, events);
    await drift.onModuleInit();
    // The model registry announces production once it is loaded; drift attaches it from that event.
    events.versionLoaded({ version: 'v1', engine: engine as never, modelDir: config.modelDir, role: 'production' });
    await drift.idle();
    const stop = async () => {
      await drift.onApplicationShutdown();
      database.onApplicationShutdown();
    };
    cleanups.push(() => void stop());
    /** Commits predictions for `texts` as the inference service does (the engine's result objects passed through). */
    const predict = (texts: string[], source: PredictionSource = 'batch', version = 'v1') =>
      predictions.record(texts.map((text) => ({ text, ...classify(text) })), version, { source, latencyMs: 1 });
    const report = () => drift.attached()[0];
    return { drift, config, evaluator, clock, predict, report, stop, engine };
  }

  it('closes a window every DRIFT_WINDOW_SIZE predictions; without a reference it is recorded as no_reference', async () => {
    const { drift, predict, report, evaluator } = await start();
    await predict(referenceTexts(45));
    await drift.idle();
    expect(report().history.map((w) => [w.sequence, w.status, w.size, w.closedBy])).toEqual([
      [2, 'no_reference', 20, 'size'],
      [1, 'no_reference', 20, 'size'],
    ]);
    expect(report().buffer.size).toBe(5);
    expect(evaluator.jobs).toHaveLength(0);
  });

  it('counts only the sources in DRIFT_SOURCES and only predictions that carry captured features', async () => {
    const { drift, predict, report } = await start({ env: { DRIFT_SOURCES: 'sentiment,job' } });
    await predict(['good one'], 'batch');
    await predict(['good one'], 'sentiment');
    await predict(['good one'], 'job');
    await predict(['good one'], 'job', 'another-version');
    const predictions = (drift as unknown as { predictions: PredictionLogService }).predictions;
    await predictions.record([{ text: 'no features', label: 'NEGATIVE', score: 0.6, scores: { NEGATIVE: 0.6, POSITIVE: 0.4 } }], 'v1', {
      source: 'job',
      latencyMs: 1,
    });
    expect(report().buffer.size).toBe(2);
  });

  it('never persists the in-memory features with the prediction', async () => {
    const { predict } = await start();
    const [record] = await predict(['good text']);
    expect(record.features?.captured.tokenCount).toBe(4);
  });

  it('builds the reference from drift_reference.txt: a seeded half fits the projection, the other half is the reference', async () => {
    const texts = referenceTexts(120);
    const dir = modelDir({ 'drift_reference.txt': texts.join('\n') + '\n\n' });
    const { report, drift } = await start({ dir });
    const reference = report().reference!;
    expect(reference.stored).toMatchObject({ source: 'file', size: 60, projectionFitSize: 60, file: join(dir, 'drift_reference.txt') });
    expect(reference.stored.projection).toMatchObject({ method: 'pca', inputDim: DIM, outputDim: DIM });
    expect(reference.features.embeddingDim).toBe(DIM);
    expect(reference.stored.bandwidth).toBeGreaterThan(0);
    // The same texts give the same split and the same reference.
    const again = await start({ dir });
    expect(again.report().reference!.stored.features).toEqual(reference.stored.features);
    expect(drift.attached()[0].referenceState).toBe('ready');
  });

  it('fits the projection and the bandwidth through the evaluator (the worker thread in production), not inline', async () => {
    const dir = modelDir({ 'drift_reference.txt': referenceTexts(120).join('\n') });
    const { evaluator, report } = await start({ dir });
    expect(evaluator.referenceJobs).toBe(1);
    expect(report().reference!.stored.projection).not.toBeNull();
  });

  it('uses drift_projection_fit.txt for the projection when present, and the whole reference file as reference', async () => {
    const dir = modelDir({
      'drift_reference.jsonl': referenceTexts(60).map((text) => JSON.stringify({ text })).join('\n'),
      'drift_projection_fit.txt': referenceTexts(30).map((t) => `${t} fit`).join('\n'),
    });
    const { report } = await start({ dir });
    expect(report().reference!.stored).toMatchObject({ size: 60, projectionFitSize: 30 });
  });

  it('reports a reference file too small to use, and keeps serving without a reference', async () => {
    const dir = modelDir({ 'drift_reference.txt': referenceTexts(20).join('\n') });
    const { report } = await start({ dir });
    expect(report().referenceState).toBe('failed');
    expect(report().referenceProblem).toMatch(/at least 50 texts after the projection split but received 10/);
  });

  it('tests a full window against the reference with the window\'s own features, then stores the result', async () => {
    const dir = modelDir({ 'drift_reference.txt': referenceTexts(120).join('\n') });
    const { drift, predict, evaluator, report, config } = await start({ dir });
    const window = referenceTexts(20).map((t) => `${t} again`);
    await predict(window);
    await drift.idle();
    expect(evaluator.jobs).toHaveLength(1);
    const job = evaluator.jobs[0];
    expect(job.window.size).toBe(20);
    expect(Array.from(job.window.confidence)).toEqual(window.map((t) => classify(t).score));
    expect(Array.from(job.window.tokenCount)).toEqual(window.map((t) => t.split(' ').length + 2));
    expect(job.window.rawDim).toBe(DIM);
    expect(Array.from(job.window.embedding.subarray(0, DIM))).toEqual(Array.from(classify(window[0]).features!.embedding!));
    expect(Array.from(job.window.label)).toEqual(window.map((t) => (t.includes('good') ? 1 : 0)));
    expect(job.options).toMatchObject({ alpha: config.driftAlpha, permutations: 500, bandwidth: report().reference!.stored.bandwidth });
    const [result] = report().history;
    expect(result).toMatchObject({ sequence: 1, size: 20, alpha: 0.05, correction: 'holm', evaluationMs: 12.5 });
    expect(result.status).toBe(result.tests.some((t) => t.drifted) ? 'drift' : 'ok');
    // Every test of the contract: 4 projected components, 5 scalars, label, truncated, the multivariate test.
    expect(result.tests.map((t) => t.feature).sort()).toEqual(
      ['embedding', 'embedding_0', 'embedding_1', 'embedding_2', 'embedding_3', 'confidence', 'entropy', 'token_count', 'unknown_share', 'non_letter_share', 'label', 'truncated'].sort(),
    );
  });

  it('logs one warn line when drift starts and one when it ends, naming the moved features', async () => {
    const dir = modelDir({ 'drift_reference.txt': referenceTexts(120).join('\n') });
    const { drift, predict, evaluator } = await start({ dir });
    const warn = jest.spyOn(Logger.prototype, 'warn');
    warn.mockClear();
    const answers: Array<'ok' | 'drift'> = ['ok', 'drift', 'drift', 'ok', 'ok'];
    evaluator.answer = () => verdict(answers.shift()!);
    for (let i = 0; i < 5; i++) {
      await predict(referenceTexts(20));
      await drift.idle();
    }
    const lines = warn.mock.calls.map(([message]) => message as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({ event: 'drift_started', model_version: 'v1', window: 2, features: ['confidence'] }),
      expect.objectContaining({ event: 'drift_ended', model_version: 'v1', window: 4, features: [] }),
    ]);
  });

  it('closes a window after DRIFT_WINDOW_MAX_MINUTES: tested with DRIFT_MIN_SAMPLES, else insufficient_samples', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'performance'] });
    try {
      const dir = modelDir({ 'drift_reference.txt': referenceTexts(120).join('\n') });
      const { drift, predict, clock, report, evaluator } = await start({ dir, env: { DRIFT_WINDOW_MAX_MINUTES: '1' } });
      await predict(referenceTexts(5));
      clock.time += 61_000;
      jest.advanceTimersByTime(15_000);
      await drift.idle();
      expect(report().history[0]).toMatchObject({ status: 'insufficient_samples', size: 5, closedBy: 'time', tests: [] });
      await predict(referenceTexts(12));
      clock.time += 61_000;
      jest.advanceTimersByTime(15_000);
      await drift.idle();
      expect(report().history[0]).toMatchObject({ status: 'ok', size: 12, closedBy: 'time' });
      expect(evaluator.jobs).toHaveLength(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('keeps windows and the reference across a restart', async () => {
    const dir = modelDir({ 'drift_reference.txt': referenceTexts(120).join('\n') });
    const first = await start({ dir });
    await first.predict(referenceTexts(40));
    await first.drift.idle();
    const before = first.report().history;
    await first.stop();
    const second = await start({ dir, config: first.config });
    expect(second.report().history).toEqual(before);
    expect(second.report().reference!.stored.createdAt).toBe(first.report().reference!.stored.createdAt);
    await second.predict(referenceTexts(20));
    await second.drift.idle();
    expect(second.report().history[0].sequence).toBe(3);
    expect((second.engine.classify as jest.Mock).mock.calls).toHaveLength(0); // the stored reference was reused, not rebuilt
  });

  it('keeps at most DRIFT_HISTORY_WINDOWS windows, in memory and in the store', async () => {
    const { drift, predict, report, config } = await start({ env: { DRIFT_HISTORY_WINDOWS: '2' } });
    await predict(referenceTexts(100));
    await drift.idle();
    expect(report().history.map((w) => w.sequence)).toEqual([5, 4]);
    await expect(drift.storedWindows('v1', 100)).resolves.toHaveLength(2);
    expect(config.driftHistoryWindows).toBe(2);
  });

  it('PUT reference: replaces the reference with the texts\' features and starts a new window', async () => {
    const { drift, predict, report } = await start();
    await predict(referenceTexts(7));
    const stored = await drift.setReference(referenceTexts(100));
    expect(stored).toMatchObject({ modelVersion: 'v1', source: 'admin', size: 50, projectionFitSize: 50 });
    expect(report().reference!.stored).toBe(stored);
    expect(report().buffer.size).toBe(0);
  });

  it('PUT reference: NOT_FOUND for a version not loaded, VALIDATION_FAILED for too few texts', async () => {
    const { drift } = await start();
    await expect(drift.setReference(referenceTexts(100), 'v9')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(drift.setReference(referenceTexts(98))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/at least 50 texts .* received 49 \(of 98/),
    });
    expect(drift.attached()[0].referenceState).toBe('none');
  });

  it('does nothing when DRIFT_ENABLED=false', async () => {
    const { drift, predict } = await start({ env: { DRIFT_ENABLED: 'false' } });
    await predict(referenceTexts(30));
    expect(drift.attached()).toEqual([]);
    await expect(drift.setReference(referenceTexts(100))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

/**
 * Several replicas: DriftService instances, each with its own prediction log writer and evaluator, on one
 * PostgreSQL (the real stores), as replicas behind a load balancer.
 */
describe('DriftService on several replicas (one PostgreSQL)', () => {
  let testDb: TestDatabase;
  const stops: Array<() => Promise<void>> = [];
  const cleanups: Array<() => void> = [];

  beforeEach(async () => {
    for (const level of ['log', 'warn', 'error'] as const) jest.spyOn(Logger.prototype, level).mockImplementation(() => undefined);
    testDb = await createTestDatabase();
  });
  afterEach(async () => {
    while (stops.length) await stops.pop()!();
    while (cleanups.length) cleanups.pop()!();
    jest.restoreAllMocks();
    await testDb.drop();
  });

  /** One model directory shared by the replicas (the shared MODEL_REPOSITORY). */
  function modelDir(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'drift-model-'));
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  async function replica(dir: string) {
    const temp = configWithTempDataDir({ DRIFT_WINDOW_SIZE: '20', DRIFT_MIN_SAMPLES: '10', DATABASE_URL: testDb.url, MODEL_DIR: dir });
    cleanups.push(temp.remove);
    const config = temp.config;
    const database = new PostgresDatabase(config);
    const predictionStore = new PostgresPredictionStore(database);
    const predictions = new PredictionLogService(predictionStore, config);
    const engine = { modelVersion: 'v1', info: () => INFO, classify: jest.fn(async (texts: string[]) => texts.map(classify)) } as unknown as EngineService;
    const evaluator = new RecordingEvaluator();
    const events = new ModelEventsService();
    const drift = new DriftService(config, engine, predictions, new PostgresDriftStore(database), evaluator, new FakeClock(), events);
    await drift.onModuleInit();
    events.versionLoaded({ version: 'v1', engine: engine as never, modelDir: dir, role: 'production' });
    await drift.idle();
    stops.push(async () => {
      await drift.onApplicationShutdown();
      predictionStore.onApplicationShutdown();
      await database.onApplicationShutdown();
    });
    const predict = (texts: string[]) => predictions.record(texts.map((text) => ({ text, ...classify(text) })), 'v1', { source: 'batch', latencyMs: 1 });
    const report = () => new DriftReportService(drift, config).report({});
    return { drift, evaluator, predict, report, state: () => drift.attached()[0] };
  }

  it('builds the reference from the file once per version: a replica starting later uses the stored one', async () => {
    const dir = modelDir({ 'drift_reference.txt': referenceTexts(120).join('\n') });
    const a = await replica(dir);
    expect(a.evaluator.referenceJobs).toBe(1);
    const b = await replica(dir);
    expect(b.evaluator.referenceJobs).toBe(0);
    expect(b.state().reference!.stored).toEqual(a.state().reference!.stored);
  });

  it('stores each replica\'s windows in one numbered history that every replica reports alike', async () => {
    const dir = modelDir({ 'drift_reference.txt': referenceTexts(120).join('\n') });
    const a = await replica(dir);
    const b = await replica(dir);
    await a.predict(referenceTexts(20));
    await a.drift.idle();
    await b.predict(referenceTexts(20));
    await b.drift.idle();
    // Both replicas closed their own first window; the second one stored was numbered after the first.
    expect(b.state().history.map((w) => w.sequence)).toEqual([2]);
    const [fromA, fromB] = [await a.report(), await b.report()];
    expect(fromA.versions[0].windows.map((w) => [w.sequence, w.status, w.size])).toEqual([
      [2, 'ok', 20],
      [1, 'ok', 20],
    ]);
    expect(fromB.versions[0].windows).toEqual(fromA.versions[0].windows);
    expect(fromB.versions[0].reference).toEqual(fromA.versions[0].reference);
  });

  it('adopts a reference an admin set on another replica at its next check', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'performance'] });
    try {
      const dir = modelDir({ 'drift_reference.txt': referenceTexts(120).join('\n') });
      const a = await replica(dir);
      const b = await replica(dir);
      const replaced = await a.drift.setReference(referenceTexts(140).slice(20));
      expect(b.state().reference!.stored.source).toBe('file');
      jest.advanceTimersByTime(60_000);
      await b.drift.idle();
      expect(b.state().reference!.stored).toEqual(replaced);
      expect(b.state().reference!.stored.source).toBe('admin');
    } finally {
      jest.useRealTimers();
    }
  });
});
