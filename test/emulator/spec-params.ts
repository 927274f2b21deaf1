/**
 * Wire parameters built from the emulator's spec (src/emulator/ecs/catalog/spec.json): the required ones of an
 * action, with a well-formed value of each one's type and style.
 */
import type { ActionSpec, SpecField, SpecShape } from '../../src/emulator/ecs/catalog/spec.js';

/** A well-formed wire value for a scalar (or JSON-valued string) of this shape. */
export function scalarValue(shape: SpecShape & { json?: SpecField['json'] }, name: string): string {
  if (shape.json === 'object') return '{"k":"v"}';
  if (shape.json) return '["x-1"]';
  switch (shape.type) {
    case 'integer': return '1';
    case 'number': return '1.5';
    case 'boolean': return 'false';
    default: return name === 'RegionId' ? 'cn-hangzhou' : `${name.toLowerCase()}-1`;
  }
}

/** Adds `prefix…=value` keys for one value of `shape` (lists get one item; objects their required members, or the first). */
function expand(shape: SpecShape & { json?: SpecField['json'] }, name: string, prefix: string, out: Record<string, string>): void {
  if (shape.type === 'array') return expand(shape.items!, name, `${prefix}.1`, out);
  if (shape.type === 'map') {
    out[`${prefix}.k`] = 'v';
    return;
  }
  if (shape.type === 'object') {
    const members = shape.members ?? [];
    const required = members.filter((m) => m.required);
    for (const m of required.length ? required : members.slice(0, 1)) expand(m, m.name, `${prefix}.${m.name}`, out);
    return;
  }
  out[prefix] = scalarValue(shape, name);
}

/** The action's required parameters, each with a well-formed value. */
export function requiredWire(spec: ActionSpec): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of spec.params) {
    if (!p.required) continue;
    if (p.style === 'json') out[p.name] = scalarValue({ type: 'string', json: p.json ?? 'any' }, p.name);
    else expand(p, p.name, p.name, out);
  }
  return out;
}
