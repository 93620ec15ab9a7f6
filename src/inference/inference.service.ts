import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AppError } from '../common/errors/app-error';
import { assertTextCount, assertTextLengths } from '../common/validation/text-limits';
import { EngineService } from '../engine/engine.service';
import type { RoutedClassification } from '../engine/engine.types';
import { ShadowService } from '../models/shadow.service';
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
    private readonly shadow: ShadowService,
  ) {}

  /** `clientKey` (the X-Client-Key header) keeps a client on one side of a canary split. */
  async classifyOne(text: string, clientKey?: string): Promise<SentimentResponseDto> {
    this.assertLimits('text', [text]);
    const { records } = await this.classifyAndLog([text], 'sentiment', clientKey);
    return { ...toResult(text, records[0]), model_version: records[0].modelVersion };
  }

  async classifyBatch(texts: string[], clientKey?: string): Promise<BatchSentimentResponseDto> {
    this.assertLimits('texts', texts);
    const { records, seconds } = await this.classifyAndLog(texts, 'batch', clientKey);
    return {
      results: texts.map((text, i) => toResult(text, records[i])),
      // The version the records were stamped with, not whatever is loaded by the time the response is built.
      model_version: records[0].modelVersion,
      processing_time: seconds,
    };
  }

  /**
   * Classifies, then commits the predictions, stamped with the version whose engine computed them (a swap
   * during the call cannot relabel them), before anything is returned (see PredictionLogService).
   */
  private async classifyAndLog(
    texts: string[],
    source: PredictionSource,
    clientKey: string | undefined,
  ): Promise<{ records: PredictionRecord[]; seconds: number }> {
    const started = performance.now();
    const { results, version } = await this.classifyChecked(texts, clientKey);
    const latencyMs = performance.now() - started;
    const inputs = texts.map((text, i) => ({ text, ...results[i] }));
    const records = await this.predictions.recordGrouped(inputs, version, { source, latencyMs });
    // The shadow works on its own queue after this returns: it never delays or changes the response.
    if (version === this.engine.productionEngine?.version) this.shadow.offer(texts, records);
    return { records, seconds: latencyMs / 1000 };
  }

  private async classifyChecked(texts: string[], clientKey: string | undefined): Promise<RoutedClassification> {
    const routed = await this.engine.classifyRouted(texts, true, clientKey);
    if (routed.results.length !== texts.length) {
      throw new AppError('INTERNAL', `The engine returned ${routed.results.length} results for ${texts.length} texts. This is a bug.`);
    }
    return routed;
  }

  /** Throws VALIDATION_FAILED for a batch beyond MAX_BATCH_TEXTS, or listing every text beyond MAX_TEXT_CHARS. */
  private assertLimits(field: 'text' | 'texts', texts: string[]): void {
    if (field === 'texts') assertTextCount(texts, this.config.maxBatchTexts, 'MAX_BATCH_TEXTS');
    assertTextLengths(field, texts, this.config.maxTextChars);
  }
}

function toResult(text: string, record: PredictionRecord): BatchSentimentResultDto {
  return { text, label: record.label, score: record.score, prediction_id: record.id };
}

