/**
 * Cloud Assistant invocations (RunCommand): the stored record, its status at a given time, and the snapshot check.
 *
 * An invocation runs on each of its instances Pending → Running → Finished, each step lasting the transition time
 * fixed when it was created (`runningAt`, `finishedAt`), so its status is a pure function of the clock: nothing is
 * rewritten on read. StopInvocation marks instances stopped: one still Pending is Cancelled (never ran), one Running
 * is Terminated. The statuses ECS reports for each phase:
 *
 * | phase      | InvocationStatus (per instance) | InstanceInvokeStatus / InvokeRecordStatus | output, exit code |
 * |------------|---------------------------------|-------------------------------------------|-------------------|
 * | Pending    | Pending                         | Pending                                   | '' / none         |
 * | Running    | Running                         | Running                                   | '' / none         |
 * | Finished   | Success                         | Finished                                  | the emulated output, 0 |
 * | Cancelled  | Cancelled                       | Stopped                                   | '' / none         |
 * | Terminated | Terminated                      | Stopped                                   | '', ErrorCode ExecutionInterrupted |
 */

/** Where one instance's run of an invocation is. */
export type InvokePhase = 'Pending' | 'Running' | 'Finished' | 'Cancelled' | 'Terminated';

/** One instance's run of an invocation. */
export interface InvokeInstanceRecord {
  instanceId: string;
  /** What the emulated command prints on this instance (plain text; see command-runner.ts). */
  output: string;
  exitCode: number;
  /** When StopInvocation reached this instance (ms), and the phase it was in then; null while not stopped. */
  stoppedAt: number | null;
  stoppedIn: 'Pending' | 'Running' | null;
}

/**
 * A RunCommand invocation of an account in a region. `commandContent` is kept Base64-encoded, as DescribeInvocations
 * answers it; it is never logged nor put in an error.
 */
export interface InvocationRecord {
  account: string;
  regionId: string;
  invokeId: string;
  commandId: string;
  /** Creation order within the whole store. */
  seq: number;
  commandName: string;
  commandDescription: string;
  commandType: string;
  commandContent: string;
  /** The custom parameters as given (a JSON object text), '' when none. */
  parameters: string;
  timeout: number;
  workingDir: string;
  username: string;
  repeatMode: 'Once';
  creationTime: number;
  /** When every instance enters Running, then Finished (ms). */
  runningAt: number;
  finishedAt: number;
  instances: InvokeInstanceRecord[];
}

/** The phase of one instance's run at `now`. */
export function phaseAt(inv: InvocationRecord, inst: InvokeInstanceRecord, now: number): InvokePhase {
  if (inst.stoppedAt !== null && inst.stoppedAt <= now) return inst.stoppedIn === 'Pending' ? 'Cancelled' : 'Terminated';
  if (now < inv.runningAt) return 'Pending';
  if (now < inv.finishedAt) return 'Running';
  return 'Finished';
}

/** Whether StopInvocation can still stop this run. */
export function isActive(phase: InvokePhase): phase is 'Pending' | 'Running' {
  return phase === 'Pending' || phase === 'Running';
}

/** Per-instance InvocationStatus. */
export function invocationStatus(phase: InvokePhase): string {
  return phase === 'Finished' ? 'Success' : phase;
}

/** Per-instance InstanceInvokeStatus / InvokeRecordStatus. */
export function recordStatus(phase: InvokePhase): string {
  if (phase === 'Cancelled' || phase === 'Terminated') return 'Stopped';
  return phase;
}

/**
 * The overall InvocationStatus of an invocation from its instances' phases, as ECS documents it: Pending while every
 * active run is Pending and none has finished, Running while any run is active, Success once all are done with at least one Success,
 * Stopped when every run was stopped.
 */
export function overallInvocationStatus(phases: readonly InvokePhase[]): 'Pending' | 'Running' | 'Success' | 'Stopped' {
  const active = phases.filter(isActive);
  if (active.length > 0) {
    return active.every((p) => p === 'Pending') && !phases.includes('Finished') ? 'Pending' : 'Running';
  }
  return phases.includes('Finished') ? 'Success' : 'Stopped';
}

/** The overall (older) InvokeStatus: Pending, Running, Finished or Stopped. */
export function overallInvokeStatus(phases: readonly InvokePhase[]): string {
  const s = overallInvocationStatus(phases);
  return s === 'Success' ? 'Finished' : s;
}

function fail(what: string): never {
  throw new TypeError(`invalid ECS emulator snapshot: ${what}`);
}

const STRING_FIELDS = ['account', 'regionId', 'invokeId', 'commandId', 'commandType', 'commandContent', 'parameters'] as const;
const NUMBER_FIELDS = ['seq', 'timeout', 'creationTime', 'runningAt', 'finishedAt'] as const;

/**
 * The `invocations` of a snapshot, checked; [] when the snapshot predates Cloud Assistant (no `invocations` key).
 * Throws TypeError naming what is wrong.
 */
export function parseInvocations(v: unknown): InvocationRecord[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) fail('invocations must be an array');
  v.forEach((rec: unknown, i) => {
    if (typeof rec !== 'object' || rec === null) fail(`invocations[${i}] must be an object`);
    const r = rec as Record<string, unknown>;
    for (const k of STRING_FIELDS) if (typeof r[k] !== 'string') fail(`invocations[${i}].${k} must be string`);
    for (const k of NUMBER_FIELDS) if (typeof r[k] !== 'number') fail(`invocations[${i}].${k} must be number`);
    if (!Array.isArray(r.instances)) fail(`invocations[${i}].instances must be an array`);
    for (const inst of r.instances as unknown[]) {
      const x = inst as Record<string, unknown> | null;
      const ok =
        typeof x === 'object' && x !== null && typeof x.instanceId === 'string' && typeof x.output === 'string' &&
        typeof x.exitCode === 'number' && (x.stoppedAt === null || typeof x.stoppedAt === 'number') &&
        (x.stoppedIn === null || x.stoppedIn === 'Pending' || x.stoppedIn === 'Running');
      if (!ok) fail(`invocations[${i}].instances is malformed`);
    }
  });
  return v as InvocationRecord[];
}
