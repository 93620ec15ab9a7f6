import { Module } from '@nestjs/common';
import { PredictionStore } from './prediction.store';
import { PredictionLogService } from './prediction-log.service';

/** The prediction log (SQLite): written by inference and jobs, read by feedback and monitoring. */
@Module({
  providers: [PredictionStore, PredictionLogService],
  exports: [PredictionLogService],
})
export class PredictionsModule {}
