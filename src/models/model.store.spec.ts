import { Client } from 'pg';
import { BACKENDS, openDatabase, storeOn, type DatabaseHarness } from '../../test/support/stores';
import { ModelStore } from './model.store';
import { MODEL_ROLES_CHANNEL, PostgresModelStore } from './postgres-model.store';
import { SqliteModelStore } from './sqlite-model.store';

describe.each(BACKENDS)('ModelStore contract (%s)', (backend) => {
  let db: DatabaseHarness;
  let store: ModelStore;
  /** A store on the same database (again after db.disconnect(), to check what persisted). */
  const open = (): ModelStore =>
    storeOn<ModelStore>(db.connect(), { sqlite: (d) => new SqliteModelStore(d), postgres: (d) => new PostgresModelStore(d) });

  beforeEach(async () => {
    db = await openDatabase(backend);
    store = open();
  });
  afterEach(() => db.close());

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
    await store.changeRoles([{ role: 'shadow', version: 'd', traffic: 0.25 }], { at: 4, action: 'shadow.set', version: 'd', outcome: 'ok', detail: 'x' });
    await db.disconnect();
    store = open();
    expect(await store.roles()).toEqual([
      { role: 'previous', version: 'a', updatedAt: 2 },
      { role: 'production', version: 'b', updatedAt: 2 },
      { role: 'shadow', version: 'd', traffic: 0.25, updatedAt: 4 },
    ]);
    expect((await store.history(10)).map((e) => [e.action, e.version, e.previousVersion, e.outcome, e.at])).toEqual([
      ['shadow.set', 'd', undefined, 'ok', 4],
      ['canary.clear', 'c', undefined, 'ok', 3],
      ['activate', 'b', 'a', 'ok', 2],
      ['startup', 'a', undefined, 'ok', 1],
    ]);
  });

  it('changes nothing when the transaction fails halfway', async () => {
    await store.changeRoles([{ role: 'production', version: 'a' }], { at: 1, action: 'startup', version: 'a', outcome: 'ok', detail: 'x' });
    // A NOT NULL violation in the history entry aborts the role change made before it in the same transaction.
    const broken = { at: 2, action: null as unknown as string, version: 'b', outcome: 'ok' as const, detail: 'x' };
    // (Matched by code: better-sqlite3's SqliteError comes from another jest realm once the addon is cached.)
    const code = backend === 'SQLite' ? 'SQLITE_CONSTRAINT_NOTNULL' : '23502';
    await expect(store.changeRoles([{ role: 'production', version: 'b' }], broken)).rejects.toMatchObject({ code });
    expect(await store.roles()).toEqual([{ role: 'production', version: 'a', updatedAt: 1 }]);
    expect(await store.history(10)).toHaveLength(1);
  });

  it('pages the history newest first', async () => {
    for (let i = 1; i <= 5; i++) await store.appendHistory({ at: i, action: `a${i}`, outcome: 'refused', detail: `d${i}` });
    const first = await store.history(2);
    expect(first.map((e) => e.action)).toEqual(['a5', 'a4']);
    expect(first.map((e) => [e.outcome, e.detail])).toEqual([
      ['refused', 'd5'],
      ['refused', 'd4'],
    ]);
    expect((await store.history(2, first[1].id)).map((e) => e.action)).toEqual(['a3', 'a2']);
  });

  it('keeps settings', async () => {
    expect(await store.setting('model_dir_sha256')).toBeUndefined();
    await store.setSetting('model_dir_sha256', 'abc');
    await store.setSetting('model_dir_sha256', 'def');
    expect(await store.setting('model_dir_sha256')).toBe('def');
  });
});

describe('PostgresModelStore notifications', () => {
  it('announces a role change on its channel once committed, and never a rolled-back one', async () => {
    const db = await openDatabase('PostgreSQL');
    const listener = new Client({ connectionString: db.url });
    try {
      const store = new PostgresModelStore(db.connect().postgres!);
      await store.roles(); // migrated
      await listener.connect();
      const payloads: string[] = [];
      listener.on('notification', (n) => payloads.push(`${n.channel} ${n.payload}`));
      await listener.query(`LISTEN ${MODEL_ROLES_CHANNEL}`);
      const broken = { at: 2, action: null as unknown as string, version: 'x', outcome: 'ok' as const, detail: 'x' };
      await expect(store.changeRoles([{ role: 'production', version: 'x' }], broken)).rejects.toMatchObject({ code: '23502' });
      await store.changeRoles([{ role: 'production', version: 'b' }], { at: 3, action: 'activate', version: 'b', outcome: 'ok', detail: 'x' });
      await store.appendHistory({ at: 4, action: 'activate', outcome: 'refused', detail: 'not a change' });
      // A round trip on the listening connection: notifications sent before it have been delivered.
      await listener.query('SELECT 1');
      expect(payloads).toEqual([`${MODEL_ROLES_CHANNEL} {"action":"activate","version":"b"}`]);
    } finally {
      await listener.end();
      await db.close();
    }
  });
});
