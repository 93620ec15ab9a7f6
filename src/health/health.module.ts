import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EngineModule } from '../engine/engine.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { ModelHealthIndicator } from './model.health';

@Module({
  // A failed check is answered as NOT_READY by the global filter; probes failing during startup or shutdown
  // are expected, so terminus does not log them.
  imports: [TerminusModule.forRoot({ logger: false }), EngineModule],
  controllers: [HealthController],
  providers: [HealthService, ModelHealthIndicator],
})
export class HealthModule {}
