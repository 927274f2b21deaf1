import { randomUUID } from 'node:crypto';
import { Agent, type Dispatcher } from 'undici';
import { isSecretWireParam } from '../schemas/secrets.js';
import { resolveEndpoint } from './endpoint.js';
import { publishAttempt, upstreamAttempts } from './events.js';
import { readAnswer, secretForms, transportError } from './errors.js';
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
}

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
  /** One deadline per call, over connect, headers and body (ECS_TIMEOUT_MS). */
  timeoutMs: number;
  /** Injected for tests; defaults to one shared keep-alive Agent owned by the client. */
  dispatcher?: Dispatcher;
  now?: () => Date;
  nonce?: () => string;
  /** Arms each call's deadline; injected by tests (default: the client's shared DeadlineSweeper). */
  armDeadline?: ArmDeadline;
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
 * One call on the wire: a dispatch handler that collects the answer and settles once, with the answer,
 * with undici's error, or (`expire`) when the call's deadline passes, aborting the request through
 * the abort function undici hands over.
 */
class Exchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private statusCode = 0;
  private headers: Record<string, string> = {};
  private chunks: Buffer[] = [];
  private settled = false;
  expired = false;

  constructor(
    private readonly resolve: (answer: { status: number; headers: Record<string, string>; text: string }) => void,
    private readonly reject: (err: unknown) => void,
  ) {}

  /** The deadline passed: settle now (even before a connection was made) and abort the request. */
  readonly expire = (): void => {
    if (this.settled) return;
    this.expired = true;
    const reason = new DeadlineExpired();
    this.fail(reason);
    this.controller?.abort(reason);
  };

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.expired) controller.abort(new DeadlineExpired());
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    this.statusCode = statusCode;
    this.headers = flattenHeaders(headers);
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

/** Signs ECS RPC calls and sends them over one shared undici Agent. */
export class EcsClient {
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly sweeper: DeadlineSweeper;
  private readonly armDeadline: ArmDeadline;
  /** ECS_UPSTREAM_URL split once: its origin and the path every call is sent to (`/`, or the URL's own path + `/`). */
  private readonly upstream: { origin: string; path: string } | undefined;
  private closed = false;

  constructor(private readonly options: EcsClientOptions) {
    this.ownsDispatcher = options.dispatcher === undefined;
    // undici's own timeouts back the call deadline up; connect included, so no socket attempt outlives it.
    this.dispatcher = options.dispatcher ?? new Agent({
      keepAliveTimeout: 30_000,
      connections: 256,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connect: { timeout: options.timeoutMs },
    });
    this.sweeper = new DeadlineSweeper(DeadlineSweeper.tickFor(options.timeoutMs));
    this.armDeadline = options.armDeadline ?? this.sweeper.arm;
    if (options.upstreamUrl !== undefined) {
      const url = new URL(options.upstreamUrl);
      this.upstream = { origin: url.origin, path: `${url.pathname.replace(/\/+$/, '')}/` };
    }
  }

  /** Validates the endpoint without calling anything (SSRF check). */
  resolveHost(call: Pick<EcsCall, 'endpoint' | 'regionId'>): string {
    return resolveEndpoint(call.endpoint, call.regionId, this.options.allowedEndpoints);
  }

  /** Calls ECS. Resolves with a 2xx answer; rejects with a GatewayError for ECS errors (ECS status and code), 502 and 504 (see ./errors.ts). */
  async call(call: EcsCall): Promise<EcsResult> {
    const host = this.resolveHost(call);
    const sign = this.options.signatureVersion === 'v1' ? signV1 : signV3;
    const signed = sign({
      action: call.action,
      version: ECS_API_VERSION,
      params: call.params,
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
    // Straight to the dispatcher (no URL parsing, no body stream), with one deadline over connect,
    // headers and body that the shared sweeper expires (no timer or AbortController per call).
    let exchange: Exchange | undefined;
    let cancelDeadline: (() => void) | undefined;
    let answer: { status: number; headers: Record<string, string>; text: string };
    const observed = upstreamAttempts.hasSubscribers;
    const startedAt = observed ? Date.now() : 0;
    const started = observed ? performance.now() : 0;
    try {
      answer = await new Promise((resolve, reject) => {
        exchange = new Exchange(resolve, reject);
        cancelDeadline = this.armDeadline(exchange.expire, this.options.timeoutMs);
        this.dispatcher.dispatch(options, exchange);
      });
    } catch (err) {
      const failure = transportError(err, exchange?.expired ?? false, call.action);
      if (observed) this.publish(call, startedAt, started, undefined, failure.code, undefined);
      throw failure;
    } finally {
      cancelDeadline?.();
    }
    // The secrets to scrub are only worked out when ECS answers an error (off the hot path).
    let body: Record<string, unknown>;
    try {
      body = readAnswer(answer.status, answer.headers, answer.text, call.action, () => scrubListOf(call));
    } catch (err) {
      if (observed) {
        const e = err as { code?: unknown; extra?: { ecsRequestId?: unknown } };
        const ecsRequestId = typeof e.extra?.ecsRequestId === 'string' ? e.extra.ecsRequestId : undefined;
        this.publish(call, startedAt, started, answer.status, typeof e.code === 'string' ? e.code : 'UPSTREAM_BAD_RESPONSE', ecsRequestId);
      }
      throw err;
    }
    if (observed) this.publish(call, startedAt, started, answer.status, 'OK', typeof body.RequestId === 'string' ? body.RequestId : undefined);
    return { status: answer.status, headers: answer.headers, body, bodyText: answer.text };
  }

  /** Publishes one settled attempt for metrics and traces (see ./events.ts). */
  private publish(call: EcsCall, startedAt: number, started: number, status: number | undefined, code: string, ecsRequestId: string | undefined): void {
    publishAttempt({
      action: call.action, regionId: call.regionId, attempt: 1, startedAt, durationMs: performance.now() - started,
      status, code, throttled: code.startsWith('Throttling'), willRetry: false, ecsRequestId,
    });
  }

  /** Closes the shared Agent after in-flight calls finish. Idempotent. */
  async close(): Promise<void> {
    if (this.closed || !this.ownsDispatcher) return;
    this.closed = true;
    await this.dispatcher.close();
    this.sweeper.stop();
  }
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
