import type { PredictionRecord } from './prediction.types';

/** What one retention pass removed. */
export interface PruneResult {
  /** How many were removed... */
  removed: number;
  /** ...of what: single records (SQLite deletes rows) or whole daily partitions (PostgreSQL drops them). */
  unit: 'predictions' | 'daily partitions';
}

/**
 * The prediction log's persistence (I/O only; PredictionLogService holds the rules). Implemented by
 * SqlitePredictionStore (the embedded default) and PostgresPredictionStore (DATABASE_URL); both pass
 * prediction.store.contract.ts.
 */
export abstract class PredictionStore {
  /** Commits every record or none (one transaction, one multi-row write). */
  abstract insertAll(records: readonly PredictionRecord[]): Promise<void>;
  /** The logged prediction with this id, if it exists (and has not expired). */
  abstract findById(id: string): Promise<PredictionRecord | undefined>;
  /** Removes predictions made before `cutoff` (ms since the epoch), as whole days where the store partitions by day. */
  abstract deleteOlderThan(cutoff: number): Promise<PruneResult>;
}
