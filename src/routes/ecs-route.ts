import type { FastifyInstance } from 'fastify';
import { serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { EcsClient, EcsResult } from '../ecs/client.js';
import type { Credentials, WireParams } from '../ecs/signer.js';
import { ErrorCode, GatewayError, validationError } from '../errors.js';
import { foldSpellings, mergeCredentialHeaders } from '../http/normalize.js';
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
 * Bodies are JSON only. Fastify also parses text/plain by default, which would turn a text body into a
 * JSON-string-shaped 400; without the parser it is the documented 415. Call once per plugin with body routes.
 */
export function jsonBodiesOnly(app: FastifyInstance): void {
  app.removeContentTypeParser('text/plain');
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

/** Fastify hands a route's serializerCompiler one response's schema, though its type names the whole route schema. */
type ZodSerializerContext = Parameters<typeof serializerCompiler>[0];

/** The success envelope as JSON, byte for byte what the zod serializer writes for it. */
const serializeEnvelope = (data: unknown): string => JSON.stringify(data);

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
    // The 200 envelope is built in the handler below from a parsed JSON object and flattened string
    // headers, so it always matches its schema; re-encoding it through zod on every response cost
    // ~10% of the gateway's CPU per request (see bench/README.md). The schema still documents it and
    // every other status keeps the zod serializer.
    serializerCompiler: (route) => (route.httpStatus === '200' ? serializeEnvelope : serializerCompiler(route as unknown as ZodSerializerContext)),
    schema: {
      operationId: spec.operationId,
      summary: spec.summary,
      description: spec.description,
      tags: ['Instance'],
      [location]: spec.input,
      ...(spec.pathParams ? { params: spec.pathParams } : {}),
      response: { 200: envelopeSchema(spec.exampleBody), ...errorResponses },
    },
    preValidation: async (request) => {
      if (location === 'querystring') {
        checkQueryEncoding(request.url);
        request.query = mergeCredentialHeaders(foldSpellings(request.query ?? {}, { listBrackets: true }) as Record<string, unknown>, request.headers);
      } else {
        // No body at all validates as {} (naming the missing fields); a JSON null, array or scalar does not.
        const body = request.body === undefined ? {} : request.body;
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
          throw new GatewayError(400, ErrorCode.validation, 'Request body must be a JSON object',
            { details: [{ location: 'body', field: '(root)', message: 'expected a JSON object' }] });
        }
        request.body = mergeCredentialHeaders(foldSpellings(body) as Record<string, unknown>, request.headers);
      }
    },
    handler: async (request) => {
      const input = (location === 'querystring' ? request.query : request.body) as z.output<I>;
      const params = request.params as z.output<P>;
      const credentials = resolveCredentials(input, deps.defaultCredentials);
      const result = await deps.client.call({
        action: spec.action,
        params: spec.toWire(input, params),
        credentials,
        regionId: input.regionId,
        endpoint: input.endpoint,
      });
      spec.check?.(result, params);
      return { data: { '@type': STRUCT_TYPE_URL, value: { body: result.body, headers: result.headers } } } as const;
    },
  });
}
