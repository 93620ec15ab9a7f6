import { Global, Module } from '@nestjs/common';
import { PostgresDatabase } from './postgres-database';
import { SqliteDatabase } from './sqlite-database';

/**
 * The database: the embedded SQLite file by default, PostgreSQL when DATABASE_URL is set (see storeProvider).
 * Both are provided; the unused one never opens anything. Global: every feature's store uses it, and global
 * modules shut down last.
 */
@Global()
@Module({
  providers: [SqliteDatabase, PostgresDatabase],
  exports: [SqliteDatabase, PostgresDatabase],
})
export class DatabaseModule {}
