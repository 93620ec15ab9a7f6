import { Module } from '@nestjs/common';
import { AdminTokenGuard } from '../common/auth/admin-token.guard';
import { EngineModule } from '../engine/engine.module';
import { MonitoringModule } from '../monitoring/monitoring.module';
import { PredictionsModule } from '../predictions/predictions.module';
import { ModelEventsService } from './model-events.service';
import { ModelRoleSync } from './model-role-sync.service';
import { ModelRepository } from './model-repository';
import { ModelValidator } from './model-validator';
import { storeProvider } from '../database/store-provider';
import { ModelStore } from './model.store';
import { PostgresModelStore } from './postgres-model.store';
import { SqliteModelStore } from './sqlite-model.store';
import { ModelsViewService } from './models-view.service';
import { ModelsController } from './models.controller';
import { MODELS_METRIC_PROVIDERS } from './models.metrics';
import { ModelsService } from './models.service';
import { ShadowService } from './shadow.service';

/**
 * The model lifecycle: registry on disk, roles and history in the store, hot swap, rollback, canary and shadow,
 * behind admin routes. Decides at startup which version the engine router serves (ModelsService.onModuleInit).
 */
@Module({
  imports: [EngineModule, PredictionsModule, MonitoringModule],
  controllers: [ModelsController],
  providers: [
    ModelsService,
    ModelsViewService,
    ModelRepository,
    storeProvider(ModelStore, SqliteModelStore, PostgresModelStore),
    ModelValidator,
    ShadowService,
    ModelEventsService,
    ModelRoleSync,
    AdminTokenGuard,
    ...MODELS_METRIC_PROVIDERS,
  ],
  exports: [ModelsService, ModelEventsService, ShadowService],
})
export class ModelsModule {}
