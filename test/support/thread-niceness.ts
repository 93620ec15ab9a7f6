import { readdirSync, readFileSync } from 'node:fs';

/** The nice value of one of this process's threads, from /proc (field 19 of its stat line). */
export function niceOf(tid: number): number {
  const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

/** Every thread of this process with its nice value. */
export function threadNiceness(): Map<number, number> {
  return new Map(readdirSync(`/proc/${process.pid}/task`).map((tid) => [Number(tid), niceOf(Number(tid))]));
}

/** A thread's name as the kernel keeps it (/proc/.../comm; at most 15 bytes). */
export function threadName(tid: number): string {
  return readFileSync(`/proc/${process.pid}/task/${tid}/comm`, 'utf8').trim();
}
