/**
 * The OpenAPI document of every ECS action (served at /docs/ecs/json), built from the action catalog:
 * one operation per action, `POST /api/ecs/{Action}`, `operationId` = the action name, tagged by the
 * catalog's domain. The request schemas come from src/gateway/ecs/json-schema.ts, the JSON Schema twin
 * of the zod schemas that validate (schema.ts); each operation's example body is made from the catalog's
 * examples and checked against that zod schema here, so a generated example always validates.
 *
 * Built by `npm run openapi` (scripts/generate-openapi.ts) into a committed file; never at run time.
 */
import { z } from 'zod';
import { catalogInfo, listActions } from '../src/gateway/ecs/catalog/index.js';
import type { Action, Domain, Param, Shape } from '../src/gateway/ecs/catalog/types.js';
import { actionJsonSchema, jsonExample, type JsonSchema, typedExample } from '../src/gateway/ecs/json-schema.js';
import { camelCase } from '../src/gateway/ecs/names.js';
import { actionSchemaWith, type SchemaOptions } from '../src/gateway/ecs/schema.js';
import { API_SECURITY, SECURITY_SCHEMES } from '../src/gateway/plugins/docs.js';
import { commonFields } from '../src/gateway/schemas/common.js';
import { envelopeSchema } from '../src/gateway/schemas/envelope.js';
import { GATEWAY_VERSION } from '../src/gateway/version.js';

/** One tag per catalog domain, in this order. */
export const DOMAIN_TAGS: Readonly<Record<Domain, { name: string; description: string }>> = {
  instances: { name: 'Instances', description: 'Create, start, stop, reboot, modify, release and describe ECS instances; instance attributes, user data, RAM roles, VNC and console access' },
  disks: { name: 'Disks', description: 'Cloud disks (create, attach, detach, resize, re-initialise, release), storage sets and storage capacity units' },
  snapshots: { name: 'Snapshots', description: 'Snapshots, snapshot groups and automatic snapshot policies' },
  images: { name: 'Images', description: 'Custom images: create, copy, share, import, export; image components and image pipelines' },
  'security-groups': { name: 'Security groups', description: 'Security groups and their rules, port range lists and prefix lists' },
  networking: { name: 'Networking', description: 'Elastic network interfaces, private and IPv6 addresses, EIPs, VPCs, vSwitches, routers, NAT gateways, bandwidth packages and physical connections' },
  'key-pairs': { name: 'Key pairs', description: 'SSH key pairs: create, import, attach, detach, delete' },
  tags: { name: 'Tags', description: 'Tags on ECS resources, and finding resources by tag' },
  'cloud-assistant': { name: 'Cloud Assistant', description: 'Run commands and send files on instances (Cloud Assistant): commands, invocations, sessions, plug-ins, managed instances and activations' },
  'launch-templates': { name: 'Launch templates', description: 'Launch templates and their versions' },
  'dedicated-hosts': { name: 'Dedicated hosts', description: 'Dedicated hosts, dedicated host clusters and their placement' },
  deployment: { name: 'Deployment sets', description: 'Deployment sets (spreading instances across hardware) and HPC clusters' },
  'auto-provisioning': { name: 'Auto provisioning', description: 'Auto provisioning groups of instances' },
  capacity: { name: 'Capacity', description: 'Capacity reservations, elasticity assurances, available resources, spot advice and instance type recommendations' },
  billing: { name: 'Billing', description: 'Prices, renewals, reserved instances and savings plans' },
  maintenance: { name: 'Maintenance', description: 'System events, maintenance windows and instance health' },
  diagnostics: { name: 'Diagnostics', description: 'Diagnostic reports and metric sets' },
  regions: { name: 'Regions and zones', description: 'Regions, zones, instance types and instance type families' },
  account: { name: 'Account', description: 'Account attributes and quotas, resource groups' },
  tasks: { name: 'Tasks', description: 'Asynchronous tasks' },
};

/**
 * The options the generic route validates with (schema.ts): the document describes that validation. Enum
 * lists are not enforced there by default, so they are documented as `x-documented-values`; with
 * `enforceEnums` they would become `enum`.
 */
export const SCHEMA_OPTIONS: SchemaOptions = {};

/** The error schema and security of the main document, shared so that both describe them the same way. */
export interface SharedParts {
  /** `components.schemas.Error` of the main document. */
  errorSchema: unknown;
}

const UNAVAILABLE = /not available for use|invitational preview|not publicly available/i;
/** Optional parameters an example leaves out: unusable ones, and anything named like a password (even the names of stored ones). */
const skipInExample = (p: Param): boolean => !p.required && (Boolean(p.deprecated) || UNAVAILABLE.test(p.description ?? '') || /passw/i.test(p.name));
/** How many optional parameters an example body shows besides the required ones. */
const OPTIONAL_IN_EXAMPLE = 8;
/** How many optional members an example object shows besides the required ones. */
const OPTIONAL_MEMBERS_IN_EXAMPLE = 6;

/**
 * Which optional parameters an example shows first: the ones that name what to act on (ids, types, names,
 * sizes), then other values, then flags, idempotency tokens, paging and free text. Sorting is stable, so
 * ties keep the catalog's (alphabetical) order.
 */
function relevance(p: Param): number {
  if (/^(ClientToken|DryRun|Description|NextToken|MaxResults|PageNumber|PageSize|Tag)$/.test(p.name) || /^Ipv6/i.test(p.name) || p.type === 'boolean') return 0;
  if (/(Id|Ids|Type|Name|Category|Size)$/.test(p.name)) return 2;
  return 1;
}

/** A value to fill in, for a parameter the catalog has no usable example for: `<InstanceId>`, the minimum, … */
function placeholder(shape: Shape, name: string): unknown {
  switch (shape.type) {
    case 'string': {
      if (shape.enum?.[0]) return shape.enum[0];
      let s = `<${name}>`;
      if (shape.minLength !== undefined && s.length < shape.minLength) s = s.padEnd(shape.minLength, 'x');
      if (shape.maxLength !== undefined && s.length > shape.maxLength) s = s.slice(0, shape.maxLength);
      return s;
    }
    case 'integer':
    case 'number':
      return shape.minimum ?? Math.min(1, shape.maximum ?? 1);
    case 'boolean':
      return false;
    case 'array':
      return [placeholder(shape.items, name)];
    case 'object':
      return shape.members ? objectExample(shape.members, true) ?? {} : {};
  }
}

/** The example value of a parameter or member, or undefined to leave it out. Secrets never get one. */
function exampleOf(param: Param): unknown {
  if (param.secret) return param.required ? placeholder(param, param.name) : undefined;
  let value: unknown;
  if (param.style === 'json') value = jsonExample(param, param.example);
  else if (param.type === 'object' && param.members) value = objectExample(param.members, Boolean(param.required));
  else if (param.type === 'array' && param.items.type === 'object' && param.items.members) {
    const item = objectExample(param.items.members, Boolean(param.required));
    value = item === undefined ? undefined : [item];
  } else value = typedExample(param, param.example);
  if (value === undefined && param.required) value = placeholder(param, param.name);
  return value;
}

/** An object of the required members and a few with examples; undefined when there is nothing to show and nothing is required. */
function objectExample(members: readonly Param[], needed: boolean): Record<string, unknown> | undefined {
  // Inside objects the names say less (AuthorizeSecurityGroup's `permissions`: ipProtocol and portRange matter
  // more than the ids), so only the least relevant go last.
  const picked = pick(members, OPTIONAL_MEMBERS_IN_EXAMPLE, (p) => Math.min(relevance(p), 1));
  return Object.keys(picked).length > 0 || needed ? picked : undefined;
}

/** The required members and the `optional` most relevant others with an example, in the catalog's order, by lowerCamelCase name. */
function pick(members: readonly Param[], optional: number, rank: (p: Param) => number = relevance): Record<string, unknown> {
  const candidates = members.filter((p) => !p.internal && !skipInExample(p));
  const values = new Map(candidates.map((p) => [p, exampleOf(p)] as const));
  const chosen = new Set(candidates.filter((p) => !p.required && values.get(p) !== undefined)
    .sort((a, b) => rank(b) - rank(a)).slice(0, optional));
  const out: Record<string, unknown> = {};
  for (const p of candidates) {
    const v = values.get(p);
    if (v !== undefined && (p.required || chosen.has(p))) out[camelCase(p.name)] = v;
  }
  return out;
}

/**
 * The example body of an action: its required parameters and up to OPTIONAL_IN_EXAMPLE optional ones
 * with catalog examples, checked against the action's zod schema. A value the schema refuses is replaced
 * by a placeholder (required) or left out (optional); an example that still fails stops the build.
 */
export function exampleBody(action: Action): Record<string, unknown> {
  const body = pick(action.params, OPTIONAL_IN_EXAMPLE);
  const schema = actionSchemaWith(action, commonFields, SCHEMA_OPTIONS);
  for (let attempt = 0; attempt < 3; attempt++) {
    const result = schema.safeParse(body);
    if (result.success) return body;
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? '');
      const param = action.params.find((p) => camelCase(p.name) === key);
      if (!param) continue;
      if (param.required) body[key] = placeholder(param, param.name);
      else delete body[key];
    }
  }
  throw new Error(`${action.name}: no valid example body: ${JSON.stringify(schema.safeParse(body).error?.issues)}`);
}

/** The credential fields every route takes, as JSON Schema, from the same zod schemas that validate them. */
function credentialProperties(): Record<string, JsonSchema> {
  const schema = z.toJSONSchema(z.object(commonFields), { target: 'openapi-3.0', io: 'input' }) as { properties: Record<string, JsonSchema> };
  return schema.properties;
}

function operationDescription(action: Action): string {
  const lines = [action.description, ''];
  const facts = [action.readOnly ? 'Read-only.' : 'Changes resources.'];
  if (action.idempotent) facts.push('Idempotent with `clientToken`.');
  if (action.paging?.nextToken) {
    const { sizeParam, maxSize } = action.paging.nextToken;
    facts.push(`Pages with \`nextToken\`${sizeParam ? ` and \`${camelCase(sizeParam)}\`${maxSize ? ` (at most ${maxSize})` : ''}` : ''}.`);
  }
  if (action.paging?.pageNumber) {
    const { maxSize } = action.paging.pageNumber;
    facts.push(`Pages with \`pageNumber\` and \`pageSize\`${maxSize ? ` (at most ${maxSize})` : ''}.`);
  }
  if (action.list) facts.push(`The list is \`data.value.body.${action.list}\`.`);
  if (action.responseSecrets?.length) facts.push(`Secret response fields (never logged): ${action.responseSecrets.map((s) => `\`${s}\``).join(', ')}.`);
  if (action.deprecated) facts.push('Deprecated by ECS.');
  lines.push(facts.join(' '), '', `Wire names and styles of every parameter: \`GET /api/ecs/${action.name}\`.`);
  return lines.join('\n');
}

function operation(action: Action, credentials: Record<string, JsonSchema>) {
  return {
    operationId: action.name,
    summary: action.description,
    description: operationDescription(action),
    tags: [DOMAIN_TAGS[action.domain].name],
    ...(action.deprecated ? { deprecated: true } : {}),
    'x-read-only': action.readOnly,
    'x-idempotent': action.idempotent,
    externalDocs: { description: `${action.name} in the Alibaba Cloud API reference`, url: `https://api.aliyun.com/api/Ecs/${catalogInfo.version}/${action.name}` },
    requestBody: {
      required: true,
      content: { 'application/json': { schema: { $ref: `#/components/schemas/${action.name}Request` }, example: exampleBody(action) } },
    },
    responses: {
      200: {
        description: 'The ECS answer in the envelope of every route',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Envelope' } } },
      },
      '4XX': { $ref: '#/components/responses/ClientError' },
      '5XX': { $ref: '#/components/responses/ServerError' },
    },
    // Its input schema, named: generated clients get one model per action.
    _schema: actionJsonSchema(action, credentials, SCHEMA_OPTIONS),
  };
}

const DESCRIPTION = `Every action of Alibaba Cloud ECS (RPC API ${catalogInfo.version}), through the gateway's generic route \`POST /api/ecs/{Action}\`: one operation per action, grouped by domain. The curated REST routes (instances, images, regions, …) are documented at [/docs](/docs) ([JSON](/docs/json)).

**Request.** A JSON body with the action's parameters. The names below are lowerCamelCase (\`regionId\`, \`systemDisk\`); snake_case (\`region_id\`) and the ECS wire names of Alibaba's API reference (\`RegionId\`) are accepted too, and two spellings of one field that disagree get 400. Values are plain JSON: lists are arrays (\`instanceId: ["i-1", "i-2"]\`), objects are objects (\`systemDisk: {"category": "cloud_essd", "size": 40}\`), lists of objects are arrays of objects (\`tag: [{"key": "env", "value": "prod"}]\`), and JSON-valued parameters take the JSON value itself; the gateway expands them to ECS's wire form (\`InstanceId.1\`, \`SystemDisk.Size\`, \`Tag.1.Key\`). Each property's \`x-wire-name\` and \`x-wire-style\` say how it goes on the wire. Unknown fields, missing required ones, wrong types and values outside ECS's documented limits get one 400 naming every failing field, and nothing is sent to ECS.

**Credentials** as on every route: the headers X-Access-Key-Id, X-Access-Key-Secret and X-Security-Token (or the fields \`accessKeyId\`, \`accessKeySecret\`, \`securityToken\`), and \`Authorization: Bearer <key>\` when the gateway runs with API keys. \`endpoint\` picks the ECS endpoint (else the region's).

**Answer.** The envelope of every route (the ECS body and headers), or the one error shape. Secret parameters and response fields (marked \`x-secret\`) never reach a log line. \`GET /api/ecs\` lists the actions; \`GET /api/ecs/{Action}\` describes one.

Parameter descriptions and examples: ${catalogInfo.notice}`;

/** The document, as an object. */
export function buildEcsOpenApi(shared: SharedParts): Record<string, unknown> {
  const credentials = credentialProperties();
  const actions = listActions();
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const action of actions) {
    const { _schema, ...op } = operation(action, credentials);
    schemas[`${action.name}Request`] = _schema;
    paths[`/api/ecs/${action.name}`] = { post: op };
  }
  const used = new Set(actions.map((a) => a.domain));
  const envelope = z.toJSONSchema(envelopeSchema({ RequestId: '473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E' }), { target: 'openapi-3.0', io: 'output' });
  delete (envelope as { $schema?: unknown }).$schema;
  return {
    openapi: '3.0.3',
    info: {
      title: 'ecs-gateway: every ECS action',
      version: GATEWAY_VERSION,
      description: DESCRIPTION,
      'x-ecs-catalog': { apiVersion: catalogInfo.version, source: catalogInfo.source },
    },
    tags: (Object.keys(DOMAIN_TAGS) as Domain[]).filter((d) => used.has(d)).map((d) => DOMAIN_TAGS[d]),
    paths,
    components: {
      schemas: { Error: shared.errorSchema, Envelope: envelope, ...schemas },
      responses: {
        ClientError: { description: 'Validation, credential, endpoint, policy or ECS client error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        ServerError: { description: 'Upstream failure (502/504) or ECS server error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
      securitySchemes: SECURITY_SCHEMES,
    },
    security: API_SECURITY,
  };
}
