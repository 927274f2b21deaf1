/**
 * The action catalog, for people and for programs that generate calls (LLM agents among them):
 *
 * - `GET /api/ecs`: every action with a one-line summary, its domain and whether it only reads;
 * - `GET /api/ecs/{Action}`: one action's parameters: the name to send (lowerCamelCase; snake_case and the
 *   wire name work too), type, whether required, wire style, nested members and documented limits.
 *
 * Both answers are plain JSON (not the ECS envelope: ECS is not called), built once and kept.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actionNames, catalogInfo, getAction } from '../ecs/catalog/index.js';
import type { Action, Param, Shape, WireStyle } from '../ecs/catalog/types.js';
import { camelCase, snakeCase } from '../ecs/names.js';
import { errorResponses } from '../schemas/envelope.js';
import type { EcsRouteConfig } from './factory.js';
import { unknownAction } from './generic-errors.js';

/** What the wire styles mean, for a caller that builds values. */
export const WIRE_STYLES: Readonly<Record<WireStyle, string>> = {
  flat: 'a scalar: send a string, number or boolean',
  repeatList: 'a list: send a JSON array (of scalars, objects or lists, as `items` says); ECS gets Name.1, Name.2, …',
  object: 'an object: send a JSON object with the listed `members`; ECS gets Name.Member',
  json: 'a JSON-valued parameter: send the native array or object (or its JSON text); ECS gets it JSON-encoded',
};

/** A value's shape as documented: type, limits, and nested items or members. */
interface ShapeDoc {
  type: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  items?: ShapeDoc;
  members?: ParamDoc[];
  /** An object whose keys the caller chooses (members are not listed). */
  freeForm?: true;
}

/** One parameter as documented. */
interface ParamDoc extends ShapeDoc {
  /** The name to send (lowerCamelCase). */
  name: string;
  /** The same name in snake_case (also accepted). */
  snakeName: string;
  /** The ECS wire name (also accepted). */
  wireName: string;
  required: boolean;
  style: WireStyle;
  description?: string;
  example?: string;
  deprecated?: true;
  /** Never logged or echoed. */
  secret?: true;
}

function shapeDoc(shape: Shape): ShapeDoc {
  const out: ShapeDoc = { type: shape.type };
  switch (shape.type) {
    case 'array':
      out.items = shapeDoc(shape.items);
      if (shape.maxItems !== undefined) out.maxItems = shape.maxItems;
      break;
    case 'object':
      if (shape.members) out.members = shape.members.filter((m) => !m.internal).map(paramDoc);
      else out.freeForm = true;
      break;
    default:
      for (const key of ['enum', 'minimum', 'maximum', 'minLength', 'maxLength'] as const) {
        if (shape[key] !== undefined) (out as unknown as Record<string, unknown>)[key] = shape[key];
      }
  }
  return out;
}

function paramDoc(param: Param): ParamDoc {
  const { type, ...shape } = shapeDoc(param);
  return {
    name: camelCase(param.name), snakeName: snakeCase(param.name), wireName: param.name, type,
    required: param.required === true, style: param.style,
    ...(param.description ? { description: param.description } : {}),
    ...(param.example !== undefined ? { example: param.example } : {}),
    ...(param.deprecated ? { deprecated: true as const } : {}),
    ...(param.secret ? { secret: true as const } : {}),
    ...shape,
  };
}

/** One action as `GET /api/ecs/{Action}` describes it. */
export function describeAction(action: Action) {
  return {
    name: action.name,
    summary: action.description,
    domain: action.domain,
    readOnly: action.readOnly,
    idempotent: action.idempotent,
    ...(action.deprecated ? { deprecated: true as const } : {}),
    call: `POST /api/ecs/${action.name}`,
    // Required first, then by name; Alibaba-internal parameters are not for callers (and are refused).
    parameters: action.params.filter((p) => !p.internal).map(paramDoc)
      .sort((a, b) => Number(b.required) - Number(a.required) || a.name.localeCompare(b.name)),
    ...(action.list ? { list: action.list } : {}),
    ...(action.paging ? { paging: action.paging } : {}),
    ...(action.responseSecrets ? { responseSecrets: action.responseSecrets } : {}),
  };
}

/** The list `GET /api/ecs` answers with. */
export function listDoc() {
  const actions = actionNames().map((name) => {
    const a = getAction(name)!;
    return { name: a.name, summary: a.description, domain: a.domain, readOnly: a.readOnly, ...(a.deprecated ? { deprecated: true as const } : {}) };
  });
  return {
    version: catalogInfo.version,
    count: actions.length,
    call: 'POST /api/ecs/{Action}',
    describe: 'GET /api/ecs/{Action}',
    wireStyles: WIRE_STYLES,
    actions,
  };
}

// ---------------------------------------------------------------------------------------------------
// OpenAPI (documentation only: the answers are built above and sent as JSON text)

const limits = {
  enum: z.array(z.string()).optional().describe('Documented values (not enforced: ECS accepts more, and ignores case for some)'),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  minLength: z.number().int().optional(),
  maxLength: z.number().int().optional(),
  maxItems: z.number().int().optional().describe('Lists: the most items'),
};
const paramDocSchema = z.object({
  name: z.string().describe('The name to send (lowerCamelCase)'),
  snakeName: z.string().describe('snake_case spelling, also accepted'),
  wireName: z.string().describe('ECS wire name, also accepted'),
  type: z.enum(['string', 'integer', 'number', 'boolean', 'array', 'object']),
  required: z.boolean(),
  style: z.enum(['flat', 'repeatList', 'object', 'json']).describe('How ECS takes it: see wireStyles of GET /api/ecs'),
  description: z.string().optional(),
  example: z.string().optional(),
  deprecated: z.boolean().optional(),
  secret: z.boolean().optional().describe('Never logged or echoed'),
  ...limits,
  items: z.record(z.string(), z.unknown()).optional().describe('Arrays: the items\' shape (type, limits, members)'),
  members: z.array(z.record(z.string(), z.unknown())).optional().describe('Objects: their parameters, each documented like this one'),
  freeForm: z.boolean().optional().describe('An object whose keys the caller chooses'),
});

const actionNameParam = z.object({ Action: z.string().describe('The exact ECS action name, e.g. DescribeInstances').meta({ example: 'StopInstances' }) });

const listSchema = z.object({
  version: z.string().describe('The ECS API version'),
  count: z.number().int(),
  call: z.string().describe('How to call an action'),
  describe: z.string().describe('Where an action\'s parameters are described'),
  wireStyles: z.record(z.string(), z.string()).describe('What each parameter style means'),
  actions: z.array(z.object({
    name: z.string(), summary: z.string(), domain: z.string(), readOnly: z.boolean(), deprecated: z.boolean().optional(),
  })),
});

const describeSchema = z.object({
  name: z.string(),
  summary: z.string(),
  domain: z.string(),
  readOnly: z.boolean().describe('Only reads (Describe*, List*, Get*, Query*)'),
  idempotent: z.boolean().describe('Takes a ClientToken: a retry with the same token is done once'),
  deprecated: z.boolean().optional(),
  call: z.string(),
  parameters: z.array(paramDocSchema).describe('Required ones first'),
  list: z.string().optional().describe('Dotted path of the response\'s main list'),
  paging: z.record(z.string(), z.unknown()).optional().describe('nextToken and/or pageNumber paging, with the size parameter and its largest value'),
  responseSecrets: z.array(z.string()).optional().describe('Secret response fields: returned to the caller, never logged'),
});

/** Built on first request, then kept: the catalog does not change while the gateway runs. */
let listText: string | undefined;
const describeTexts = new Map<string, string>();

const exampleDescribe = {
  name: 'StopInstances', summary: 'Stops one or more ECS instances.', domain: 'instances', readOnly: false, idempotent: false,
  call: 'POST /api/ecs/StopInstances',
  parameters: [
    { name: 'instanceId', snakeName: 'instance_id', wireName: 'InstanceId', type: 'array', required: true, style: 'repeatList', description: 'The IDs of instances.', example: 'i-bp67acfmxazb4p****', items: { type: 'string' }, maxItems: 100 },
    { name: 'regionId', snakeName: 'region_id', wireName: 'RegionId', type: 'string', required: true, style: 'flat', description: 'The region ID of the instance.', example: 'cn-hangzhou' },
  ],
};

/** GET /api/ecs and GET /api/ecs/{Action}. */
export function discoveryRoutes() {
  return async (app: FastifyInstance): Promise<void> => {
    const typed = app.withTypeProvider<ZodTypeProvider>();
    const config: EcsRouteConfig = { readOnly: true };
    typed.get('/ecs', {
      config,
      schema: {
        operationId: 'Ecs_ListActions', tags: ['ECS'], summary: 'List the ECS actions',
        description: 'Every ECS action the gateway can call at POST /api/ecs/{Action}, with a one-line summary, its domain and whether it only reads.',
        response: {
          200: listSchema.meta({ example: { version: '2014-05-26', count: 380, call: 'POST /api/ecs/{Action}', describe: 'GET /api/ecs/{Action}', wireStyles: WIRE_STYLES, actions: [{ name: 'StopInstances', summary: 'Stops one or more ECS instances.', domain: 'instances', readOnly: false }] } }),
          ...errorResponses,
        },
      },
    }, async (_request, reply) => {
      listText ??= JSON.stringify(listDoc());
      return reply.type('application/json; charset=utf-8').send(listText as never);
    });
    typed.get('/ecs/:Action', {
      config,
      schema: {
        operationId: 'Ecs_DescribeAction', tags: ['ECS'], summary: 'Describe one ECS action',
        description: 'The parameters of one action: the name to send, type, whether required, wire style, nested members and documented limits. An unknown name is 404 UNKNOWN_ACTION with the closest names.',
        params: actionNameParam,
        response: { 200: describeSchema.meta({ example: exampleDescribe }), ...errorResponses },
      },
    }, async (request, reply) => {
      const name = request.params.Action;
      let text = describeTexts.get(name);
      if (!text) {
        const action = getAction(name);
        if (!action) throw unknownAction(name);
        text = JSON.stringify(describeAction(action));
        describeTexts.set(name, text);
      }
      return reply.type('application/json; charset=utf-8').send(text as never);
    });
  };
}
