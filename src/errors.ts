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

  constructor(statusCode: number, code: string, message: string, extra: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GatewayError';
    this.statusCode = statusCode;
    this.code = code;
    this.extra = extra;
  }
}

/** A field-level validation problem, as reported in `error.details`. */
export interface FieldIssue {
  location: 'body' | 'querystring' | 'params' | 'headers';
  field: string;
  message: string;
}

/** The stable codes the gateway itself produces (ECS errors keep ECS's own codes). */
export const ErrorCode = {
  validation: 'VALIDATION_FAILED',
  conflictingFields: 'CONFLICTING_FIELDS',
  malformedJson: 'MALFORMED_JSON',
  malformedRequest: 'MALFORMED_REQUEST',
  headersTooLarge: 'HEADERS_TOO_LARGE',
  requestTimeout: 'REQUEST_TIMEOUT',
  unsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  payloadTooLarge: 'PAYLOAD_TOO_LARGE',
  missingCredentials: 'MISSING_CREDENTIALS',
  unauthorized: 'UNAUTHORIZED',
  invalidEndpoint: 'INVALID_ENDPOINT',
  notFound: 'NOT_FOUND',
  instanceNotFound: 'InvalidInstanceId.NotFound',
  upstreamUnavailable: 'UPSTREAM_UNAVAILABLE',
  upstreamBadResponse: 'UPSTREAM_BAD_RESPONSE',
  upstreamTimeout: 'UPSTREAM_TIMEOUT',
  shuttingDown: 'SHUTTING_DOWN',
  internal: 'INTERNAL_ERROR',
} as const;

/** 400 naming every failing field. */
export function validationError(issues: FieldIssue[]): GatewayError {
  const summary = issues.map((i) => `${i.location}.${i.field}: ${i.message}`).join('; ');
  return new GatewayError(400, ErrorCode.validation, `Invalid request: ${summary}`, { details: issues });
}
