import { BACKENDS, openDatabase, storeOn, type DatabaseHarness } from '../../test/support/stores';
import { DriftStore } from './drift.store';
import type { StoredReference, WindowResult } from './drift.types';
import { PostgresDriftStore } from './postgres-drift.store';
import { SqliteDriftStore } from './sqlite-drift.store';

function reference(version: string, createdAt: number, source: StoredReference['source'] = 'file'): StoredReference {
  return {
    modelVersion: version,
    source,
    ...(source === 'file' ? { file: `/models/${version}/drift_reference.txt` } : {}),
    createdAt,
    size: 2,
    features: {
      size: 2,
      embeddingDim: 1,
      embedding: [0.125, -1e-7],
      confidence: [0.9, 0.6],
      entropy: [0.1, 0.7],
      tokenCount: [5, 9],
      unknownShare: [0, 0.1],
      nonLetterShare: [0.2, 0],
      truncated: [0, 1],
      label: [1, 0],
      labels: ['NEGATIVE', 'POSITIVE'],
    },
    projection: { method: 'pca', inputDim: 1, outputDim: 1, mean: [0.5], components: [[1]] } as unknown as StoredReference['projection'],
    projectionFitSize: 2,
    bandwidth: 1.25,
  };
}

function window(version: string, sequence: number, status: WindowResult['status'] = 'ok'): WindowResult {
  return {
    modelVersion: version,
    sequence,
    startedAt: 1000 * sequence,
    closedAt: 1000 * sequence + 500,
    closedBy: 'size',
    size: 20,
    status,
    alpha: 0.05,
    correction: 'holm',
    tests: [{ feature: 'confidence', test: 'ks', statistic: 0.5, p_value: 0.01, adjusted_p_value: 0.02, drifted: status === 'drift' }],
    evaluationMs: 3.5,
    ...(sequence % 2 === 0 ? { embeddingUnavailable: 'the model has no embedding output' } : {}),
  } as WindowResult;
}

describe.each(BACKENDS)('DriftStore contract (%s)', (backend) => {
  let db: DatabaseHarness;
  let store: DriftStore;
  /** Another store on the same database (another replica). */
  const open = (): DriftStore =>
    storeOn<DriftStore>(db.connect(), { sqlite: (d) => new SqliteDriftStore(d), postgres: (d) => new PostgresDriftStore(d) });

  beforeEach(async () => {
    db = await openDatabase(backend);
    store = open();
  });
  afterEach(() => db.close());

  it('stores a reference and reads it back whole, from another store on the same database', async () => {
    expect(await store.loadReference('v1')).toBeUndefined();
    const saved = await store.saveReference(reference('v1', 10), 'replace');
    expect(saved).toEqual(reference('v1', 10));
    expect(await open().loadReference('v1')).toEqual(reference('v1', 10));
  });

  it('keeps the first reference built from the file (if-absent) and returns it; an admin reference replaces it', async () => {
    await store.saveReference(reference('v1', 10), 'if-absent');
    expect(await open().saveReference(reference('v1', 20), 'if-absent')).toEqual(reference('v1', 10));
    expect((await store.loadReference('v1'))?.createdAt).toBe(10);
    expect(await store.saveReference(reference('v1', 30, 'admin'), 'replace')).toEqual(reference('v1', 30, 'admin'));
    expect(await store.loadReference('v1')).toEqual(reference('v1', 30, 'admin'));
  });

  it('keeps the newest windows of each version, newest first', async () => {
    for (let sequence = 1; sequence <= 5; sequence++) expect(await store.saveWindow(window('v1', sequence, sequence === 4 ? 'drift' : 'ok'), 3)).toBe(sequence);
    await store.saveWindow(window('v2', 1, 'no_reference'), 3);
    expect(await store.recentWindows('v1', 10)).toEqual([window('v1', 5), window('v1', 4, 'drift'), window('v1', 3)]);
    expect(await store.recentWindows('v1', 2)).toEqual([window('v1', 5), window('v1', 4, 'drift')]);
    expect(await store.recentWindows('v2', 10)).toEqual([window('v2', 1, 'no_reference')]);
    expect(await store.recentWindows('v3', 10)).toEqual([]);
  });

  it('files a window whose sequence another writer took under the next free one', async () => {
    const other = open();
    expect(await store.saveWindow(window('v1', 1), 10)).toBe(1);
    expect(await other.saveWindow(window('v1', 1), 10)).toBe(2);
    // A gap (a window dropped untested) is kept: the writer's own number wins when it is free and higher.
    expect(await store.saveWindow(window('v1', 5), 10)).toBe(5);
    expect((await store.recentWindows('v1', 10)).map((w) => w.sequence)).toEqual([5, 2, 1]);
  });

  it('gives concurrent writers distinct sequences', async () => {
    const writers = [open(), open(), open()];
    const sequences = await Promise.all(writers.map((writer) => writer.saveWindow(window('v1', 1), 10)));
    expect([...sequences].sort()).toEqual([1, 2, 3]);
    expect(await store.recentWindows('v1', 10)).toHaveLength(3);
  });

  it('lists every version with a reference or windows', async () => {
    expect(await store.versions()).toEqual([]);
    await store.saveReference(reference('b', 1), 'replace');
    await store.saveWindow(window('a', 1), 5);
    await store.saveWindow(window('b', 1), 5);
    expect(await store.versions()).toEqual(['a', 'b']);
  });

  it('says whether it is shared between replicas', () => {
    expect(store.shared).toBe(backend === 'PostgreSQL');
  });
});
