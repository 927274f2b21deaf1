/**
 * The one expansion of ordinary JSON values into ECS wire parameters, driven by the catalog's parameter
 * descriptions (src/gateway/ecs/catalog). It does what the official SDK's `OpenApiUtil.query()` and
 * `arrayToStringWithSpecifiedStyle(…, 'json')` do, from plain JSON:
 *
 * - a scalar is `Name=value`; booleans become `true`/`false`, numbers their decimal text;
 * - an array is a repeat list, 1-based: `instanceId: ["i-1","i-2"]` → `InstanceId.1`, `InstanceId.2`;
 * - an object adds its members' names: `systemDisk: {size: 40}` → `SystemDisk.Size=40`;
 * - the two nest as deep as ECS nests them: `tag: [{key: "env"}]` → `Tag.1.Key`,
 *   `networkInterface: [{securityGroupIds: ["sg-1"]}]` → `NetworkInterface.1.SecurityGroupIds.1`;
 * - a JSON-valued parameter (style `json`) takes a native array or object and is sent JSON-encoded, with
 *   the members' wire names as keys (a free-form map keeps the caller's keys); a string is taken as already
 *   encoded and sent as it is.
 *
 * Field names may be spelled in lowerCamelCase, snake_case or as the wire name (see names.ts). `null` and
 * `undefined` mean "not given". Input is expected to have passed the action's schema (schema.ts); anything
 * that does not fit the catalog still throws a WireError rather than being sent half-right.
 */
import type { Action, Param, Shape } from './catalog/types.js';
import { camelCase, fieldSpellings } from './names.js';

/** ECS wire parameters: name → value. */
export type WireParams = Record<string, string>;

/** Input that does not fit the action's parameters; `field` is the dotted path of the offending value. */
export class WireError extends Error {
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'WireError';
    this.field = field;
  }
}

/** Spelling → member, per member list (built once per list). */
const lookups = new WeakMap<readonly Param[], Map<string, Param>>();

/** The member of `members` that `key` names, in any accepted spelling. */
export function memberFor(members: readonly Param[], key: string): Param | undefined {
  let lookup = lookups.get(members);
  if (!lookup) {
    lookup = new Map();
    for (const m of members) for (const s of fieldSpellings(m.name)) lookup.set(s, m);
    lookups.set(members, lookup);
  }
  return lookup.get(key);
}

/** Same JSON value (for one field given under two spellings). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `value`'s fields by member, whatever their spelling; unknown fields and a field given twice with
 * different values throw. Null values count as absent.
 */
export function byMember(members: readonly Param[], value: Record<string, unknown>, path: string,
  ignore?: ReadonlySet<string>): Map<Param, unknown> {
  const out = new Map<Param, unknown>();
  for (const [key, v] of Object.entries(value)) {
    if (ignore?.has(key)) continue;
    const member = memberFor(members, key);
    const where = path ? `${path}.${key}` : key;
    if (!member) throw new WireError(where, 'unknown field');
    if (v === undefined || v === null) continue;
    if (out.has(member) && !sameValue(out.get(member), v)) throw new WireError(where, `${camelCase(member.name)} is given twice, with different values`);
    out.set(member, v);
  }
  return out;
}

function scalarText(shape: Shape, value: unknown, path: string): string {
  switch (typeof value) {
    case 'string': return value;
    case 'boolean': return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new WireError(path, 'must be a finite number');
      return String(value);
    case 'bigint': return value.toString();
    default: throw new WireError(path, `must be a ${shape.type}`);
  }
}

/** Expands `value` of `shape` under the wire name `key` into `out`. */
function expand(out: WireParams, shape: Shape, value: unknown, key: string, path: string): void {
  if (value === undefined || value === null) return;
  switch (shape.type) {
    case 'array': {
      if (!Array.isArray(value)) throw new WireError(path, 'must be an array');
      // Like the SDK: a null item keeps its number (`[a, null, b]` → .1 and .3).
      value.forEach((item, i) => expand(out, shape.items, item, `${key}.${i + 1}`, `${path}[${i}]`));
      return;
    }
    case 'object': {
      if (!isPlainObject(value)) throw new WireError(path, 'must be an object');
      if (!shape.members) {
        // A free-form map outside JSON (none in ECS today): keys go on the wire as given, like the SDK.
        for (const [k, v] of Object.entries(value)) expandFree(out, v, `${key}.${k}`, `${path}.${k}`);
        return;
      }
      for (const [member, v] of byMember(shape.members, value, path)) expandParam(out, member, v, `${key}.${member.name}`, `${path}.${camelCase(member.name)}`);
      return;
    }
    default:
      out[key] = scalarText(shape, value, path);
  }
}

function expandFree(out: WireParams, value: unknown, key: string, path: string): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) value.forEach((v, i) => expandFree(out, v, `${key}.${i + 1}`, `${path}[${i}]`));
  else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) expandFree(out, v, `${key}.${k}`, `${path}.${k}`);
  else out[key] = scalarText({ type: 'string' }, value, path);
}

function expandParam(out: WireParams, param: Param, value: unknown, key: string, path: string): void {
  if (value === undefined || value === null) return;
  if (param.style === 'json') out[key] = typeof value === 'string' ? value : JSON.stringify(jsonValue(param, value, path));
  else expand(out, param, value, key, path);
}

/**
 * The value a JSON-valued parameter carries, as the SDK builds it: members under their wire names, in the
 * catalog's (the SDK model's) order; scalars of their declared type; free-form maps as given.
 */
export function jsonValue(shape: Shape, value: unknown, path: string): unknown {
  if (value === undefined || value === null) return undefined;
  switch (shape.type) {
    case 'array':
      if (!Array.isArray(value)) throw new WireError(path, 'must be an array');
      return value.map((item, i) => jsonValue(shape.items, item, `${path}[${i}]`) ?? null);
    case 'object': {
      if (!isPlainObject(value)) throw new WireError(path, 'must be an object');
      if (!shape.members) return value;
      const given = byMember(shape.members, value, path);
      const out: Record<string, unknown> = {};
      for (const member of shape.members) {
        if (!given.has(member)) continue;
        const v = jsonValue(member, given.get(member), `${path}.${camelCase(member.name)}`);
        if (v !== undefined) out[member.name] = v;
      }
      return out;
    }
    case 'string':
      return typeof value === 'string' ? value : scalarText(shape, value, path);
    case 'boolean':
      return typeof value === 'string' ? value === 'true' : value;
    default: {
      if (typeof value !== 'string') return value;
      const n = Number(value);
      // A digit string beyond 2^53 stays text rather than lose digits.
      return Number.isSafeInteger(n) || (shape.type === 'number' && Number.isFinite(n)) ? n : value;
    }
  }
}

/**
 * The wire parameters for `input` to `action`. Fields in `ignore` (exact names) are left out: the gateway's
 * own fields (credentials, endpoint) that travel in the same object.
 */
export function toWire(action: Action, input: Record<string, unknown>, options: { ignore?: Iterable<string> } = {}): WireParams {
  if (!isPlainObject(input)) throw new WireError('', 'input must be an object');
  const out: WireParams = {};
  const ignore = options.ignore ? new Set(options.ignore) : undefined;
  for (const [param, value] of byMember(action.params, input, '', ignore)) expandParam(out, param, value, param.name, camelCase(param.name));
  return out;
}
