import { Injectable } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../common/errors/app-error';
import { AppConfig } from '../config/app-config';
import type { Classification, ServingEngine } from '../engine/engine.types';

/** The labelled texts a version directory may carry to gate its activation. */
export const VALIDATION_FILE = 'validation.jsonl';

/** Texts of the smoke batch: ordinary, empty, long and non-Latin inputs, so every code path runs once. */
const SMOKE_TEXTS = ['This was wonderful.', 'This was terrible.', '', 'ok '.repeat(400), 'Ça marche très bien 👍', '日本語のテキスト'];

/** Texts sent to the engine per call while scoring validation.jsonl. */
const VALIDATION_CHUNK = 64;

export interface ValidationReport {
  smokeTexts: number;
  /** Accuracy on validation.jsonl, when the directory has one. */
  accuracy?: number;
  validationSamples?: number;
}

/**
 * Decides whether a loaded version may take traffic: a smoke batch (every output finite, a probability
 * distribution over the version's own labels), labels equal to production's unless a change is allowed, and
 * accuracy on its validation.jsonl at least MODEL_MIN_ACCURACY. Each refusal is an AppError naming the problem.
 */
@Injectable()
export class ModelValidator {
  constructor(private readonly config: AppConfig) {}

  async validate(candidate: ServingEngine, productionLabels: readonly string[] | undefined, allowLabelChange: boolean): Promise<ValidationReport> {
    const labels = candidate.info.labels;
    if (labels.length === 0) {
      throw new AppError('MODEL_VALIDATION_FAILED', `Version ${candidate.version} has no labels: its config.json needs id2label`);
    }
    if (productionLabels && !allowLabelChange && !sameLabels(labels, productionLabels)) {
      throw new AppError(
        'MODEL_LABELS_CHANGED',
        `Version ${candidate.version} has labels [${labels.join(', ')}] but production has [${productionLabels.join(', ')}]; ` +
          'send "allow_label_change": true to activate it anyway',
      );
    }
    const smoke = await candidate.engine.classify(SMOKE_TEXTS);
    smoke.forEach((result, i) => checkSmokeResult(candidate.version, labels, result, i));
    const report: ValidationReport = { smokeTexts: SMOKE_TEXTS.length };
    const file = join(candidate.modelDir, VALIDATION_FILE);
    if (existsSync(file)) {
      const samples = parseValidationFile(await readFile(file, 'utf8'), labels);
      let correct = 0;
      for (let i = 0; i < samples.length; i += VALIDATION_CHUNK) {
        const chunk = samples.slice(i, i + VALIDATION_CHUNK);
        const results = await candidate.engine.classify(chunk.map((s) => s.text));
        results.forEach((result, j) => (correct += result.label === chunk[j].label ? 1 : 0));
      }
      const accuracy = correct / samples.length;
      if (accuracy < this.config.modelMinAccuracy) {
        throw new AppError(
          'MODEL_VALIDATION_FAILED',
          `Version ${candidate.version} reached accuracy ${accuracy.toFixed(4)} on its ${VALIDATION_FILE} (${correct} of ${samples.length}), ` +
            `below MODEL_MIN_ACCURACY ${this.config.modelMinAccuracy}`,
        );
      }
      report.accuracy = accuracy;
      report.validationSamples = samples.length;
    }
    return report;
  }
}

function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((label, i) => label === b[i]);
}

function checkSmokeResult(version: string, labels: readonly string[], result: Classification, index: number): void {
  const fail = (why: string) => {
    throw new AppError('MODEL_VALIDATION_FAILED', `Version ${version} failed the smoke batch on text ${index}: ${why}`);
  };
  if (!labels.includes(result.label)) fail(`label ${JSON.stringify(result.label)} is not one of its labels`);
  if (!Number.isFinite(result.score)) fail(`score ${result.score} is not finite`);
  let sum = 0;
  for (const label of labels) {
    const p = result.scores[label];
    if (!Number.isFinite(p) || p < 0 || p > 1) fail(`probability of ${label} is ${p}`);
    sum += p;
  }
  if (Math.abs(sum - 1) > 1e-3) fail(`probabilities sum to ${sum}, not 1`);
}

/** Parses validation.jsonl: one {"text", "label"} object per non-empty line, labels among the version's. */
export function parseValidationFile(content: string, labels: readonly string[]): Array<{ text: string; label: string }> {
  const samples: Array<{ text: string; label: string }> = [];
  content.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let sample: { text?: unknown; label?: unknown };
    try {
      sample = JSON.parse(line) as typeof sample;
    } catch {
      throw new AppError('MODEL_VALIDATION_FAILED', `${VALIDATION_FILE} line ${i + 1} is not JSON`);
    }
    if (typeof sample.text !== 'string' || typeof sample.label !== 'string') {
      throw new AppError('MODEL_VALIDATION_FAILED', `${VALIDATION_FILE} line ${i + 1} needs string "text" and "label"`);
    }
    if (!labels.includes(sample.label)) {
      throw new AppError('MODEL_VALIDATION_FAILED', `${VALIDATION_FILE} line ${i + 1}: label ${JSON.stringify(sample.label)} is not one of [${labels.join(', ')}]`);
    }
    samples.push({ text: sample.text, label: sample.label });
  });
  if (samples.length === 0) throw new AppError('MODEL_VALIDATION_FAILED', `${VALIDATION_FILE} holds no samples`);
  return samples;
}
