import { Test } from '@nestjs/testing';
import { Registry } from 'prom-client';
import { FAKE_INFO } from '../../test/support/fake-engine';
import { family, parseExposition, valueOf } from '../../test/support/prometheus-text';
import { EngineService } from '../engine/engine.service';
import { PredictionLogService } from '../predictions/prediction-log.service';
import type { PredictionListener, PredictionRecord } from '../predictions/prediction.types';
import { PREDICTION_METRIC_PROVIDERS, PredictionMetrics } from './prediction.metrics';

function record(label: string, modelVersion: string): PredictionRecord {
  return { id: 'id', createdAt: 0, modelVersion, label, score: 0.9, scores: {}, latencyMs: 1, source: 'batch', inputLength: 1 };
}

describe('PredictionMetrics', () => {
  let registry: Registry;
  let listeners: PredictionListener[];
  const engine = { isReady: () => true, info: () => FAKE_INFO, modelVersion: 'fake@0123456789ab' };

  beforeEach(async () => {
    registry = new Registry();
    listeners = [];
    const moduleRef = await Test.createTestingModule({
      providers: [
        PredictionMetrics,
        ...PREDICTION_METRIC_PROVIDERS,
        { provide: Registry, useValue: registry },
        { provide: EngineService, useValue: engine },
        { provide: PredictionLogService, useValue: { subscribe: (listener: PredictionListener) => listeners.push(listener) } },
      ],
    }).compile();
    await moduleRef.init();
  });

  async function count(label: string, modelVersion = engine.modelVersion) {
    return valueOf(parseExposition(await registry.metrics()), 'classifier_predictions_total', { label, model_version: modelVersion });
  }

  it("starts every model label's series at 0 once the model is loaded", async () => {
    const samples = family(parseExposition(await registry.metrics()), 'classifier_predictions_total').samples;
    expect(samples.map((s) => [s.labels.label, s.labels.model_version, s.value])).toEqual([
      ['NEGATIVE', 'fake@0123456789ab', 0],
      ['POSITIVE', 'fake@0123456789ab', 0],
    ]);
  });

  it('counts each committed prediction by label and model version', async () => {
    expect(listeners).toHaveLength(1);
    listeners[0]([record('POSITIVE', engine.modelVersion), record('NEGATIVE', engine.modelVersion), record('POSITIVE', engine.modelVersion)]);
    listeners[0]([record('POSITIVE', 'older@000000000000')]);
    expect(await count('POSITIVE')).toBe(2);
    expect(await count('NEGATIVE')).toBe(1);
    expect(await count('POSITIVE', 'older@000000000000')).toBe(1);
  });
});
