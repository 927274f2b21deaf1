/**
 * The one factory that turns route declarations into Fastify routes. A declaration is either
 *
 * - **curated** (`action` names one catalog action): the public fields it exposes, each with its own
 *   validation, and which catalog parameter each field (or path parameter) fills, by the parameter's NAME
 *   (`'InstanceId'`, or a path of names to a member: `['SystemDisk', 'Size']`); never wire syntax. A field
 *   that names no parameter fills the one its own name spells (`regionId` → `RegionId`); `param: null` marks a
 *   field the gateway uses itself (`regionId` where the action has no RegionId: it picks the endpoint).
 *   A path through a list of objects (`['Permissions', 'PortRange']`) fills the list's one item; a field
 *   may fill one of several parameters picked by its value (ParamByValue: a rule's `source` is a CIDR block
 *   or a security group); a route may stand for several actions picked by one field (`actionBy`: a rule's
 *   `direction`), every field checked against each of them. The wire parameters are then derived from the
 *   catalog by `toWire` (src/gateway/ecs/wire.ts); or
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
 * An answer of an action with secret response fields (CreateKeyPair's private key) is sent with
 * `Cache-Control: no-store`, on curated and generic routes alike.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CredentialProvider } from '../credentials.js';
import { getAction } from '../ecs/catalog/index.js';
import type { Action, Param } from '../ecs/catalog/types.js';
import type { EcsClient, EcsResult } from '../ecs/client.js';
import { fieldSpellings } from '../ecs/names.js';
import { actionSchemaWith } from '../ecs/schema.js';
import type { Credentials } from '../ecs/signer.js';
import { memberFor, toWire, type WireParams } from '../ecs/wire.js';
import { ErrorCode, GatewayError, validationError } from '../errors.js';
import { cancelOnClientGone } from '../http/client-gone.js';
import { foldSpellings, mergeCredentialHeaders } from '../http/normalize.js';
import { auditCall, authorizeCall, resourceIdsOf } from '../policy/index.js';
import { commonFields } from '../schemas/common.js';
import { envelopeSchema, errorResponses, STRUCT_TYPE_URL } from '../schemas/envelope.js';
import { addKnownFieldNames, objectKeysAt, secret } from '../schemas/fields.js';
import { holdsSecret } from '../schemas/secrets.js';
import { genericValidationError, unknownAction } from './generic-errors.js';
import type { Waiter } from '../jobs/wait.js';
import { waitHook } from '../jobs/wait-hook.js';
import type { JobDeps } from '../jobs/context.js';
import { listAll, listAllFields, listAllQuery, wantsAll } from '../jobs/list-all.js';
import { isPageable } from '../jobs/pager.js';

/** What every ECS route needs from the app. */
export interface RouteDeps {
  client: EcsClient;
  /** The server's default credentials (a key of the policy file may name its own profile: request.caller.credentials). */
  defaultCredentials?: CredentialProvider | undefined;
  /** Waits for `waitFor` on the lifecycle routes (src/gateway/jobs/wait-hook.ts); default: GATEWAY_MAX_WAIT_MS's default. */
  waiter?: Waiter | undefined;
  /** Paging and fan-out jobs (shared limiter, GATEWAY_MAX_ITEMS); see jobs/context.ts. */
  jobs?: JobDeps | undefined;
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
  /** A curated route with several actions: the input field that picks one, and the action of each value (`action` is the default). */
  actionBy?: { field: string; actions: Readonly<Record<string, string>> };
}

/** The ECS action a request calls and whether it only reads, from its route's config (undefined: none, or unknown). */
export function routeCall(request: FastifyRequest): { action: string; readOnly: boolean } | undefined {
  const config = request.routeOptions.config as EcsRouteConfig | undefined;
  if (config?.actionBy) {
    const input = (request.method === 'GET' || request.method === 'DELETE' ? request.query : request.body) as Record<string, unknown> | undefined;
    const value = input?.[config.actionBy.field];
    const action = getAction((typeof value === 'string' ? config.actionBy.actions[value] : undefined) ?? config.action ?? '');
    if (action) return { action: action.name, readOnly: action.readOnly };
  }
  if (config?.action) return { action: config.action, readOnly: config.readOnly ?? false };
  if (config?.actionParam) {
    const name = (request.params as Record<string, unknown> | undefined)?.[config.actionParam];
    const action = typeof name === 'string' ? getAction(name) : undefined;
    return action ? { action: action.name, readOnly: action.readOnly } : undefined;
  }
  return undefined;
}

/** A catalog parameter by name (`'InstanceId'`), or by a path of names to a member (`['SystemDisk', 'Size']`). */
export type ParamRef = string | readonly string[];

/**
 * A field whose value decides which parameter it fills: `pick(value)` returns one of the keys of `params`
 * (`source`: an IPv4 CIDR block fills `SourceCidrIp`, a security group id `SourceGroupId`). The keys say
 * what the value is ("a security group id"): they name it in the 400 when the route's action has no such
 * parameter. Every parameter is checked against the catalog at start-up.
 */
export interface ParamByValue {
  params: Readonly<Record<string, ParamRef>>;
  pick: (value: unknown) => string;
}

/** A public field of a curated route: its validation and the catalog parameter it fills. */
export interface FieldSpec {
  schema: z.ZodType;
  /**
   * The catalog parameter this field fills (a name or a path of names; a path through a list of objects,
   * `['Permissions', 'PortRange']`, fills its one item); default: the parameter whose name the field spells.
   * A ParamByValue: one of several, by the value. `null`: not an ECS parameter (the gateway uses it itself).
   */
  param?: ParamRef | ParamByValue | null;
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
  /** GET and DELETE take the fields in the query string; POST, PUT and PATCH in a JSON body. */
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The catalog action, e.g. `StopInstances` (with `actionBy`: the default one). */
  action: string;
  /**
   * A route in front of several actions: the field (`param: null`) whose value picks the action
   * (`direction: "egress"` → AuthorizeSecurityGroupEgress); absent or another value: `action`. Every
   * field is checked against every action at start-up.
   */
  actionBy?: { field: string; actions: Readonly<Record<string, string>> };
  /** The OpenAPI tag (the resource), default `Instance`. */
  tag?: string;
  /** The public fields, in the order they are documented (query string for GET, JSON body otherwise). Credentials and `endpoint` are added. */
  fields: Readonly<Record<string, Field>>;
  /** Path parameters (`/instances/:instanceId`) and the parameters they fill. */
  pathParams?: Readonly<Record<string, Field>>;
  /** Checks across fields (and defaults that depend on several), applied to the whole input object. */
  refine?: (input: z.ZodObject) => z.ZodType;
  /** The request example: the JSON body, or the query string of GET and DELETE (the tests send it). */
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
export function resolveCredentials(input: Record<string, unknown>, fallback: CredentialProvider | undefined): Credentials | Promise<Credentials> {
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
  // Resolved only now, when the caller sent none: cached by the provider, a 503 CREDENTIALS_UNAVAILABLE when it fails.
  if (fallback) return fallback.get();
  throw new GatewayError(401, ErrorCode.missingCredentials,
    'No credentials: send accessKeyId and accessKeySecret (fields or X-Access-Key-Id / X-Access-Key-Secret headers)');
}

/** The credentials a request's calls are signed with: its own, else its key's profile, else the server's default. */
export function requestCredentials(request: FastifyRequest, deps: RouteDeps, input: Record<string, unknown>): Credentials | Promise<Credentials> {
  return resolveCredentials(input, request.caller?.credentials ?? deps.defaultCredentials);
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

/** A catalog parameter a curated field fills: the path of names to it, which levels are lists, and the parameter itself. */
interface Target {
  names: readonly string[];
  /** Per name: whether that level is a list (of objects, when a deeper name follows: its one item is filled). */
  lists: readonly boolean[];
  param: Param;
}

/** The members of an object parameter, or of the objects of a list parameter. */
function membersOf(param: Param): readonly Param[] | undefined {
  if (param.type === 'object') return param.members;
  if (param.type === 'array' && param.items.type === 'object') return param.items.members;
  return undefined;
}

/**
 * Resolves a parameter reference of `field` in `action`; undefined when `optional` and the action lacks it,
 * else throws (at start-up) when the declaration does not fit the catalog.
 */
function resolveRef(action: Action, where: string, field: string, ref: ParamRef | undefined, optional = false): Target | undefined {
  const fail = (why: string): never => {
    throw new Error(`${where}: field ${field} ${why}`);
  };
  if (ref === undefined) {
    const p = memberFor(action.params, field);
    if (!p || p.internal) return fail(`spells no parameter of ${action.name}; name one with \`param\` (or \`param: null\`)`);
    return { names: [p.name], lists: [p.type === 'array'], param: p };
  }
  const names = typeof ref === 'string' ? [ref] : [...ref];
  let members: readonly Param[] | undefined = action.params;
  let found: Param | undefined;
  const lists: boolean[] = [];
  for (const name of names) {
    if (/[.\d]/.test(name[0] ?? '') || name.includes('.')) fail(`names ${name}: give catalog names, not wire syntax`);
    found = members?.find((m) => m.name === name);
    if (!found || found.internal) return optional ? undefined : fail(`names ${names.join(' → ')}, which ${action.name} does not have`);
    lists.push(found.type === 'array');
    members = membersOf(found);
  }
  return { names, lists, param: found! };
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

/** Where a value goes in the catalog-shaped input of toWire. */
interface Slot {
  names: readonly string[];
  lists: readonly boolean[];
  /** The parameter is a list and the field a single value (a path parameter): send it as a one-item list. */
  wrap: boolean;
}

/** Where one value of the validated input goes: one slot, or (ParamByValue) the slot its value picks. */
interface Placement {
  from: 'input' | 'params';
  key: string;
  slot?: Slot;
  /** ParamByValue: the picker and, per pick, the slot (undefined: this action has no such parameter). */
  byValue?: { pick: (value: unknown) => string; slots: Readonly<Record<string, Slot | undefined>> };
}

const slotOf = (target: Target): Slot => ({ names: target.names, lists: target.lists, wrap: target.param.type === 'array' });

/** Puts `value` at `slot`; a list level before the last is one object, created as a one-item list. */
function place(out: Record<string, unknown>, slot: Slot, value: unknown): void {
  const { names, lists } = slot;
  let node = out;
  names.slice(0, -1).forEach((name, i) => {
    if (lists[i]) {
      const list = (Array.isArray(node[name]) ? node[name] : (node[name] = [{}])) as Record<string, unknown>[];
      node = list[0]!;
      return;
    }
    const next = node[name];
    node = (typeof next === 'object' && next !== null ? next : (node[name] = {})) as Record<string, unknown>;
  });
  node[names.at(-1)!] = slot.wrap && !Array.isArray(value) ? [value] : value;
}

const isByValue = (param: FieldSpec['param']): param is ParamByValue =>
  typeof param === 'object' && param !== null && !Array.isArray(param) && 'pick' in param;

/**
 * The field schemas of a curated route (secret-marked from the catalog: a field is secret when what it
 * fills is, in any of the route's actions) and, per action, where each value goes.
 */
function compileFields(actions: readonly Action[], where: string, fields: Readonly<Record<string, Field>>, from: Placement['from'],
  placements: Map<Action, Placement[]>): Record<string, z.ZodType> {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, field] of Object.entries(fields)) {
    const { schema, param } = field instanceof z.ZodType ? { schema: field, param: undefined } : field;
    if (param === null) {
      shape[name] = schema;
      continue;
    }
    let secretField = false;
    for (const action of actions) {
      const list = placements.get(action) ?? [];
      placements.set(action, list);
      if (isByValue(param)) {
        const slots: Record<string, Slot | undefined> = {};
        for (const [kind, ref] of Object.entries(param.params)) {
          // A choice one of the route's actions lacks is refused per request; one that no action has is a typo.
          const target = resolveRef(action, where, name, ref, actions.length > 1);
          if (target) {
            checkMembers(where, name, schema, target);
            secretField ||= holdsSecret(target.param);
          }
          slots[kind] = target && slotOf(target);
        }
        list.push({ from, key: name, byValue: { pick: param.pick, slots } });
      } else {
        const target = resolveRef(action, where, name, param)!;
        checkMembers(where, name, schema, target);
        secretField ||= holdsSecret(target.param);
        list.push({ from, key: name, slot: slotOf(target) });
      }
    }
    if (isByValue(param)) {
      for (const ref of Object.values(param.params)) {
        if (actions.every((a) => !resolveRef(a, where, name, ref, true))) resolveRef(actions[0]!, where, name, ref);
      }
    }
    shape[name] = secretField ? secret(schema) : schema;
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
    const credentials = await requestCredentials(request, deps, input);
    result = await deps.client.call({
      action: action.name,
      params: wire,
      credentials,
      regionId,
      endpoint,
      cancelOn: cancelOnClientGone(request),
    });
    plan.check?.(result);
  } catch (err) {
    const ecsRequestId = err instanceof GatewayError && typeof err.extra.ecsRequestId === 'string' ? err.extra.ecsRequestId : undefined;
    if (ecsRequestId) request.ecsRequestId = ecsRequestId;
    auditCall(request, {
      action: action.name, regionId, readOnly: action.readOnly, resourceIds: resourceIdsOf(wire), ecsRequestId,
      outcome: err instanceof GatewayError ? err.code : ErrorCode.internal,
    });
    throw err;
  }
  const ecsRequestId = typeof result.body.RequestId === 'string' ? result.body.RequestId : undefined;
  if (ecsRequestId) request.ecsRequestId = ecsRequestId;
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
      querystring: listAllQuery,
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
      if (wantsAll(request)) return listAll(request, reply, deps, { action, input, wire: toWire(action, input, { ignore: GATEWAY_FIELDS }) });
      const text = await callEcs(request, deps, { action, input, wire: toWire(action, input, { ignore: GATEWAY_FIELDS }) });
      if (noStore(action)) reply.header('cache-control', 'no-store');
      // A string with a JSON content type is sent as it is, past the serializer.
      return reply.type('application/json; charset=utf-8').send(text as never);
    },
  });
}

/** The actions of a curated declaration: `action`, then those of `actionBy`; throws for one the catalog lacks. */
function actionsOf(decl: CuratedRoute): Action[] {
  const names = [...new Set([decl.action, ...Object.values(decl.actionBy?.actions ?? {})])];
  return names.map((name) => {
    const action = getAction(name);
    if (!action) throw new Error(`${decl.operationId}: ${name} is not an ECS action of the catalog`);
    return action;
  });
}

/** An answer carrying a secret (CreateKeyPair's private key, …) must not be kept by any cache. */
export const noStore = (action: Action): boolean => (action.responseSecrets?.length ?? 0) > 0;

function registerCurated(app: FastifyInstance, deps: RouteDeps, decl: CuratedRoute): void {
  const actions = actionsOf(decl);
  const where = `${decl.operationId} (${actions.map((a) => a.name).join(', ')})`;
  if (decl.actionBy) {
    const picker = (decl.fields as Record<string, Field>)[decl.actionBy.field];
    if (!picker || picker instanceof z.ZodType || picker.param !== null) throw new Error(`${where}: actionBy names ${decl.actionBy.field}, which must be a field with \`param: null\``);
  }
  const placements = new Map<Action, Placement[]>();
  const wait = waitHook(deps, decl);
  // A GET list (every action read-only with paging, no lookup check) takes all=true and maxItems (jobs/list-all.ts).
  const pageable = decl.method === 'GET' && !decl.check && actions.every(isPageable);
  let input: z.ZodType = z.strictObject({ ...commonFields, ...wait?.fields, ...compileFields(actions, where, decl.fields, 'input', placements), ...(pageable ? listAllFields : {}) });
  if (decl.refine) input = decl.refine(input as z.ZodObject);
  if (decl.example) input = input.meta({ example: decl.example });
  const pathParams = decl.pathParams ? z.object(compileFields(actions, where, decl.pathParams, 'params', placements)) : undefined;
  const location = decl.method === 'GET' || decl.method === 'DELETE' ? 'querystring' : 'body';
  const [main] = actions as [Action];
  const config: EcsRouteConfig = { action: main.name, readOnly: main.readOnly, ...(decl.actionBy ? { actionBy: decl.actionBy } : {}) };

  const actionFor = (values: Record<string, unknown>): Action => {
    const value = decl.actionBy ? values[decl.actionBy.field] : undefined;
    const name = typeof value === 'string' ? decl.actionBy?.actions[value] : undefined;
    return (name && actions.find((a) => a.name === name)) || main;
  };

  /** The wire parameters, from the catalog: each field's value placed under the parameter it fills. */
  const wireOf = (action: Action, values: Record<string, unknown>, params: Record<string, unknown>): WireParams => {
    const catalogInput: Record<string, unknown> = {};
    for (const p of placements.get(action) ?? []) {
      const value = (p.from === 'params' ? params : values)[p.key];
      if (value === undefined) continue;
      let slot = p.slot;
      if (p.byValue) {
        const kind = p.byValue.pick(value);
        slot = p.byValue.slots[kind];
        if (!slot) {
          throw validationError([{ location: p.from === 'params' ? 'params' : location, field: p.key, message: `${action.name} does not take ${kind} here` }]);
        }
      }
      place(catalogInput, slot!, value);
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
      description: wait ? wait.describe(decl.description) : decl.description,
      tags: [decl.tag ?? 'Instance'],
      [location]: input,
      ...(pathParams ? { params: pathParams } : {}),
      response: { 200: wait ? wait.responseSchema(decl.exampleBody) : envelopeSchema(decl.exampleBody), ...errorResponses },
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
      const action = actionFor(values);
      const check = decl.check;
      if (pageable && wantsAll(request)) return listAll(request, reply, deps, { action, input: values, wire: wireOf(action, values, params) });
      const waiting = wait?.start(request, reply, values, params);
      let text = await callEcs(request, deps, {
        action, input: values, wire: wireOf(action, values, params), check: check ? (result) => check(result, params) : undefined,
      });
      if (waiting) text = await waiting.finish(text);
      if (noStore(action)) reply.header('cache-control', 'no-store');
      return reply.type('application/json; charset=utf-8').send(text as never);
    },
  });
}
