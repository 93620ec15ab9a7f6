import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ModelsService } from '../models/models.service';

/**
 * Several replicas (PostgreSQL): up while this replica serves the production version the database names; down,
 * naming both versions and why, while a role change propagates or when this replica cannot load that version.
 * A load balancer then sends no traffic here rather than answers from another version than the others give.
 * With SQLite it is always up (this process alone changes the roles).
 */
@Injectable()
export class ModelRolesHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly models: ModelsService,
  ) {}

  async servesNamedProduction<const Key extends string>(key: Key) {
    const indicator = this.indicators.check(key);
    let mismatch: Awaited<ReturnType<ModelsService['productionMismatch']>>;
    try {
      mismatch = await this.models.productionMismatch();
    } catch (error) {
      return indicator.down({ message: `could not compare the production served with the database: ${(error as Error).message}` });
    }
    if (!mismatch) return indicator.up();
    return indicator.down({
      servedVersion: mismatch.served,
      databaseVersion: mismatch.named,
      message: `this replica serves production ${mismatch.served ?? '(none)'} but the database names ${mismatch.named}: ${mismatch.problem}`,
    });
  }
}
