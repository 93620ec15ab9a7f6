import { Module } from '@nestjs/common';
import { storeProvider } from '../database/store-provider';
import { PostgresPredictionStore } from './postgres-prediction.store';
import { PredictionStore } from './prediction.store';
import { PredictionLogService } from './prediction-log.service';
import { SqlitePredictionStore } from './sqlite-prediction.store';

/** The prediction log (SQLite or PostgreSQL): written by inference and jobs, read by feedback and monitoring. */
@Module({
  providers: [storeProvider(PredictionStore, SqlitePredictionStore, PostgresPredictionStore), PredictionLogService],
  exports: [PredictionLogService],
})
export class PredictionsModule {}
