import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Pool, types as pgTypes } from 'pg';
import { AppConfig } from '../config/app-config';
import { DatabaseOpenError, type WritableCheck } from './sqlite-database';

/** What runs a statement: the pool (each statement on any free connection) or one transaction's connection. */
export interface PgExecutor {
  query<R extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** One advisory lock key for every migration of this server (any 64-bit constant unique to the project). */
const MIGRATION_LOCK_KEY = 7_341_508_201;
/** How long the readiness probe's write may take before the database counts as unable to commit. */
const PROBE_TIMEOUT_MS = 2000;

/**
 * Results as the stores expect them: BIGINT (int8) columns hold milliseconds since the epoch and counts, all far
 * below 2^53, so they are read as numbers rather than node-postgres's default strings.
 */
const INT8_OID = 20;
const parsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (value: string) => Number(value);
    return pgTypes.getTypeParser(oid, format);
  },
};

/**
 * PostgreSQL (node-postgres), the store when DATABASE_URL is set: several replicas share it. One bounded pool per
 * replica with a connect timeout, and an error handler so that a connection the server drops (a restart, a
 * failover) is logged and replaced instead of crashing the process.
 *
 * Each feature registers its tables with `migrate` from its store's constructor; the steps run under one
 * transaction-scoped advisory lock, so replicas starting together run each step once and in order. Startup waits
 * for every registered migration (`onModuleInit`) and fails, naming the database, when one fails or when the
 * database was written by a newer release. The pool is created only when DATABASE_URL is set.
 */
@Injectable()
export class PostgresDatabase implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PostgresDatabase.name);
  private readonly connectionPool: Pool | undefined;
  private readonly migrations: Promise<void>[] = [];
  /** Migrations run one after another even within a replica: each takes the same lock. */
  private migrationChain: Promise<void> = Promise.resolve();
  /** The URL without its password, for messages. */
  readonly location: string;

  constructor(private readonly config: AppConfig) {
    this.location = config.databaseUrl ? redactPassword(config.databaseUrl) : '(not configured)';
    if (!config.databaseUrl) return;
    this.connectionPool = new Pool({
      connectionString: config.databaseUrl,
      max: config.databasePoolSize,
      connectionTimeoutMillis: config.databaseConnectTimeoutMs,
      idleTimeoutMillis: 30_000,
      application_name: 'onnx-classifier-server',
      types: parsers,
    });
    // An idle connection that errors (server restart, network cut) is dropped from the pool; the next query opens a
    // new one. Without this listener node-postgres would raise an uncaught 'error' and end the process.
    this.connectionPool.on('error', (error) => this.logger.warn(`An idle PostgreSQL connection failed: ${error.message}`));
    void this.migrate('database', [
      'CREATE TABLE health_probe (id INTEGER PRIMARY KEY CHECK (id = 1), checked_at BIGINT NOT NULL)',
    ]);
  }

  /** Whether DATABASE_URL is set (the stores are on PostgreSQL). */
  get enabled(): boolean {
    return this.connectionPool !== undefined;
  }

  /** The pool; throws when DATABASE_URL is unset (a PostgreSQL store was built by mistake). */
  get pool(): Pool {
    if (!this.connectionPool) throw new Error('DATABASE_URL is not set: PostgreSQL is not configured. This is a bug.');
    return this.connectionPool;
  }

  /** Runs one statement on any pooled connection. */
  async query<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    const result = await this.pool.query<R>(sql, params as unknown[]);
    return result.rows;
  }

  /** Runs `work` in one transaction on one connection: all of its writes commit, or none (it rolls back on a throw). */
  async transaction<T>(work: (tx: PgExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection itself failed: do not hand it back to the pool
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /**
   * Brings `component`'s tables to the latest version (append-only steps, as for SQLite), under the migration
   * advisory lock, each step in the transaction that records it. Returns the migration's promise; startup awaits
   * every one (onModuleInit), and a store awaits its own before its first statement. The promise is already
   * handled here, so a store may keep it unawaited until then without an unhandled rejection.
   */
  migrate(component: string, steps: readonly string[]): Promise<void> {
    const run = this.migrationChain.then(() => this.runMigration(component, steps));
    this.migrationChain = run.catch(() => undefined);
    this.migrations.push(run);
    // Reported by onModuleInit; a store that awaits it sees the same error.
    run.catch(() => undefined);
    return run;
  }

  private async runMigration(component: string, steps: readonly string[]): Promise<void> {
    try {
      await this.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
        await tx.query('CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)');
        const { rows } = await tx.query<{ version: number }>('SELECT version FROM schema_versions WHERE component = $1', [component]);
        const current = rows[0]?.version ?? 0;
        if (current > steps.length) {
          throw new Error(
            `${component}'s tables are at version ${current}, newer than this server knows (${steps.length}): was the database written by a newer release?`,
          );
        }
        for (let version = current + 1; version <= steps.length; version++) {
          await tx.query(steps[version - 1]);
          await tx.query(
            'INSERT INTO schema_versions (component, version) VALUES ($1, $2) ON CONFLICT (component) DO UPDATE SET version = excluded.version',
            [component, version],
          );
        }
      });
    } catch (error) {
      throw new DatabaseOpenError(this.location, error);
    }
  }

  async onModuleInit(): Promise<void> {
    if (!this.enabled) return;
    await Promise.all(this.migrations);
    this.logger.log(`Database ${this.location} ready (PostgreSQL, pool of ${this.config.databasePoolSize})`);
  }

  /** Whether a write commits now (readiness): a lost server, a read-only standby or a full disk show here. */
  async checkWritable(): Promise<WritableCheck> {
    try {
      await this.transaction(async (tx) => {
        // LOCAL: the timeout ends with this transaction and never sticks to the pooled connection.
        await tx.query(`SET LOCAL statement_timeout = ${PROBE_TIMEOUT_MS}`);
        await tx.query(
          'INSERT INTO health_probe (id, checked_at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at',
          [Date.now()],
        );
      });
      return { writable: true };
    } catch (error) {
      return { writable: false, reason: (error as Error).message };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.connectionPool || this.connectionPool.ended) return;
    await this.connectionPool.end();
    this.logger.log('Database pool closed');
  }
}

/** postgres://user:secret@host/db -> postgres://user:***@host/db */
export function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}
