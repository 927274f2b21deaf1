import { z } from 'zod';

/**
 * The one place a field is marked as carrying a secret (access key secret, token, password, user data):
 * `secret(schema)`. Logging derives from it, so a new secret field is safe by marking it here, and a
 * field that is not marked is treated as plain data. A registry of its own keeps the mark out of the
 * OpenAPI document.
 */
const secrets = z.registry<Record<string, never>>();

/** Marks `schema` (the field's outermost schema, as it sits in its object) as secret-bearing. */
export function secret<T extends z.ZodType>(schema: T): T {
  secrets.add(schema, {});
  return schema;
}

/** The schemas a wrapper stands for: optional/default/pipe/union/array members, unwrapped. */
function children(schema: z.ZodType): z.ZodType[] {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault
    || schema instanceof z.ZodPrefault || schema instanceof z.ZodNonOptional || schema instanceof z.ZodCatch
    || schema instanceof z.ZodReadonly) {
    return [schema.unwrap() as z.ZodType];
  }
  if (schema instanceof z.ZodPipe) return [schema.in as z.ZodType, schema.out as z.ZodType];
  if (schema instanceof z.ZodUnion) return [...schema.options] as z.ZodType[];
  if (schema instanceof z.ZodIntersection) return [schema.def.left as z.ZodType, schema.def.right as z.ZodType];
  return [];
}

/** Whether `schema`, or anything it wraps, is marked secret. */
export function isSecret(schema: z.ZodType): boolean {
  return secrets.has(schema) || children(schema).some(isSecret);
}

/**
 * Field names known beyond the registered routes' own schemas: the parameters of the ECS actions the
 * generic route (POST /api/ecs/{Action}) has built a schema for, in every spelling. Names only: what is
 * logged of a field is decided by the allowlist (src/gateway/http/allowlist.ts), and a body value never is.
 */
const extraNames = new Set<string>();

/** Adds field names to the known ones (see above). */
export function addKnownFieldNames(names: Iterable<string>): void {
  for (const name of names) extraNames.add(name);
}

/** Whether `name` is a field name added with addKnownFieldNames. */
export function isAddedFieldName(name: string): boolean {
  return extraNames.has(name);
}

/** The objects `schema` validates at its own level (through wrappers, unions and array items). */
function objectsOf(schema: z.ZodType, seen = new Set<z.ZodType>()): z.ZodObject[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  if (schema instanceof z.ZodObject) return [schema];
  if (schema instanceof z.ZodArray) return objectsOf(schema.element as z.ZodType, seen);
  return children(schema).flatMap((c) => objectsOf(c, seen));
}

/** Every field name an input schema knows, at any depth, and which of them carry secrets. */
export interface FieldNames {
  /** Field names of the top-level object (the keys a query string or body may carry). */
  topLevel: Set<string>;
  /** Field names at any depth (nested objects and array items included). */
  all: Set<string>;
  /** Names of the fields marked with `secret()`. */
  secret: Set<string>;
}

/** Collects the field names of an input (query string, body or path) schema. */
export function fieldNames(schema: z.ZodType): FieldNames {
  const out: FieldNames = { topLevel: new Set(), all: new Set(), secret: new Set() };
  const seen = new Set<z.ZodType>();
  const walk = (node: z.ZodType, top: boolean): void => {
    for (const object of objectsOf(node)) {
      if (seen.has(object)) continue;
      seen.add(object);
      for (const [name, field] of Object.entries(object.shape as Record<string, z.ZodType>)) {
        if (top) out.topLevel.add(name);
        out.all.add(name);
        if (isSecret(field)) out.secret.add(name);
        walk(field, false);
      }
    }
  };
  walk(schema, true);
  return out;
}

/**
 * The field names of the object found at `path` (e.g. `['dataDisks', '0']`) inside `schema`, or an
 * empty list when the path leads to no object.
 */
export function objectKeysAt(schema: z.ZodType, path: readonly string[]): string[] {
  let nodes = [schema];
  for (const segment of path) {
    nodes = nodes.flatMap((node) => {
      if (/^\d+$/.test(segment)) {
        const items = arrayItems(node);
        return items.length > 0 ? items : [node];
      }
      return objectsOf(node).flatMap((o) => {
        const field = (o.shape as Record<string, z.ZodType>)[segment];
        return field ? [field] : [];
      });
    });
  }
  return [...new Set(nodes.flatMap((n) => objectsOf(n)).flatMap((o) => Object.keys(o.shape)))];
}

/** The item schemas of the arrays `schema` stands for. */
function arrayItems(schema: z.ZodType, seen = new Set<z.ZodType>()): z.ZodType[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  if (schema instanceof z.ZodArray) return [schema.element as z.ZodType];
  return children(schema).flatMap((c) => arrayItems(c, seen));
}
