import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The lowest scheduling priority (highest nice value) Linux allows. */
const MAX_NICENESS = 19;

/**
 * The calling thread's id, on Linux: /proc/thread-self links to /proc/<pid>/task/<tid>. Undefined elsewhere.
 */
export function currentThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isSafeInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Lowers the calling thread's scheduling priority by `step` nice levels (capped at 19). Linux keeps nice values per
 * thread, and setpriority(PRIO_PROCESS, tid) (os.setPriority with a thread id) changes only that thread; on
 * platforms without /proc/thread-self nothing changes (os.setPriority with a process id would slow the whole
 * server down). Returns the new nice value, or undefined when it was left alone.
 */
export function lowerThreadPriority(step: number): number | undefined {
  const tid = currentThreadId();
  if (tid === undefined) return undefined;
  try {
    const niceness = Math.min(MAX_NICENESS, getPriority(tid) + step);
    setPriority(tid, niceness);
    return niceness;
  } catch {
    return undefined; // a sandbox may forbid it; the thread then keeps the process's priority
  }
}
