import type { Baseline } from './performance-tracker';

/** A monitoring_baselines row as both stores read it. */
export interface BaselineRow extends Record<string, unknown> {
  model_version: string;
  window_start: number;
  window_end: number;
  samples: number;
  accuracy: number;
  weighted_f1: number;
  established_at: number;
}

export function baselineFromRow(row: BaselineRow): Baseline {
  return {
    modelVersion: row.model_version,
    start: row.window_start,
    end: row.window_end,
    samples: row.samples,
    accuracy: row.accuracy,
    weightedF1: row.weighted_f1,
    establishedAt: row.established_at,
  };
}
