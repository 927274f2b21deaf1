/**
 * zod schemas for the input of a catalog action, built on first use and cached per action and options.
 *
 * A schema checks what the catalog knows: required parameters, types, unknown fields, and the limits the
 * SDK documents (numeric ranges, string lengths, item counts; enum lists only on request, see below). Field
 * names are accepted in the three spellings of names.ts; the output uses the lowerCamelCase one, ready for
 * toWire() (wire.ts). Values are coerced the way query strings need and the original service allowed:
 *
 * - integer: a number, or a decimal string ("50" → 50; digits beyond 2^53, such as a large OwnerId, stay a
 *   string so no digit is lost; a JSON number beyond 2^53 is refused since it has lost digits already);
 * - number: a number or a numeric string; boolean: true/false or "true"/"false";
 * - string: a string; a number or boolean is taken as its text (`size: 40` for the string `SystemDisk.Size`);
 * - JSON-valued parameters: a native array/object, or a string holding its JSON text (checked, sent as is);
 * - `null` is "not given".
 *
 * With `source: 'query'` (every value a string or a list of strings) an array parameter also takes a single
 * value (`instanceId=i-1`), and an object or array parameter takes its JSON text (`systemDisk={"size":40}`).
 *
 * Enum lists are recorded in the catalog but not enforced unless `enforceEnums` is set: the SDK's lists lag
 * the service (DescribeVscs documents Status values without its own example "Successful"; disk category lists
 * differ between actions) and ECS matches some of them case-insensitively (IpProtocol "tcp").
 */
import { z } from 'zod';
import type { Action, ArrayShape, Param, ScalarShape, Shape } from './catalog/types.js';
import { secret } from '../schemas/fields.js';
import { camelCase } from './names.js';
import { memberFor, sameValue } from './wire.js';

export interface SchemaOptions {
  /** `body` (JSON, the default) or `query` (query-string values). */
  source?: 'body' | 'query';
  /** Accept the Alibaba-internal parameters (OwnerId, OwnerAccount, ResourceOwnerId, ResourceOwnerAccount). */
  includeInternal?: boolean;
  /** Refuse values outside a documented enum list (compared ignoring case). */
  enforceEnums?: boolean;
}

/** The validated input: lowerCamelCase field names, typed values. */
export type ActionInput = Record<string, unknown>;

type Opts = Required<SchemaOptions>;

/** A lone UTF-16 surrogate cannot be UTF-8 encoded, so it could never be signed or sent. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const looksLikeJson = (s: string): boolean => /^\s*[[{]/.test(s);

function stringSchema(shape: ScalarShape, opts: Opts): z.ZodType {
  let s = z.string();
  if (shape.minLength !== undefined) s = s.min(shape.minLength);
  if (shape.maxLength !== undefined) s = s.max(shape.maxLength);
  let out: z.ZodType = z.union([z.string(), z.number(), z.boolean()])
    .transform((v) => String(v))
    .pipe(s.refine((v) => !LONE_SURROGATE.test(v), 'must be valid Unicode (no lone surrogates)'));
  const values = shape.enum;
  if (opts.enforceEnums && values) {
    const lower = new Set(values.map((v) => v.toLowerCase()));
    out = out.refine((v) => lower.has((v as string).toLowerCase()), `must be one of: ${values.join(', ')}`);
  }
  return out;
}

function inRange(shape: ScalarShape) {
  return (v: number | string, ctx: z.RefinementCtx): void => {
    const n = Number(v);
    if (shape.minimum !== undefined && n < shape.minimum) ctx.addIssue({ code: 'custom', message: `must be at least ${shape.minimum}` });
    if (shape.maximum !== undefined && n > shape.maximum) ctx.addIssue({ code: 'custom', message: `must be at most ${shape.maximum}` });
  };
}

function scalarSchema(shape: ScalarShape, opts: Opts): z.ZodType {
  switch (shape.type) {
    case 'string':
      return stringSchema(shape, opts);
    case 'boolean':
      return z.union([z.boolean(), z.enum(['true', 'false'])]).transform((v) => v === true || v === 'true');
    case 'integer':
      return z.union([z.number().int(), z.string().trim().regex(/^-?\d{1,30}$/, 'must be a whole number')])
        .transform((v) => (typeof v === 'number' || !Number.isSafeInteger(Number(v)) ? v : Number(v)))
        .superRefine(inRange(shape));
    case 'number':
      return z.union([z.number(), z.string().trim().regex(/^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/, 'must be a number')])
        .transform(Number)
        .pipe(z.number())
        .superRefine(inRange(shape));
  }
}

/** Forwards the issues of an inner parse to `ctx`, under `prefix`. */
function forward(ctx: z.RefinementCtx, prefix: PropertyKey[], issues: readonly z.core.$ZodIssue[]): void {
  for (const issue of issues) {
    const params = issue.code === 'custom' ? issue.params : undefined;
    ctx.addIssue({ code: 'custom', message: issue.message, path: [...prefix, ...issue.path], ...(params ? { params } : {}) });
  }
}

/** The `params` of an issue that reports one field given under two spellings with different values. */
export interface ConflictParams {
  conflict: readonly [string, string];
}

/** An object with known members: spellings resolved, unknown and missing fields reported, members checked. */
function objectSchema(members: readonly Param[], opts: Opts, extra?: Readonly<Record<string, z.ZodType>>): z.ZodType {
  const visible = members.filter((m) => opts.includeInternal || !m.internal);
  const schemas = new Map<Param, z.ZodType>(visible.map((m) => [m, paramSchema(m, opts)]));
  // The output names, once: camelCase() runs three regular expressions, ~1.5 µs a member, on every member.
  const outNames = new Map<Param, string>(visible.map((m) => [m, camelCase(m.name)]));
  return z.unknown().transform((value, ctx) => {
    if (opts.source === 'query' && typeof value === 'string' && looksLikeJson(value)) value = parseJson(value, ctx);
    if (value === z.NEVER) return z.NEVER;
    if (!isPlainObject(value)) {
      ctx.addIssue({ code: 'custom', message: 'must be an object' });
      return z.NEVER;
    }
    const given = new Map<Param, { key: string; value: unknown }>();
    const out: Record<string, unknown> = {};
    let ok = true;
    for (const [key, v] of Object.entries(value)) {
      if (extra && Object.hasOwn(extra, key)) {
        const r = extra[key]!.safeParse(v);
        if (r.success) { if (r.data !== undefined) out[key] = r.data; } else { forward(ctx, [key], r.error.issues); ok = false; }
        continue;
      }
      const member = memberFor(members, key);
      if (!member || !schemas.has(member)) {
        ctx.addIssue({ code: 'custom', message: 'unknown field', path: [key] });
        ok = false;
        continue;
      }
      if (v === undefined || v === null) continue;
      const seen = given.get(member);
      if (seen) {
        if (!sameValue(seen.value, v)) {
          const params: ConflictParams = { conflict: [seen.key, key] };
          ctx.addIssue({ code: 'custom', message: `given twice (as ${seen.key} and ${key}) with different values`, path: [key], params });
          ok = false;
        }
        continue;
      }
      given.set(member, { key, value: v });
    }
    for (const [member, schema] of schemas) {
      const name = outNames.get(member)!;
      const entry = given.get(member);
      if (!entry) {
        if (member.required) {
          ctx.addIssue({ code: 'custom', message: 'is required', path: [name] });
          ok = false;
        }
        continue;
      }
      const r = schema.safeParse(entry.value);
      if (r.success) out[name] = r.data;
      else { forward(ctx, [name], r.error.issues); ok = false; }
    }
    if (extra) {
      for (const [key, schema] of Object.entries(extra)) {
        if (Object.hasOwn(value, key)) continue;
        const r = schema.safeParse(undefined);
        if (!r.success) { forward(ctx, [key], r.error.issues); ok = false; }
      }
    }
    return ok ? out : z.NEVER;
  });
}

function parseJson(text: string, ctx: z.RefinementCtx): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be valid JSON text' });
    return z.NEVER;
  }
}

function arraySchema(shape: ArrayShape, opts: Opts): z.ZodType {
  let arr = z.array(shapeSchema(shape.items, opts));
  if (shape.maxItems !== undefined) arr = arr.max(shape.maxItems);
  if (opts.source !== 'query') return arr;
  // A query string gives a lone value as a string, and can carry a list of objects only as JSON text.
  const objects = shape.items.type === 'object';
  return z.unknown().transform((v, ctx) => {
    if (typeof v !== 'string') return v;
    if (objects || looksLikeJson(v)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(v);
      } catch {
        if (!objects) return [v];
        ctx.addIssue({ code: 'custom', message: 'must be valid JSON text' });
        return z.NEVER;
      }
      if (Array.isArray(parsed)) return parsed;
      if (objects) return [parsed];
    }
    return [v];
  }).pipe(arr);
}

function shapeSchema(shape: Shape, opts: Opts): z.ZodType {
  switch (shape.type) {
    case 'array': return arraySchema(shape, opts);
    case 'object': return shape.members ? objectSchema(shape.members, opts) : freeFormSchema();
    default: return scalarSchema(shape, opts);
  }
}

/** A map with caller-chosen keys (RunCommand `Parameters`), passed on as given; `__proto__` would be lost on the way. */
const freeFormSchema = (): z.ZodType => z.unknown().transform((v, ctx) => {
  if (!isPlainObject(v)) {
    ctx.addIssue({ code: 'custom', message: 'must be an object' });
    return z.NEVER;
  }
  if (Object.hasOwn(v, '__proto__')) {
    ctx.addIssue({ code: 'custom', message: 'prototype keys are not accepted', path: ['__proto__'] });
    return z.NEVER;
  }
  return v;
});

/**
 * A JSON-valued parameter: the native value (checked as the JSON content, sent encoded by toWire), or its
 * JSON text, checked the same way and then kept as given.
 */
function jsonParamSchema(shape: Shape, opts: Opts): z.ZodType {
  const native = shapeSchema(shape, { ...opts, source: 'body' });
  const kind = shape.type === 'array' ? 'array' : 'object';
  return z.unknown().transform((v, ctx) => {
    // In a query string a lone list item is a plain string: `instanceIds=i-1`.
    if (typeof v === 'string' && kind === 'array' && opts.source === 'query' && !looksLikeJson(v)) v = [v];
    if (typeof v === 'string') {
      const parsed = parseJson(v, ctx);
      if (parsed === z.NEVER) return z.NEVER;
      const r = native.safeParse(parsed);
      if (!r.success) {
        for (const issue of r.error.issues) {
          const params = issue.code === 'custom' ? issue.params : undefined;
          ctx.addIssue({ code: 'custom', message: `in the JSON text: ${issue.message}`, path: issue.path, ...(params ? { params } : {}) });
        }
        return z.NEVER;
      }
      return v;
    }
    const r = native.safeParse(v);
    if (!r.success) { forward(ctx, [], r.error.issues); return z.NEVER; }
    return r.data;
  });
}

/** A parameter's schema, described, and marked `secret()` when the catalog marks the parameter secret. */
function paramSchema(param: Param, opts: Opts): z.ZodType {
  const schema = param.style === 'json' ? jsonParamSchema(param, opts) : shapeSchema(param, opts);
  const described = param.description ? schema.describe(param.description) : schema;
  return param.secret ? secret(described) : described;
}

const cache = new WeakMap<Action, Map<string, z.ZodType<ActionInput>>>();

/**
 * The input schema of `action`: an object of its parameters (the internal ones only with `includeInternal`).
 * Built on first use per action and options, then cached.
 */
export function actionSchema(action: Action, options: SchemaOptions = {}): z.ZodType<ActionInput> {
  const opts: Opts = { source: options.source ?? 'body', includeInternal: options.includeInternal ?? false, enforceEnums: options.enforceEnums ?? false };
  const key = `${opts.source}|${opts.includeInternal}|${opts.enforceEnums}`;
  let perAction = cache.get(action);
  if (!perAction) {
    perAction = new Map();
    cache.set(action, perAction);
  }
  let schema = perAction.get(key);
  if (!schema) {
    schema = objectSchema(action.params, opts) as z.ZodType<ActionInput>;
    perAction.set(key, schema);
  }
  return schema;
}

/**
 * The input schema of `action` plus the gateway's own top-level fields (`extra`, exact names, e.g. the
 * credentials), which are checked by their schemas and passed through under their own names. Not cached:
 * build it once per route. Names that collide with a parameter's spelling are refused.
 */
export function actionSchemaWith(action: Action, extra: Readonly<Record<string, z.ZodType>>, options: SchemaOptions = {}): z.ZodType<ActionInput> {
  for (const key of Object.keys(extra)) {
    const p = memberFor(action.params, key);
    if (p) throw new Error(`${action.name}: extra field ${key} is a spelling of the parameter ${p.name}`);
  }
  const opts: Opts = { source: options.source ?? 'body', includeInternal: options.includeInternal ?? false, enforceEnums: options.enforceEnums ?? false };
  return objectSchema(action.params, opts, extra) as z.ZodType<ActionInput>;
}
