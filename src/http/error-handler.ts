import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ErrorCode, GatewayError, validationError, type FieldIssue } from '../errors.js';
import type { ErrorBody } from '../schemas/envelope.js';

const LOCATIONS = new Set<FieldIssue['location']>(['body', 'querystring', 'params', 'headers']);

/** Turns whatever was thrown into a GatewayError with a safe message and the right status. */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  const e = err as FastifyError & { validationContext?: string };
  if (hasZodFastifySchemaValidationErrors(e)) {
    const location = LOCATIONS.has(e.validationContext as FieldIssue['location']) ? e.validationContext as FieldIssue['location'] : 'body';
    return validationError(e.validation.flatMap((v) => {
      const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
      // zod reports unknown keys once for their object; name each key as the failing field.
      const keys = v.keyword === 'unrecognized_keys' ? (v.params as { keys?: unknown }).keys : undefined;
      if (Array.isArray(keys) && keys.length > 0) {
        return keys.map((key) => ({ location, field: path ? `${path}.${String(key)}` : String(key), message: 'unknown field' }));
      }
      return [{ location, field: path || '(root)', message: v.message ?? 'invalid' }];
    }));
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new GatewayError(413, ErrorCode.payloadTooLarge, 'Request body is larger than the gateway accepts');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new GatewayError(415, ErrorCode.unsupportedMediaType, 'Send the request body as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new GatewayError(400, ErrorCode.malformedJson, 'Request body is empty but Content-Type is application/json');
    default:
  }
  if (e instanceof SyntaxError || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new GatewayError(400, ErrorCode.malformedJson, 'Request body is not valid JSON');
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) return new GatewayError(status, e.code ?? 'BAD_REQUEST', e.message);
  return new GatewayError(500, ErrorCode.internal, 'Internal server error', {}, { cause: err });
}

/** Renders the one error shape. */
export function errorBody(err: GatewayError, requestId: string): ErrorBody {
  const extra = Object.fromEntries(Object.entries(err.extra).filter(([, v]) => v !== undefined));
  return { error: { code: err.code, message: err.message, status: err.statusCode, requestId, ...extra } };
}

/** Installs the error and not-found handlers: every error leaves as the documented JSON shape. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const gatewayError = toGatewayError(err);
    const log = { err: gatewayError, code: gatewayError.code, statusCode: gatewayError.statusCode };
    if (gatewayError.statusCode >= 500) request.log.error({ ...log, cause: describeCause(err) }, 'request failed');
    else request.log.info(log, 'request refused');
    reply.headers(gatewayError.responseHeaders);
    return reply.code(gatewayError.statusCode).send(errorBody(gatewayError, request.id));
  });
  app.setNotFoundHandler((request, reply) => {
    const err = new GatewayError(404, ErrorCode.notFound, `Route ${request.method} ${request.url.split('?')[0]} not found`);
    return reply.code(404).send(errorBody(err, request.id));
  });
}

/** The cause of a failure as far as it is safe to log: type, code and message, never request options. */
function describeCause(err: unknown): Record<string, unknown> | undefined {
  const cause = err instanceof GatewayError ? err.cause : err;
  if (!(cause instanceof Error)) return undefined;
  return { type: cause.name, code: (cause as { code?: string }).code, message: cause.message, stack: cause.stack };
}
