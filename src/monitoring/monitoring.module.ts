import { Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { storeProvider } from '../database/store-provider';
import { FeedbackModule } from '../feedback/feedback.module';
import { MonitoringController } from './monitoring.controller';
import { MONITORING_METRIC_PROVIDERS, MonitoringMetrics } from './monitoring.metrics';
import { MonitoringService } from './monitoring.service';
import { MonitoringStore } from './monitoring.store';
import { PostgresMonitoringStore } from './postgres-monitoring.store';
import { SqliteMonitoringStore } from './sqlite-monitoring.store';

/** GET /monitoring/performance: live model performance from feedback; MonitoringService also feeds metrics. */
@Module({
  imports: [FeedbackModule],
  controllers: [MonitoringController],
  providers: [MonitoringService, storeProvider(MonitoringStore, SqliteMonitoringStore, PostgresMonitoringStore), Clock, ...MONITORING_METRIC_PROVIDERS, MonitoringMetrics],
  exports: [MonitoringService],
})
export class MonitoringModule {}
