import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult } from '@nestjs/terminus';
import { ApiErrorResponses } from '../common/errors/api-error-responses.decorator';
import { HealthService } from './health.service';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Health report: the model, its version and the engine queue (in-memory state only)' })
  @ApiErrorResponses(503)
  report(): Promise<HealthCheckResult> {
    return this.health.report();
  }

  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: the process answers (no dependency check; 200 also while draining at shutdown)' })
  live(): Promise<HealthCheckResult> {
    return this.health.live();
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    summary:
      'Readiness: the model is loaded, the engine queue is below READY_MAX_QUEUE_RATIO, the database commits, with PostgreSQL the production served is the one the database names, and the service is not shutting down',
  })
  @ApiErrorResponses(503)
  ready(): Promise<HealthCheckResult> {
    return this.health.ready();
  }
}
