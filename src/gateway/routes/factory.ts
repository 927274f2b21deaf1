/**
 * The one factory that turns route declarations into Fastify routes. A declaration is either
 *
 * - **curated** (`action` names one catalog action): the public fields it exposes, each with its own
 *   validation, and which catalog parameter each field (or path parameter) fills, by the parameter's NAME
 *   (`'InstanceId'`, or a path of names to a member: `['SystemDisk', 'Size']`); never wire syntax. A field
 *   that names no parameter fills the one its own name spells (`regionId` → `RegionId`); `param: null` marks a
 *   field the gateway uses itself (`regionId` where the action has no RegionId: it picks the endpoint).
 *   The wire parameters are then derived from the catalog by `toWire` (src/gateway/ecs/wire.ts); or
 * - **generic** (`actionParam` names the path parameter holding the action): any catalog action, its body
 *   validated by the action's schema (src/gateway/ecs/schema.ts), built on first use and cached.
 *
 * Both then take the same path: validate → wire parameters → `authorizeCall` → credentials → sign and call
 * ECS → `auditCall` → the envelope. Every route carries `config: { action, readOnly }` (EcsRouteConfig), so
 * other plugins (policy, metrics) can read `request.routeOptions.config`; `routeCall(request)` resolves it,
 * for the generic route too.
 *
 * Secrets are marked once, in the catalog: a curated field that fills a secret parameter is marked
 * `secret()` here, the generic schemas mark theirs in schema.ts, and the ECS client scrubs secret wire
 * parameters from echoed errors (src/gateway/schemas/secrets.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getAction } from '../ecs/catalog/index.js';
import type { Action, Param } from '../ecs/catalog/types.js';
import type { EcsClient, EcsResult } from '../ecs/client.js';
import { fieldSpellings } from '../ecs/names.js';
import { actionSchemaWith } from '../ecs/schema.js';
import type { Credentials } from '../ecs/signer.js';
import { memberFor, toWire, type WireParams } from '../ecs/wire.js';
import { ErrorCode, GatewayError, validationError } from '../errors.js';
import { foldSpellings, mergeCredentialHeaders } from '../http/normalize.js';
import { auditCall, authorizeCall, resourceIdsOf } from '../policy/index.js';
import { commonFields } from '../schemas/common.js';
import { envelopeSchema, errorResponses, STRUCT_TYPE_URL } from '../schemas/envelope.js';
import { addKnownFieldNames, objectKeysAt, secret } from '../schemas/fields.js';
import { holdsSecret } from '../schemas/secrets.js';
import { genericValidationError, unknownAction } from './generic-errors.js';

/** What every ECS route needs from the app. */
export interface RouteDeps {
  client: EcsClient;
  defaultCredentials?: Credentials | undefined;
}

/**
 * The Fastify `config` of every route (request.routeOptions.config). A curated route names its action; the
 * generic route names the path parameter that holds it (`actionParam`); discovery routes call no action.
 */
export interface EcsRouteConfig {
  /** The ECS action the route calls (curated routes). */
  action?: string;
  /** Whether that action only reads (from the catalog); for the generic route see routeCall(). */
  readOnly?: boolean;
  /** The generic route: the path parameter holding the action name. */
  actionParam?: string;
}

/** The ECS action a request calls and whether it only reads, from its route's config (undefined: none, or unknown). */
export function routeCall(request: FastifyRequest): { action: string; readOnly: boolean } | undefined {
  const config = request.routeOptions.config as EcsRouteConfig | undefined;
  if (config?.action) return { action: config.action, readOnly: config.readOnly ?? false };
  if (config?.actionParam) {
    const name = (request.params as Record<string, unknown> | undefined)?.[config.actionParam];
    const action = typeof name === 'string' ? getAction(name) : undefined;
    return action ? { action: action.name, readOnly: action.readOnly } : undefined;
  }
  return undefined;
}

/** A public field of a curated route: its validation and the catalog parameter it fills. */
export interface FieldSpec {
  schema: z.ZodType;
  /**
   * The catalog parameter this field fills, by name (`'InstanceId'`) or by a path of names to a member
   * (`['SystemDisk', 'Size']`); default: the parameter whose name the field spells. `null`: not an ECS
   * parameter (the gateway uses it itself).
   */
  param?: string | readonly string[] | null;
}

/** A field: its schema alone (it fills the parameter its name spells), or a FieldSpec. */
export type Field = z.ZodType | FieldSpec;

interface Common {
  url: string;
  operationId: string;
  summary: string;
  description: string;
  /** The example ECS body of the 200 answer. */
  exampleBody: Record<string, unknown>;
}

/** A curated route: one catalog action behind chosen public fields. */
export interface CuratedRoute extends Common {
  method: 'GET' | 'POST' | 'PUT';
  /** The catalog action, e.g. `StopInstances`. */
  action: string;
  /** The public fields, in the order they are documented (query string for GET, JSON body otherwise). Credentials and `endpoint` are added. */
  fields: Readonly<Record<string, Field>>;
  /** Path parameters (`/instances/:instanceId`) and the parameters they fill. */
  pathParams?: Readonly<Record<string, Field>>;
  /** Checks across fields, applied to the whole input object. */
  refine?: (input: z.ZodObject) => z.ZodType;
  /** The request example (body routes). */
  example?: Record<string, unknown>;
  /** Inspects a successful answer; may throw (e.g. 404 for an empty lookup). */
  check?: (result: EcsResult, pathParams: Record<string, unknown>) => void;
}

/** The generic route: any catalog action, named by a path parameter. */
export interface GenericRoute extends Common {
  method: 'POST';
  /** The path parameter holding the exact ECS action name. */
  actionParam: string;
  example: Record<string, unknown>;
  tags: string[];
}

export type RouteDeclaration = CuratedRoute | GenericRoute;

/** Fields the gateway reads itself from every input: credentials and the endpoint. */
const GATEWAY_FIELDS: readonly string[] = Object.keys(commonFields);

/** Per-request credentials (fields or headers), else the server's, else 401. */
export function resolveCredentials(input: Record<string, unknown>, fallback: Credentials | undefined): Credentials {
  const { accessKeyId, accessKeySecret, securityToken } = input as { accessKeyId?: string; accessKeySecret?: string; securityToken?: string };
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

/** The body as an object: no body at all is `{}` (naming the missing fields); a JSON null, array or scalar is refused. */
function bodyObject(body: unknown): Record<string, unknown> {
  const value = body === undefined ? {} : body;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GatewayError(400, ErrorCode.validation, 'Request body must be a JSON object',
      { details: [{ location: 'body', field: '(root)', message: 'expected a JSON object' }] });
  }
  return value as Record<string, unknown>;
}

/**
 * Curated routes, before validation: folds snake_case onto camelCase, merges the credential headers, and
 * refuses bodies that are not JSON objects and query strings with broken percent-encoding.
 */
function normalizeCurated(request: FastifyRequest, location: 'querystring' | 'body'): void {
  if (location === 'querystring') {
    checkQueryEncoding(request.url);
    request.query = mergeCredentialHeaders(foldSpellings(request.query ?? {}, { listBrackets: true }) as Record<string, unknown>, request.headers);
    return;
  }
  request.body = mergeCredentialHeaders(foldSpellings(bodyObject(request.body)) as Record<string, unknown>, request.headers);
}

/**
 * The generic route, before validation: the action must exist (404 UNKNOWN_ACTION), the body must be an
 * object; the gateway's own fields fold from snake_case (`access_key_id`) and the credential headers merge.
 * Action parameters keep the caller's spelling: the action's schema resolves all three, and a free-form map
 * (RunCommand `parameters`) keeps its keys exactly.
 */
function normalizeGeneric(request: FastifyRequest, actionParam: string): void {
  const name = String((request.params as Record<string, unknown>)[actionParam] ?? '');
  if (!getAction(name)) throw unknownAction(name);
  const body = bodyObject(request.body);
  const gatewayKeys = Object.keys(body).filter((k) => k.includes('_') && GATEWAY_FIELDS.includes(k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())));
  let folded = body;
  if (gatewayKeys.length > 0) {
    const picked = Object.fromEntries(Object.entries(body).filter(([k]) => gatewayKeys.includes(k) || GATEWAY_FIELDS.includes(k)));
    const rest = Object.fromEntries(Object.entries(body).filter(([k]) => !gatewayKeys.includes(k) && !GATEWAY_FIELDS.includes(k)));
    folded = { ...rest, ...(foldSpellings(picked) as Record<string, unknown>) };
  }
  request.body = mergeCredentialHeaders(folded, request.headers);
}

/** A catalog parameter a curated field fills: the path of names to it and the parameter itself. */
interface Target {
  names: readonly string[];
  param: Param;
}

/** The members of an object parameter, or of the objects of a list parameter. */
function membersOf(param: Param): readonly Param[] | undefined {
  if (param.type === 'object') return param.members;
  if (param.type === 'array' && param.items.type === 'object') return param.items.members;
  return undefined;
}

/** Resolves what a curated field fills; throws (at start-up) when the declaration does not fit the catalog. */
function resolveTarget(action: Action, where: string, field: string, param: FieldSpec['param']): Target | undefined {
  if (param === null) return undefined;
  const fail = (why: string): never => {
    throw new Error(`${where}: field ${field} ${why}`);
  };
  if (param === undefined) {
    const p = memberFor(action.params, field);
    if (!p || p.internal) return fail(`spells no parameter of ${action.name}; name one with \`param\` (or \`param: null\`)`);
    return { names: [p.name], param: p };
  }
  const names = typeof param === 'string' ? [param] : [...param];
  let members: readonly Param[] | undefined = action.params;
  let found: Param | undefined;
  for (const name of names) {
    if (/[.\d]/.test(name[0] ?? '') || name.includes('.')) fail(`names ${name}: give catalog names, not wire syntax`);
    found = members?.find((m) => m.name === name);
    if (!found || found.internal) return fail(`names ${names.join(' → ')}, which ${action.name} does not have`);
    members = membersOf(found);
  }
  return { names, param: found! };
}

/** Every key of the public objects a field holds must be a member of the catalog objects it fills. */
function checkMembers(where: string, field: string, schema: z.ZodType, target: Target): void {
  const members = membersOf(target.param);
  if (!members) return;
  const keys = objectKeysAt(schema, target.param.type === 'array' ? ['0'] : []);
  for (const key of keys) {
    if (!memberFor(members, key)) throw new Error(`${where}: field ${field}.${key} is no member of ${target.names.join('.')}`);
  }
}

/** Where one value of the validated input goes in the catalog-shaped input of toWire. */
interface Placement {
  from: 'input' | 'params';
  key: string;
  names: readonly string[];
  /** The parameter is a list and the field a single value (a path parameter): send it as a one-item list. */
  wrap: boolean;
}

function place(out: Record<string, unknown>, names: readonly string[], value: unknown): void {
  let node = out;
  for (const name of names.slice(0, -1)) {
    const next = node[name];
    node = (typeof next === 'object' && next !== null ? next : (node[name] = {})) as Record<string, unknown>;
  }
  node[names.at(-1)!] = value;
}

/** The field schemas of a curated route (secret-marked from the catalog) and where each value goes. */
function compileFields(action: Action, where: string, fields: Readonly<Record<string, Field>>, from: Placement['from'], placements: Placement[]): Record<string, z.ZodType> {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, field] of Object.entries(fields)) {
    const { schema, param } = field instanceof z.ZodType ? { schema: field, param: undefined } : field;
    const target = resolveTarget(action, where, name, param);
    if (!target) {
      shape[name] = schema;
      continue;
    }
    checkMembers(where, name, schema, target);
    shape[name] = holdsSecret(target.param) ? secret(schema) : schema;
    placements.push({ from, key: name, names: target.names, wrap: target.param.type === 'array' });
  }
  return shape;
}

/** What one call needs once its input is validated. */
interface PlannedEcsCall {
  action: Action;
  input: Record<string, unknown>;
  wire: WireParams;
  check?: ((result: EcsResult) => void) | undefined;
}

/** authorize → credentials → sign and call → check → audit; resolves with the envelope text. */
async function callEcs(request: FastifyRequest, deps: RouteDeps, plan: PlannedEcsCall): Promise<string> {
  const { action, input, wire } = plan;
  const regionId = typeof input.regionId === 'string' ? input.regionId : undefined;
  const endpoint = typeof input.endpoint === 'string' ? input.endpoint : undefined;
  // The endpoint too: a key limited to regions must not reach another region by naming its endpoint.
  authorizeCall(request, { action: action.name, regionId, endpoint, params: wire, readOnly: action.readOnly });
  let result: EcsResult;
  try {
    const credentials = resolveCredentials(input, deps.defaultCredentials);
    result = await deps.client.call({
      action: action.name,
      params: wire,
      credentials,
      regionId,
      endpoint,
    });
    plan.check?.(result);
  } catch (err) {
    const ecsRequestId = err instanceof GatewayError && typeof err.extra.ecsRequestId === 'string' ? err.extra.ecsRequestId : undefined;
    auditCall(request, {
      action: action.name, regionId, readOnly: action.readOnly, resourceIds: resourceIdsOf(wire), ecsRequestId,
      outcome: err instanceof GatewayError ? err.code : ErrorCode.internal,
    });
    throw err;
  }
  const ecsRequestId = typeof result.body.RequestId === 'string' ? result.body.RequestId : undefined;
  auditCall(request, { action: action.name, regionId, readOnly: action.readOnly, resourceIds: resourceIdsOf(wire), ecsRequestId, outcome: 'ok' });
  return envelopeJson(result);
}

const generic = new Map<string, z.ZodType<Record<string, unknown>>>();

/** The generic route's schema of `action`: its parameters plus the gateway's own fields. Built on first use, then cached. */
export function genericSchema(action: Action): z.ZodType<Record<string, unknown>> {
  let schema = generic.get(action.name);
  if (!schema) {
    schema = actionSchemaWith(action, commonFields);
    generic.set(action.name, schema);
    // The log allowlist may then name the action's fields (never their values: a body is not logged).
    const names: string[] = [];
    const walk = (params: readonly Param[]): void => {
      for (const p of params) {
        names.push(...fieldSpellings(p.name));
        const members = membersOf(p);
        if (members) walk(members);
      }
    };
    walk(action.params);
    addKnownFieldNames(names);
  }
  return schema;
}

/** Registers one declared route. */
export function ecsRoute(app: FastifyInstance, deps: RouteDeps, decl: RouteDeclaration): void {
  if ('actionParam' in decl) registerGeneric(app, deps, decl);
  else registerCurated(app, deps, decl);
}

/** Documentation only: the generic route validates with the action's own schema, in the handler. */
const noValidation = () => (data: unknown) => ({ value: data });

function registerGeneric(app: FastifyInstance, deps: RouteDeps, decl: GenericRoute): void {
  const { actionParam } = decl;
  const config: EcsRouteConfig = { actionParam };
  const body = z.looseObject({ ...commonFields })
    .describe('The action\'s parameters by lowerCamelCase, snake_case or ECS wire name (see GET /api/ecs/{Action}), plus the credentials and `endpoint` every route takes')
    .meta({ example: decl.example });
  app.withTypeProvider<ZodTypeProvider>().route({
    method: decl.method,
    url: decl.url,
    config,
    schema: {
      operationId: decl.operationId,
      summary: decl.summary,
      description: decl.description,
      tags: decl.tags,
      params: z.object({ [actionParam]: z.string().describe('The exact ECS action name, e.g. DescribeInstances').meta({ example: 'StopInstances' }) }),
      body,
      response: { 200: envelopeSchema(decl.exampleBody), ...errorResponses },
    },
    validatorCompiler: noValidation,
    preValidation: (request, _reply, done) => {
      try {
        normalizeGeneric(request, actionParam);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    handler: async (request, reply) => {
      const action = getAction(String((request.params as Record<string, unknown>)[actionParam]))!;
      const parsed = genericSchema(action).safeParse(request.body);
      if (!parsed.success) throw genericValidationError(action, parsed.error.issues);
      const input = parsed.data;
      const text = await callEcs(request, deps, { action, input, wire: toWire(action, input, { ignore: GATEWAY_FIELDS }) });
      // A string with a JSON content type is sent as it is, past the serializer.
      return reply.type('application/json; charset=utf-8').send(text as never);
    },
  });
}

function registerCurated(app: FastifyInstance, deps: RouteDeps, decl: CuratedRoute): void {
  const action = getAction(decl.action);
  if (!action) throw new Error(`${decl.operationId}: ${decl.action} is not an ECS action of the catalog`);
  const where = `${decl.operationId} (${decl.action})`;
  const placements: Placement[] = [];
  let input: z.ZodType = z.strictObject({ ...commonFields, ...compileFields(action, where, decl.fields, 'input', placements) });
  if (decl.refine) input = decl.refine(input as z.ZodObject);
  if (decl.example) input = input.meta({ example: decl.example });
  const pathParams = decl.pathParams ? z.object(compileFields(action, where, decl.pathParams, 'params', placements)) : undefined;
  const location = decl.method === 'GET' ? 'querystring' : 'body';
  const config: EcsRouteConfig = { action: action.name, readOnly: action.readOnly };

  /** The wire parameters, from the catalog: each field's value placed under the parameter it fills. */
  const wireOf = (values: Record<string, unknown>, params: Record<string, unknown>): WireParams => {
    const catalogInput: Record<string, unknown> = {};
    for (const p of placements) {
      const value = (p.from === 'params' ? params : values)[p.key];
      if (value === undefined) continue;
      place(catalogInput, p.names, p.wrap && !Array.isArray(value) ? [value] : value);
    }
    return toWire(action, catalogInput);
  };

  app.withTypeProvider<ZodTypeProvider>().route({
    method: decl.method,
    url: decl.url,
    config,
    schema: {
      operationId: decl.operationId,
      summary: decl.summary,
      description: decl.description,
      tags: ['Instance'],
      [location]: input,
      ...(pathParams ? { params: pathParams } : {}),
      response: { 200: envelopeSchema(decl.exampleBody), ...errorResponses },
    },
    // Callback style: it runs on every request, and an async hook costs a promise each time.
    preValidation: (request, _reply, done) => {
      try {
        normalizeCurated(request, location);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    handler: async (request, reply) => {
      const values = (location === 'querystring' ? request.query : request.body) as Record<string, unknown>;
      const params = (request.params ?? {}) as Record<string, unknown>;
      const check = decl.check;
      const text = await callEcs(request, deps, {
        action, input: values, wire: wireOf(values, params), check: check ? (result) => check(result, params) : undefined,
      });
      return reply.type('application/json; charset=utf-8').send(text as never);
    },
  });
}
