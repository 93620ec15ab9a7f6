import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { Clock } from '../common/clock';
import { quoteForMessage } from '../common/validation/validators';
import { AppConfig } from '../config/app-config';
import { PredictionLogService } from '../predictions/prediction-log.service';
import type { PredictionRecord } from '../predictions/prediction.types';
import { FeedbackResponseDto } from './dto/feedback-response.dto';
import { FeedbackStore } from './feedback.store';
import type { FeedbackCounters, FeedbackListener, SaveFeedbackResult } from './feedback.types';

/**
 * Feedback on logged predictions: the correct label for a prediction_id. The prediction is read from the
 * prediction log (never re-computed), the label is checked against the labels of the model version that made
 * it (the keys of its stored scores), and the feedback is committed before the answer. One feedback per
 * prediction: the latest label wins, and sending the label already held changes nothing, so a retried
 * request is harmless.
 */
@Injectable()
export class FeedbackService {
  private readonly logger = new Logger(FeedbackService.name);
  private readonly listeners: FeedbackListener[] = [];
  private readonly counters: FeedbackCounters = { correct: 0, incorrect: 0 };

  constructor(
    private readonly predictions: PredictionLogService,
    private readonly store: FeedbackStore,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** Registers a listener told about every committed feedback that created or changed a label (monitoring). */
  subscribe(listener: FeedbackListener): void {
    this.listeners.push(listener);
  }

  /**
   * Feedback recorded since the process started (created or replaced; an unchanged retry is not counted), by
   * whether its label equals the predicted one. Cheap: for metrics scrapes.
   */
  feedbackCounters(): FeedbackCounters {
    return { ...this.counters };
  }

  /**
   * Records `correctLabel` as the true label of the prediction. Throws NOT_FOUND for an unknown or expired
   * prediction, UNKNOWN_LABEL for a label its model does not have, STORAGE_UNAVAILABLE when the database cannot
   * commit.
   */
  async submit(predictionId: string, correctLabel: string): Promise<FeedbackResponseDto> {
    // UUIDs are case-insensitive; the log stores them lower-case, as randomUUID makes them.
    const id = predictionId.toLowerCase();
    let prediction: PredictionRecord | undefined;
    try {
      prediction = await this.predictions.find(id);
    } catch (error) {
      this.logger.error(`Could not read prediction ${id}: ${(error as Error).message}`);
      throw new AppError('STORAGE_UNAVAILABLE', 'The prediction log could not be read; retry later');
    }
    if (!prediction) throw this.notFound(id);
    const labels = Object.keys(prediction.scores);
    if (!labels.includes(correctLabel)) {
      const message = `correct_label ${quoteForMessage(correctLabel)} is not a label of model version ${prediction.modelVersion}, which made this prediction; valid labels: ${labels.join(', ')}`;
      throw new AppError('UNKNOWN_LABEL', message, [{ field: 'correct_label', message, valid_labels: labels }]);
    }

    let result: SaveFeedbackResult;
    try {
      result = await this.store.save(prediction, correctLabel, this.clock.now());
    } catch (error) {
      this.logger.error(`Could not store feedback for prediction ${id}: ${(error as Error).message}`);
      throw new AppError('STORAGE_UNAVAILABLE', 'The feedback could not be stored; retry later');
    }
    if (result.outcome !== 'unchanged') this.announce(prediction, result);
    return toResponse(prediction, result);
  }

  private announce(prediction: PredictionRecord, { feedback, previous }: SaveFeedbackResult): void {
    this.counters[feedback.correctLabel === prediction.label ? 'correct' : 'incorrect']++;
    const event = {
      predictionId: prediction.id,
      modelVersion: prediction.modelVersion,
      predictedLabel: prediction.label,
      correctLabel: feedback.correctLabel,
      receivedAt: feedback.receivedAt,
      ...(previous ? { previous: { correctLabel: previous.correctLabel, receivedAt: previous.receivedAt } } : {}),
    };
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error(`A feedback listener failed: ${(error as Error).message}`, (error as Error).stack);
      }
    }
  }

  private notFound(id: string): AppError {
    const days = this.config.predictionLogRetentionDays;
    const why = days === 0 ? 'no prediction has this id' : `no prediction has this id, or it was made more than ${days} days ago (PREDICTION_LOG_RETENTION_DAYS)`;
    return new AppError('NOT_FOUND', `Prediction ${id} is not in the prediction log: ${why}`, [
      { field: 'prediction_id', message: `no logged prediction ${id}` },
    ]);
  }
}

function toResponse(prediction: PredictionRecord, { outcome, feedback, previous }: SaveFeedbackResult): FeedbackResponseDto {
  return {
    prediction_id: prediction.id,
    model_version: prediction.modelVersion,
    predicted_label: prediction.label,
    correct_label: feedback.correctLabel,
    correct: feedback.correctLabel === prediction.label,
    status: outcome,
    previous_label: previous?.correctLabel ?? null,
    revision: feedback.revision,
    received_at: new Date(feedback.receivedAt).toISOString(),
    predicted_at: new Date(prediction.createdAt).toISOString(),
  };
}
