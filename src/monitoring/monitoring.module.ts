import { Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { FeedbackModule } from '../feedback/feedback.module';
import { MonitoringController } from './monitoring.controller';
import { MONITORING_METRIC_PROVIDERS, MonitoringMetrics } from './monitoring.metrics';
import { MonitoringService } from './monitoring.service';
import { MonitoringStore } from './monitoring.store';

/** GET /monitoring/performance: live model performance from feedback; MonitoringService also feeds metrics. */
@Module({
  imports: [FeedbackModule],
  controllers: [MonitoringController],
  providers: [MonitoringService, MonitoringStore, Clock, ...MONITORING_METRIC_PROVIDERS, MonitoringMetrics],
  exports: [MonitoringService],
})
export class MonitoringModule {}
