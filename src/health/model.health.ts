import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { EngineService } from '../engine/engine.service';

/** Health of the served model: up when it is loaded and the service is not shutting down. Cheap: no inference. */
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
    return indicator.up({ state, name: info.modelName, labels: info.labels });
  }
}
