import { configWithTempDataDir } from '../../test/support/temp-data-dir';
import { Clock } from '../common/clock';
import type { AppConfig } from '../config/app-config';
import type { RawEnv } from '../config/env.schema';
import { SqliteDatabase } from '../database/sqlite-database';
import { PredictionLogService } from '../predictions/prediction-log.service';
import { SqlitePredictionStore } from '../predictions/sqlite-prediction.store';
import { FeedbackService } from './feedback.service';
import { SqliteFeedbackStore } from './sqlite-feedback.store';
import type { FeedbackEvent } from './feedback.types';

const BINARY = { text: 'good', label: 'POSITIVE', score: 0.9, scores: { NEGATIVE: 0.1, POSITIVE: 0.9 } };
const THREE_WAY = { text: 'meh', label: 'NEUTRAL', score: 0.5, scores: { NEGATIVE: 0.2, NEUTRAL: 0.5, POSITIVE: 0.3 } };
const T = Date.parse('2025-03-01T10:00:00.000Z');

class FakeClock extends Clock {
  time = T;
  override now(): number {
    return this.time;
  }
}

describe('FeedbackService', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).reverse().forEach((cleanup) => cleanup()));

  function tempDataDir(env: RawEnv = {}): { config: AppConfig } {
    const temp = configWithTempDataDir(env);
    cleanups.push(temp.remove);
    return temp;
  }

  /** The feedback service on the real prediction log and database of `dataDir`, with a settable clock. */
  function open({ config }: { config: AppConfig } = tempDataDir()) {
    const database = new SqliteDatabase(config);
    cleanups.push(() => database.onApplicationShutdown());
    const predictions = new PredictionLogService(new SqlitePredictionStore(database), config);
    const clock = new FakeClock();
    const service = new FeedbackService(predictions, new SqliteFeedbackStore(database), clock, config);
    const events: FeedbackEvent[] = [];
    service.subscribe((event) => events.push(event));
    return { service, predictions, clock, database, events, config };
  }

  it('records the correct label of a logged prediction and answers with the prediction it read', async () => {
    const { service, predictions, events } = open();
    const [prediction] = await predictions.record([BINARY], 'sst2@1', { source: 'sentiment', latencyMs: 1, createdAt: T - 5000 });
    expect(await service.submit(prediction.id, 'NEGATIVE')).toEqual({
      prediction_id: prediction.id,
      model_version: 'sst2@1',
      predicted_label: 'POSITIVE',
      correct_label: 'NEGATIVE',
      correct: false,
      status: 'created',
      previous_label: null,
      revision: 1,
      received_at: '2025-03-01T10:00:00.000Z',
      predicted_at: '2025-03-01T09:59:55.000Z',
    });
    expect(events).toEqual([{ predictionId: prediction.id, modelVersion: 'sst2@1', predictedLabel: 'POSITIVE', correctLabel: 'NEGATIVE', receivedAt: T }]);
  });

  it('keeps feedback across a restart (committed to the database)', async () => {
    const temp = tempDataDir();
    const first = open(temp);
    const [prediction] = await first.predictions.record([BINARY], 'sst2@1', { source: 'sentiment', latencyMs: 1 });
    await first.service.submit(prediction.id, 'POSITIVE');
    first.database.onApplicationShutdown();
    const second = open(temp);
    expect(await new SqliteFeedbackStore(second.database).find(prediction.id)).toEqual({
      predictionId: prediction.id,
      correctLabel: 'POSITIVE',
      receivedAt: T,
      firstReceivedAt: T,
      revision: 1,
    });
  });

  it('answers NOT_FOUND, naming the id, for a prediction that was never logged', async () => {
    const { service, events } = open();
    const id = '0b8f6f5e-3c1d-4d0e-9a57-2f4f8f1f6a11';
    await expect(service.submit(id, 'POSITIVE')).rejects.toThrow(
      expect.objectContaining({ code: 'NOT_FOUND', message: expect.stringContaining(`Prediction ${id} is not in the prediction log`) }),
    );
    expect(events).toEqual([]);
  });

  it('answers NOT_FOUND for a prediction deleted by the retention, whose feedback went with it', async () => {
    const { service, predictions, database } = open(tempDataDir({ PREDICTION_LOG_RETENTION_DAYS: '1' }));
    const [old] = await predictions.record([BINARY], 'sst2@1', { source: 'sentiment', latencyMs: 1, createdAt: Date.now() - 2 * 86_400_000 });
    await service.submit(old.id, 'POSITIVE');
    predictions.onModuleInit(); // prunes
    await predictions.onApplicationShutdown();
    await expect(service.submit(old.id, 'POSITIVE')).rejects.toThrow(
      expect.objectContaining({ code: 'NOT_FOUND', message: expect.stringContaining('more than 1 days ago (PREDICTION_LOG_RETENTION_DAYS)') }),
    );
    expect(database.db.prepare('SELECT COUNT(*) AS n FROM feedback').get()).toEqual({ n: 0 });
  });

  it('answers UNKNOWN_LABEL listing the labels of the model version that made the prediction', async () => {
    const { service, predictions, events } = open();
    const [binary, threeWay] = (await predictions.record([BINARY], 'v1', { source: 'sentiment', latencyMs: 1 })).concat(
      await predictions.record([THREE_WAY], 'v2', { source: 'sentiment', latencyMs: 1 }),
    );
    const message = 'correct_label "NEUTRAL" is not a label of model version v1, which made this prediction; valid labels: NEGATIVE, POSITIVE';
    await expect(service.submit(binary.id, 'NEUTRAL')).rejects.toThrow(
      expect.objectContaining({ code: 'UNKNOWN_LABEL', message, details: [{ field: 'correct_label', message, valid_labels: ['NEGATIVE', 'POSITIVE'] }] }),
    );
    await expect(service.submit(binary.id, 'positive')).rejects.toThrow(expect.objectContaining({ code: 'UNKNOWN_LABEL' }));
    // The newer model's prediction accepts its own third label.
    expect(await service.submit(threeWay.id, 'NEUTRAL')).toMatchObject({ model_version: 'v2', correct: true });
    expect(events.map((e) => e.predictionId)).toEqual([threeWay.id]);
  });

  it('finds a prediction whatever the case of its UUID', async () => {
    const { service, predictions } = open();
    const [prediction] = await predictions.record([BINARY], 'v1', { source: 'sentiment', latencyMs: 1 });
    expect((await service.submit(prediction.id.toUpperCase(), 'POSITIVE')).prediction_id).toBe(prediction.id);
  });

  it('a retry with the same label changes nothing and tells nobody', async () => {
    const { service, predictions, clock, events } = open();
    const [prediction] = await predictions.record([BINARY], 'v1', { source: 'sentiment', latencyMs: 1 });
    const first = await service.submit(prediction.id, 'POSITIVE');
    clock.time += 60_000;
    const retry = await service.submit(prediction.id, 'POSITIVE');
    expect(retry).toEqual({ ...first, status: 'unchanged' });
    expect(events).toHaveLength(1);
    expect(service.feedbackCounters()).toEqual({ correct: 1, incorrect: 0 });
  });

  it('a different label replaces the one held (latest wins) and says which it replaced', async () => {
    const { service, predictions, clock, events } = open();
    const [prediction] = await predictions.record([BINARY], 'v1', { source: 'sentiment', latencyMs: 1 });
    await service.submit(prediction.id, 'POSITIVE');
    clock.time = T + 90_000;
    expect(await service.submit(prediction.id, 'NEGATIVE')).toMatchObject({
      correct_label: 'NEGATIVE',
      correct: false,
      status: 'replaced',
      previous_label: 'POSITIVE',
      revision: 2,
      received_at: new Date(T + 90_000).toISOString(),
    });
    expect(events[1]).toEqual({
      predictionId: prediction.id,
      modelVersion: 'v1',
      predictedLabel: 'POSITIVE',
      correctLabel: 'NEGATIVE',
      receivedAt: T + 90_000,
      previous: { correctLabel: 'POSITIVE', receivedAt: T },
    });
    clock.time = T + 120_000;
    expect(await service.submit(prediction.id, 'POSITIVE')).toMatchObject({ status: 'replaced', previous_label: 'NEGATIVE', revision: 3, correct: true });
    expect(service.feedbackCounters()).toEqual({ correct: 2, incorrect: 1 });
  });

  it('answers STORAGE_UNAVAILABLE, and tells nobody, when the feedback cannot be committed', async () => {
    const { service, predictions, database, events } = open();
    const [prediction] = await predictions.record([BINARY], 'v1', { source: 'sentiment', latencyMs: 1 });
    database.db.exec('DROP TABLE feedback');
    await expect(service.submit(prediction.id, 'POSITIVE')).rejects.toThrow(expect.objectContaining({ code: 'STORAGE_UNAVAILABLE' }));
    expect(events).toEqual([]);
    expect(service.feedbackCounters()).toEqual({ correct: 0, incorrect: 0 });
  });

  it('a failing listener does not fail the feedback', async () => {
    const { service, predictions, events } = open();
    service.subscribe(() => {
      throw new Error('listener bug');
    });
    const [prediction] = await predictions.record([BINARY], 'v1', { source: 'sentiment', latencyMs: 1 });
    expect((await service.submit(prediction.id, 'POSITIVE')).status).toBe('created');
    expect(events).toHaveLength(1);
  });
});
