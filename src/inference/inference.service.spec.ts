import type { TestingModule } from '@nestjs/testing';
import { Test } from '@nestjs/testing';
import { createFakeEngine, fakeClassification } from '../../test/support/fake-engine';
import { configWithTempDataDir } from '../../test/support/temp-data-dir';
import { AppConfig } from '../config/app-config';
import { SqliteDatabase } from '../database/sqlite-database';
import { EngineService } from '../engine/engine.service';
import type { ClassifierEngine } from '../engine/engine.types';
import { PredictionLogService } from '../predictions/prediction-log.service';
import { SqlitePredictionStore } from '../predictions/sqlite-prediction.store';
import { PredictionStore } from '../predictions/prediction.store';
import { ShadowService } from '../models/shadow.service';
import { InferenceService } from './inference.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('InferenceService', () => {
  let service: InferenceService;
  let predictions: PredictionLogService;
  let engine: {
    classify: jest.Mocked<ClassifierEngine>['classify'];
    modelVersion: string;
    classifyRouted: EngineService['classifyRouted'];
  };
  let moduleRef: TestingModule;
  let removeDataDir: () => void;

  beforeEach(async () => {
    const fake = createFakeEngine();
    engine = {
      classify: fake.classify,
      modelVersion: 'fake@0123456789ab',
      // The version is read when the call finishes, as the router stamps the engine that computed it.
      classifyRouted: async (texts: string[]) => {
        const results = await fake.classify(texts);
        return { results, version: engine.modelVersion };
      },
    };
    const { config, remove } = configWithTempDataDir({ MAX_BATCH_TEXTS: '3', MAX_TEXT_CHARS: '5' });
    removeDataDir = remove;
    moduleRef = await Test.createTestingModule({
      providers: [
        InferenceService,
        SqliteDatabase,
        { provide: PredictionStore, useClass: SqlitePredictionStore },
        PredictionLogService,
        { provide: EngineService, useValue: engine },
        { provide: AppConfig, useValue: config },
        { provide: ShadowService, useValue: { offer: jest.fn() } },
      ],
    }).compile();
    service = moduleRef.get(InferenceService);
    predictions = moduleRef.get(PredictionLogService);
  });

  afterEach(async () => {
    await moduleRef.close();
    removeDataDir();
  });

  it('classifies one text, with the id of its logged prediction and the model version', async () => {
    const response = await service.classifyOne('good');
    expect(response).toEqual({ text: 'good', label: 'POSITIVE', score: 0.9, prediction_id: expect.stringMatching(UUID), model_version: 'fake@0123456789ab' });
    expect(engine.classify).toHaveBeenCalledWith(['good']);
    expect(await predictions.find(response.prediction_id)).toMatchObject({
      id: response.prediction_id,
      label: 'POSITIVE',
      score: 0.9,
      scores: { NEGATIVE: expect.closeTo(0.1, 9), POSITIVE: 0.9 },
      modelVersion: 'fake@0123456789ab',
      source: 'sentiment',
      inputLength: 4,
    });
  });

  it('logs every text of a batch under its own id, in input order', async () => {
    const response = await service.classifyBatch(['good', 'bad']);
    const ids = response.results.map((r) => r.prediction_id);
    expect(new Set(ids).size).toBe(2);
    expect(await Promise.all(ids.map(async (id) => (await predictions.find(id))?.label))).toEqual(['POSITIVE', 'NEGATIVE']);
    expect((await predictions.find(ids[1]))?.source).toBe('batch');
    expect(response.model_version).toBe('fake@0123456789ab');
  });

  it('answers STORAGE_UNAVAILABLE, and returns no prediction, when the log cannot commit', async () => {
    moduleRef.get(SqliteDatabase).db.close();
    await expect(service.classifyOne('good')).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
  });

  it('classifies empty and whitespace-only texts like any other', async () => {
    await expect(service.classifyOne('')).resolves.toMatchObject({ text: '', label: 'NEGATIVE', score: 0.8 });
    await expect(service.classifyBatch([' ', ''])).resolves.toMatchObject({ results: [{ text: ' ' }, { text: '' }] });
  });

  it('classifies a batch in one engine call, results in input order, with the processing time', async () => {
    const texts = ['bad', 'good', 'meh'];
    const response = await service.classifyBatch(texts);
    expect(engine.classify).toHaveBeenCalledTimes(1);
    expect(engine.classify).toHaveBeenCalledWith(texts);
    expect(response.results).toEqual(
      texts.map((text) => ({
        text,
        label: fakeClassification(text).label,
        score: fakeClassification(text).score,
        prediction_id: expect.stringMatching(UUID),
      })),
    );
    expect(typeof response.processing_time).toBe('number');
    expect(response.processing_time).toBeGreaterThanOrEqual(0);
    expect(response.processing_time).toBeLessThan(5);
  });

  it('measures processing time in seconds', async () => {
    engine.classify.mockImplementation(
      (texts: string[]) => new Promise((resolve) => setTimeout(() => resolve(texts.map(fakeClassification)), 50)),
    );
    const { processing_time } = await service.classifyBatch(['a']);
    expect(processing_time).toBeGreaterThanOrEqual(0.04);
    expect(processing_time).toBeLessThan(1);
  });

  it('rejects more than MAX_BATCH_TEXTS texts before calling the engine', async () => {
    await expect(service.classifyBatch(['a', 'b', 'c', 'd'])).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'texts must contain at most 3 texts but received 4',
    });
    expect(engine.classify).not.toHaveBeenCalled();
  });

  it('rejects a text longer than MAX_TEXT_CHARS, counting characters, not UTF-16 units', async () => {
    await expect(service.classifyOne('😀😀😀😀😀')).resolves.toMatchObject({ text: '😀😀😀😀😀' });
    await expect(service.classifyOne('abcdef')).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'text is 6 characters long; the limit is 5',
      details: [{ field: 'text', message: 'text is 6 characters long; the limit is 5' }],
    });
  });

  it('lists every over-long text of a batch', async () => {
    await expect(service.classifyBatch(['ok', 'toolong', 'ok', 'waytoolong'])).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(service.classifyBatch(['ok', 'toolong', 'waytoolong'])).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: '2 texts are longer than the limit of 5 characters',
      details: [
        { field: 'texts[1]', message: 'texts[1] is 7 characters long; the limit is 5' },
        { field: 'texts[2]', message: 'texts[2] is 10 characters long; the limit is 5' },
      ],
    });
    await expect(service.classifyBatch(['ok', 'toolong'])).rejects.toMatchObject({
      message: 'texts[1] is 7 characters long; the limit is 5',
    });
  });

  it('propagates engine errors unchanged', async () => {
    const failure = Object.assign(new Error('session failed'), { code: 'INFERENCE_FAILED' });
    engine.classify.mockRejectedValue(failure);
    await expect(service.classifyOne('x')).rejects.toBe(failure);
  });

  it('reports a result count mismatch as an internal bug', async () => {
    engine.classify.mockResolvedValue([]);
    await expect(service.classifyOne('x')).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('This is a bug.') });
  });
});
