import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseExposition, valueOf } from '../support/prometheus-text';
import { startServer, TestServer } from './support/server';

const POSITIVE_TEXTS = [
  'I absolutely loved this movie! The acting was superb.',
  'A wonderful, heartwarming film. Highly recommended!',
  'Brilliant performances and a beautiful story.',
  'This was fantastic, I enjoyed every minute.',
];
const NEGATIVE_TEXTS = [
  'What a waste of time. The plot made no sense at all.',
  'Terrible. Just terrible.',
  'Awful acting and a dull story.',
  'The worst film I have seen this year.',
];

interface Prediction {
  prediction_id: string;
  label: string;
}

describe('Feedback and performance monitoring (real engine, demo model)', () => {
  let server: TestServer;
  let modelVersion: string;
  /** Four predictions the model labelled POSITIVE and four it labelled NEGATIVE, from /sentiment and /batch-sentiment. */
  let predictedPositive: Prediction[];
  let predictedNegative: Prediction[];

  beforeAll(async () => {
    server = await startServer({
      // Windows of 30 days: the few seconds of this file cannot straddle a boundary (short of one chance in a
      // million), so all its feedback lands in one window and the figures can be asserted exactly.
      MONITOR_WINDOW_MINUTES: '43200',
      MONITOR_MIN_SAMPLES: '5',
    });
    const singles: Prediction[] = [];
    for (const text of [POSITIVE_TEXTS[0], NEGATIVE_TEXTS[0], POSITIVE_TEXTS[1], NEGATIVE_TEXTS[1]]) {
      const { status, body } = await server.request('POST', '/sentiment', { json: { text } });
      expect(status).toBe(200);
      singles.push(body);
      modelVersion = body.model_version;
    }
    const batch = await server.request('POST', '/batch-sentiment', {
      json: { texts: [POSITIVE_TEXTS[2], NEGATIVE_TEXTS[2], POSITIVE_TEXTS[3], NEGATIVE_TEXTS[3]] },
    });
    expect(batch.status).toBe(200);
    const all = [...singles, ...batch.body.results];
    predictedPositive = all.filter((p) => p.label === 'POSITIVE');
    predictedNegative = all.filter((p) => p.label === 'NEGATIVE');
  });

  afterAll(async () => {
    await server?.close();
  });

  const sendFeedback = (prediction_id: string, correct_label: string) => server.request('POST', '/feedback', { json: { prediction_id, correct_label } });

  it('the demo model labels the chosen reviews as expected (the figures below depend on it)', () => {
    expect(predictedPositive).toHaveLength(4);
    expect(predictedNegative).toHaveLength(4);
  });

  it('POST /feedback records labels for real predictions, some right and some wrong', async () => {
    const plan: [Prediction, string][] = [
      ...predictedPositive.map((p, i): [Prediction, string] => [p, i < 3 ? 'POSITIVE' : 'NEGATIVE']),
      ...predictedNegative.map((p, i): [Prediction, string] => [p, i < 2 ? 'NEGATIVE' : 'POSITIVE']),
    ];
    for (const [prediction, label] of plan) {
      const { status, body } = await sendFeedback(prediction.prediction_id, label);
      expect(status).toBe(200);
      expect(body).toEqual({
        prediction_id: prediction.prediction_id,
        model_version: modelVersion,
        predicted_label: prediction.label,
        correct_label: label,
        correct: prediction.label === label,
        status: 'created',
        previous_label: null,
        revision: 1,
        received_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        predicted_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
    }
  });

  it('GET /monitoring/performance reports the exact counts and figures of that feedback', async () => {
    const { status, body, headers } = await server.request('GET', '/monitoring/performance');
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toContain('no-store');
    expect(body).toMatchObject({ window_minutes: 43200, min_samples: 5, degradation_threshold: 0.05, history_windows: 24 });
    expect(body.models).toHaveLength(1);
    const [model] = body.models;
    expect(model).toMatchObject({ model_version: modelVersion, degraded: false, baseline: null, history: [] });
    // Predicted POSITIVE: 3 right, 1 actually NEGATIVE; predicted NEGATIVE: 2 right, 2 actually POSITIVE.
    // NEGATIVE: TP 2, predicted 4, support 3; POSITIVE: TP 3, predicted 4, support 5 (worked out by hand).
    expect(model.current).toMatchObject({ model_version: modelVersion, closed: false, samples: 8, correct: 5, accuracy: 0.625 });
    expect(model.current.weighted_precision).toBeCloseTo(0.65625, 10);
    expect(model.current.weighted_recall).toBeCloseTo(0.625, 10);
    expect(model.current.weighted_f1).toBeCloseTo(53 / 84, 10);
    expect(model.current.labels).toEqual([
      { label: 'NEGATIVE', precision: 0.5, recall: expect.closeTo(2 / 3, 10), f1: expect.closeTo(4 / 7, 10), support: 3, predicted: 4 },
      { label: 'POSITIVE', precision: 0.75, recall: 0.6, f1: expect.closeTo(2 / 3, 10), support: 5, predicted: 4 },
    ]);
    // 8 samples reach MONITOR_MIN_SAMPLES=5, but the first window to end becomes the baseline: none yet.
    expect(model.current.degradation).toEqual({ status: 'no_baseline', degraded: false, baseline_f1: null, relative_drop: null, threshold: 0.05 });
  });

  it('GET /metrics carries the same feedback: counts by outcome and the window figures of the model version', async () => {
    const { status, text } = await server.request('GET', '/metrics');
    expect(status).toBe(200);
    const metrics = parseExposition(text);
    expect(valueOf(metrics, 'classifier_feedback_total', { outcome: 'correct' })).toBe(5);
    expect(valueOf(metrics, 'classifier_feedback_total', { outcome: 'incorrect' })).toBe(3);
    expect(valueOf(metrics, 'classifier_model_accuracy', { model_version: modelVersion })).toBe(0.625);
    expect(valueOf(metrics, 'classifier_model_weighted_f1', { model_version: modelVersion })).toBeCloseTo(53 / 84, 10);
    expect(valueOf(metrics, 'classifier_model_feedback_samples', { model_version: modelVersion })).toBe(8);
    expect(valueOf(metrics, 'classifier_model_degraded', { model_version: modelVersion })).toBe(0);
  });

  it('a retried feedback changes nothing; a different label replaces the first (latest wins)', async () => {
    const wrong = predictedNegative[3];
    const retry = await sendFeedback(wrong.prediction_id, 'POSITIVE');
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ status: 'unchanged', correct_label: 'POSITIVE', correct: false, revision: 1 });
    let { body } = await server.request('GET', '/monitoring/performance');
    expect(body.models[0].current).toMatchObject({ samples: 8, correct: 5 });

    const replaced = await sendFeedback(wrong.prediction_id, 'NEGATIVE');
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ status: 'replaced', previous_label: 'POSITIVE', correct_label: 'NEGATIVE', correct: true, revision: 2 });
    ({ body } = await server.request('GET', '/monitoring/performance'));
    expect(body.models[0].current).toMatchObject({ samples: 8, correct: 6, accuracy: 0.75 });
    expect(body.models[0].current.labels).toEqual([
      expect.objectContaining({ label: 'NEGATIVE', support: 4, predicted: 4 }),
      expect.objectContaining({ label: 'POSITIVE', support: 4, predicted: 4 }),
    ]);
  });

  it('filters by model version and bounds the history on request', async () => {
    const mine = await server.request('GET', `/monitoring/performance?model_version=${encodeURIComponent(modelVersion)}&history=0`);
    expect(mine.status).toBe(200);
    expect(mine.body.models.map((m: { model_version: string }) => m.model_version)).toEqual([modelVersion]);
    const other = await server.request('GET', '/monitoring/performance?model_version=some-other-model');
    expect(other.status).toBe(200);
    expect(other.body.models).toEqual([]);
  });

  it('answers 404 NOT_FOUND, naming the id, for a prediction that does not exist', async () => {
    const id = randomUUID();
    const { status, body } = await sendFeedback(id, 'POSITIVE');
    expect(status).toBe(404);
    expect(body.error.code).toBe('NOT_FOUND');
    expect(body.error.message).toContain(id);
  });

  it('answers 422 UNKNOWN_LABEL, listing the valid labels, for a label the model does not have', async () => {
    const { status, body } = await sendFeedback(predictedPositive[0].prediction_id, 'NEUTRAL');
    expect(status).toBe(422);
    expect(body.error).toMatchObject({
      code: 'UNKNOWN_LABEL',
      message: expect.stringContaining('valid labels: NEGATIVE, POSITIVE'),
      details: [{ field: 'correct_label', valid_labels: ['NEGATIVE', 'POSITIVE'] }],
    });
  });

  const VALID_ID = '0b8f6f5e-3c1d-4d0e-9a57-2f4f8f1f6a11';
  it.each([
    [{}, ['prediction_id', 'correct_label'], '2 problems: prediction_id is required (a UUID string); correct_label is required (a non-empty string)'],
    [{ prediction_id: 'not-a-uuid', correct_label: 'POSITIVE' }, ['prediction_id'], 'prediction_id must be a UUID such as 0b8f6f5e-3c1d-4d0e-9a57-2f4f8f1f6a11 but received "not-a-uuid"'],
    [{ prediction_id: 42, correct_label: 'POSITIVE' }, ['prediction_id'], 'prediction_id must be a UUID string but received the number 42'],
    [{ prediction_id: VALID_ID }, ['correct_label'], 'correct_label is required (a non-empty string)'],
    [{ prediction_id: VALID_ID, correct_label: '' }, ['correct_label'], 'correct_label must not be empty'],
    [{ prediction_id: VALID_ID, correct_label: 1 }, ['correct_label'], 'correct_label must be a non-empty string but received the number 1'],
    [{ prediction_id: VALID_ID, correct_label: ['POSITIVE'] }, ['correct_label'], 'correct_label must be a non-empty string but received an array'],
    [{ prediction_id: VALID_ID, correct_label: 'POSITIVE', score: 1 }, ['score'], 'property score is not allowed'],
  ])('answers 400 VALIDATION_FAILED for the body %j', async (json, fields, message) => {
    const { status, body } = await server.request('POST', '/feedback', { json });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'VALIDATION_FAILED', message });
    expect(body.error.details.map((d: { field: string }) => d.field)).toEqual(fields);
  });

  it.each([
    ['null', 400, 'VALIDATION_FAILED'],
    ['[]', 400, 'VALIDATION_FAILED'],
    ['"text"', 400, 'VALIDATION_FAILED'],
    ['{"prediction_id": ', 400, 'INVALID_JSON'],
  ])('answers a clear 4xx for the raw body %s', async (raw, expectedStatus, code) => {
    const { status, body } = await server.request('POST', '/feedback', { body: raw, headers: { 'content-type': 'application/json' } });
    expect(status).toBe(expectedStatus);
    expect(body.error.code).toBe(code);
    expect(typeof body.error.message).toBe('string');
  });

  it('answers 415 for a body that is not JSON', async () => {
    const { status, body } = await server.request('POST', '/feedback', { body: 'prediction_id=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(status).toBe(415);
    expect(body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it.each([
    ['history=abc', 'history must be an integer between 0 and 1000 but received "abc"'],
    ['history=-1', 'history must be an integer between 0 and 1000 but received "-1"'],
    ['history=1001', 'history must be an integer between 0 and 1000 but received 1001'],
    ['model_version=', 'model_version must not be empty'],
    ['model_version=a&model_version=b', 'model_version must be a non-empty string but received an array'],
    ['window=1', 'property window is not allowed'],
  ])('GET /monitoring/performance?%s answers 400 VALIDATION_FAILED', async (query, message) => {
    const { status, body } = await server.request('GET', `/monitoring/performance?${query}`);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'VALIDATION_FAILED', message });
  });

  it('still serves after all those errors, with the figures unchanged', async () => {
    const predicted = await server.request('POST', '/sentiment', { json: { text: POSITIVE_TEXTS[0] } });
    expect(predicted.status).toBe(200);
    const { status, body } = await server.request('GET', '/monitoring/performance');
    expect(status).toBe(200);
    expect(body.models[0].current).toMatchObject({ samples: 8, correct: 6 });
  });

  it('GET / lists the feedback and monitoring endpoints', async () => {
    const { body } = await server.request('GET', '/');
    const routes = body.endpoints.map((e: { method: string; path: string }) => `${e.method} ${e.path}`);
    expect(routes).toEqual(expect.arrayContaining(['POST /feedback', 'GET /monitoring/performance']));
  });
});

describe('Feedback and performance monitoring across a restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'classifier-e2e-feedback-'));
  const env = { DATA_DIR: dataDir, MONITOR_WINDOW_MINUTES: '43200' };
  let server: TestServer | undefined;

  afterAll(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the feedback and rebuilds the same figures from the database', async () => {
    server = await startServer(env);
    const { body: batch } = await server.request('POST', '/batch-sentiment', { json: { texts: [...POSITIVE_TEXTS, ...NEGATIVE_TEXTS] } });
    // Every prediction labelled POSITIVE, so exactly the ones the model called NEGATIVE are wrong.
    for (const { prediction_id } of batch.results) {
      const { status } = await server.request('POST', '/feedback', { json: { prediction_id, correct_label: 'POSITIVE' } });
      expect(status).toBe(200);
    }
    const before = (await server.request('GET', '/monitoring/performance')).body;
    const positives = batch.results.filter((r: { label: string }) => r.label === 'POSITIVE').length;
    expect(before.models[0].current).toMatchObject({ samples: 8, correct: positives });
    await server.close();
    server = undefined;

    server = await startServer(env);
    const after = (await server.request('GET', '/monitoring/performance')).body;
    expect({ ...after, generated_at: undefined }).toEqual({ ...before, generated_at: undefined });
    // The restored feedback is the stored one: sending it again changes nothing.
    const again = await server.request('POST', '/feedback', { json: { prediction_id: batch.results[0].prediction_id, correct_label: 'POSITIVE' } });
    expect(again.body).toMatchObject({ status: 'unchanged', revision: 1 });
  });
});
