import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeEngine, FAKE_INFO } from '../../test/support/fake-engine';
import { validateEnv } from '../config/env.schema';
import type { ServingEngine } from '../engine/engine.types';
import { ModelValidator, parseValidationFile } from './model-validator';

describe('ModelValidator', () => {
  let dir: string;
  const validator = new ModelValidator(validateEnv({ MODEL_MIN_ACCURACY: '0.75' }));
  const candidate = (engine = createFakeEngine()): ServingEngine => ({ version: 'v2', engine, info: FAKE_INFO, modelDir: dir });

  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'classifier-validator-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('passes a version whose smoke batch is a finite distribution over its labels', async () => {
    await expect(validator.validate(candidate(), ['NEGATIVE', 'POSITIVE'], false)).resolves.toEqual({ smokeTexts: expect.any(Number) });
  });

  it('refuses non-finite outputs and labels the config does not have', async () => {
    const nan = createFakeEngine();
    nan.classify.mockImplementation(async (texts) => texts.map(() => ({ label: 'POSITIVE', score: NaN, scores: { NEGATIVE: NaN, POSITIVE: NaN } })));
    await expect(validator.validate(candidate(nan), undefined, false)).rejects.toMatchObject({ code: 'MODEL_VALIDATION_FAILED', message: expect.stringContaining('not finite') });
    const stranger = createFakeEngine();
    stranger.classify.mockImplementation(async (texts) => texts.map(() => ({ label: 'LABEL_7', score: 1, scores: { LABEL_7: 1 } })));
    await expect(validator.validate(candidate(stranger), undefined, false)).rejects.toMatchObject({ code: 'MODEL_VALIDATION_FAILED', message: expect.stringContaining('LABEL_7') });
  });

  it('refuses a label change unless allowed', async () => {
    await expect(validator.validate(candidate(), ['BAD', 'GOOD'], false)).rejects.toMatchObject({ code: 'MODEL_LABELS_CHANGED', message: expect.stringContaining('allow_label_change') });
    await expect(validator.validate(candidate(), ['BAD', 'GOOD'], true)).resolves.toBeDefined();
  });

  it('scores validation.jsonl against MODEL_MIN_ACCURACY and gives the figure', async () => {
    // The fake engine says POSITIVE exactly when the text contains "good".
    const lines = (correct: number, wrong: number) =>
      [
        ...Array.from({ length: correct }, () => JSON.stringify({ text: 'good', label: 'POSITIVE' })),
        ...Array.from({ length: wrong }, () => JSON.stringify({ text: 'good', label: 'NEGATIVE' })),
      ].join('\n');
    writeFileSync(join(dir, 'validation.jsonl'), lines(3, 1));
    await expect(validator.validate(candidate(), undefined, false)).resolves.toMatchObject({ accuracy: 0.75, validationSamples: 4 });
    writeFileSync(join(dir, 'validation.jsonl'), lines(2, 2));
    await expect(validator.validate(candidate(), undefined, false)).rejects.toMatchObject({
      code: 'MODEL_VALIDATION_FAILED',
      message: expect.stringContaining('accuracy 0.5000 on its validation.jsonl (2 of 4), below MODEL_MIN_ACCURACY 0.75'),
    });
  });

  it('names the line of a malformed validation.jsonl', () => {
    expect(() => parseValidationFile('{"text":"a","label":"POSITIVE"}\nnot json', ['POSITIVE'])).toThrow('line 2 is not JSON');
    expect(() => parseValidationFile('{"text":"a"}', ['POSITIVE'])).toThrow('line 1 needs string "text" and "label"');
    expect(() => parseValidationFile('{"text":"a","label":"MAYBE"}', ['POSITIVE'])).toThrow('"MAYBE" is not one of [POSITIVE]');
    expect(() => parseValidationFile('\n\n', ['POSITIVE'])).toThrow('holds no samples');
  });
});
