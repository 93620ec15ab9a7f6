import type { Gauge } from 'prom-client';
import { counterProvider, gaugeProvider, histogramProvider } from '../metrics/metric.providers';
import { ModelsService } from './models.service';
import { ShadowService } from './shadow.service';
import {
  MODEL_LOAD_SECONDS,
  MODEL_LOADS_TOTAL,
  MODEL_SWAP_SECONDS,
  MODEL_SWAPS_TOTAL,
  SHADOW_AGREED_TOTAL,
  SHADOW_COMPARED_TOTAL,
  SHADOW_DROPPED_TOTAL,
} from './models.metric-names';

const SECONDS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** The models feature's metrics: role gauges sampled at scrape time, events counted as they happen. */
export const MODELS_METRIC_PROVIDERS = [
  gaugeProvider<'model_version' | 'role', [ModelsService]>(
    { name: 'classifier_model_role_info', help: '1 for each registered version holding a role (production, canary, shadow).', labelNames: ['model_version', 'role'] },
    {
      inject: [ModelsService],
      sample: (gauge: Gauge<'model_version' | 'role'>, models: ModelsService) => {
        gauge.reset();
        for (const { role, version } of models.servingRoles()) gauge.set({ model_version: version, role }, 1);
      },
    },
  ),
  gaugeProvider<never, [ModelsService]>(
    { name: 'classifier_canary_percent', help: 'Configured share of interactive requests sent to the canary version (0 without a canary).' },
    { inject: [ModelsService], sample: (gauge, models) => gauge.set(models.canaryShare().percent) },
  ),
  gaugeProvider<never, [ModelsService]>(
    {
      name: 'classifier_canary_served_share',
      help: 'Share of interactive predictions the canary version actually made since it was set (0 to 1; 0 without a canary).',
    },
    { inject: [ModelsService], sample: (gauge, models) => gauge.set(models.canaryShare().served) },
  ),
  gaugeProvider<never, [ShadowService]>(
    { name: 'classifier_shadow_agreement', help: 'Share of shadowed texts in the current window on which shadow and production agree (0 to 1).' },
    {
      inject: [ShadowService],
      sample: (gauge, shadow) => {
        const report = shadow.report();
        gauge.set(report && report.current.compared > 0 ? report.current.agreed / report.current.compared : 0);
      },
    },
  ),
  counterProvider<'outcome'>({ name: MODEL_LOADS_TOTAL, help: 'Model version loads (load, warm-up, validation) by outcome: ok, refused, failed.', labelNames: ['outcome'] }),
  histogramProvider<'temperature'>({
    name: MODEL_LOAD_SECONDS,
    help: 'Time to load, warm and validate a version before it may take traffic; cold = loaded from disk, warm = its engine was already loaded (canary or shadow).',
    labelNames: ['temperature'],
    buckets: SECONDS_BUCKETS,
  }),
  histogramProvider<never>({
    name: MODEL_SWAP_SECONDS,
    help: 'From the router switch to the previous production engine drained and closed.',
    buckets: SECONDS_BUCKETS,
  }),
  counterProvider<never>({ name: MODEL_SWAPS_TOTAL, help: 'Production changes (activate, rollback, promote, update-model).' }),
  counterProvider<never>({ name: SHADOW_COMPARED_TOTAL, help: 'Texts classified by the shadow version and compared with production.' }),
  counterProvider<never>({ name: SHADOW_AGREED_TOTAL, help: 'Compared texts on which shadow and production gave the same label.' }),
  counterProvider<never>({ name: SHADOW_DROPPED_TOTAL, help: 'Sampled texts the shadow did not classify because its queue was full.' }),
];
