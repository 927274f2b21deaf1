import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { EcsClient, EcsResult } from '../ecs/client.js';
import type { Credentials, WireParams } from '../ecs/signer.js';
import { ErrorCode, GatewayError, validationError } from '../errors.js';
import { foldSpellings, mergeCredentialHeaders } from '../http/normalize.js';
import { auditCall, authorizeCall, isReadOnlyAction, resourceIdsOf } from '../policy/index.js';
import { envelopeSchema, errorResponses, STRUCT_TYPE_URL } from '../schemas/envelope.js';

/** What every ECS route needs from the app. */
export interface RouteDeps {
  client: EcsClient;
  defaultCredentials?: Credentials | undefined;
}

/** The fields every route input carries (see commonFields). */
interface CommonInput {
  accessKeyId?: string | undefined;
  accessKeySecret?: string | undefined;
  securityToken?: string | undefined;
  endpoint?: string | undefined;
  regionId?: string | undefined;
}

/** One gateway route that maps to one ECS action. */
export interface EcsRouteSpec<I extends z.ZodType<CommonInput>, P extends z.ZodType = z.ZodType<Record<string, string>>> {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  operationId: string;
  summary: string;
  description: string;
  action: string;
  /** Query string for GET, JSON body otherwise. */
  input: I;
  pathParams?: P;
  toWire: (input: z.output<I>, params: z.output<P>) => WireParams;
  exampleBody: Record<string, unknown>;
  /** Inspects a successful answer; may throw (e.g. 404 for an empty lookup). */
  check?: (result: EcsResult, params: z.output<P>) => void;
}

/** Per-request credentials (fields or headers), else the server's, else 401. */
export function resolveCredentials(input: CommonInput, fallback: Credentials | undefined): Credentials {
  const { accessKeyId, accessKeySecret, securityToken } = input;
  if (accessKeyId && accessKeySecret) return { accessKeyId, accessKeySecret, securityToken };
  if (accessKeyId || accessKeySecret) {
    const missing = accessKeyId ? 'accessKeySecret' : 'accessKeyId';
    throw new GatewayError(401, ErrorCode.missingCredentials, `${missing} is missing: send accessKeyId and accessKeySecret together`);
  }
  // A token belongs to the temporary key pair it was issued with; it never goes with the server's pair.
  if (securityToken) {
    throw new GatewayError(401, ErrorCode.missingCredentials, 'securityToken was sent without the accessKeyId and accessKeySecret it was issued with');
  }
  if (fallback) return fallback;
  throw new GatewayError(401, ErrorCode.missingCredentials,
    'No credentials: send accessKeyId and accessKeySecret (fields or X-Access-Key-Id / X-Access-Key-Secret headers)');
}

/**
 * The query parser keeps a value whose percent-encoding is malformed (`%`, `%ED%A0%80` — a lone surrogate)
 * as the literal text, which would then be signed and sent; refuse it instead, naming the field.
 */
function checkQueryEncoding(url: string): void {
  const query = url.slice(url.indexOf('?') + 1);
  if (query === url) return;
  for (const pair of query.split('&')) {
    try {
      decodeURIComponent(pair.replace(/\+/g, ' '));
    } catch {
      const key = pair.split('=')[0] ?? '';
      let field = key;
      try { field = decodeURIComponent(key); } catch { /* keep the raw key */ }
      throw validationError([{ location: 'querystring', field, message: 'malformed percent-encoding or invalid UTF-8' }]);
    }
  }
}

const ENVELOPE_HEAD = `{"data":{"@type":"${STRUCT_TYPE_URL}","value":{"body":`;

/**
 * The success envelope as JSON text, with the ECS body spliced in exactly as ECS sent it: no
 * re-serialisation (the body was already parsed to prove it is a JSON object), and numbers and key
 * order stay as ECS wrote them. The 200 schema still documents the shape.
 */
export function envelopeJson(result: EcsResult): string {
  return `${ENVELOPE_HEAD}${result.bodyText.trim()},"headers":${JSON.stringify(result.headers)}}}}`;
}

/**
 * Before validation: folds snake_case onto camelCase, merges the credential headers, and refuses
 * bodies that are not JSON objects and query strings with broken percent-encoding.
 */
function normalizeInput(request: FastifyRequest, location: 'querystring' | 'body'): void {
  if (location === 'querystring') {
    checkQueryEncoding(request.url);
    request.query = mergeCredentialHeaders(foldSpellings(request.query ?? {}, { listBrackets: true }) as Record<string, unknown>, request.headers);
    return;
  }
  // No body at all validates as {} (naming the missing fields); a JSON null, array or scalar does not.
  const body = request.body === undefined ? {} : request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new GatewayError(400, ErrorCode.validation, 'Request body must be a JSON object',
      { details: [{ location: 'body', field: '(root)', message: 'expected a JSON object' }] });
  }
  request.body = mergeCredentialHeaders(foldSpellings(body) as Record<string, unknown>, request.headers);
}

/** Registers one ECS route: normalise → validate (zod) → credentials → sign and call → envelope. */
export function ecsRoute<I extends z.ZodType<CommonInput>, P extends z.ZodType>(
  app: FastifyInstance,
  deps: RouteDeps,
  spec: EcsRouteSpec<I, P>,
): void {
  const location = spec.method === 'GET' ? 'querystring' : 'body';
  app.withTypeProvider<ZodTypeProvider>().route({
    method: spec.method,
    url: spec.url,
    config: { operation: spec.operationId },
    schema: {
      operationId: spec.operationId,
      summary: spec.summary,
      description: spec.description,
      tags: ['Instance'],
      [location]: spec.input,
      ...(spec.pathParams ? { params: spec.pathParams } : {}),
      response: { 200: envelopeSchema(spec.exampleBody), ...errorResponses },
    },
    // Callback style: it runs on every request, and an async hook costs a promise each time.
    preValidation: (request, _reply, done) => {
      try {
        normalizeInput(request, location);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    handler: async (request, reply) => {
      const input = (location === 'querystring' ? request.query : request.body) as z.output<I>;
      const params = request.params as z.output<P>;
      const wire = spec.toWire(input, params);
      authorizeCall(request, { action: spec.action, regionId: input.regionId, endpoint: input.endpoint, params: wire });
      const credentials = resolveCredentials(input, deps.defaultCredentials);
      const result = await deps.client.call({
        action: spec.action,
        params: wire,
        credentials,
        regionId: input.regionId,
        endpoint: input.endpoint,
      });
      auditCall(request, { action: spec.action, regionId: input.regionId, readOnly: isReadOnlyAction(spec.action), resourceIds: resourceIdsOf(wire), ecsRequestId: typeof result.body.RequestId === 'string' ? result.body.RequestId : undefined, outcome: 'ok' });
      spec.check?.(result, params);
      // A string with a JSON content type is sent as it is, past the serializer.
      return reply.type('application/json; charset=utf-8').send(envelopeJson(result) as never);
    },
  });
}
