import { DynamicModule, Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { EngineModule } from '../engine/engine.module';
import { PredictionsModule } from '../predictions/predictions.module';
import { EngineMetrics } from './engine.metrics';
import { HTTP_METRIC_PROVIDERS, HttpMetrics } from './http.metrics';
import { registryProvider } from './metric.providers';
import { MetricsController } from './metrics.controller';
import { MetricsServer } from './metrics.server';
import { MetricsService } from './metrics.service';
import { MODEL_INFO_PROVIDERS } from './model-info.metric';
import { PREDICTION_METRIC_PROVIDERS, PredictionMetrics } from './prediction.metrics';

/**
 * Prometheus metrics: the application's Registry, the HTTP, prediction, model and engine metrics, Node's default
 * metrics, and GET /metrics: on the main port when METRICS_PORT is unset, else on its own listener only.
 *
 * Global, like the database: a feature adds a metric with one provider in its own module, which registers on
 * this Registry without importing anything, e.g. `gaugeProvider({ name, help, labelNames }, { inject, sample })`
 * (metric.providers.ts), and injects it by name with `@InjectMetric(name)` where it records.
 */
@Module({})
export class MetricsModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      imports: [EngineModule, PredictionsModule],
      controllers: config.metricsPort === undefined ? [MetricsController] : [],
      providers: [
        registryProvider,
        ...HTTP_METRIC_PROVIDERS,
        HttpMetrics,
        ...PREDICTION_METRIC_PROVIDERS,
        PredictionMetrics,
        ...MODEL_INFO_PROVIDERS,
        EngineMetrics,
        MetricsService,
        MetricsServer,
      ],
      exports: [Registry, MetricsService],
    };
  }
}
