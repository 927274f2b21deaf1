import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { ErrorCode, GatewayError } from '../errors.js';
import { isSecretWireParam } from '../schemas/secrets.js';
import { getAction } from './catalog/index.js';
import { egressDispatcher, type ProxySettings } from './egress.js';
import { resolveEndpoint } from './endpoint.js';
import { publishAttempt, upstreamAttempts } from './events.js';
import { readAnswer, secretForms, transportError } from './errors.js';
import { allowedHeaders, RETRY_AFTER_HEADER } from './headers.js';
import {
  backoffMs, DEFAULT_BACKOFF, isThrottled, mayRetry, retryAfterOf, RetryBudget,
  type AttemptFailure, type Backoff, type RetryTraits,
} from './retry.js';
import { signV1, signV3, type Credentials, type WireParams } from './signer.js';

/** The ECS API version every call is made against. */
export const ECS_API_VERSION = '2014-05-26';

/** One ECS RPC call as the routes describe it. */
export interface EcsCall {
  action: string;
  params: WireParams;
  credentials: Credentials;
  regionId?: string | undefined;
  endpoint?: string | undefined;
  /**
   * The values of this call's secret parameters (from the catalog's secret marks). They are scrubbed,
   * with the credentials, from anything ECS echoes back. Wire parameters named `Password` or `*.Password`
   * are scrubbed whether listed or not.
   */
  secretValues?: readonly string[] | undefined;
  /**
   * Registers the call's cancel function with whatever notices the client going away (the route: its
   * socket closing); returns the unregister function. A cancelled call aborts its attempt in flight
   * through undici's controller and makes no further attempt.
   */
  cancelOn?: CancelRegistration | undefined;
}

/** Hands `cancel` to whatever may need to cancel a call; returns how to take it back (called when the call settles). */
export type CancelRegistration = (cancel: () => void) => (() => void) | undefined;

/** Retries after the first attempt, at most (ECS_MAX_RETRIES). */
export const DEFAULT_MAX_RETRIES = 3;
/** Retries may be at most this percentage of calls (ECS_RETRY_BUDGET), plus a burst of DEFAULT_RETRY_BURST. */
export const DEFAULT_RETRY_BUDGET_PERCENT = 50;
export const DEFAULT_RETRY_BURST = 20;

/** A successful ECS answer: the body as ECS returned it and the upstream response headers. */
export interface EcsResult {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  /** The body's JSON text exactly as ECS sent it (a JSON object: `body` was parsed from it). */
  bodyText: string;
}

/** Arms a call's deadline: calls `onExpiry` once `ms` have passed, unless the returned cancel was called first. */
export type ArmDeadline = (onExpiry: () => void, ms: number) => () => void;

export interface EcsClientOptions {
  signatureVersion: 'v1' | 'v3';
  /** Send every call to this base URL instead of https://<endpoint> (emulator, tests, egress proxy). */
  upstreamUrl?: string | undefined;
  allowedEndpoints: readonly string[];
  /** One deadline per call, over every attempt and wait: connect, headers and body (ECS_TIMEOUT_MS). */
  timeoutMs: number;
  /** Per attempt, within the deadline: connecting (ECS_CONNECT_TIMEOUT_MS) and waiting for headers or body data (ECS_READ_TIMEOUT_MS). Default: timeoutMs. */
  connectTimeoutMs?: number | undefined;
  readTimeoutMs?: number | undefined;
  /** Egress proxy (HTTPS_PROXY, HTTP_PROXY, NO_PROXY); unset: direct. */
  proxy?: ProxySettings | undefined;
  /** Injected for tests; defaults to one shared keep-alive Agent (or EnvHttpProxyAgent) owned by the client. */
  dispatcher?: Dispatcher;
  now?: () => Date;
  nonce?: () => string;
  /** Arms each call's deadline; injected by tests (default: the client's shared DeadlineSweeper). */
  armDeadline?: ArmDeadline;
  /** Retries after the first attempt, at most (ECS_MAX_RETRIES, default 3; 0: none). */
  maxRetries?: number | undefined;
  /** The retry budget shared by every call (default: 50% of calls plus a burst of 20; ECS_RETRY_BUDGET). */
  retryBudget?: RetryBudget | undefined;
  backoff?: Backoff | undefined;
  /** Waits between attempts; injected by tests (default: a timer). */
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** Uniform in [0, 1), for the backoff's jitter; injected by tests (default: Math.random). */
  random?: (() => number) | undefined;
  /** Monotonic milliseconds, to tell whether a wait fits in the deadline (default: performance.now). */
  clock?: (() => number) | undefined;
  /** Makes the ClientToken the gateway adds (default: a random UUID). */
  clientToken?: (() => string) | undefined;
}

/**
 * One coarse timer for all calls in flight, instead of a timer (and an AbortController) per call: a
 * call is armed by adding it to a set, and disarmed by removing it; one interval, running only while
 * calls are in flight, expires those past their deadline. A deadline fires between `ms` and
 * `ms + tickMs` after it was armed.
 */
export class DeadlineSweeper {
  private readonly armed = new Set<{ at: number; onExpiry: () => void }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly tickMs: number) {}

  /** The tick for deadlines of `ms`: a twentieth of them, at least 5 ms and at most 250 ms. */
  static tickFor(ms: number): number {
    return Math.min(250, Math.max(5, Math.round(ms / 20)));
  }

  readonly arm: ArmDeadline = (onExpiry, ms) => {
    const entry = { at: performance.now() + ms, onExpiry };
    this.armed.add(entry);
    if (this.timer === undefined) {
      this.timer = setInterval(this.sweep, this.tickMs);
      this.timer.unref();
    }
    return () => { this.armed.delete(entry); };
  };

  private readonly sweep = (): void => {
    const now = performance.now();
    for (const entry of this.armed) {
      if (entry.at > now) continue;
      this.armed.delete(entry);
      entry.onExpiry();
    }
    if (this.armed.size === 0) this.stop();
  };

  /** Stops the interval (armed deadlines no longer fire). */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/**
 * The scrub list of a call: its credentials and its secret parameters (the catalog's secret mark:
 * Password, UserData, CommandContent, …; ECS echoes them in a V1 string-to-sign), in every encoding
 * (see secretForms).
 */
function scrubListOf(call: EcsCall): string[] {
  const values: Array<string | undefined> = [call.credentials.accessKeySecret, call.credentials.securityToken, ...(call.secretValues ?? [])];
  for (const [name, value] of Object.entries(call.params)) if (isSecretWireParam(call.action, name)) values.push(value);
  return secretForms(values);
}

/**
 * One attempt on the wire: a dispatch handler that collects the answer and settles once, with the answer,
 * with undici's error, or when the call's deadline passes (`expire`) or its client goes away (`cancel`),
 * aborting the request through the controller undici hands over (no AbortController per call).
 */
class Exchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private statusCode = 0;
  private headers: Record<string, string> = {};
  private chunks: Buffer[] = [];
  private settled = false;
  /** Why the attempt was stopped from outside (deadline or client gone), if it was. */
  stopped: Error | undefined;

  constructor(
    private readonly resolve: (answer: { status: number; headers: Record<string, string>; text: string }) => void,
    private readonly reject: (err: unknown) => void,
  ) {}

  /**
   * Whether the request may have reached ECS: undici hands over the controller (onRequestStart) only
   * once a connection is up and the request is about to be written. Before that, nothing was sent.
   */
  get started(): boolean {
    return this.controller !== undefined;
  }

  /** Settles now (even before a connection was made) and aborts the request with `reason`. */
  stop(reason: Error): void {
    if (this.settled) return;
    this.stopped = reason;
    this.fail(reason);
    this.controller?.abort(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.stopped) controller.abort(this.stopped);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    this.statusCode = statusCode;
    this.headers = allowedHeaders(headers);
    this.chunks = [];
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve({ status: this.statusCode, headers: this.headers, text: decodeUtf8(this.chunks) });
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, err: Error): void {
    this.fail(err);
  }

  private fail(err: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.chunks = [];
    this.reject(err);
  }
}

/**
 * What one call shares across its attempts: its one deadline and its client's disconnect. Either stops
 * the attempt in flight and wakes a backoff wait.
 */
class CallState {
  exchange: Exchange | undefined;
  expired = false;
  cancelled = false;
  wake: (() => void) | undefined;

  readonly expire = (): void => {
    if (this.expired || this.cancelled) return;
    this.expired = true;
    this.exchange?.stop(new DeadlineExpired());
    this.wake?.();
  };

  readonly cancel = (): void => {
    if (this.expired || this.cancelled) return;
    this.cancelled = true;
    this.exchange?.stop(new ClientGone());
    this.wake?.();
  };

  get done(): boolean {
    return this.expired || this.cancelled;
  }
}

/** The reason a call is aborted with when its client disconnects. */
class ClientGone extends Error {
  override readonly name = 'AbortError';
  constructor() {
    super('the client closed the connection');
  }
}

/** The reason a call is aborted with when its deadline passes. */
class DeadlineExpired extends Error {
  override readonly name = 'TimeoutError';
  constructor() {
    super('the ECS call deadline expired');
  }
}

/** The body text, UTF-8, without a byte-order mark (as undici's body.text() reads it). */
function decodeUtf8(chunks: readonly Buffer[]): string {
  const buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  const bom = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
  return buf.toString('utf8', bom ? 3 : 0);
}

/** One answer as it came off the wire (headers already allowlisted). */
interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** The default wait: a plain timer. */
const realSleep = (ms: number): Promise<void> => new Promise((resolve) => { setTimeout(resolve, ms); });

/** The error a call ends with when its client went away (the answer is never delivered; it is logged). */
function clientClosed(action: string): GatewayError {
  return new GatewayError(499, ErrorCode.clientClosedRequest, `The client closed the connection; ${action} was cancelled`);
}

let clientCount = 0;

/** Signs ECS RPC calls and sends them over one shared undici dispatcher, retrying what is safe to retry (see ./retry.ts). */
export class EcsClient {
  /** This client's number in the process, on every attempt it publishes (events.ts). */
  readonly id = ++clientCount;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly sweeper: DeadlineSweeper;
  private readonly armDeadline: ArmDeadline;
  /** ECS_UPSTREAM_URL split once: its origin and the path every call is sent to (`/`, or the URL's own path + `/`). */
  private readonly upstream: { origin: string; path: string } | undefined;
  private readonly maxRetries: number;
  private readonly budget: RetryBudget;
  private readonly backoff: Backoff;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly clock: () => number;
  private readonly newToken: () => string;
  private closed = false;

  constructor(private readonly options: EcsClientOptions) {
    this.ownsDispatcher = options.dispatcher === undefined;
    // undici's own timeouts back the call deadline up: connect and read, each within it, so no socket
    // attempt outlives the deadline.
    this.dispatcher = options.dispatcher ?? egressDispatcher({
      connectTimeoutMs: Math.min(options.connectTimeoutMs ?? options.timeoutMs, options.timeoutMs),
      readTimeoutMs: Math.min(options.readTimeoutMs ?? options.timeoutMs, options.timeoutMs),
      proxy: options.proxy,
    });
    this.sweeper = new DeadlineSweeper(DeadlineSweeper.tickFor(options.timeoutMs));
    this.armDeadline = options.armDeadline ?? this.sweeper.arm;
    if (options.upstreamUrl !== undefined) {
      const url = new URL(options.upstreamUrl);
      this.upstream = { origin: url.origin, path: `${url.pathname.replace(/\/+$/, '')}/` };
    }
    this.maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    this.budget = options.retryBudget ?? new RetryBudget(DEFAULT_RETRY_BUDGET_PERCENT / 100, DEFAULT_RETRY_BURST);
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.clock = options.clock ?? (() => performance.now());
    this.newToken = options.clientToken ?? randomUUID;
  }

  /** Validates the endpoint without calling anything (SSRF check). */
  resolveHost(call: Pick<EcsCall, 'endpoint' | 'regionId'>): string {
    return resolveEndpoint(call.endpoint, call.regionId, this.options.allowedEndpoints);
  }

  /**
   * Calls ECS, retrying what is safe to retry (./retry.ts) within the call's one deadline. Resolves with a
   * 2xx answer; rejects with a GatewayError for ECS errors (ECS status and code), 502 and 504 (see
   * ./errors.ts), or 499 when the client went away.
   */
  async call(call: EcsCall): Promise<EcsResult> {
    const host = this.resolveHost(call);
    const action = getAction(call.action);
    // One ClientToken per call, the same on every attempt; the caller's own wins.
    let params = call.params;
    if (action?.idempotent === true && params.ClientToken === undefined) params = { ...params, ClientToken: this.newToken() };
    const traits: RetryTraits = { readOnly: action?.readOnly ?? false, hasToken: params.ClientToken !== undefined };
    const state = new CallState();
    const deadlineAt = this.clock() + this.options.timeoutMs;
    // One deadline over every attempt and wait, expired by the shared sweeper (no timer per call).
    const disarm = this.armDeadline(state.expire, this.options.timeoutMs);
    const unsubscribe = call.cancelOn?.(state.cancel);
    this.budget.deposit();
    try {
      for (let attempt = 1; ; attempt++) {
        const observed = upstreamAttempts.hasSubscribers;
        const startedAt = observed ? Date.now() : 0;
        const started = observed ? performance.now() : 0;
        let answer: Answer | undefined;
        let failure: AttemptFailure | undefined;
        try {
          answer = await this.send(call, host, params, state);
        } catch (err) {
          if (state.cancelled) {
            if (observed) this.publish(call, attempt, startedAt, started, undefined, ErrorCode.clientClosedRequest, undefined, false);
            throw clientClosed(call.action);
          }
          failure = { error: transportError(err, state.expired, call.action), status: undefined, sent: state.exchange?.started ?? false };
        }
        if (answer !== undefined) {
          try {
            // The secrets to scrub are only worked out when ECS answers an error (off the hot path).
            const body = readAnswer(answer.status, answer.headers, answer.text, call.action, () => scrubListOf(call));
            const headers = answer.headers;
            if (headers[RETRY_AFTER_HEADER] !== undefined) delete headers[RETRY_AFTER_HEADER];
            if (observed) this.publish(call, attempt, startedAt, started, answer.status, 'OK', typeof body.RequestId === 'string' ? body.RequestId : undefined, false);
            return { status: answer.status, headers, body, bodyText: answer.text };
          } catch (err) {
            if (!(err instanceof GatewayError)) throw err;
            failure = { error: err, status: answer.status, sent: true };
          }
        }
        if (failure === undefined) throw new Error('unreachable: an attempt neither answered nor failed');
        const wait = this.nextWait(failure, traits, attempt, answer, state, deadlineAt);
        if (observed) {
          const ecsRequestId = failure.error.extra.ecsRequestId;
          this.publish(call, attempt, startedAt, started, failure.status, failure.error.code, typeof ecsRequestId === 'string' ? ecsRequestId : undefined, wait !== undefined);
        }
        if (wait === undefined) throw failure.error;
        await this.pause(wait, state);
        if (state.cancelled) throw clientClosed(call.action);
        // The deadline passed while waiting: the last answer stands.
        if (state.expired) throw failure.error;
      }
    } finally {
      disarm();
      unsubscribe?.();
      state.exchange = undefined;
    }
  }

  /** The wait before the next attempt, or undefined when there is none (see ./retry.ts). */
  private nextWait(failure: AttemptFailure, traits: RetryTraits, attempt: number, answer: Answer | undefined, state: CallState, deadlineAt: number): number | undefined {
    if (state.done || attempt > this.maxRetries || !mayRetry(failure, traits)) return undefined;
    const wait = backoffMs(attempt, this.random(), this.backoff, answer ? retryAfterOf(answer.headers) : undefined);
    // A wait that would outlast the deadline is no retry: answer now, with what ECS said.
    if (this.clock() + wait >= deadlineAt) return undefined;
    return this.budget.withdraw() ? wait : undefined;
  }

  /** Waits `ms` (the injected sleep), or less when the deadline passes or the client goes away meanwhile. */
  private async pause(ms: number, state: CallState): Promise<void> {
    await new Promise<void>((resolve) => {
      state.wake = resolve;
      this.sleep(ms).then(resolve, resolve);
    });
    state.wake = undefined;
  }

  /** One attempt: signed afresh (new nonce and date), straight to the dispatcher (no URL parsing, no body stream). */
  private send(call: EcsCall, host: string, params: WireParams, state: CallState): Promise<Answer> {
    const sign = this.options.signatureVersion === 'v1' ? signV1 : signV3;
    const signed = sign({
      action: call.action,
      version: ECS_API_VERSION,
      params,
      credentials: call.credentials,
      host,
      date: this.options.now?.() ?? new Date(),
      nonce: this.options.nonce?.() ?? randomUUID(),
    });
    const options: Dispatcher.DispatchOptions = {
      origin: this.upstream?.origin ?? `https://${host}`,
      path: this.upstream?.path ?? '/',
      method: signed.method,
      headers: { ...signed.headers, host, accept: 'application/json' },
      body: signed.body || null,
    };
    return new Promise((resolve, reject) => {
      const exchange = new Exchange(resolve, reject);
      state.exchange = exchange;
      if (state.done) exchange.stop(state.expired ? new DeadlineExpired() : new ClientGone());
      else this.dispatcher.dispatch(options, exchange);
    });
  }

  /** Publishes one settled attempt for metrics and traces (see ./events.ts). */
  private publish(call: EcsCall, attempt: number, startedAt: number, started: number, status: number | undefined, code: string, ecsRequestId: string | undefined, willRetry: boolean): void {
    publishAttempt({
      client: this.id, action: call.action, regionId: call.regionId, attempt, startedAt, durationMs: performance.now() - started,
      status, code, throttled: isThrottled(code), willRetry, ecsRequestId,
    });
  }

  /** Closes the shared dispatcher after in-flight calls finish. Idempotent. */
  async close(): Promise<void> {
    if (this.closed || !this.ownsDispatcher) return;
    this.closed = true;
    await this.dispatcher.close();
    this.sweeper.stop();
  }
}
