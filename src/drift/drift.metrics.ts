import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Gauge, Histogram } from 'prom-client';
import { gaugeProvider, histogramProvider, InjectMetric } from '../metrics/metric.providers';
import { DriftService } from './drift.service';

export const DRIFT_EVALUATION_SECONDS = 'classifier_drift_evaluation_seconds';

/**
 * Drift gauges, read at scrape time from the attached versions' last tested window. Label cardinality is bounded:
 * versions loaded x at most ~40 features (32 projected components, 5 scalars, label, truncated, the MMD test).
 */
export const DRIFT_METRIC_PROVIDERS = [
  gaugeProvider<'model_version', [DriftService]>(
    {
      name: 'classifier_drift_detected',
      help: "1 while the model version's last tested drift window was drift (Holm-adjusted at DRIFT_ALPHA), else 0.",
      labelNames: ['model_version'],
    },
    {
      inject: [DriftService],
      sample: (gauge, drift) => {
        gauge.reset();
        for (const state of drift.attached()) gauge.set({ model_version: state.version }, state.drifting ? 1 : 0);
      },
    },
  ),
  testGauge('classifier_drift_p_value', "Raw p-value of each test of the model version's last tested drift window.", (t) => t.p_value),
  testGauge('classifier_drift_adjusted_p_value', "Holm-adjusted p-value of each test of the model version's last tested drift window.", (t) => t.adjusted_p_value),
  testGauge('classifier_drift_statistic', "Statistic of each test (KS D, chi-square, Fisher odds ratio, MMD^2) of the last tested drift window.", (t) => t.statistic),
  gaugeProvider<'model_version', [DriftService]>(
    {
      name: 'classifier_drift_window_fill',
      help: "Predictions in the model version's open drift window (it closes at DRIFT_WINDOW_SIZE).",
      labelNames: ['model_version'],
    },
    {
      inject: [DriftService],
      sample: (gauge, drift) => {
        gauge.reset();
        for (const state of drift.attached()) gauge.set({ model_version: state.version }, state.buffer.size);
      },
    },
  ),
  gaugeProvider<'model_version', [DriftService]>(
    {
      name: 'classifier_drift_last_evaluation_timestamp_seconds',
      help: "When the model version's last drift window closed (Unix time, seconds).",
      labelNames: ['model_version'],
    },
    {
      inject: [DriftService],
      sample: (gauge, drift) => {
        gauge.reset();
        for (const state of drift.attached()) {
          const last = state.history[0];
          if (last) gauge.set({ model_version: state.version }, last.closedAt / 1000);
        }
      },
    },
  ),
  histogramProvider<'model_version'>({
    name: DRIFT_EVALUATION_SECONDS,
    help: "Time a drift window's statistics took on the evaluation thread.",
    labelNames: ['model_version'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  }),
];

type TestLabels = 'model_version' | 'feature' | 'test';

function testGauge(name: string, help: string, value: (test: { p_value: number; adjusted_p_value: number; statistic: number }) => number) {
  return gaugeProvider<TestLabels, [DriftService]>(
    { name, help, labelNames: ['model_version', 'feature', 'test'] },
    {
      inject: [DriftService],
      sample: (gauge: Gauge<TestLabels>, drift: DriftService) => {
        gauge.reset();
        for (const state of drift.attached()) {
          const last = state.history.find((w) => w.status === 'ok' || w.status === 'drift');
          if (!last) continue;
          for (const test of last.tests) gauge.set({ model_version: state.version, feature: test.feature, test: test.test }, value(test));
        }
      },
    },
  );
}

/** Observes each evaluated window's duration (an event, so it is a histogram rather than a scraped gauge). */
@Injectable()
export class DriftMetrics implements OnModuleInit {
  constructor(
    private readonly drift: DriftService,
    @InjectMetric(DRIFT_EVALUATION_SECONDS) private readonly evaluationSeconds: Histogram<'model_version'>,
  ) {}

  onModuleInit(): void {
    this.drift.onWindow((window) => {
      if (window.status === 'ok' || window.status === 'drift') {
        this.evaluationSeconds.observe({ model_version: window.modelVersion }, window.evaluationMs / 1000);
      }
    });
  }
}
