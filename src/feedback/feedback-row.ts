import type { StoredFeedback } from './feedback.types';

/** A feedback row as both stores read it. */
export interface FeedbackRow extends Record<string, unknown> {
  prediction_id: string;
  correct_label: string;
  received_at: number;
  first_received_at: number;
  revision: number;
}

export function feedbackFromRow(row: FeedbackRow): StoredFeedback {
  return {
    predictionId: row.prediction_id,
    correctLabel: row.correct_label,
    receivedAt: row.received_at,
    firstReceivedAt: row.first_received_at,
    revision: row.revision,
  };
}
