/**
 * The waiter behind `waitFor`: observe the resources a call touched until each is in the target state, backing
 * off with jitter between observations, for at most `timeoutMs`. Sleep, clock and randomness are injected, so
 * tests drive it without wall-clock time.
 *
 * - Every id in the target state: done. Any id in a state that can no longer become the target (see
 *   wait-targets.ts): 409 WAIT_UNREACHABLE at once, with the states.
 * - The time is up: 504 WAIT_TIMEOUT with the last observed states. The last observation is made at the
 *   deadline, so a wait never ends on a stale view.
 * - An observation that failed for a passing reason (ECS Throttling*, a 5xx, an upstream timeout or
 *   unreachable upstream) is retried after the back-off (at least ECS's retry-after); any other failure ends
 *   the wait with that error, its message saying that the call itself succeeded.
 * - The abort signal (the client disconnected) stops the wait before the next observation: no further call
 *   goes upstream.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { ErrorCode, GatewayError } from '../errors.js';
import { ANSWER_ONLY_FIELDS, NOT_FOUND, RESOURCES, type ObservedState, type WaitTarget } from './wait-targets.js';

/** The default of GATEWAY_MAX_WAIT_MS: the longest wait a caller may ask for. */
export const DEFAULT_MAX_WAIT_MS = 120_000;

/** Sleep, clock and randomness: injected by tests (defaults: timers, Date.now, Math.random). */
export interface WaitClock {
  /** Resolves after `ms`; may reject (or resolve early) once `signal` aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  now: () => number;
  random: () => number;
}

export interface WaiterOptions extends Partial<WaitClock> {
  /** GATEWAY_MAX_WAIT_MS: the largest waitTimeoutMs, and the default one. */
  maxWaitMs: number;
  /** The first back-off (default 1000 ms); it doubles per observation up to maxDelayMs (default 10 000 ms). */
  firstDelayMs?: number;
  maxDelayMs?: number;
}

/** One observation: the states, and the read action's answer it came from. */
export interface Observation<R> {
  states: ObservedState[];
  result: R;
}

/** One wait, as the route hook hands it over. */
export interface WaitJob<R> {
  target: WaitTarget;
  waitFor: string;
  timeoutMs: number;
  /** What the call did (`StartInstances`), for messages. */
  action: string;
  /** Observes the resources once (the read action, through the caller's policy). */
  observe: () => Promise<Observation<R>>;
  /** An observation already in hand (the read route's own answer): judged before the first call. */
  initial?: Observation<R> | undefined;
  signal: AbortSignal;
}

/** The `wait` section of a successful answer. */
export interface WaitReport {
  waitFor: string;
  reached: true;
  resource: string;
  /** Read calls made. */
  polls: number;
  elapsedMs: number;
  states: ObservedState[];
}

const defaultSleep = async (ms: number, signal: AbortSignal): Promise<void> => {
  await sleepFor(ms, undefined, { signal }).catch(() => undefined);
};

/** A failure of an observation worth another try: throttled, a server error, a timeout or an unreachable upstream. */
export function isPassing(err: unknown): boolean {
  return err instanceof GatewayError && (err.code.startsWith('Throttling') || err.statusCode >= 500);
}

/** States as an error body may carry them: without the output of commands. */
const forError = (states: readonly ObservedState[]): ObservedState[] =>
  states.map((s) => Object.fromEntries(Object.entries(s).filter(([k, v]) => !ANSWER_ONLY_FIELDS.includes(k) && v !== undefined)) as ObservedState);

export class Waiter {
  readonly maxWaitMs: number;
  private readonly clock: WaitClock;
  private readonly firstDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(options: WaiterOptions) {
    this.maxWaitMs = options.maxWaitMs;
    this.clock = { sleep: options.sleep ?? defaultSleep, now: options.now ?? Date.now, random: options.random ?? Math.random };
    this.firstDelayMs = options.firstDelayMs ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 10_000;
  }

  /** The pause after the `attempt`-th observation (0-based): exponential, capped, with equal jitter (half fixed, half random). */
  delay(attempt: number): number {
    const base = Math.min(this.maxDelayMs, this.firstDelayMs * 2 ** Math.min(attempt, 30));
    return Math.round(base / 2 + this.clock.random() * (base / 2));
  }

  /** Waits; resolves with the report and the last observation's answer, or throws WAIT_* (or the read action's error). */
  async run<R>(job: WaitJob<R>): Promise<{ report: WaitReport; last: Observation<R> | undefined }> {
    const { target, waitFor, signal } = job;
    const kind = RESOURCES[target.resource];
    const start = this.clock.now();
    const deadline = start + job.timeoutMs;
    const seen = new Set<string>();
    let states: ObservedState[] = [];
    let last: Observation<R> | undefined = job.initial;
    let polls = 0;
    let attempt = 0;
    let pending = job.initial;
    const fail = (status: number, code: string, message: string) =>
      new GatewayError(status, code, message, { waitFor, states: forError(states) });
    for (;;) {
      let retryAfterMs = 0;
      if (!pending) {
        if (signal.aborted) throw cancelled(job, polls);
        try {
          pending = await job.observe();
        } catch (err) {
          if (!isPassing(err)) throw failedWhileWaiting(job, kind.action, err, states);
          retryAfterMs = 1000 * (Number((err as GatewayError).responseHeaders['retry-after']) || 0);
        } finally {
          polls += 1;
        }
        if (signal.aborted) throw cancelled(job, polls);
      }
      if (pending) {
        states = pending.states;
        last = pending;
        pending = undefined;
        for (const s of states) {
          if (s.status === NOT_FOUND) continue;
          seen.add(s.id);
          if (typeof s.invokeId === 'string') seen.add(s.invokeId);
        }
        if (states.every((s) => s.status === waitFor)) {
          return { report: { waitFor, reached: true, resource: target.resource, polls, elapsedMs: this.clock.now() - start, states }, last };
        }
        const stuck = states.find((s) => (s.status === NOT_FOUND ? !target.created || seen.has(s.id) : kind.unreachable(waitFor, s.status)));
        if (stuck) {
          const why = stuck.status === NOT_FOUND ? 'was not found' : `is ${stuck.status}`;
          throw fail(409, ErrorCode.waitUnreachable, `${job.action} succeeded, but ${target.resource} ${stuck.id} ${why} and can no longer become ${waitFor}`);
        }
      }
      const remaining = deadline - this.clock.now();
      if (remaining <= 0) {
        const behind = states.filter((s) => s.status !== waitFor).length;
        const what = states.length > 0 ? `${behind} of ${states.length} ${target.resource}(s) did not reach ${waitFor}` : `no ${target.resource} could be observed in ${waitFor}`;
        throw fail(504, ErrorCode.waitTimeout, `${job.action} succeeded, but ${what} within ${job.timeoutMs} ms`);
      }
      await this.clock.sleep(Math.min(remaining, Math.max(this.delay(attempt), retryAfterMs)), signal);
      attempt += 1;
    }
  }
}

/** The client went away: nothing is sent (the socket is closed), the log says why the request ended. */
function cancelled(job: WaitJob<unknown>, polls: number): GatewayError {
  return new GatewayError(499, ErrorCode.waitCancelled, `The client disconnected; waiting for ${job.waitFor} after ${job.action} was cancelled after ${polls} observation(s)`);
}

/** A read action's lasting failure: its own status and code, saying that the call itself went through. */
function failedWhileWaiting(job: WaitJob<unknown>, action: string, err: unknown, states: ObservedState[]): unknown {
  if (!(err instanceof GatewayError)) return err;
  const wrapped = new GatewayError(err.statusCode, err.code,
    `${job.action} succeeded, but ${action} failed while waiting for ${job.waitFor}: ${err.message}`,
    { ...err.extra, waitFor: job.waitFor, states: forError(states) }, { cause: err, logMessage: `${job.action} succeeded, but ${action} failed while waiting: ${err.logMessage}` });
  Object.assign(wrapped.responseHeaders, err.responseHeaders);
  return wrapped;
}
