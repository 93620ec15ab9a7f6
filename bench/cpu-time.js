'use strict';
/**
 * CPU time from Linux /proc, for the benchmarks that report CPU beside wall time (it moves far less with the
 * machine's load). One place for the stat layout and the clock-tick size.
 */
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** The fields of a /proc stat file after the command name (which may hold spaces): field 3 (state) is index 0. */
function statFields(file) {
  let stat;
  try {
    stat = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${file} for CPU time (Linux only): ${error.message}`);
  }
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** CPU seconds (utime + stime) of one thread of `pid`, or of the whole process when `tid` is omitted. */
function cpuSeconds(pid, tid) {
  const fields = statFields(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`);
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** CPU seconds of this process's waited-for children (cutime + cstime). */
function childrenCpuSeconds() {
  const fields = statFields('/proc/self/stat');
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
}

module.exports = { cpuSeconds, childrenCpuSeconds };
