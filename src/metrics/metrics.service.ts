import { Injectable } from '@nestjs/common';
import { Registry } from 'prom-client';

/** The Prometheus text exposition format (version 0.0.4). */
export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** Renders the application's registry for a scrape, whichever listener serves it. */
@Injectable()
export class MetricsService {
  readonly contentType = PROMETHEUS_CONTENT_TYPE;

  constructor(private readonly registry: Registry) {}

  /** Every metric, sampled now (engine statistics and feature gauges are read at this moment). */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
