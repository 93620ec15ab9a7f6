import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService, HealthIndicatorFunction } from '@nestjs/terminus';
import { AppError, ErrorDetail } from '../common/errors/app-error';
import { DatabaseHealthIndicator } from './database.health';
import { EngineQueueHealthIndicator } from './engine-queue.health';
import { ModelHealthIndicator } from './model.health';
import { ModelRolesHealthIndicator } from './model-roles.health';
import { ShutdownService } from './shutdown.service';

/**
 * The health checks.
 * - Liveness (/health/live): the process answers. No dependency is looked at, and it stays 200 while the
 *   service drains at shutdown: the process is alive, and a failing liveness probe would only get it killed
 *   before its in-flight requests finish.
 * - Report (/health): the model, in detail, from in-memory state only (no database write, no inference).
 * - Readiness (/health/ready): the model is loaded, the engine queue has room (READY_MAX_QUEUE_RATIO), the
 *   database commits, with several replicas (PostgreSQL) the production version served is the one the database
 *   names, and the service is not shutting down.
 * A failed check (and any check during shutdown) is the NOT_READY error: 503, the one error body, the failing
 * indicators in `details` (during shutdown first `{indicator: "service", status: "shutting_down"}`).
 */
@Injectable()
export class HealthService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly model: ModelHealthIndicator,
    private readonly modelRoles: ModelRolesHealthIndicator,
    private readonly engineQueue: EngineQueueHealthIndicator,
    private readonly database: DatabaseHealthIndicator,
    private readonly shutdown: ShutdownService,
  ) {}

  /** Every in-memory fact about the served model (features add their cheap indicators here). */
  report(): Promise<HealthCheckResult> {
    return this.run([() => this.model.isLoaded('model')]);
  }

  live(): Promise<HealthCheckResult> {
    return Promise.resolve({ status: 'ok', info: {}, error: {}, details: {} });
  }

  ready(): Promise<HealthCheckResult> {
    return this.run([
      () => this.model.isLoaded('model'),
      () => this.engineQueue.hasRoom('engine'),
      () => this.database.isWritable('database'),
      () => this.modelRoles.servesNamedProduction('modelRoles'),
    ]);
  }

  private async run(indicators: HealthIndicatorFunction[]): Promise<HealthCheckResult> {
    let result: HealthCheckResult;
    try {
      result = await this.health.check(indicators);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      result = error.getResponse() as HealthCheckResult;
    }
    // Terminus flags shutdown only in its beforeApplicationShutdown; ShutdownService knows from the first hook.
    if (this.shutdown.isShuttingDown) result = { ...result, status: 'shutting_down' };
    if (result.status !== 'ok') throw notReady(result);
    return result;
  }
}

function notReady(result: HealthCheckResult): AppError {
  const details: ErrorDetail[] = Object.entries(result.error ?? {}).map(([indicator, outcome]) => {
    const { status, message, ...rest } = outcome ?? { status: 'down' };
    return { indicator, status, message: typeof message === 'string' ? message : `${indicator} is ${status}`, ...rest };
  });
  const shuttingDown = result.status === 'shutting_down';
  if (shuttingDown) details.unshift({ indicator: 'service', status: 'shutting_down', message: 'the service is shutting down' });
  const summary = details
    .filter((d) => d.indicator !== 'service')
    .map((d) => `${String(d.indicator)}: ${d.message}`)
    .join('; ');
  const prefix = shuttingDown ? 'The service is shutting down' : 'The service is not ready';
  return new AppError('NOT_READY', summary ? `${prefix} (${summary})` : prefix, details);
}
