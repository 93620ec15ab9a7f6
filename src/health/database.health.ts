import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DatabaseService } from '../database/database.service';

/**
 * Whether the database commits a write now (one row in a probe table): accepted work and predictions are
 * committed before they are answered, so a replica whose disk is full or read-only cannot serve.
 */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly database: DatabaseService,
  ) {}

  isWritable<const Key extends string>(key: Key) {
    const indicator = this.indicators.check(key);
    const check = this.database.checkWritable();
    if (!check.writable) return indicator.down({ message: `the database cannot commit: ${check.reason}` });
    return indicator.up();
  }
}
