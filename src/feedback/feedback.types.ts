/** The label a client says a prediction should have had, as stored. */
export interface StoredFeedback {
  predictionId: string;
  correctLabel: string;
  /** When the label now held was received (ms since the epoch): the time monitoring windows group by. */
  receivedAt: number;
  /** When the first feedback for this prediction was received. */
  firstReceivedAt: number;
  /** 1 for the first label, +1 for every different label that replaced it. */
  revision: number;
}

/**
 * What saving a feedback did: `created` (first feedback for the prediction), `replaced` (a different label
 * replaced the one held: latest wins) or `unchanged` (the label held was sent again, e.g. a retry: nothing
 * was written).
 */
export type FeedbackOutcome = 'created' | 'replaced' | 'unchanged';

export interface SaveFeedbackResult {
  outcome: FeedbackOutcome;
  /** The feedback now stored. */
  feedback: StoredFeedback;
  /** The feedback it replaced (outcome `replaced` only). */
  previous?: StoredFeedback;
}

/**
 * Told to listeners after a feedback that changed what is stored (created or replaced) is committed.
 * `previous` is the label it replaced and when that one had been received.
 */
export interface FeedbackEvent {
  predictionId: string;
  modelVersion: string;
  predictedLabel: string;
  correctLabel: string;
  receivedAt: number;
  previous?: { correctLabel: string; receivedAt: number };
}

/** Called after a feedback is committed (monitoring updates its windows). Must not throw. */
export type FeedbackListener = (event: FeedbackEvent) => void;

/** Feedback recorded since the process started, by whether the label sent equals the predicted one. */
export interface FeedbackCounters {
  correct: number;
  incorrect: number;
}
