import type { IncomingMessage } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { ErrorCode, GatewayError, validationError, type FieldIssue } from '../errors.js';
import { objectKeysAt } from '../schemas/fields.js';
import type { ErrorBody } from '../schemas/envelope.js';
import { isParametric, type RouteTable } from './methods.js';
import { addRouteHook } from './route-hooks.js';

type InputLocation = 'body' | 'querystring' | 'params' | 'headers';
const LOCATIONS = new Set<string>(['body', 'querystring', 'params', 'headers']);

/** One zod issue as fastify-type-provider-zod hands it over. */
interface ZodValidationEntry {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/** One issue of a zod union branch. */
interface BranchIssue {
  code?: string;
  path?: unknown[];
  message?: string;
  expected?: string;
}

/** What a validation error is judged against: the input as validated, and its schema. */
interface ValidationContext {
  input: unknown;
  schema: z.ZodType | undefined;
}

/** The request's input at `location` and the route's schema for it. */
function validationContext(request: FastifyRequest | undefined, location: InputLocation): ValidationContext {
  if (!request) return { input: undefined, schema: undefined };
  const input = location === 'querystring' ? request.query : location === 'body' ? request.body : location === 'params' ? request.params : request.headers;
  const schema = (request.routeOptions?.schema as Record<string, unknown> | undefined)?.[location] as z.ZodType | undefined;
  return { input, schema };
}

/** The value at `path` in `input`, or undefined. */
function valueAt(input: unknown, path: readonly string[]): unknown {
  let node = input;
  for (const segment of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, segment)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

/** A name compared without case, separators or list brackets: `Region_Id`, `regionid[]` and `regionId` are alike. */
const loose = (name: string): string => name.replace(/\[\]$/, '').replace(/[_-]/g, '').toLowerCase();

/** "unknown field", with the known field it most likely meant when one differs only in case or spelling. */
function unknownField(key: string, known: readonly string[]): string {
  const meant = known.find((k) => loose(k) === loose(key));
  return meant ? `unknown field; did you mean ${meant}?` : 'unknown field';
}

/**
 * A union's message ("Invalid input") says nothing; when exactly the branches of one type failed on the
 * value rather than on its type, their message says what is wrong (`must be a whole number`).
 */
function unionMessage(entry: ZodValidationEntry): string | undefined {
  const branches = entry.params.errors;
  if (!Array.isArray(branches)) return undefined;
  const issues = (branches as BranchIssue[][]).flat().filter((i) => (i.path?.length ?? 0) === 0);
  const onValue = issues.find((i) => i.code !== 'invalid_type' && i.code !== 'invalid_union' && i.code !== 'unrecognized_keys' && i.message);
  if (onValue?.message) return onValue.message;
  const expected = [...new Set(issues.map((i) => i.expected).filter((e): e is string => typeof e === 'string'))];
  return expected.length > 0 ? `Invalid input: expected ${expected.join(' or ')}` : undefined;
}

/** The field problems one zod issue stands for, in words a person can act on. */
function describeIssue(entry: ZodValidationEntry, location: InputLocation, context: ValidationContext): FieldIssue[] {
  const segments = entry.instancePath.split('/').filter((s) => s !== '');
  const path = segments.join('.');
  // zod reports unknown keys once for their object; name each key as the failing field.
  const keys = entry.keyword === 'unrecognized_keys' ? entry.params.keys : undefined;
  if (Array.isArray(keys) && keys.length > 0) {
    const known = context.schema ? objectKeysAt(context.schema, segments) : [];
    return keys.map((key) => ({ location, field: path ? `${path}.${String(key)}` : String(key), message: unknownField(String(key), known) }));
  }
  if (segments.length > 0 && context.input !== undefined && valueAt(context.input, segments) === undefined) {
    return [{ location, field: path, message: 'required' }];
  }
  const message = (entry.keyword === 'invalid_union' ? unionMessage(entry) : undefined) ?? entry.message ?? 'invalid';
  return [{ location, field: path || '(root)', message }];
}

/** Safe, actionable messages for the errors Fastify raises itself (codes FST_ERR_*). */
const FRAMEWORK_ERRORS: Record<string, () => GatewayError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => new GatewayError(413, ErrorCode.payloadTooLarge, 'Request body is larger than the gateway accepts'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => new GatewayError(415, ErrorCode.unsupportedMediaType, 'Send the request body as application/json'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new GatewayError(400, ErrorCode.malformedJson, 'Request body is empty but Content-Type is application/json'),
  FST_ERR_CTP_INVALID_JSON_BODY: () => new GatewayError(400, ErrorCode.malformedJson, 'Request body is not valid JSON'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => new GatewayError(400, ErrorCode.malformedRequest, 'The request body is not as long as its Content-Length header says'),
  FST_ERR_BAD_URL: () => new GatewayError(400, ErrorCode.malformedRequest, 'The URL path has malformed percent-encoding'),
  FST_ERR_INVALID_URL: () => new GatewayError(400, ErrorCode.malformedRequest, 'The URL is not valid'),
  FST_ERR_MAX_PARAM_LENGTH: () => new GatewayError(414, ErrorCode.uriTooLong, 'A path segment is too long (over 100 characters)'),
  FST_ERR_ROUTE_MISSING_CONTENT_TYPE: () => new GatewayError(400, ErrorCode.badRequest, 'The request needs a Content-Type header'),
};

/** The gateway code for a 4xx status some other error carries. */
const CODE_BY_STATUS: Record<number, [string, string]> = {
  404: [ErrorCode.notFound, 'Not found'],
  408: [ErrorCode.requestTimeout, 'The request was not received in time'],
  413: [ErrorCode.payloadTooLarge, 'Request body is larger than the gateway accepts'],
  414: [ErrorCode.uriTooLong, 'The URL is too long'],
  415: [ErrorCode.unsupportedMediaType, 'Send the request body as application/json'],
  431: [ErrorCode.headersTooLarge, 'Request line and headers are too large'],
};

/**
 * Turns whatever was thrown into a GatewayError with a safe message, the right status and one of the
 * gateway's own codes. `request`, when given, lets validation errors say "required" and "did you mean".
 */
export function toGatewayError(err: unknown, request?: FastifyRequest): GatewayError {
  if (err instanceof GatewayError) return err;
  const e = err as FastifyError & { validationContext?: string };
  if (hasZodFastifySchemaValidationErrors(e)) {
    const location = (LOCATIONS.has(e.validationContext ?? '') ? e.validationContext : 'body') as InputLocation;
    const context = validationContext(request, location);
    return validationError((e.validation as unknown as ZodValidationEntry[]).flatMap((v) => describeIssue(v, location, context)));
  }
  const known = typeof e?.code === 'string' ? FRAMEWORK_ERRORS[e.code] : undefined;
  if (known) return known();
  if (e instanceof SyntaxError) return new GatewayError(400, ErrorCode.malformedJson, 'Request body is not valid JSON');
  const status = typeof e?.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    // Another 4xx (a body that broke off mid-way, a static file path that leaves its folder): its code and
    // message are not ours, and may quote the request.
    const [code, message] = CODE_BY_STATUS[status] ?? [ErrorCode.badRequest, 'Bad request'];
    return new GatewayError(CODE_BY_STATUS[status] ? status : 400, code, message, {}, { cause: err });
  }
  return new GatewayError(500, ErrorCode.internal, 'Internal server error', {}, { cause: err });
}

/** Renders the one error shape. */
export function errorBody(err: GatewayError, requestId: string): ErrorBody {
  const extra = Object.fromEntries(Object.entries(err.extra).filter(([, v]) => v !== undefined));
  return { error: { code: err.code, message: err.message, status: err.statusCode, requestId, ...extra } };
}

/**
 * Reads and discards what is left of a request body, up to `limit` bytes, so that a client still
 * sending (a body over the limit, or refused before it was read) reads the answer instead of a broken
 * pipe. Resolves true when the body was read to its end, false when it is longer than `limit`.
 */
export function drainRequest(raw: IncomingMessage, limit: number): Promise<boolean> {
  if (raw.complete || raw.readableEnded) return Promise.resolve(true);
  if (raw.destroyed) return Promise.resolve(false);
  if (Number(raw.headers['content-length']) > limit) return Promise.resolve(false);
  return new Promise((resolve) => {
    let seen = 0;
    const finish = (complete: boolean) => {
      raw.off('data', onData);
      raw.off('end', onEnd);
      raw.off('close', onClose);
      raw.off('error', onClose);
      resolve(complete);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > limit) finish(false);
    };
    const onEnd = () => finish(true);
    const onClose = () => finish(false);
    raw.on('data', onData);
    raw.once('end', onEnd);
    raw.once('close', onClose);
    raw.once('error', onClose);
    raw.resume();
  });
}

export interface ErrorHandlingOptions {
  /** How much of an unread request body the gateway reads and discards before answering (see drainRequest). */
  drainLimitBytes: number;
  /** The routes, to tell a path with other methods (405) from an unknown one (404). */
  routes: RouteTable;
}

/**
 * Answers with `err` in the one error shape, after logging it (4xx as "request refused", 5xx as
 * "request failed" with the cause) and reading what is left of the request body (see drainRequest).
 */
export async function sendError(err: unknown, request: FastifyRequest, reply: FastifyReply, drainLimitBytes: number): Promise<FastifyReply> {
  const gatewayError = toGatewayError(err, request);
  const log = { err: gatewayError, code: gatewayError.code, statusCode: gatewayError.statusCode };
  if (gatewayError.statusCode >= 500) request.log.error({ ...log, cause: describeCause(err) }, 'request failed');
  else request.log.info(log, 'request refused');
  if (!(await drainRequest(request.raw, drainLimitBytes))) reply.header('connection', 'close');
  reply.headers(gatewayError.responseHeaders);
  return reply.code(gatewayError.statusCode).send(errorBody(gatewayError, request.id));
}

/** 405 for `method` on a path whose routes allow only `allowed`. */
export function methodNotAllowed(method: string, path: string, allowed: readonly string[]): GatewayError {
  const err = new GatewayError(405, ErrorCode.methodNotAllowed, `${method} is not allowed on ${path}; use ${allowed.join(' or ')}`);
  err.responseHeaders.allow = allowed.join(', ');
  return err;
}

/**
 * Installs the error and not-found handlers: every error leaves as the documented JSON shape. A path
 * that exists for other methods answers 405 with Allow, not 404.
 */
export function installErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions): void {
  const { drainLimitBytes, routes } = options;
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => sendError(err, request, reply, drainLimitBytes));
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = routes.disallowed(request.method, path);
    const err = allowed
      ? methodNotAllowed(request.method, path, allowed)
      : new GatewayError(404, ErrorCode.notFound, `Route ${request.method} ${path} not found`);
    return sendError(err, request, reply, drainLimitBytes);
  });
}

/**
 * A parametric route takes a path that belongs to a more specific route of other methods
 * (`GET /instances/stop` is not the instance "stop"): answer 405, before the input is looked at.
 * A hook on each parametric route only (added as the route is), so other requests pay nothing; route hooks run
 * after the app's, so authentication comes first. Install it before the routes.
 */
export function refuseShadowedMethods(app: FastifyInstance, routes: RouteTable): void {
  app.addHook('onRoute', (route) => {
    const url = route.url;
    if (!isParametric(url)) return;
    addRouteHook(route, 'onRequest', (request, _reply, done) => {
      const path = request.url.split('?')[0] ?? '';
      const allowed = routes.disallowed(request.method, path, url);
      done(allowed ? methodNotAllowed(request.method, path, allowed) : undefined);
    });
  });
}

/** The cause of a failure as far as it is safe to log: type, code and message, never request options. */
function describeCause(err: unknown): Record<string, unknown> | undefined {
  const cause = err instanceof GatewayError ? err.cause : err;
  if (!(cause instanceof Error)) return undefined;
  return { type: cause.name, code: (cause as { code?: string }).code, message: cause.message, stack: cause.stack };
}
