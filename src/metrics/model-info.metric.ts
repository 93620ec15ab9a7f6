import type { Gauge } from 'prom-client';
import { EngineService } from '../engine/engine.service';
import { gaugeProvider } from './metric.providers';

export const MODEL_INFO = 'classifier_model_info';

type ModelInfoLabels = 'model_name' | 'model_version' | 'execution_provider';

/** What is served, as labels of a constant 1 (join it to other series with `on()`/`group_left`). */
export const MODEL_INFO_PROVIDERS = [
  gaugeProvider<ModelInfoLabels, [EngineService]>(
    {
      name: MODEL_INFO,
      help: 'The served model (always 1; the facts are the labels). No sample until the model is loaded.',
      labelNames: ['model_name', 'model_version', 'execution_provider'],
    },
    { inject: [EngineService], sample: sampleModelInfo },
  ),
];

function sampleModelInfo(gauge: Gauge<ModelInfoLabels>, engine: EngineService): void {
  gauge.reset();
  // The model's facts stay known while it closes and after; before (and without) a load there are none.
  if (engine.state === 'idle' || engine.state === 'loading' || engine.state === 'failed') return;
  const info = engine.info();
  gauge.set({ model_name: info.modelName, model_version: engine.modelVersion, execution_provider: info.executionProvider }, 1);
}
