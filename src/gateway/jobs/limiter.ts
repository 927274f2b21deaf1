/**
 * The job-level concurrency limit in front of ECS: every paging (`all=true`) and fan-out (inventory) job
 * of the process runs its upstream calls through one FanoutLimiter, which keeps at most `concurrency`
 * calls in flight per account (accessKeyId) and action, because ECS throttles each account per action.
 *
 * On a Throttling answer (`Throttling`, `Throttling.User`, any `Throttling.*`) the limiter
 * - halves that lane's concurrency (at least 1), and grows it back by one after as many successes as the
 *   current limit (additive increase, multiplicative decrease);
 * - pauses the whole lane (every job on that account and action) for the answer's `retry-after` (ECS's
 *   `x-acs-retry-after`, turned into a `retry-after` header by ecs/errors.ts), or, without one, for an
 *   exponential back-off with full jitter (base 200 ms, capped at 10 s);
 * - then retries the call (jobs only read, so retrying is safe), up to `maxAttempts` attempts in all.
 *
 * So a big job slows down instead of failing. A retry that could not start before the job's `deadline`
 * (a `now()` timestamp) is not made: the throttling error is thrown. Per-call retries of transport
 * failures live in the ECS client (ECS_MAX_RETRIES); this is the layer above it.
 *
 * `sleep`, `now` and `random` are injected (tests never wait on wall-clock time).
 */
import { setTimeout as delay } from 'node:timers/promises';

/** Sleeps `ms`; rejects when `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface FanoutLimiterOptions {
  /** Most calls in flight per account and action (GATEWAY_ACTION_CONCURRENCY, default 32). */
  concurrency: number;
  sleep?: Sleep;
  /** Milliseconds, monotonic enough for deadlines (default Date.now). */
  now?: () => number;
  /** In [0, 1): the jitter of the back-off (default Math.random). */
  random?: () => number;
  /** Back-off without a retry-after: base × 2^attempt, full jitter, at most maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Attempts per call, the first included, before a throttling error is passed on (default 10). */
  maxAttempts?: number;
}

/** The lane a call runs in: ECS throttles per account and per action. */
export interface LimitKey {
  /** The caller's AccessKeyId (never the secret). */
  accountId: string;
  action: string;
}

export interface RunOptions {
  /** `now()` timestamp after which no retry is started. */
  deadline?: number | undefined;
  /** Aborts waiting (for a slot or a back-off); the call itself is not interrupted. */
  signal?: AbortSignal | undefined;
  /** Called before each retry with the delay chosen (for logs and metrics). */
  onThrottled?: ((info: { attempt: number; delayMs: number; code: string }) => void) | undefined;
}

/** What a lane of the limiter looks like now (tests and metrics). */
export interface LaneState {
  limit: number;
  active: number;
  queued: number;
  pausedUntil: number;
}

/** Whether `err` is an ECS throttling answer. */
export function isThrottling(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'Throttling' || code.startsWith('Throttling.'));
}

/**
 * The retry-after of an error in ms, if any: ECS's own x-acs-retry-after (GatewayError.retryAfterMs) when it
 * sent one, else the `retry-after` header (seconds) of the error.
 */
export function retryAfterMs(err: unknown): number | undefined {
  const exact = (err as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  if (typeof exact === 'number' && exact > 0) return exact;
  const headers = (err as { responseHeaders?: Record<string, string> } | null)?.responseHeaders;
  const seconds = Number(headers?.['retry-after']);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

const defaultSleep: Sleep = (ms, signal) => delay(ms, undefined, signal ? { signal } : undefined);

class Lane {
  limit: number;
  active = 0;
  successes = 0;
  pausedUntil = 0;
  readonly waiting: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  constructor(limit: number) {
    this.limit = limit;
  }
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

/** A per-account, per-action concurrency limit with throttling back-off (see the module comment). */
export class FanoutLimiter {
  readonly concurrency: number;
  private readonly lanes = new Map<string, Lane>();
  private readonly sleep: Sleep;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxAttempts: number;

  constructor(options: FanoutLimiterOptions) {
    this.concurrency = Math.max(1, Math.floor(options.concurrency));
    this.sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.maxDelayMs = options.maxDelayMs ?? 10_000;
    this.maxAttempts = options.maxAttempts ?? 10;
  }

  /** The current state of a lane (undefined: no call has used it, or it is idle at full speed). */
  state(key: LimitKey): LaneState | undefined {
    const lane = this.lanes.get(laneId(key));
    return lane && { limit: lane.limit, active: lane.active, queued: lane.waiting.length, pausedUntil: lane.pausedUntil };
  }

  /**
   * Runs `fn` in the lane of `key` once a slot is free and the lane is not paused; on throttling, backs
   * off and runs it again (see the module comment). Resolves with fn's value; rejects with fn's error
   * (not throttling, or throttling past the attempts or the deadline), or with the signal's reason.
   */
  async run<T>(key: LimitKey, fn: () => Promise<T>, options: RunOptions = {}): Promise<T> {
    const id = laneId(key);
    for (let attempt = 1; ; attempt++) {
      // Looked up per attempt: an idle lane at full speed is dropped (the map does not grow per account).
      const lane = this.lanes.get(id) ?? new Lane(this.concurrency);
      this.lanes.set(id, lane);
      await this.acquire(lane, options.signal);
      let result: T;
      try {
        const pause = lane.pausedUntil - this.now();
        if (pause > 0) await this.sleep(pause, options.signal);
        result = await fn();
      } catch (err) {
        if (!isThrottling(err)) {
          this.release(id, lane);
          throw err;
        }
        // Slow the lane down before the slot is given back, so the next caller already sees it.
        lane.limit = Math.max(1, Math.floor(lane.limit / 2));
        lane.successes = 0;
        const backoff = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1)) * this.random();
        const wait = Math.max(retryAfterMs(err) ?? 0, backoff);
        const resumeAt = this.now() + wait;
        const giveUp = attempt >= this.maxAttempts || (options.deadline !== undefined && resumeAt > options.deadline);
        if (!giveUp) lane.pausedUntil = Math.max(lane.pausedUntil, resumeAt);
        this.release(id, lane);
        if (giveUp) throw err;
        options.onThrottled?.({ attempt, delayMs: wait, code: String((err as { code: string }).code) });
        // The wait itself happens on the next attempt, once a slot is free again: the lane is paused.
        continue;
      }
      if (++lane.successes >= lane.limit && lane.limit < this.concurrency) {
        lane.limit++;
        lane.successes = 0;
      }
      this.release(id, lane);
      return result;
    }
  }

  private acquire(lane: Lane, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (lane.active < lane.limit && lane.waiting.length === 0) {
      lane.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const entry = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = (): void => {
        const i = lane.waiting.indexOf(entry);
        if (i >= 0) lane.waiting.splice(i, 1);
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      lane.waiting.push(entry);
    });
  }

  private release(id: string, lane: Lane): void {
    lane.active--;
    while (lane.active < lane.limit && lane.waiting.length > 0) {
      lane.active++;
      lane.waiting.shift()!.resolve();
    }
    if (lane.active === 0 && lane.waiting.length === 0 && lane.limit === this.concurrency && lane.pausedUntil <= this.now() && this.lanes.get(id) === lane) {
      this.lanes.delete(id);
    }
  }
}

const laneId = (key: LimitKey): string => `${key.accountId}\u0000${key.action}`;
