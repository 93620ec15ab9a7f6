import { configWithTempDataDir } from '../../test/support/temp-data-dir';
import { createTestDatabase, type TestDatabase } from '../../test/support/postgres';
import { DatabaseOpenError } from './sqlite-database';
import { PostgresDatabase, redactPassword } from './postgres-database';

describe('PostgresDatabase', () => {
  let testDb: TestDatabase;
  const open: PostgresDatabase[] = [];
  const cleanups: Array<() => void> = [];

  beforeEach(async () => {
    testDb = await createTestDatabase();
  });
  afterEach(async () => {
    for (const database of open.splice(0)) await database.onApplicationShutdown();
    cleanups.splice(0).forEach((cleanup) => cleanup());
    await testDb.drop();
  });

  function connect(overrides: { databaseUrl?: string; databaseConnectTimeoutMs?: number } = {}): PostgresDatabase {
    const { config, remove } = configWithTempDataDir();
    cleanups.push(remove);
    const database = new PostgresDatabase({ ...config, databaseUrl: testDb.url, ...overrides });
    open.push(database);
    return database;
  }

  it('is disabled, and opens nothing, without DATABASE_URL', async () => {
    const { config, remove } = configWithTempDataDir();
    cleanups.push(remove);
    const database = new PostgresDatabase({ ...config, databaseUrl: undefined });
    expect(database.enabled).toBe(false);
    expect(() => database.pool).toThrow(/DATABASE_URL is not set/);
    await expect(database.onModuleInit()).resolves.toBeUndefined();
  });

  it('runs each migration step once, in order, and records the version', async () => {
    const database = connect();
    const steps = ['CREATE TABLE t (x INTEGER)', 'INSERT INTO t VALUES (1)'];
    await database.migrate('feature', steps);
    await database.migrate('feature', steps);
    expect(await database.query('SELECT count(*)::int AS n FROM t')).toEqual([{ n: 1 }]);
    await database.migrate('feature', [...steps, 'INSERT INTO t VALUES (2)']);
    expect(await database.query('SELECT x FROM t ORDER BY x')).toEqual([{ x: 1 }, { x: 2 }]);
    expect(await database.query("SELECT version FROM schema_versions WHERE component = 'feature'")).toEqual([{ version: 3 }]);
  });

  it('runs a step once when several replicas migrate at the same moment (advisory lock)', async () => {
    const replicas = [connect(), connect(), connect(), connect()];
    // Without the lock two replicas would both see version 0 and the second CREATE TABLE would fail.
    const steps = ['CREATE TABLE once (x INTEGER)', 'INSERT INTO once VALUES (1)'];
    await Promise.all(replicas.map((replica) => replica.migrate('feature', steps)));
    expect(await replicas[0].query('SELECT count(*)::int AS n FROM once')).toEqual([{ n: 1 }]);
    await Promise.all(replicas.map((replica) => replica.onModuleInit()));
  });

  it('refuses tables written by a newer release, and startup fails naming the database', async () => {
    const database = connect();
    await database.migrate('feature', ['CREATE TABLE t (x INTEGER)', 'CREATE TABLE u (x INTEGER)']);
    const older = connect();
    const refused = older.migrate('feature', ['CREATE TABLE t (x INTEGER)']);
    await expect(refused).rejects.toThrow(DatabaseOpenError);
    await expect(refused).rejects.toThrow(/feature's tables are at version 2, newer than this server knows \(1\)/);
    // Startup names the database, with the password hidden.
    const failure = await older.onModuleInit().then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(failure).toMatch(/postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/test_/);
    expect(failure).not.toContain(new URL(testDb.url).password);
  });

  it('rolls a failed step back entirely, with its version', async () => {
    const database = connect();
    await expect(database.migrate('feature', ['CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1); SELECT 1/0'])).rejects.toThrow(
      /division by zero/,
    );
    expect(await database.query("SELECT to_regclass('t') AS t")).toEqual([{ t: null }]);
    expect(await database.query("SELECT * FROM schema_versions WHERE component = 'feature'")).toEqual([]);
  });

  it('commits a transaction whole, or rolls it back whole when its work throws', async () => {
    const database = connect();
    await database.migrate('feature', ['CREATE TABLE t (x INTEGER)']);
    await database.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES (1)');
      await tx.query('INSERT INTO t VALUES (2)');
    });
    await expect(
      database.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (3)');
        throw new Error('half-way');
      }),
    ).rejects.toThrow('half-way');
    expect(await database.query('SELECT x FROM t ORDER BY x')).toEqual([{ x: 1 }, { x: 2 }]);
  });

  it('reads BIGINT columns (milliseconds, counts) as numbers', async () => {
    const database = connect();
    expect(await database.query('SELECT 1764547200000::bigint AS at, count(*) AS n FROM (VALUES (1), (2)) v(x)')).toEqual([
      { at: 1764547200000, n: 2 },
    ]);
  });

  it('reports writable, and not writable with the reason once the server is unreachable', async () => {
    const database = connect();
    await database.onModuleInit();
    expect(await database.checkWritable()).toEqual({ writable: true });
    const unreachable = connect({ databaseUrl: 'postgres://postgres:x@127.0.0.1:1/none', databaseConnectTimeoutMs: 500 });
    const check = await unreachable.checkWritable();
    expect(check.writable).toBe(false);
    expect(check).toHaveProperty('reason', expect.stringMatching(/ECONNREFUSED|connect/));
  });

  it('hides the password in the location it prints', () => {
    expect(redactPassword('postgres://app:s3cret@db:5432/classifier')).toBe('postgres://app:***@db:5432/classifier');
  });
});
