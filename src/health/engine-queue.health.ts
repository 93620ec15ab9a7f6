import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppConfig } from '../config/app-config';
import { EngineService } from '../engine/engine.service';

/**
 * Whether the engine can take more work: down while its queue holds at least READY_MAX_QUEUE_RATIO of its
 * capacity, so a load balancer sends new requests to other replicas before this one answers 429 OVERLOADED.
 * Cheap: reads the engine's in-memory counters. A probe samples one instant; the probe's failure threshold
 * decides how long saturation must last before traffic moves.
 */
@Injectable()
export class EngineQueueHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly engine: EngineService,
    private readonly config: AppConfig,
  ) {}

  hasRoom<const Key extends string>(key: Key) {
    const indicator = this.indicators.check(key);
    const stats = this.engine.stats();
    if (!stats) return indicator.down({ message: 'the engine is not running' });
    const queueCapacity = this.engine.info().batching.queueCapacity;
    const maxRatio = this.config.readyMaxQueueRatio;
    const facts = { queueDepth: stats.queueDepth, queueCapacity, maxRatio };
    if (stats.queueDepth >= maxRatio * queueCapacity) {
      return indicator.down({
        ...facts,
        message: `the engine queue holds ${stats.queueDepth} of ${queueCapacity} texts, at or above READY_MAX_QUEUE_RATIO (${maxRatio})`,
      });
    }
    return indicator.up(facts);
  }
}
