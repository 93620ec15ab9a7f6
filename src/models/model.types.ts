/** Roles a registered version can hold; `previous` remembers what production was before the last change. */
export type ModelRole = 'production' | 'canary' | 'shadow' | 'previous';

/** One role assignment: canary carries its traffic percent, shadow its sample rate. */
export interface RoleAssignment {
  role: ModelRole;
  version: string;
  /** Canary: percent (0-100] of interactive requests. Shadow: share (0-1] of production requests. */
  traffic?: number;
  updatedAt: number;
}

export type HistoryOutcome = 'ok' | 'refused' | 'failed';

/** One entry of the model history: every change of a role, registration and refused admin action. */
export interface HistoryEntry {
  id: number;
  at: number;
  action: string;
  version?: string;
  previousVersion?: string;
  outcome: HistoryOutcome;
  detail: string;
}

export type NewHistoryEntry = Omit<HistoryEntry, 'id'>;

/** A role change: assign `version` (with `traffic`) to `role`, or clear the role when version is undefined. */
export interface RoleChange {
  role: ModelRole;
  version?: string;
  traffic?: number;
}

/**
 * Persistence of the roles, the history and the startup bookkeeping. Async, so a PostgreSQL implementation can
 * replace the SQLite one without touching the callers.
 */
export interface ModelStorePort {
  roles(): Promise<RoleAssignment[]>;
  /** Applies every change and appends the history entry in one transaction: a change is never half-applied. */
  changeRoles(changes: readonly RoleChange[], entry: NewHistoryEntry): Promise<void>;
  appendHistory(entry: NewHistoryEntry): Promise<void>;
  /** Newest first; `beforeId` pages back. */
  history(limit: number, beforeId?: number): Promise<HistoryEntry[]>;
  setting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;
}
