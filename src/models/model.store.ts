import type { HistoryEntry, NewHistoryEntry, RoleAssignment, RoleChange } from './model.types';

/**
 * Persistence of the roles, the history and the startup bookkeeping: the port ModelsService depends on. SQLite
 * (one process) and PostgreSQL (several replicas) implement it and pass the same contract suite
 * (model.store.spec.ts).
 */
export abstract class ModelStore {
  abstract roles(): Promise<RoleAssignment[]>;
  /**
   * Applies every change and appends the history entry in one transaction: a change is never half-applied. On
   * PostgreSQL the same transaction notifies the other replicas (LISTEN/NOTIFY), so they hear of it only once it
   * is committed.
   */
  abstract changeRoles(changes: readonly RoleChange[], entry: NewHistoryEntry): Promise<void>;
  abstract appendHistory(entry: NewHistoryEntry): Promise<void>;
  /** Newest first; `beforeId` pages back. */
  abstract history(limit: number, beforeId?: number): Promise<HistoryEntry[]>;
  abstract setting(key: string): Promise<string | undefined>;
  abstract setSetting(key: string, value: string): Promise<void>;
}
