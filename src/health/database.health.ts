import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { PostgresDatabase } from '../database/postgres-database';
import { SqliteDatabase } from '../database/sqlite-database';

/**
 * Whether the database commits a write now (one row in a probe table): accepted work and predictions are
 * committed before they are answered, so a replica whose disk is full or read-only, or which lost its
 * PostgreSQL, cannot serve.
 */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly sqlite: SqliteDatabase,
    private readonly postgres: PostgresDatabase,
  ) {}

  async isWritable<const Key extends string>(key: Key) {
    const indicator = this.indicators.check(key);
    const check = this.postgres.enabled ? await this.postgres.checkWritable() : this.sqlite.checkWritable();
    if (!check.writable) return indicator.down({ message: `the database cannot commit: ${check.reason}` });
    return indicator.up();
  }
}
