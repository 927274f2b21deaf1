/**
 * Every error the gateway answers with is a GatewayError: a stable machine-readable `code`,
 * the HTTP status, and a message that is safe to show to the caller.
 * Errors are told apart by `code`, never by message text.
 */
export class GatewayError extends Error {
  readonly code: string;
  readonly statusCode: number;
  /** Extra fields rendered into the error body (never secrets). */
  readonly extra: Readonly<Record<string, unknown>>;
  /** Headers to send with the error response (e.g. retry-after). */
  readonly responseHeaders: Record<string, string> = {};
  /**
   * The message as it may be logged. The caller sees `message`, which may name the fields the caller
   * sent; the log gets this (which names none) followed by `details` with unknown names redacted.
   */
  readonly logMessage: string;

  constructor(statusCode: number, code: string, message: string, extra: Record<string, unknown> = {}, options?: ErrorOptions & { logMessage?: string }) {
    super(message, options);
    this.name = 'GatewayError';
    this.statusCode = statusCode;
    this.code = code;
    this.extra = extra;
    this.logMessage = options?.logMessage ?? message;
  }

  /** The per-field problems of this error, if any. */
  get details(): readonly FieldIssue[] | undefined {
    const details = this.extra.details;
    return Array.isArray(details) ? details as FieldIssue[] : undefined;
  }
}

/** A field-level validation problem, as reported in `error.details`. */
export interface FieldIssue {
  location: 'body' | 'querystring' | 'params' | 'headers' | 'request';
  field: string;
  message: string;
}

/**
 * The stable codes the gateway itself produces (ECS errors keep ECS's own codes). Which ECS answers
 * become which error (UPSTREAM_* included) is decided in one place: ecs/errors.ts.
 */
export const ErrorCode = {
  validation: 'VALIDATION_FAILED',
  conflictingFields: 'CONFLICTING_FIELDS',
  malformedJson: 'MALFORMED_JSON',
  malformedRequest: 'MALFORMED_REQUEST',
  badRequest: 'BAD_REQUEST',
  uriTooLong: 'URI_TOO_LONG',
  headersTooLarge: 'HEADERS_TOO_LARGE',
  requestTimeout: 'REQUEST_TIMEOUT',
  unsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  payloadTooLarge: 'PAYLOAD_TOO_LARGE',
  missingCredentials: 'MISSING_CREDENTIALS',
  unauthorized: 'UNAUTHORIZED',
  actionForbidden: 'ACTION_FORBIDDEN',
  regionForbidden: 'REGION_FORBIDDEN',
  invalidEndpoint: 'INVALID_ENDPOINT',
  notFound: 'NOT_FOUND',
  unknownAction: 'UNKNOWN_ACTION',
  methodNotAllowed: 'METHOD_NOT_ALLOWED',
  instanceNotFound: 'InvalidInstanceId.NotFound',
  upstreamUnavailable: 'UPSTREAM_UNAVAILABLE',
  upstreamBadResponse: 'UPSTREAM_BAD_RESPONSE',
  upstreamTimeout: 'UPSTREAM_TIMEOUT',
  shuttingDown: 'SHUTTING_DOWN',
  rateLimited: 'RATE_LIMITED',
  overloaded: 'OVERLOADED',
  internal: 'INTERNAL_ERROR',
} as const;

/** `location.field: message; …`, the summary of a list of field problems. */
export function summarize(issues: readonly FieldIssue[]): string {
  return issues.map((i) => `${i.location}.${i.field}: ${i.message}`).join('; ');
}

/** 400 naming every failing field. */
export function validationError(issues: FieldIssue[]): GatewayError {
  return new GatewayError(400, ErrorCode.validation, `Invalid request: ${summarize(issues)}`, { details: issues }, { logMessage: 'Invalid request' });
}
