import { Injectable, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { EngineService } from '../engine/engine.service';
import { PredictionLogService } from '../predictions/prediction-log.service';
import type { PredictionRecord } from '../predictions/prediction.types';
import { counterProvider, InjectMetric } from './metric.providers';

export const PREDICTIONS_TOTAL = 'classifier_predictions_total';

type PredictionLabels = 'label' | 'model_version';

export const PREDICTION_METRIC_PROVIDERS = [
  counterProvider<PredictionLabels>({
    name: PREDICTIONS_TOTAL,
    help: 'Predictions returned (single, batch and job texts alike), by predicted label and model version.',
    labelNames: ['label', 'model_version'],
  }),
];

/**
 * Counts predictions as the prediction log commits them: every prediction the service returns, whatever the
 * endpoint, goes through the log first, so this is the one place that sees them all, and only durable ones.
 */
@Injectable()
export class PredictionMetrics implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly predictionLog: PredictionLogService,
    private readonly engine: EngineService,
    @InjectMetric(PREDICTIONS_TOTAL) private readonly predictions: Counter<PredictionLabels>,
  ) {}

  onModuleInit(): void {
    this.predictionLog.subscribe((records) => this.count(records));
  }

  /** Once the model is loaded, every label's series exists at 0, so `rate()` sees the first prediction of each. */
  onApplicationBootstrap(): void {
    if (!this.engine.isReady()) return;
    for (const label of this.engine.info().labels) this.predictions.inc({ label, model_version: this.engine.modelVersion }, 0);
  }

  private count(records: readonly PredictionRecord[]): void {
    for (const record of records) this.predictions.inc({ label: record.label, model_version: record.modelVersion });
  }
}
