import type { HistoryEntry, HistoryOutcome, ModelRole, RoleAssignment } from './model.types';

/** The model_roles and model_history rows as both stores read them, and their mapping to the port's types. */
export interface RoleRow extends Record<string, unknown> {
  role: string;
  version: string;
  traffic: number | null;
  updated_at: number;
}

export interface HistoryRow extends Record<string, unknown> {
  id: number;
  at: number;
  action: string;
  version: string | null;
  previous_version: string | null;
  outcome: string;
  detail: string;
}

export function roleFromRow(row: RoleRow): RoleAssignment {
  return {
    role: row.role as ModelRole,
    version: row.version,
    ...(row.traffic !== null ? { traffic: row.traffic } : {}),
    updatedAt: row.updated_at,
  };
}

export function historyFromRow(row: HistoryRow): HistoryEntry {
  return {
    id: row.id,
    at: row.at,
    action: row.action,
    ...(row.version !== null ? { version: row.version } : {}),
    ...(row.previous_version !== null ? { previousVersion: row.previous_version } : {}),
    outcome: row.outcome as HistoryOutcome,
    detail: row.detail,
  };
}
