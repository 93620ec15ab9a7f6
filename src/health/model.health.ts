import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { EngineService } from '../engine/engine.service';

/**
 * Health of the served model: up when it is loaded (the engine runs a warmup batch while loading, so a loaded
 * model answers its first request at full speed) and the service is not shutting down. Cheap: in-memory state
 * and the engine's counters, no inference.
 */
@Injectable()
export class ModelHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly engine: EngineService,
  ) {}

  isLoaded<const Key extends string>(key: Key) {
    const indicator = this.indicators.check(key);
    const state = this.engine.state;
    if (!this.engine.isReady()) return indicator.down({ state, message: `the model is not loaded (state: ${state})` });
    const info = this.engine.info();
    const stats = this.engine.stats();
    return indicator.up({
      state,
      name: info.modelName,
      version: this.engine.modelVersion,
      labels: info.labels,
      executionProvider: info.executionProvider,
      queueDepth: stats?.queueDepth,
      queueCapacity: info.batching.queueCapacity,
      inFlightBatches: stats?.inFlightBatches,
    });
  }
}
