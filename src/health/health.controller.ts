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
  @ApiOperation({ summary: 'Health report of every dependency (the model)' })
  @ApiErrorResponses(503)
  report(): Promise<HealthCheckResult> {
    return this.health.report();
  }

  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: the process answers (no model check)' })
  live(): Promise<HealthCheckResult> {
    return this.health.live();
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: the model is loaded and the service is not shutting down' })
  @ApiErrorResponses(503)
  ready(): Promise<HealthCheckResult> {
    return this.health.ready();
  }
}
