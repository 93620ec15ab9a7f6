import { BACKENDS, openStores, type Replica, type StoreHarness } from '../../test/support/stores';
import { newPredictionId } from '../predictions/prediction-id';
import type { PredictionRecord } from '../predictions/prediction.types';
import type { Baseline, WindowCell } from './performance-tracker';

const DAY = 86_400_000;
const MINUTE = 60_000;
const TODAY = Math.floor(Date.now() / DAY) * DAY;
/** A window boundary (10:00 UTC today), windows of 1 minute. */
const T0 = TODAY + 10 * 3_600_000;

/** Logs a prediction of `predicted` by `version` and saves `actual` as its feedback, received at `receivedAt`. */
async function labelled(replica: Replica, version: string, predicted: string, actual: string, receivedAt: number, createdAt = T0): Promise<PredictionRecord> {
  const prediction: PredictionRecord = {
    id: newPredictionId(),
    createdAt,
    modelVersion: version,
    label: predicted,
    score: 0.5,
    scores: { NEGATIVE: 0.5, POSITIVE: 0.5 },
    latencyMs: 1,
    source: 'batch',
    inputLength: 1,
  };
  await replica.predictions.insertAll([prediction]);
  await replica.feedback.save(prediction, actual, receivedAt);
  return prediction;
}

function sorted(cells: WindowCell[]): WindowCell[] {
  const key = (c: WindowCell) => `${c.modelVersion}|${c.windowStart}|${c.predicted}|${c.actual}`;
  return [...cells].sort((a, b) => (key(a) < key(b) ? -1 : 1));
}

describe.each(BACKENDS)('MonitoringStore contract on %s', (backend) => {
  let harness: StoreHarness;
  beforeEach(async () => {
    harness = await openStores(backend);
  });
  afterEach(() => harness.close());

  it('counts labelled predictions per version, window (by receipt time) and label pair, from `since` on', async () => {
    const replica = harness.replica();
    await labelled(replica, 'v1', 'POSITIVE', 'POSITIVE', T0 - 1); // before `since`: not counted
    await labelled(replica, 'v1', 'POSITIVE', 'POSITIVE', T0);
    await labelled(replica, 'v1', 'POSITIVE', 'POSITIVE', T0 + 59_999);
    await labelled(replica, 'v1', 'POSITIVE', 'NEGATIVE', T0 + 30_000);
    await labelled(replica, 'v1', 'NEGATIVE', 'NEGATIVE', T0 + MINUTE);
    await labelled(replica, 'v2', 'NEGATIVE', 'POSITIVE', T0 + MINUTE + 5);
    await labelled(replica, 'v2', 'NEGATIVE', 'POSITIVE', T0 + MINUTE + 6);
    expect(sorted(await replica.monitoring.labelledCounts(T0, MINUTE))).toEqual([
      { modelVersion: 'v1', windowStart: T0, predicted: 'POSITIVE', actual: 'NEGATIVE', count: 1 },
      { modelVersion: 'v1', windowStart: T0, predicted: 'POSITIVE', actual: 'POSITIVE', count: 2 },
      { modelVersion: 'v1', windowStart: T0 + MINUTE, predicted: 'NEGATIVE', actual: 'NEGATIVE', count: 1 },
      { modelVersion: 'v2', windowStart: T0 + MINUTE, predicted: 'NEGATIVE', actual: 'POSITIVE', count: 2 },
    ]);
  });

  it('counts a replaced feedback once, with its latest label in the window it was received in', async () => {
    const replica = harness.replica();
    const prediction = await labelled(replica, 'v1', 'POSITIVE', 'POSITIVE', T0);
    await replica.feedback.save(prediction, 'NEGATIVE', T0 + MINUTE);
    expect(await replica.monitoring.labelledCounts(T0, MINUTE)).toEqual([
      { modelVersion: 'v1', windowStart: T0 + MINUTE, predicted: 'POSITIVE', actual: 'NEGATIVE', count: 1 },
    ]);
  });

  it('does not count feedback whose prediction the log retention removed', async () => {
    const replica = harness.replica();
    await labelled(replica, 'v1', 'POSITIVE', 'NEGATIVE', T0, TODAY - 3 * DAY);
    await labelled(replica, 'v1', 'POSITIVE', 'POSITIVE', T0, TODAY);
    await replica.predictions.deleteOlderThan(TODAY - DAY);
    expect(await replica.monitoring.labelledCounts(T0, MINUTE)).toEqual([
      { modelVersion: 'v1', windowStart: T0, predicted: 'POSITIVE', actual: 'POSITIVE', count: 1 },
    ]);
  });

  it('stores a baseline once: the first one stored wins, for every replica', async () => {
    const [a, b] = [harness.replica(), harness.replica()];
    expect(await a.monitoring.baselines()).toEqual([]);
    const first: Baseline = { modelVersion: 'v1', start: T0, end: T0 + MINUTE, samples: 40, accuracy: 0.925, weightedF1: 0.9125, establishedAt: T0 + MINUTE + 1 };
    await a.monitoring.saveBaseline(first);
    await b.monitoring.saveBaseline({ ...first, start: T0 + MINUTE, samples: 99, accuracy: 0.5, weightedF1: 0.5 });
    expect(await a.monitoring.baselines()).toEqual([first]);
    expect(await b.monitoring.baselines()).toEqual([first]);
  });

  it('keeps one baseline per version when replicas store theirs at the same moment', async () => {
    const replicas = [harness.replica(), harness.replica(), harness.replica()];
    const candidates = replicas.map((_, i): Baseline => ({ modelVersion: 'v9', start: T0, end: T0 + MINUTE, samples: 30 + i, accuracy: 0.5, weightedF1: 0.5, establishedAt: T0 + i }));
    await Promise.all(replicas.map((replica, i) => replica.monitoring.saveBaseline(candidates[i])));
    const stored = await replicas[0].monitoring.baselines();
    expect(stored).toHaveLength(1);
    expect(candidates).toContainEqual(stored[0]);
    expect(await replicas[2].monitoring.baselines()).toEqual(stored);
  });
});
