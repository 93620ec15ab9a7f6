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
