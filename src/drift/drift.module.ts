import { Module } from '@nestjs/common';
import { AdminTokenGuard } from '../common/auth/admin-token.guard';
import { Clock } from '../common/clock';
import { EngineModule } from '../engine/engine.module';
import { ModelsModule } from '../models/models.module';
import { PredictionsModule } from '../predictions/predictions.module';
import { DriftController } from './drift.controller';
import { DRIFT_METRIC_PROVIDERS, DriftMetrics } from './drift.metrics';
import { DriftReportService } from './drift-report.service';
import { DriftService } from './drift.service';
import { storeProvider } from '../database/store-provider';
import { DriftStore } from './drift.store';
import { PostgresDriftStore } from './postgres-drift.store';
import { SqliteDriftStore } from './sqlite-drift.store';
import { WindowEvaluator, WorkerWindowEvaluator } from './window-evaluator';

/** Data drift (docs/drift.md): GET /monitoring/drift, PUT /monitoring/drift/reference, drift metrics. */
@Module({
  imports: [EngineModule, PredictionsModule, ModelsModule],
  controllers: [DriftController],
  providers: [
    DriftService,
    DriftReportService,
    storeProvider(DriftStore, SqliteDriftStore, PostgresDriftStore),
    { provide: WindowEvaluator, useClass: WorkerWindowEvaluator },
    Clock,
    AdminTokenGuard,
    ...DRIFT_METRIC_PROVIDERS,
    DriftMetrics,
  ],
  exports: [DriftService],
})
export class DriftModule {}
