/**
 * Valid, deterministic input for any ECS action, built from the catalog: every parameter a caller may send
 * (the Alibaba-internal ones are not), lists with two items, objects with all their members, nested as
 * deep as ECS nests them, and values inside the documented limits. Field names in one spelling throughout
 * (lowerCamelCase, snake_case or the wire name); the keys of free-form maps are the caller's and stay.
 */
import type { Action, Param, Shape } from '../../src/gateway/ecs/catalog/types.js';
import { camelCase, snakeCase } from '../../src/gateway/ecs/names.js';

export type Spelling = 'camel' | 'snake' | 'wire';

const spell = (name: string, spelling: Spelling): string =>
  (spelling === 'camel' ? camelCase(name) : spelling === 'snake' ? snakeCase(name) : name);

/** A string for `name` within its length limits, with characters that encode differently (space, /, +, ü). */
function text(name: string, shape: { minLength?: number; maxLength?: number }): string {
  if (name.toLowerCase() === 'regionid') return 'cn-hangzhou';
  let s = `${name.slice(0, 12)} v/1+ü`;
  const min = shape.minLength ?? 0;
  if (s.length < min) s = s.padEnd(min, 'x');
  if (shape.maxLength !== undefined && s.length > shape.maxLength) s = s.slice(0, Math.max(shape.maxLength, min));
  return s;
}

function clamp(v: number, shape: { minimum?: number; maximum?: number }): number {
  if (shape.minimum !== undefined && v < shape.minimum) v = shape.minimum;
  if (shape.maximum !== undefined && v > shape.maximum) v = shape.maximum;
  return v;
}

/** A valid value of `shape` for the parameter `name`. */
export function sampleValue(name: string, shape: Shape, spelling: Spelling): unknown {
  switch (shape.type) {
    case 'string': return text(name, shape);
    case 'integer': return clamp(2, shape);
    case 'number': return clamp(1.5, shape);
    case 'boolean': return true;
    case 'array': {
      const n = Math.min(2, shape.maxItems ?? 2);
      return Array.from({ length: n }, (_, i) => {
        const item = sampleValue(name, shape.items, spelling);
        return typeof item === 'string' ? `${item}${i + 1}`.slice(0, Math.max(1, (shape.items as { maxLength?: number }).maxLength ?? 99)) : item;
      });
    }
    case 'object':
      if (!shape.members) return { dir_name: '/tmp', Count: 2 };
      return sampleObject(shape.members, spelling);
  }
}

function sampleObject(members: readonly Param[], spelling: Spelling): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of members) {
    if (m.internal) continue;
    out[spell(m.name, spelling)] = sampleValue(m.name, m, spelling);
  }
  return out;
}

/** Every parameter of `action` a caller may send, with a valid value, in one spelling. */
export function sampleInput(action: Action, spelling: Spelling): Record<string, unknown> {
  return sampleObject(action.params, spelling);
}

/** Whether the action has a parameter that nests (a list of objects, an object, a list inside a list). */
export function hasNesting(action: Action): boolean {
  const nests = (s: Shape): boolean => s.type === 'object' || (s.type === 'array' && (s.items.type === 'object' || s.items.type === 'array'));
  return action.params.some((p) => !p.internal && nests(p));
}

/** The JSON-valued parameters of `action` (style `json`), top level. */
export function jsonParams(action: Action): Param[] {
  return action.params.filter((p) => !p.internal && p.style === 'json');
}

/** The spelling a key has in `input` for the parameter `param` (so a test can replace its value). */
export function keyOf(param: Param, spelling: Spelling): string {
  return spell(param.name, spelling);
}
