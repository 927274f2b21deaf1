/**
 * The upstream response headers the gateway passes on (the envelope's `headers`): ECS's own, as the
 * original service's contract shows them, and nothing else. Whatever a proxy or middlebox adds on the
 * way (`set-cookie`, `via`, `x-cache`, `proxy-*`, …) stays behind.
 */
export const ECS_RESPONSE_HEADERS: ReadonlySet<string> = new Set([
  'access-control-allow-headers',
  'access-control-allow-methods',
  'access-control-allow-origin',
  'access-control-max-age',
  'connection',
  'content-length',
  'content-type',
  'date',
  'vary',
  'x-acs-request-id',
  'x-acs-trace-id',
]);

/**
 * The headers the client reads from an answer: the allowlist, plus `x-acs-retry-after` (ECS's throttling
 * hint, in ms), which the client uses itself and passes on as `retry-after` on errors, never in an envelope.
 */
export const RETRY_AFTER_HEADER = 'x-acs-retry-after';

/** The allowlisted headers of an answer, values joined with `, `; names are lower-case (as undici gives them). */
export function allowedHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    if (!ECS_RESPONSE_HEADERS.has(name) && name !== RETRY_AFTER_HEADER) continue;
    const value = headers[name];
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
