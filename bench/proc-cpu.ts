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
