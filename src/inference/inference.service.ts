import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AppError, ErrorDetail } from '../common/errors/app-error';
import { EngineService } from '../engine/engine.service';
import type { Classification } from '../engine/engine.types';
import { PredictionLogService } from '../predictions/prediction-log.service';
import type { PredictionRecord, PredictionSource } from '../predictions/prediction.types';
import { BatchSentimentResponseDto, BatchSentimentResultDto } from './dto/batch-sentiment-response.dto';
import { SentimentResponseDto } from './dto/sentiment-response.dto';

/**
 * Classification use cases: enforces the configured input limits (the DTOs check shapes), calls the engine,
 * commits every prediction to the prediction log, shapes the results. Every text is classified as given: empty
 * and whitespace-only strings included.
 */
@Injectable()
export class InferenceService {
  constructor(
    private readonly engine: EngineService,
    private readonly predictions: PredictionLogService,
    private readonly config: AppConfig,
  ) {}

  async classifyOne(text: string): Promise<SentimentResponseDto> {
    this.assertLimits('text', [text]);
    const { records } = await this.classifyAndLog([text], 'sentiment');
    return { ...toResult(text, records[0]), model_version: records[0].modelVersion };
  }

  async classifyBatch(texts: string[]): Promise<BatchSentimentResponseDto> {
    this.assertLimits('texts', texts);
    const { records, seconds } = await this.classifyAndLog(texts, 'batch');
    return {
      results: texts.map((text, i) => toResult(text, records[i])),
      model_version: this.engine.modelVersion,
      processing_time: seconds,
    };
  }

  /** Classifies, then commits the predictions before anything is returned (see PredictionLogService). */
  private async classifyAndLog(texts: string[], source: PredictionSource): Promise<{ records: PredictionRecord[]; seconds: number }> {
    const started = performance.now();
    const results = await this.classifyChecked(texts);
    const latencyMs = performance.now() - started;
    const inputs = texts.map((text, i) => ({ text, ...results[i] }));
    const records = this.predictions.record(inputs, this.engine.modelVersion, { source, latencyMs });
    return { records, seconds: latencyMs / 1000 };
  }

  private async classifyChecked(texts: string[]): Promise<Classification[]> {
    const results = await this.engine.classify(texts);
    if (results.length !== texts.length) {
      throw new AppError('INTERNAL', `The engine returned ${results.length} results for ${texts.length} texts. This is a bug.`);
    }
    return results;
  }

  /** Throws VALIDATION_FAILED listing every text beyond MAX_TEXT_CHARS, or a batch beyond MAX_BATCH_TEXTS. */
  private assertLimits(field: 'text' | 'texts', texts: string[]): void {
    const { maxBatchTexts, maxTextChars } = this.config;
    if (field === 'texts' && texts.length > maxBatchTexts) {
      throw new AppError('VALIDATION_FAILED', `texts must contain at most ${maxBatchTexts} texts but received ${texts.length}`, [
        { field, message: `at most ${maxBatchTexts} texts (MAX_BATCH_TEXTS)` },
      ]);
    }
    const details: ErrorDetail[] = [];
    texts.forEach((text, i) => {
      // A string has at least as many UTF-16 units as characters, so only long strings need counting.
      const chars = text.length > maxTextChars ? countCodePoints(text) : text.length;
      if (chars > maxTextChars) {
        const name = field === 'text' ? 'text' : `texts[${i}]`;
        details.push({ field: name, message: `${name} is ${chars} characters long; the limit is ${maxTextChars}` });
      }
    });
    if (details.length === 1) throw new AppError('VALIDATION_FAILED', details[0].message, details);
    if (details.length > 1) {
      throw new AppError('VALIDATION_FAILED', `${details.length} texts are longer than the limit of ${maxTextChars} characters`, details);
    }
  }
}

function toResult(text: string, record: PredictionRecord): BatchSentimentResultDto {
  return { text, label: record.label, score: record.score, prediction_id: record.id };
}

/** Unicode characters (code points), as a user or Python's len() counts them. */
function countCodePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}
