import type { StoredReference, WindowResult } from './drift.types';

/** How saveReference treats a version that already has a reference. */
export type ReferenceWrite = 'replace' | 'if-absent';

/**
 * Persistence of drift references and closed windows: the port DriftService depends on. SQLite (one process) and
 * PostgreSQL (shared by several replicas) implement it and pass the same contract suite (drift.store.spec.ts).
 */
export abstract class DriftStore {
  /** Whether other replicas write here too (PostgreSQL): then the store, not this process's memory, is the truth. */
  abstract readonly shared: boolean;
  abstract loadReference(modelVersion: string): Promise<StoredReference | undefined>;
  /**
   * Stores the version's reference and returns the one stored now: `replace` overwrites (an admin's new
   * reference); `if-absent` keeps one already there and returns it (a reference built from the model's file is
   * built once per version, whichever replica finishes first).
   */
  abstract saveReference(reference: StoredReference, write: ReferenceWrite): Promise<StoredReference>;
  /**
   * Appends a closed window, then deletes the version's windows beyond the newest `keep`. Returns the sequence it
   * was stored under: the window's own, or the next free one when another replica stored that sequence first
   * (sequences stay unique and increasing per version).
   */
  abstract saveWindow(window: WindowResult, keep: number): Promise<number>;
  /** The version's newest windows, newest first. */
  abstract recentWindows(modelVersion: string, limit: number): Promise<WindowResult[]>;
  /** Every model version with a reference or windows. */
  abstract versions(): Promise<string[]>;
}
