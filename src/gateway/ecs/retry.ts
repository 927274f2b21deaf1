/**
 * When a failed ECS attempt is tried again, and after how long. The client (./client.ts) runs the loop;
 * the rules are here:
 *
 * - **Throttling*** (`Throttling`, `Throttling.User`, `Throttling.Api`, …) is retried for every action:
 *   ECS throttles before it runs anything.
 * - **ServiceUnavailable, InternalError, any 5xx, and transport failures** (reset, refused, read timeout)
 *   are retried for read-only actions, and for writes that carry a `ClientToken` (ECS runs a token's
 *   call once however often it arrives). A write without a token is retried after a transport failure
 *   only when the request provably never left: undici hands the handler its controller
 *   (`onRequestStart`) only once a connection is up and the request is about to be written, so a failure
 *   before that (ECONNREFUSED, DNS, connect timeout, a proxy refusing the tunnel) never reached ECS.
 * - Never after the call's deadline expired or its client went away, never beyond `maxRetries`, never
 *   when the wait would not fit in what is left of the deadline, and never when the retry budget is spent.
 *
 * Waits are exponential with full jitter (a random fraction of base·2^(n-1), capped), and at least ECS's
 * `x-acs-retry-after` (ms) when it sent one.
 */
import type { GatewayError } from '../errors.js';

/** What the rules need to know about the call. */
export interface RetryTraits {
  /** The catalog says the action only reads. */
  readOnly: boolean;
  /** The call carries a `ClientToken` (the caller's or the gateway's). */
  hasToken: boolean;
}

/** How one attempt failed. */
export interface AttemptFailure {
  error: GatewayError;
  /** The HTTP status ECS (or something on the way) answered with; undefined when nothing answered. */
  status: number | undefined;
  /** The request may have reached ECS: the connection was up and writing had begun (see the module comment). */
  sent: boolean;
}

/** Whether ECS throttled: its code starts with `Throttling`. */
export const isThrottled = (code: string): boolean => code.startsWith('Throttling');

const SERVER_CODES = new Set(['ServiceUnavailable', 'InternalError']);

/** Whether the failure may be retried for a call with these traits (deadline, budget and count aside). */
export function mayRetry(failure: AttemptFailure, traits: RetryTraits): boolean {
  const { code } = failure.error;
  if (isThrottled(code)) return true;
  const safe = traits.readOnly || traits.hasToken;
  if (failure.status === undefined) return safe || !failure.sent;
  if (failure.status >= 500 || SERVER_CODES.has(code)) return safe;
  return false;
}

/** Backoff settings (ms). */
export interface Backoff {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 100, maxMs: 2_000 };

/**
 * The wait before retry number `retry` (1 = the first retry): full jitter, `random() · min(maxMs,
 * baseMs · 2^(retry-1))`, but never less than `retryAfterMs` (ECS's x-acs-retry-after).
 */
export function backoffMs(retry: number, random: number, backoff: Backoff, retryAfterMs: number | undefined): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** (retry - 1));
  const jittered = Math.floor(random * ceiling);
  return retryAfterMs !== undefined && retryAfterMs > jittered ? retryAfterMs : jittered;
}

/** ECS's `x-acs-retry-after` (milliseconds), when it is a positive number. */
export function retryAfterOf(headers: Readonly<Record<string, string>>): number | undefined {
  const raw = headers['x-acs-retry-after'];
  if (raw === undefined) return undefined;
  const ms = Number(raw);
  return Number.isFinite(ms) && ms > 0 ? Math.ceil(ms) : undefined;
}

/**
 * A token bucket that keeps retries to a share of calls, so a sick ECS is not hammered: every call
 * adds `ratio` tokens (ECS_RETRY_BUDGET percent / 100), every retry takes one, and the bucket holds at
 * most `burst`. It starts full. No clock: over any stretch of calls, retries ≤ ratio × calls + burst.
 */
export class RetryBudget {
  private tokens: number;

  constructor(readonly ratio: number, readonly burst: number) {
    this.tokens = burst;
  }

  /** One call started. */
  deposit(): void {
    const next = this.tokens + this.ratio;
    this.tokens = next > this.burst ? this.burst : next;
  }

  /** Takes a token for one retry; false when none is left (no retry then). */
  withdraw(): boolean {
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Tokens left (for tests and diagnostics). */
  get available(): number {
    return this.tokens;
  }
}
