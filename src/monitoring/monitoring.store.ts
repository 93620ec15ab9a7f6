import type { Baseline, WindowCell } from './performance-tracker';

/**
 * Performance monitoring's persistence (I/O only; the tracker and MonitoringService hold the rules). Implemented
 * by SqliteMonitoringStore (the embedded default) and PostgresMonitoringStore (DATABASE_URL); both pass
 * monitoring.store.spec.ts.
 */
export abstract class MonitoringStore {
  /**
   * Labelled predictions whose feedback was received at or after `since`, counted per model version, window of
   * `windowMs` (aligned to the Unix epoch, by the time the feedback was received) and (predicted, actual) label
   * pair: the join of feedback with the prediction log. Feedback whose prediction left the log is not counted.
   */
  abstract labelledCounts(since: number, windowMs: number): Promise<WindowCell[]>;
  /** Every stored baseline. */
  abstract baselines(): Promise<Baseline[]>;
  /** Stores a version's baseline unless one is stored already (a baseline never changes; the first one wins). */
  abstract saveBaseline(baseline: Baseline): Promise<void>;
}
