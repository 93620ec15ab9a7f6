import type { Provider, Type } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { PostgresDatabase } from './postgres-database';
import { SqliteDatabase } from './sqlite-database';

/**
 * Provides a feature's store port with the implementation the configuration picks: PostgreSQL when DATABASE_URL
 * is set, the embedded SQLite database otherwise. The feature's services depend on the port (an abstract class)
 * only, and each implementation passes the same contract suite.
 */
export function storeProvider<Port>(
  port: abstract new (...args: never[]) => Port,
  sqlite: Type<Port> & (new (database: SqliteDatabase, ...rest: never[]) => Port),
  postgres: Type<Port> & (new (database: PostgresDatabase, ...rest: never[]) => Port),
): Provider {
  return {
    provide: port,
    inject: [AppConfig, SqliteDatabase, PostgresDatabase],
    useFactory: (config: AppConfig, sqliteDb: SqliteDatabase, postgresDb: PostgresDatabase) =>
      config.databaseUrl ? new postgres(postgresDb) : new sqlite(sqliteDb),
  };
}
