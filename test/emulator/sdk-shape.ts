/**
 * Structural check of a response body against the official SDK's response model (`XxxResponseBody`), read
 * from the model classes themselves (names() and types()), not from the emulator's spec: every documented field
 * is present with the SDK's type, and nothing undocumented is there.
 */
import * as Ecs from '@alicloud/ecs20140526';

interface ModelClass {
  name: string;
  names(): Record<string, string>;
  types(): Record<string, unknown>;
}
const isModel = (t: unknown): t is ModelClass => typeof t === 'function' && typeof (t as Partial<ModelClass>).names === 'function';

/** The SDK's `${action}ResponseBody` class. */
export function responseModel(action: string): ModelClass {
  const cls = (Ecs as Record<string, unknown>)[`${action}ResponseBody`];
  if (!isModel(cls)) throw new Error(`no ${action}ResponseBody in the SDK`);
  return cls;
}

/** Problems (empty when none) of `value` against the SDK type `t` at `path`. */
export function shapeProblems(t: unknown, value: unknown, path: string): string[] {
  if (typeof t === 'string') {
    const ok = t === 'number' ? typeof value === 'number' : t === 'string' ? typeof value === 'string' : t === 'boolean' ? typeof value === 'boolean' : true;
    return ok ? [] : [`${path}: expected ${t}, got ${JSON.stringify(value)}`];
  }
  if (isModel(t)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: expected an object`];
    const names = t.names();
    const types = t.types();
    const out: string[] = [];
    const known = new Set(Object.values(names));
    for (const prop of Object.keys(names)) {
      const wire = names[prop]!;
      const v = (value as Record<string, unknown>)[wire];
      if (v === undefined) out.push(`${path}.${wire}: missing`);
      else out.push(...shapeProblems(types[prop], v, `${path}.${wire}`));
    }
    for (const k of Object.keys(value)) if (!known.has(k)) out.push(`${path}.${k}: not in the SDK model`);
    return out;
  }
  const spec = t as { type?: string; itemType?: unknown };
  if (spec.type === 'array') {
    if (!Array.isArray(value)) return [`${path}: expected an array`];
    return value.flatMap((v, i) => shapeProblems(spec.itemType, v, `${path}[${i}]`));
  }
  if (spec.type === 'map') return typeof value === 'object' && value !== null ? [] : [`${path}: expected a map`];
  return [`${path}: unknown SDK type`];
}

/** Problems of a whole response body of `action`. */
export function bodyProblems(action: string, body: unknown): string[] {
  return shapeProblems(responseModel(action), body, action);
}
