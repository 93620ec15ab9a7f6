import { DynamicModule, Module } from '@nestjs/common';
import { CommonModule } from './common/common.module';
import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { DriftModule } from './drift/drift.module';
import { EngineModule } from './engine/engine.module';
import { FeedbackModule } from './feedback/feedback.module';
import { HealthModule } from './health/health.module';
import { InferenceModule } from './inference/inference.module';
import { JobsModule } from './jobs/jobs.module';
import { ModelsModule } from './models/models.module';
import { MetricsModule } from './metrics/metrics.module';
import { MonitoringModule } from './monitoring/monitoring.module';
import { RootModule } from './root/root.module';

/** The application: one module per feature, configured with the already validated AppConfig. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        CommonModule,
        // Global modules shut down last, in reverse order of this list: the database closes after everything else.
        DatabaseModule,
        MetricsModule.forRoot(config),
        EngineModule,
        // Decides at startup which registered version the engine serves (the startup rule in docs/models.md).
        ModelsModule,
        RootModule,
        InferenceModule,
        JobsModule,
        FeedbackModule,
        MonitoringModule,
        DriftModule,
        HealthModule,
      ],
    };
  }
}
