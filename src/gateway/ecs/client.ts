import { randomUUID } from 'node:crypto';
import { Agent, request, type Dispatcher } from 'undici';
import { ErrorCode, GatewayError } from '../errors.js';
import { isSecretWireParam } from '../schemas/secrets.js';
import { resolveEndpoint } from './endpoint.js';
import { percentEncode, signV1, signV3, type Credentials, type WireParams } from './signer.js';

/** The ECS API version every call is made against. */
export const ECS_API_VERSION = '2014-05-26';

/** One ECS RPC call as the routes describe it. */
export interface EcsCall {
  action: string;
  params: WireParams;
  credentials: Credentials;
  regionId?: string | undefined;
  endpoint?: string | undefined;
}

/** A successful ECS answer: the body as ECS returned it and the upstream response headers. */
export interface EcsResult {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  /** The body's JSON text exactly as ECS sent it (a JSON object: `body` was parsed from it). */
  bodyText: string;
}

export interface EcsClientOptions {
  signatureVersion: 'v1' | 'v3';
  /** Send every call to this base URL instead of https://<endpoint> (emulator, tests, egress proxy). */
  upstreamUrl?: string | undefined;
  allowedEndpoints: readonly string[];
  timeoutMs: number;
  /** Injected for tests; defaults to one shared keep-alive Agent owned by the client. */
  dispatcher?: Dispatcher;
  now?: () => Date;
  nonce?: () => string;
  /** Arms the call deadline and returns its cancel; injected by tests (default: setTimeout). */
  armDeadline?: (onExpiry: () => void, ms: number) => () => void;
}

function armTimer(onExpiry: () => void, ms: number): () => void {
  const timer = setTimeout(onExpiry, ms);
  return () => clearTimeout(timer);
}

/** Signs ECS RPC calls and sends them over one shared undici Agent. */
export class EcsClient {
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private closed = false;

  constructor(private readonly options: EcsClientOptions) {
    this.ownsDispatcher = options.dispatcher === undefined;
    this.dispatcher = options.dispatcher ?? new Agent({
      keepAliveTimeout: 30_000,
      connections: 256,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  /** Validates the endpoint without calling anything (SSRF check). */
  resolveHost(call: Pick<EcsCall, 'endpoint' | 'regionId'>): string {
    return resolveEndpoint(call.endpoint, call.regionId, this.options.allowedEndpoints);
  }

  /** Calls ECS. Resolves with a 2xx answer; rejects with a GatewayError for ECS errors (ECS status and code), 502 and 504. */
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
    const base = this.options.upstreamUrl ?? `https://${host}`;
    const url = `${base}/`;
    // One deadline over connect, headers and body. A plain timer cleared when the call settles: an
    // AbortSignal.timeout() would live on for the full timeout after every call (GC and RSS cost under load).
    const abort = new AbortController();
    const cancelDeadline = (this.options.armDeadline ?? armTimer)(() => abort.abort(), this.options.timeoutMs);

    let response: Dispatcher.ResponseData;
    let text: string;
    try {
      response = await request(url, {
        method: signed.method,
        headers: { ...signed.headers, host, accept: 'application/json' },
        body: signed.body || undefined,
        dispatcher: this.dispatcher,
        signal: abort.signal,
      });
      text = await response.body.text();
    } catch (err) {
      throw classifyTransportError(err, abort.signal.aborted, call.action);
    } finally {
      cancelDeadline();
    }
    // The secrets to scrub are only worked out when ECS answers an error (off the hot path).
    return toResult(response.statusCode, flattenHeaders(response.headers), text, call.action, () => secretsOf(call.credentials, call.params, call.action));
  }

  /** Closes the shared Agent after in-flight calls finish. Idempotent. */
  async close(): Promise<void> {
    if (this.closed || !this.ownsDispatcher) return;
    this.closed = true;
    await this.dispatcher.close();
  }
}

function flattenHeaders(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function classifyTransportError(err: unknown, timedOut: boolean, action: string): GatewayError {
  const code = (err as { code?: string }).code;
  const name = (err as { name?: string }).name;
  const timeout = timedOut || name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
  const error = timeout
    ? new GatewayError(504, ErrorCode.upstreamTimeout, `ECS did not answer ${action} in time`, {}, { cause: err })
    : new GatewayError(502, ErrorCode.upstreamUnavailable, `Could not reach ECS for ${action}`, {}, { cause: err });
  error.responseHeaders['retry-after'] = '1';
  return error;
}

/**
 * The values that must never be echoed: credentials and the action's secret parameters (the catalog's
 * secret mark: Password, UserData, CommandContent, …; ECS echoes them in a V1 string-to-sign), raw and
 * percent-encoded once and twice (a V1 string-to-sign holds the canonical query percent-encoded again),
 * with the signer's RFC 3986 encoding as well as encodeURIComponent's.
 */
function secretsOf(credentials: Credentials, params: WireParams, action: string): string[] {
  const values = [credentials.accessKeySecret, credentials.securityToken,
    ...Object.entries(params).filter(([name]) => isSecretWireParam(action, name)).map(([, v]) => v)]
    .filter((v): v is string => !!v);
  const forms = values.flatMap((v) => [v, encodeURIComponent(v), encodeURIComponent(encodeURIComponent(v)),
    percentEncode(v), percentEncode(percentEncode(v))]);
  // Longest first, so a secret's encoded form is not half-replaced by a shorter form of it.
  return [...new Set(forms)].sort((a, b) => b.length - a.length);
}

/** Removes every secret from a text that came back from upstream. */
export function scrubSecrets(message: string, secrets: readonly string[]): string {
  return secrets.reduce((m, s) => (s.length >= 4 ? m.split(s).join('[REDACTED]') : m), message);
}

function toResult(status: number, headers: Record<string, string>, text: string, action: string, secrets: () => string[]): EcsResult {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
  if (status >= 200 && status < 300 && isObject) return { status, headers, body: body as Record<string, unknown>, bodyText: text };
  const ecs = isObject ? (body as Record<string, unknown>) : {};
  if (status >= 400 && status <= 599 && typeof ecs.Code === 'string') {
    return throwEcsError(status, ecs, headers, secrets());
  }
  throw new GatewayError(502, ErrorCode.upstreamBadResponse,
    `ECS answered ${action} with HTTP ${status} and a body that is not an ECS JSON document`);
}

function throwEcsError(status: number, ecs: Record<string, unknown>, headers: Record<string, string>, secrets: string[]): never {
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? scrubSecrets(v, secrets) : undefined);
  const error = new GatewayError(status, str(ecs.Code) ?? 'UnknownError', str(ecs.Message) ?? 'ECS returned an error', {
    ecsRequestId: str(ecs.RequestId),
    hostId: str(ecs.HostId),
    recommend: str(ecs.Recommend),
  });
  // ECS throttling says when to come back (x-acs-retry-after, in ms); pass it on as a standard Retry-After.
  const retryAfterMs = Number(headers['x-acs-retry-after']);
  if (Number.isFinite(retryAfterMs) && retryAfterMs > 0) error.responseHeaders['retry-after'] = String(Math.ceil(retryAfterMs / 1000));
  throw error;
}
