import type BetterSqlite3 from 'better-sqlite3';
import { Sqlite } from './sqlite-driver';
import { join } from 'node:path';
import { configWithTempDataDir } from '../../test/support/temp-data-dir';
import { DATABASE_FILE, DatabaseOpenError, SqliteDatabase } from './sqlite-database';

describe('SqliteDatabase', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).reverse().forEach((cleanup) => cleanup()));

  function open(): { database: SqliteDatabase; dataDir: string } {
    const { config, dataDir, remove } = configWithTempDataDir();
    const database = new SqliteDatabase(config);
    cleanups.push(remove, () => database.onApplicationShutdown());
    return { database, dataDir };
  }

  it('creates DATA_DIR and the database file, in WAL mode', () => {
    const { config, dataDir, remove } = configWithTempDataDir();
    cleanups.push(remove);
    const nested = { ...config, dataDir: join(dataDir, 'a', 'b') };
    const database = new SqliteDatabase(nested);
    cleanups.push(() => database.onApplicationShutdown());
    expect(database.path).toBe(join(dataDir, 'a', 'b', DATABASE_FILE));
    expect(database.db.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('runs each migration step once, in order, and records the version', () => {
    const { database } = open();
    const steps = ['CREATE TABLE t (x INTEGER)', 'INSERT INTO t VALUES (1)'];
    database.migrate('feature', steps);
    database.migrate('feature', steps);
    expect(database.db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 });
    database.migrate('feature', [...steps, 'INSERT INTO t VALUES (2)']);
    expect(database.db.prepare('SELECT x FROM t ORDER BY x').all()).toEqual([{ x: 1 }, { x: 2 }]);
    expect(database.db.prepare("SELECT version FROM schema_versions WHERE component = 'feature'").get()).toEqual({ version: 3 });
  });

  it('refuses tables written by a newer release instead of misreading them', () => {
    const { database } = open();
    database.migrate('feature', ['CREATE TABLE t (x INTEGER)', 'ALTER TABLE t ADD COLUMN y INTEGER']);
    expect(() => database.migrate('feature', ['CREATE TABLE t (x INTEGER)'])).toThrow(
      expect.objectContaining({ code: 'DATABASE_UNAVAILABLE', message: expect.stringContaining('newer than this server knows') }),
    );
  });

  it('rolls a failing migration step back whole', () => {
    const { database } = open();
    expect(() => database.migrate('feature', ['CREATE TABLE t (x INTEGER); CREATE TABLE t (y INTEGER)'])).toThrow(DatabaseOpenError);
    expect(database.db.prepare("SELECT name FROM sqlite_master WHERE name = 't'").get()).toBeUndefined();
  });

  it('reports writable, then not writable while another connection holds the write lock, and restores its busy timeout', () => {
    const { database } = open();
    expect(database.checkWritable()).toEqual({ writable: true });
    const other = new Sqlite(database.path);
    cleanups.push(() => other.close());
    other.prepare('BEGIN IMMEDIATE').run();
    expect(database.checkWritable()).toEqual({ writable: false, reason: 'database is locked' });
    expect(database.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    other.prepare('ROLLBACK').run();
    expect(database.checkWritable()).toEqual({ writable: true });
  });

  it('fails (when a store first opens it) with the path and the reason when DATA_DIR cannot be created', () => {
    // A path under a regular file cannot be created, even by root (who ignores directory permissions).
    const { config, dataDir, remove } = configWithTempDataDir();
    cleanups.push(remove);
    const file = join(dataDir, 'not-a-directory');
    new Sqlite(file).close();
    const database = new SqliteDatabase({ ...config, dataDir: join(file, 'data') });
    expect(() => database.db).toThrow(
      expect.objectContaining({ code: 'DATABASE_UNAVAILABLE', message: expect.stringContaining(join(file, 'data', DATABASE_FILE)) }),
    );
  });
});
