import { configWithTempDataDir } from '../../test/support/temp-data-dir';
import { SqliteDatabase } from '../database/sqlite-database';
import { ModelStore } from './model.store';

describe('ModelStore (SQLite)', () => {
  let remove: () => void;
  let database: SqliteDatabase;
  let store: ModelStore;
  let config: ReturnType<typeof configWithTempDataDir>['config'];

  beforeEach(() => {
    ({ config, remove } = configWithTempDataDir());
    database = new SqliteDatabase(config);
    store = new ModelStore(database);
  });

  afterEach(() => {
    database.onApplicationShutdown();
    remove();
  });

  it('applies role changes and their history entry together, and keeps them across a reopen', async () => {
    await store.changeRoles([{ role: 'production', version: 'a' }], { at: 1, action: 'startup', version: 'a', outcome: 'ok', detail: 'first start' });
    await store.changeRoles(
      [
        { role: 'production', version: 'b' },
        { role: 'previous', version: 'a' },
        { role: 'canary', version: 'c', traffic: 10 },
      ],
      { at: 2, action: 'activate', version: 'b', previousVersion: 'a', outcome: 'ok', detail: 'made production' },
    );
    await store.changeRoles([{ role: 'canary' }], { at: 3, action: 'canary.clear', version: 'c', outcome: 'ok', detail: 'cleared' });
    database.onApplicationShutdown();
    database = new SqliteDatabase(config);
    store = new ModelStore(database);
    expect(await store.roles()).toEqual([
      { role: 'previous', version: 'a', updatedAt: 2 },
      { role: 'production', version: 'b', updatedAt: 2 },
    ]);
    expect((await store.history(10)).map((e) => [e.action, e.version, e.previousVersion])).toEqual([
      ['canary.clear', 'c', undefined],
      ['activate', 'b', 'a'],
      ['startup', 'a', undefined],
    ]);
  });

  it('changes nothing when the transaction fails halfway', async () => {
    await store.changeRoles([{ role: 'production', version: 'a' }], { at: 1, action: 'startup', version: 'a', outcome: 'ok', detail: 'x' });
    // A NOT NULL violation in the history entry aborts the role change made before it in the same transaction.
    const broken = { at: 2, action: null as unknown as string, version: 'b', outcome: 'ok' as const, detail: 'x' };
    // (Matched by code: better-sqlite3's SqliteError comes from another jest realm once the addon is cached.)
    await expect(store.changeRoles([{ role: 'production', version: 'b' }], broken)).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_NOTNULL' });
    expect(await store.roles()).toEqual([{ role: 'production', version: 'a', updatedAt: 1 }]);
    expect(await store.history(10)).toHaveLength(1);
  });

  it('pages the history newest first', async () => {
    for (let i = 1; i <= 5; i++) await store.appendHistory({ at: i, action: `a${i}`, outcome: 'refused', detail: `d${i}` });
    const first = await store.history(2);
    expect(first.map((e) => e.action)).toEqual(['a5', 'a4']);
    expect((await store.history(2, first[1].id)).map((e) => e.action)).toEqual(['a3', 'a2']);
  });

  it('keeps settings', async () => {
    expect(await store.setting('model_dir_sha256')).toBeUndefined();
    await store.setSetting('model_dir_sha256', 'abc');
    await store.setSetting('model_dir_sha256', 'def');
    expect(await store.setting('model_dir_sha256')).toBe('def');
  });
});
