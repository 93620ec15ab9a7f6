import type { PredictionRecord } from '../predictions/prediction.types';
import type { SaveFeedbackResult, StoredFeedback } from './feedback.types';

/** The prediction a feedback is about: its id, and its time (the PostgreSQL log is partitioned by it). */
export type FeedbackTarget = Pick<PredictionRecord, 'id' | 'createdAt'>;

/**
 * Feedback's persistence (I/O only; FeedbackService holds the rules). One feedback per prediction. Implemented by
 * SqliteFeedbackStore (the embedded default) and PostgresFeedbackStore (DATABASE_URL); both pass
 * feedback.store.spec.ts. Feedback follows its prediction out of the log: once the prediction log's retention has
 * removed a prediction, `find` no longer returns its feedback and monitoring no longer counts it.
 */
export abstract class FeedbackStore {
  /** The feedback held for the prediction, if any (and if the prediction is still in the log). */
  abstract find(predictionId: string): Promise<StoredFeedback | undefined>;

  /**
   * Stores `correctLabel` for the prediction as one atomic read-then-write, safe against concurrent saves from
   * any number of replicas: inserts the first feedback (`created`), replaces a different label (stamped
   * `receivedAt`, revision + 1: `replaced`) and writes nothing when the same label is already held (`unchanged`).
   */
  abstract save(prediction: FeedbackTarget, correctLabel: string, receivedAt: number): Promise<SaveFeedbackResult>;
}
