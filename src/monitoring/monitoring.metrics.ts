import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Counter, Gauge } from 'prom-client';
import { FeedbackService } from '../feedback/feedback.service';
import { counterProvider, gaugeProvider, InjectMetric } from '../metrics/metric.providers';
import { MonitoringService } from './monitoring.service';
import type { ModelFigures } from './performance-tracker';

export const FEEDBACK_TOTAL = 'classifier_feedback_total';

type VersionLabel = 'model_version';

/**
 * One gauge per figure of the monitored window of each model version (the window its degraded flag is based on,
 * see MonitoringService.currentFigures), read at scrape time from memory.
 */
function figureGauge(name: string, help: string, value: (figures: ModelFigures) => number) {
  return gaugeProvider<VersionLabel, [MonitoringService]>(
    { name, help, labelNames: ['model_version'] },
    {
      inject: [MonitoringService],
      sample: (gauge: Gauge<VersionLabel>, monitoring: MonitoringService) => {
        gauge.reset();
        for (const figures of monitoring.currentFigures()) gauge.set({ model_version: figures.modelVersion }, value(figures));
      },
    },
  );
}

export const MONITORING_METRIC_PROVIDERS = [
  counterProvider<'outcome'>({
    name: FEEDBACK_TOTAL,
    help: 'Feedback that changed a stored label (first or replacing; retries not counted), by whether the label equals the prediction.',
    labelNames: ['outcome'],
  }),
  figureGauge('classifier_model_accuracy', 'Accuracy from feedback in the monitored window of each model version (0 to 1).', (f) => f.accuracy),
  figureGauge('classifier_model_weighted_f1', 'Weighted F1 from feedback in the monitored window of each model version (0 to 1).', (f) => f.weightedF1),
  figureGauge('classifier_model_feedback_samples', 'Labelled predictions in the monitored window of each model version.', (f) => f.samples),
  figureGauge(
    'classifier_model_degraded',
    '1 while the model version is flagged degraded (weighted F1 more than MONITOR_DEGRADATION_THRESHOLD below its baseline), else 0.',
    (f) => (f.degraded ? 1 : 0),
  ),
];

/** Counts feedback as it is committed (an event counter, so `rate()` works across restarts' resets). */
@Injectable()
export class MonitoringMetrics implements OnModuleInit {
  constructor(
    private readonly feedback: FeedbackService,
    @InjectMetric(FEEDBACK_TOTAL) private readonly feedbackTotal: Counter<'outcome'>,
  ) {}

  onModuleInit(): void {
    // Both series exist from the start at 0, so the first incorrect feedback is a visible increase.
    this.feedbackTotal.inc({ outcome: 'correct' }, 0);
    this.feedbackTotal.inc({ outcome: 'incorrect' }, 0);
    this.feedback.subscribe((event) => this.feedbackTotal.inc({ outcome: event.correctLabel === event.predictedLabel ? 'correct' : 'incorrect' }));
  }
}
