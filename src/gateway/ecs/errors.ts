/**
 * The one place where ECS answers become gateway errors. Everything the gateway concludes from what
 * came back (or did not come back) from ECS is decided here:
 *
 * - `readAnswer`: an HTTP answer from ECS. A 2xx JSON object is the call's result; a 4xx/5xx JSON object
 *   with a string `Code` is an ECS error, passed on with ECS's status, Code and Message and its
 *   `RequestId`, `HostId` and `Recommend` (as ecsRequestId, hostId, recommend), and ECS's
 *   `x-acs-retry-after` (ms) as a standard `retry-after` (s); anything else is 502 UPSTREAM_BAD_RESPONSE.
 * - `transportError`: no answer at all. The call's deadline (or undici's own timeouts) is 504
 *   UPSTREAM_TIMEOUT; anything else (refused, reset, closed client) is 502 UPSTREAM_UNAVAILABLE. Both
 *   say `retry-after: 1` and never name the upstream's address (the cause is kept for the log).
 * - `secretForms` and `scrubSecrets`: what ECS echoes (a V1 SignatureDoesNotMatch quotes the whole
 *   string-to-sign, token and passwords included) is cleaned of every secret value in every encoding
 *   before it reaches the caller or a log. Which values are secret is the caller's to say.
 * - `ecsRequestIdOf`: ECS's RequestId of a call's outcome, success or error (for audit lines and errors
 *   built from a successful answer).
 */
import { ErrorCode, GatewayError } from '../errors.js';
import { percentEncode } from './signer.js';

/** What an ECS error body may hold (every field optional: ECS is not always consistent). */
interface EcsErrorBody {
  Code?: unknown;
  Message?: unknown;
  RequestId?: unknown;
  HostId?: unknown;
  Recommend?: unknown;
}

/** What stands in for a secret in anything that came back from ECS. */
export const REDACTED = '[REDACTED]';

/** Values shorter than this are not scrubbed: replacing `a` everywhere would destroy the message and protect nothing. */
const MIN_SECRET_LENGTH = 4;

/**
 * Reads one HTTP answer from ECS. Returns the parsed body of a 2xx answer whose body is a JSON object;
 * throws the GatewayError the answer stands for otherwise (see the module comment).
 *
 * @param headers the response headers, lower-case names (only `x-acs-retry-after` is read)
 * @param secrets the scrub list (see secretForms); a function, because it is only worked out when ECS
 *   answers with an error, off the hot path
 */
export function readAnswer(
  status: number,
  headers: Readonly<Record<string, string>>,
  text: string,
  action: string,
  secrets: () => readonly string[],
): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
  if (status >= 200 && status < 300 && isObject) return body as Record<string, unknown>;
  const ecs = isObject ? (body as EcsErrorBody) : {};
  if (status >= 400 && status <= 599 && typeof ecs.Code === 'string') throw ecsError(status, ecs, headers, secrets());
  throw new GatewayError(502, ErrorCode.upstreamBadResponse,
    `ECS answered ${action} with HTTP ${status} and a body that is not an ECS JSON document`);
}

/** An ECS error answer as the gateway passes it on: ECS's status, code and message, ids, retry-after; secrets scrubbed. */
function ecsError(status: number, ecs: EcsErrorBody, headers: Readonly<Record<string, string>>, secrets: readonly string[]): GatewayError {
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? scrubSecrets(v, secrets) : undefined);
  const error = new GatewayError(status, str(ecs.Code) ?? 'UnknownError', str(ecs.Message) ?? 'ECS returned an error', {
    ecsRequestId: str(ecs.RequestId),
    hostId: str(ecs.HostId),
    recommend: str(ecs.Recommend),
  });
  // ECS throttling says when to come back (x-acs-retry-after, in ms); pass it on as a standard Retry-After.
  const retryAfterMs = Number(headers['x-acs-retry-after']);
  if (Number.isFinite(retryAfterMs) && retryAfterMs > 0) {
    error.responseHeaders['retry-after'] = String(Math.ceil(retryAfterMs / 1000));
    error.retryAfterMs = retryAfterMs;
  }
  return error;
}

/** undici's own timeout errors (headers, body, connect): the same 504 as the call's deadline. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * A call that got no answer: 504 UPSTREAM_TIMEOUT when `timedOut` (the call's deadline expired) or the
 * transport timed out, else 502 UPSTREAM_UNAVAILABLE. The message names the action only; `err` is kept
 * as the cause, for the log.
 */
export function transportError(err: unknown, timedOut: boolean, action: string): GatewayError {
  const { code, name } = (err ?? {}) as { code?: string; name?: string };
  const timeout = timedOut || name === 'TimeoutError' || (code !== undefined && TIMEOUT_CODES.has(code));
  const error = timeout
    ? new GatewayError(504, ErrorCode.upstreamTimeout, `ECS did not answer ${action} in time`, {}, { cause: err })
    : new GatewayError(502, ErrorCode.upstreamUnavailable, `Could not reach ECS for ${action}`, {}, { cause: err });
  error.responseHeaders['retry-after'] = '1';
  return error;
}

/**
 * The scrub list for a set of secret values (credentials, secret parameters): each value raw and
 * percent-encoded once and twice (a V1 string-to-sign holds the canonical query percent-encoded again),
 * with the signer's RFC 3986 encoding as well as encodeURIComponent's; longest first, so a secret's
 * encoded form is not half-replaced by a shorter form of it. Empty and undefined values are skipped.
 */
export function secretForms(values: Iterable<string | undefined>): string[] {
  const forms = new Set<string>();
  for (const v of values) {
    if (!v) continue;
    for (const form of [v, encodeURIComponent(v), encodeURIComponent(encodeURIComponent(v)), percentEncode(v), percentEncode(percentEncode(v))]) forms.add(form);
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/** `text` with every occurrence of every entry of `secrets` (a scrub list, see secretForms) replaced by [REDACTED]; entries under 4 characters are left alone. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= MIN_SECRET_LENGTH && out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/**
 * ECS's RequestId of a call's outcome: the `RequestId` of a successful answer's body, or the
 * `ecsRequestId` of a GatewayError made from an ECS error. Undefined when ECS did not answer.
 */
export function ecsRequestIdOf(outcome: unknown): string | undefined {
  if (outcome instanceof GatewayError) {
    const id = outcome.extra.ecsRequestId;
    return typeof id === 'string' ? id : undefined;
  }
  const body = (outcome as { body?: unknown } | null | undefined)?.body;
  if (typeof body !== 'object' || body === null) return undefined;
  const id = (body as EcsErrorBody).RequestId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}
