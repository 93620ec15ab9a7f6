import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EngineModule } from '../engine/engine.module';
import { ModelsModule } from '../models/models.module';
import { DatabaseHealthIndicator } from './database.health';
import { EngineQueueHealthIndicator } from './engine-queue.health';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { ModelHealthIndicator } from './model.health';
import { ModelRolesHealthIndicator } from './model-roles.health';
import { ShutdownService } from './shutdown.service';

@Module({
  // A failed check is answered as NOT_READY by the global filter; probes failing during startup or shutdown
  // are expected, so terminus does not log them. Its gracefulShutdownTimeoutMs stays unset: ShutdownService
  // owns the shutdown delay (SHUTDOWN_GRACE_MS), see there why.
  imports: [TerminusModule.forRoot({ logger: false }), EngineModule, ModelsModule],
  controllers: [HealthController],
  providers: [HealthService, ModelHealthIndicator, ModelRolesHealthIndicator, EngineQueueHealthIndicator, DatabaseHealthIndicator, ShutdownService],
})
export class HealthModule {}
