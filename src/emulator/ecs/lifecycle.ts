/**
 * The instance state machine, driven lazily by the clock.
 *
 * An instance holds its current status plus a schedule of future statuses.
 * Reading it at time `now` first applies every scheduled change due by then.
 * Each transitional state (Pending, Starting, Stopping) lasts `transitionMs`.
 *
 *   RunInstances:    Pending  -> Starting -> Running
 *   StartInstances:  Stopped  -> Starting -> Running
 *   StopInstances:   Running  -> Stopping -> Stopped
 *   RebootInstances: Running  -> Stopping -> Starting -> Running
 */
import type { InstanceRecord, InstanceStatus } from './model.js';

/** The power operations on existing instances. */
export type PowerOperation = 'start' | 'stop' | 'reboot';

/** The status each power operation needs. */
export const REQUIRED_STATUS: Readonly<Record<PowerOperation, InstanceStatus>> = {
  start: 'Stopped',
  stop: 'Running',
  reboot: 'Running',
};

/** The statuses an operation walks through, the first entered at once. */
const PATHS: Readonly<Record<PowerOperation | 'create', readonly InstanceStatus[]>> = {
  create: ['Pending', 'Starting', 'Running'],
  start: ['Starting', 'Running'],
  stop: ['Stopping', 'Stopped'],
  reboot: ['Stopping', 'Starting', 'Running'],
};

/** Applies every scheduled status change due at `now`. Returns the current status. */
export function settle(rec: InstanceRecord, now: number): InstanceStatus {
  while (rec.schedule.length > 0 && rec.schedule[0]!.at <= now) {
    const next = rec.schedule.shift()!;
    rec.status = next.status;
    if (next.status === 'Running') rec.startTime = next.at;
  }
  return rec.status;
}

/**
 * Puts the instance on the path of `op` starting at `now`: it enters the first
 * status at once and each following one `transitionMs` later.
 */
export function begin(
  rec: InstanceRecord,
  op: PowerOperation | 'create',
  now: number,
  transitionMs: number,
): void {
  const [first, ...rest] = PATHS[op];
  rec.status = first!;
  rec.schedule = rest.map((status, i) => ({ status, at: now + (i + 1) * transitionMs }));
}

/** The StoppedMode DescribeInstances reports for a record in its current status. */
export function visibleStoppedMode(rec: InstanceRecord): string {
  return rec.status === 'Stopped' || rec.status === 'Stopping' ? rec.stoppedMode : 'Not-applicable';
}
