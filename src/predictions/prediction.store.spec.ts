import { BACKENDS, openStores, type StoreHarness } from '../../test/support/stores';
import { partitionName, PostgresPredictionStore } from './postgres-prediction.store';
import { newPredictionId } from './prediction-id';
import type { PredictionRecord } from './prediction.types';

const DAY = 86_400_000;
/** Midnight UTC of today: the tests place records on whole days around it. */
const TODAY = Math.floor(Date.now() / DAY) * DAY;

function record(overrides: Partial<PredictionRecord> = {}): PredictionRecord {
  return {
    id: newPredictionId(),
    createdAt: TODAY + 10 * 3_600_000,
    modelVersion: 'sst2@1',
    label: 'POSITIVE',
    score: 0.875,
    scores: { NEGATIVE: 0.125, POSITIVE: 0.875 },
    latencyMs: 3.25,
    source: 'sentiment',
    inputLength: 11,
    ...overrides,
  };
}

describe.each(BACKENDS)('PredictionStore contract on %s', (backend) => {
  let harness: StoreHarness;
  beforeEach(async () => {
    harness = await openStores(backend);
  });
  afterEach(() => harness.close());

  it('reads back every field of a record it committed, optional ones included or left out', async () => {
    const { predictions } = harness.replica();
    const minimal = record();
    const full = record({ source: 'job', jobId: 'job-1', input: 'good movie', inputHash: 'ab'.repeat(32), scores: { A: 0.25, B: 0.5, C: 0.25 } });
    await predictions.insertAll([minimal, full]);
    expect(await predictions.findById(minimal.id)).toEqual(minimal);
    expect(await predictions.findById(full.id)).toEqual(full);
  });

  it('keeps what it committed for another connection (a restart, another replica)', async () => {
    const first = harness.replica();
    const kept = record();
    await first.predictions.insertAll([kept]);
    expect(await harness.replica().predictions.findById(kept.id)).toEqual(kept);
  });

  it('commits a group entirely or not at all', async () => {
    const { predictions } = harness.replica();
    const existing = record();
    await predictions.insertAll([existing]);
    const fresh = record();
    // The second record repeats an id already logged: the whole group must fail, the fresh record with it.
    // Checked by message, not with rejects.toThrow(): under jest, better-sqlite3's native addon keeps the error
    // class of the first test file that loaded it, so in a later file its errors are not that realm's Errors and
    // toThrow() would report "did not throw" for a rejection.
    const outcome = await predictions.insertAll([fresh, { ...record(), id: existing.id, createdAt: existing.createdAt }]).then(
      () => 'committed',
      (error: unknown) => String((error as Error)?.message ?? error),
    );
    expect(outcome).toMatch(/UNIQUE constraint failed|duplicate key value/);
    expect(await predictions.findById(fresh.id)).toBeUndefined();
    expect(await predictions.findById(existing.id)).toEqual(existing);
  });

  it('finds nothing for an id never logged, or one that is not a UUID', async () => {
    const { predictions } = harness.replica();
    await predictions.insertAll([record()]);
    expect(await predictions.findById(newPredictionId())).toBeUndefined();
    expect(await predictions.findById('not-a-uuid')).toBeUndefined();
    expect(await predictions.findById("'; DROP TABLE predictions; --")).toBeUndefined();
  });

  it('retention removes the predictions of days before the cutoff and keeps the newer ones', async () => {
    const { predictions } = harness.replica();
    const old = record({ createdAt: TODAY - 3 * DAY + 3_600_000 });
    const yesterday = record({ createdAt: TODAY - DAY + 3_600_000 });
    const today = record();
    await predictions.insertAll([old, yesterday, today]);
    const result = await predictions.deleteOlderThan(TODAY - DAY);
    expect(result.removed).toBeGreaterThan(0);
    expect(await predictions.findById(old.id)).toBeUndefined();
    expect(await predictions.findById(yesterday.id)).toEqual(yesterday);
    expect(await predictions.findById(today.id)).toEqual(today);
  });
});

describe('PostgresPredictionStore (daily partitions)', () => {
  let harness: StoreHarness;
  beforeEach(async () => {
    harness = await openStores('PostgreSQL');
  });
  afterEach(() => harness.close());

  function store(): PostgresPredictionStore {
    return harness.replica().predictions as PostgresPredictionStore;
  }

  it('has a partition for today and each of the next 3 days, named by day, before the first insert', async () => {
    const partitions = await store().partitions();
    const days = [0, 1, 2, 3].map((n) => TODAY + n * DAY);
    expect(partitions).toEqual(days.map((start) => ({ name: partitionName(start), start, end: start + DAY })));
    expect(partitionName(Date.UTC(2026, 11, 1))).toBe('predictions_20261201');
  });

  it('commits a record for a day that has no partition yet, creating that day only', async () => {
    const predictions = store();
    const longAgo = record({ createdAt: TODAY - 40 * DAY + 123 });
    const farAhead = record({ createdAt: TODAY + 30 * DAY });
    await predictions.insertAll([longAgo, farAhead, record()]);
    expect(await predictions.findById(longAgo.id)).toEqual(longAgo);
    expect(await predictions.findById(farAhead.id)).toEqual(farAhead);
    const starts = (await predictions.partitions()).map((p) => p.start);
    expect(starts).toEqual([TODAY - 40 * DAY, TODAY, TODAY + DAY, TODAY + 2 * DAY, TODAY + 3 * DAY, TODAY + 30 * DAY]);
  });

  it('has no DEFAULT partition: every row lives in its day', async () => {
    const { postgres } = harness.replica();
    await store().partitions(); // the migration has run
    const rows = await postgres!.query<{ bound: string }>(
      `SELECT pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'predictions'::regclass`,
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((row) => row.bound === 'DEFAULT')).toEqual([]);
  });

  it('retention drops whole days: a day that ends after the cutoff stays whole, older days go', async () => {
    const predictions = store();
    const twoDaysAgo = record({ createdAt: TODAY - 2 * DAY + 1000 });
    const yesterdayMorning = record({ createdAt: TODAY - DAY + 3_600_000 });
    const yesterdayEvening = record({ createdAt: TODAY - DAY + 20 * 3_600_000 });
    await predictions.insertAll([twoDaysAgo, yesterdayMorning, yesterdayEvening, record()]);
    // The cutoff is in the middle of yesterday: yesterday's partition ends after it, so all of yesterday stays.
    const result = await predictions.deleteOlderThan(TODAY - DAY + 12 * 3_600_000);
    expect(result).toEqual({ removed: 1, unit: 'daily partitions' });
    expect(await predictions.findById(twoDaysAgo.id)).toBeUndefined();
    expect(await predictions.findById(yesterdayMorning.id)).toEqual(yesterdayMorning);
    expect(await predictions.findById(yesterdayEvening.id)).toEqual(yesterdayEvening);
    expect((await predictions.partitions()).map((p) => p.start)).toEqual([TODAY - DAY, TODAY, TODAY + DAY, TODAY + 2 * DAY, TODAY + 3 * DAY]);
  });

  it('lets several replicas create the same missing day at once', async () => {
    const replicas = [store(), store(), store()];
    const day = TODAY - 7 * DAY;
    const records = replicas.map((_, i) => record({ createdAt: day + i }));
    await Promise.all(replicas.map((replica, i) => replica.insertAll([records[i]])));
    for (const r of records) expect(await replicas[0].findById(r.id)).toEqual(r);
    expect((await replicas[0].partitions()).filter((p) => p.start === day)).toHaveLength(1);
  });
});
