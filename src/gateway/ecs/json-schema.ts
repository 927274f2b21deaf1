/**
 * The JSON Schema (OpenAPI 3.0 dialect) of a catalog action's input: the documentation twin of the zod
 * schema in schema.ts, made from the same catalog entries, for the OpenAPI document of every action
 * (scripts/ecs-openapi.ts). test/gateway/openapi-ecs.test.ts checks on sample inputs that the two agree.
 *
 * It documents the canonical form of each value, which the zod schema always accepts; the zod schema also
 * takes a few more forms that a JSON Schema would only blur (the other spellings of every name, numbers
 * and booleans as strings, a string for a `string` typed as a number, `null` for "not given", a JSON-valued
 * parameter as its JSON text). So: an input this schema accepts passes the zod schema, and the ways an
 * input fails here (a missing required field, an unknown field, a wrong type, a value outside a documented
 * limit) fail there too.
 *
 * - names are the lowerCamelCase spelling (names.ts), each with its wire name in `x-wire-name` and its
 *   wire style in `x-wire-style`; `additionalProperties: false` on every object with known members (the
 *   gateway refuses unknown fields), a free-form map takes any keys;
 * - integer/number/boolean/string with the catalog's limits (minimum, maximum, minLength, maxLength,
 *   maxItems); documented value lists go in `enum` only when the schema enforces them (`enforceEnums`),
 *   otherwise in `x-documented-values` and the description, since the gateway does not refuse other values;
 * - a JSON-valued parameter is documented as its native JSON value (array or object);
 * - secret parameters are marked `x-secret` and `writeOnly`, and never get an example;
 * - internal parameters (OwnerId, …) are left out unless `includeInternal`, as in schema.ts.
 */
import type { Action, Param, Shape } from './catalog/types.js';
import { camelCase } from './names.js';
import type { SchemaOptions } from './schema.js';
import { memberFor } from './wire.js';

/** An OpenAPI 3.0 Schema Object (the subset this module writes). */
export interface JsonSchema {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  deprecated?: boolean;
  writeOnly?: boolean;
  example?: unknown;
  [extension: `x-${string}`]: unknown;
}

type Opts = Required<SchemaOptions>;

const resolve = (options: SchemaOptions = {}): Opts => ({
  source: options.source ?? 'body',
  includeInternal: options.includeInternal ?? false,
  enforceEnums: options.enforceEnums ?? false,
});

/** A catalog example is text; this is its value as the caller sends it, or undefined when it does not fit the type. */
export function typedExample(shape: Shape, text: string | undefined): unknown {
  if (text === undefined || text === 'null' || text === '') return undefined;
  switch (shape.type) {
    case 'string':
      return text;
    case 'integer':
      return /^-?\d{1,15}$/.test(text) ? Number(text) : undefined;
    case 'number': {
      const n = Number(text);
      return text.trim() !== '' && Number.isFinite(n) ? n : undefined;
    }
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : undefined;
    case 'array':
      return typedExample(shape.items, text) === undefined ? undefined : [typedExample(shape.items, text)];
    case 'object':
      return undefined;
  }
}

/**
 * A JSON-valued parameter's example is the JSON text ECS takes, with wire names as keys; the caller sends
 * the native value, spelled in lowerCamelCase. Undefined when the text is not JSON of the right kind.
 */
export function jsonExample(shape: Shape, text: string | undefined): unknown {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return recase(shape, value);
}

/** `value` with the keys of known members renamed to their lowerCamelCase spelling. */
function recase(shape: Shape, value: unknown): unknown {
  if (shape.type === 'array') return Array.isArray(value) ? value.map((v) => recase(shape.items, v)) : undefined;
  if (shape.type === 'object') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    if (!shape.members) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const member = memberFor(shape.members, k);
      out[member ? camelCase(member.name) : k] = member ? recase(member, v) : v;
    }
    return out;
  }
  return value;
}

function describe(parts: Array<string | undefined>): string | undefined {
  const text = parts.filter((p): p is string => Boolean(p)).join(' ');
  return text === '' ? undefined : text;
}

function shapeJsonSchema(shape: Shape, opts: Opts): JsonSchema {
  switch (shape.type) {
    case 'array': {
      const out: JsonSchema = { type: 'array', items: shapeJsonSchema(shape.items, opts) };
      if (shape.maxItems !== undefined) out.maxItems = shape.maxItems;
      return out;
    }
    case 'object':
      return shape.members ? objectJsonSchema(shape.members, opts) : { type: 'object', additionalProperties: true };
    default: {
      const out: JsonSchema = { type: shape.type };
      if (shape.minimum !== undefined) out.minimum = shape.minimum;
      if (shape.maximum !== undefined) out.maximum = shape.maximum;
      if (shape.minLength !== undefined) out.minLength = shape.minLength;
      if (shape.maxLength !== undefined) out.maxLength = shape.maxLength;
      if (shape.enum) {
        if (opts.enforceEnums) out.enum = [...shape.enum];
        else out['x-documented-values'] = [...shape.enum];
      }
      return out;
    }
  }
}

/** One parameter (or member), as a property schema. */
export function paramJsonSchema(param: Param, options: SchemaOptions = {}): JsonSchema {
  const opts = resolve(options);
  const base = shapeJsonSchema(param, opts);
  const values = base['x-documented-values'] as string[] | undefined;
  const description = describe([
    param.description,
    values ? `Documented values: ${values.map((v) => `\`${v}\``).join(', ')}.` : undefined,
    param.style === 'json' ? 'ECS takes it as one JSON-encoded string: send the JSON value (a string holding its JSON text is accepted too).' : undefined,
    param.secret ? 'Secret: never logged.' : undefined,
  ]);
  const out: JsonSchema = { ...(description ? { description } : {}), ...base, 'x-wire-name': param.name, 'x-wire-style': param.style };
  if (param.deprecated) out.deprecated = true;
  if (param.secret) {
    out.writeOnly = true;
    out['x-secret'] = true;
    return out;
  }
  const example = param.style === 'json' ? jsonExample(param, param.example) : typedExample(param, param.example);
  // With enforced enums, an example outside the list (the SDK's lists lag its own examples) is left out.
  const listed = (schema: JsonSchema | undefined, v: unknown): boolean => !schema?.enum || schema.enum.includes(v as string);
  if (example !== undefined && listed(out, example) && (param.type !== 'array' || param.style === 'json' || listed(out.items, (example as unknown[])[0]))) {
    // A repeat list's catalog example is one item's.
    if (param.type === 'array' && param.style !== 'json' && out.items) out.items = { ...out.items, example: (example as unknown[])[0] };
    else out.example = example;
  }
  return out;
}

/** An object of known members: lowerCamelCase properties, required ones listed, unknown fields refused. */
function objectJsonSchema(members: readonly Param[], opts: Opts): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const m of members) {
    if (m.internal && !opts.includeInternal) continue;
    const name = camelCase(m.name);
    properties[name] = paramJsonSchema(m, opts);
    if (m.required) required.push(name);
  }
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false };
}

/**
 * The input of `action` as a JSON Schema object: its parameters (the internal ones only with
 * `includeInternal`), plus `extra` properties (the gateway's own fields, e.g. the credentials), exactly as
 * actionSchema / actionSchemaWith (schema.ts) validate it.
 */
export function actionJsonSchema(action: Action, extra: Readonly<Record<string, JsonSchema>> = {}, options: SchemaOptions = {}): JsonSchema {
  const schema: JsonSchema = {
    description: `The parameters of ${action.name}, by their lowerCamelCase names; their snake_case names and ECS wire names (\`x-wire-name\`) are accepted too.`,
    ...objectJsonSchema(action.params, resolve(options)),
  };
  for (const [name, property] of Object.entries(extra)) {
    if (schema.properties![name]) throw new Error(`${action.name}: extra field ${name} is also a parameter`);
    schema.properties![name] = property;
  }
  return schema;
}
