import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService, HealthIndicatorFunction } from '@nestjs/terminus';
import { AppError, ErrorDetail } from '../common/errors/app-error';
import { ModelHealthIndicator } from './model.health';

/**
 * The health checks. Liveness only proves the process answers; readiness (and the overall /health report)
 * requires the model. A failed check is the NOT_READY error (503, the one error body, the failing indicators
 * in `details`).
 */
@Injectable()
export class HealthService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly model: ModelHealthIndicator,
  ) {}

  /** Every dependency's health (features add their indicators here). */
  report(): Promise<HealthCheckResult> {
    return this.run([() => this.model.isLoaded('model')]);
  }

  live(): Promise<HealthCheckResult> {
    return this.run([]);
  }

  ready(): Promise<HealthCheckResult> {
    return this.run([() => this.model.isLoaded('model')]);
  }

  private async run(indicators: HealthIndicatorFunction[]): Promise<HealthCheckResult> {
    try {
      return await this.health.check(indicators);
    } catch (error) {
      if (error instanceof ServiceUnavailableException) throw notReady(error.getResponse() as HealthCheckResult);
      throw error;
    }
  }
}

function notReady(result: HealthCheckResult): AppError {
  const details: ErrorDetail[] = Object.entries(result.error ?? {}).map(([indicator, outcome]) => {
    const { status, message, ...rest } = outcome ?? { status: 'down' };
    return { indicator, status, message: typeof message === 'string' ? message : `${indicator} is ${status}`, ...rest };
  });
  const summary = details.map((d) => `${String(d.indicator)}: ${d.message}`).join('; ');
  const prefix = result.status === 'shutting_down' ? 'The service is shutting down' : 'The service is not ready';
  return new AppError('NOT_READY', summary ? `${prefix} (${summary})` : prefix, details);
}
