import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time a process has used so far, in µs: the sum over its threads of the scheduler's run time
 * (/proc/<pid>/task/<tid>/schedstat, nanoseconds), instead of /proc/<pid>/stat's 10 ms clock ticks, which at
 * ~250 µs a request put ±1.5% of noise on every batch of a few thousand. A thread that ended between two
 * readings drops out of the sum, so the main thread and the long-lived workers (libuv, GC, JIT) are what count.
 * Linux only; throws elsewhere.
 */
export function processCpuUs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended while the list was read
    }
  }
  return ns / 1000;
}

/** CPU time a process has used so far, in ms (see processCpuUs); NaN without a pid or off Linux. */
export function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    return processCpuUs(pid) / 1000;
  } catch {
    return NaN;
  }
}

/** Resident set size of a process in MB (Linux /proc, else ps); NaN without a pid or when neither answers. */
export function rssMb(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    if (kb) return Number(kb) / 1024;
  } catch { /* not Linux */ }
  try {
    return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) / 1024;
  } catch {
    return NaN;
  }
}
