import { BACKENDS, openStores, type Replica, type StoreHarness } from '../../test/support/stores';
import { newPredictionId } from '../predictions/prediction-id';
import type { PredictionRecord } from '../predictions/prediction.types';
import { PostgresFeedbackStore } from './postgres-feedback.store';
import type { SaveFeedbackResult } from './feedback.types';

const DAY = 86_400_000;
const NOW = Date.now();
const TODAY = Math.floor(NOW / DAY) * DAY;

/** Logs one prediction made at `createdAt` and returns it. */
async function logPrediction(replica: Replica, createdAt = NOW): Promise<PredictionRecord> {
  const prediction: PredictionRecord = {
    id: newPredictionId(),
    createdAt,
    modelVersion: 'v1',
    label: 'POSITIVE',
    score: 0.9,
    scores: { NEGATIVE: 0.1, POSITIVE: 0.9 },
    latencyMs: 1,
    source: 'sentiment',
    inputLength: 4,
  };
  await replica.predictions.insertAll([prediction]);
  return prediction;
}

describe.each(BACKENDS)('FeedbackStore contract on %s', (backend) => {
  let harness: StoreHarness;
  beforeEach(async () => {
    harness = await openStores(backend);
  });
  afterEach(() => harness.close());

  it('creates the first feedback of a prediction and reads it back', async () => {
    const replica = harness.replica();
    const prediction = await logPrediction(replica);
    const expected = { predictionId: prediction.id, correctLabel: 'NEGATIVE', receivedAt: 1000, firstReceivedAt: 1000, revision: 1 };
    expect(await replica.feedback.save(prediction, 'NEGATIVE', 1000)).toEqual({ outcome: 'created', feedback: expected });
    expect(await replica.feedback.find(prediction.id)).toEqual(expected);
  });

  it('writes nothing for the label already held (a retry), and says so', async () => {
    const replica = harness.replica();
    const prediction = await logPrediction(replica);
    await replica.feedback.save(prediction, 'POSITIVE', 1000);
    const held = { predictionId: prediction.id, correctLabel: 'POSITIVE', receivedAt: 1000, firstReceivedAt: 1000, revision: 1 };
    expect(await replica.feedback.save(prediction, 'POSITIVE', 5000)).toEqual({ outcome: 'unchanged', feedback: held });
    expect(await replica.feedback.find(prediction.id)).toEqual(held);
  });

  it('replaces a different label: latest wins, revision + 1, first time kept, the replaced one returned', async () => {
    const replica = harness.replica();
    const prediction = await logPrediction(replica);
    await replica.feedback.save(prediction, 'POSITIVE', 1000);
    expect(await replica.feedback.save(prediction, 'NEGATIVE', 2000)).toEqual({
      outcome: 'replaced',
      feedback: { predictionId: prediction.id, correctLabel: 'NEGATIVE', receivedAt: 2000, firstReceivedAt: 1000, revision: 2 },
      previous: { predictionId: prediction.id, correctLabel: 'POSITIVE', receivedAt: 1000, firstReceivedAt: 1000, revision: 1 },
    });
    expect(await harness.replica().feedback.find(prediction.id)).toMatchObject({ correctLabel: 'NEGATIVE', revision: 2 });
  });

  it('finds nothing for a prediction without feedback, or an id that is not a UUID', async () => {
    const replica = harness.replica();
    const prediction = await logPrediction(replica);
    expect(await replica.feedback.find(prediction.id)).toBeUndefined();
    expect(await replica.feedback.find('not-a-uuid')).toBeUndefined();
  });

  it('stays one atomic read-then-write when replicas save the same prediction at once', async () => {
    const replicas = [harness.replica(), harness.replica(), harness.replica()];
    const prediction = await logPrediction(replicas[0]);
    const labels = ['POSITIVE', 'NEGATIVE', 'NEGATIVE', 'POSITIVE', 'NEGATIVE', 'POSITIVE', 'POSITIVE', 'NEGATIVE', 'NEGATIVE', 'POSITIVE', 'NEGATIVE', 'POSITIVE'];
    const results: SaveFeedbackResult[] = await Promise.all(
      labels.map((label, i) => replicas[i % replicas.length].feedback.save(prediction, label, 1000 + i)),
    );
    expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);
    const writes = results.filter((r) => r.outcome !== 'unchanged');
    // Every write saw the one before it: revisions 1..n with no gap and no repeat (a lost update would repeat one)...
    expect(writes.map((r) => r.feedback.revision).sort((a, b) => a - b)).toEqual(writes.map((_, i) => i + 1));
    // ...each replacement replaced the label written just before it...
    const byRevision = new Map(writes.map((r) => [r.feedback.revision, r.feedback.correctLabel]));
    for (const r of writes) if (r.outcome === 'replaced') expect(r.previous?.correctLabel).toBe(byRevision.get(r.feedback.revision - 1));
    // ...and what is stored is the last write.
    const last = writes.find((r) => r.feedback.revision === writes.length)!;
    expect(await replicas[1].feedback.find(prediction.id)).toEqual(last.feedback);
  });

  it('follows the prediction log retention: feedback of a removed prediction is gone, newer feedback stays', async () => {
    const replica = harness.replica();
    const old = await logPrediction(replica, TODAY - 3 * DAY + 1000);
    const recent = await logPrediction(replica);
    await replica.feedback.save(old, 'POSITIVE', NOW);
    await replica.feedback.save(recent, 'NEGATIVE', NOW);
    await replica.predictions.deleteOlderThan(TODAY - DAY);
    expect(await replica.feedback.find(old.id)).toBeUndefined();
    expect(await replica.feedback.find(recent.id)).toMatchObject({ correctLabel: 'NEGATIVE' });
  });
});

describe('PostgresFeedbackStore sweep', () => {
  let harness: StoreHarness;
  beforeEach(async () => {
    harness = await openStores('PostgreSQL');
  });
  afterEach(() => harness.close());

  it('deletes the rows of feedback whose prediction day was dropped, and only those', async () => {
    const replica = harness.replica();
    const feedback = replica.feedback as PostgresFeedbackStore;
    const old = await logPrediction(replica, TODAY - 3 * DAY + 1000);
    const yesterday = await logPrediction(replica, TODAY - DAY + 1000);
    await feedback.save(old, 'POSITIVE', NOW);
    await feedback.save(yesterday, 'POSITIVE', NOW);
    expect(await feedback.sweepExpired()).toBe(0); // nothing expired yet
    await replica.predictions.deleteOlderThan(TODAY - DAY);
    expect(await feedback.sweepExpired()).toBe(1);
    const rows = await replica.postgres!.query<{ prediction_id: string }>('SELECT prediction_id FROM feedback');
    expect(rows).toEqual([{ prediction_id: yesterday.id }]);
  });
});
