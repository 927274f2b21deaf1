/**
 * A sample call (test/support/domain-sample.ts) in the two forms the official SDKs take: the V3 client's typed
 * request model, and V1 wire parameters (expanded by the emulator's spec: lists `.N`, objects `.Member`,
 * JSON-valued parameters as one JSON string).
 */
import * as Ecs from '@alicloud/ecs20140526';
import { actionSpec, type SpecField, type SpecShape } from '../../src/emulator/ecs/catalog/spec.js';
import type { SampleCall } from '../support/domain-sample.js';

type Body = Record<string, unknown>;
interface ModelClass {
  new (map: Record<string, unknown>): { toMap(): Body };
  names(): Record<string, string>;
  types(): Record<string, unknown>;
}
const isModel = (t: unknown): t is ModelClass => typeof t === 'function' && typeof (t as Partial<ModelClass>).names === 'function';

// ---- the sample as SDK request models (V3) --------------------------------------------------------------

function modelValue(t: unknown, v: unknown): unknown {
  if (t === 'string') return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (t === 'number') return Number(v);
  if (t === 'boolean') return v === true || v === 'true';
  if (isModel(t)) return toModel(t, v as Body);
  const spec = t as { type: string; itemType?: unknown };
  if (spec.type === 'array') return (v as unknown[]).map((item) => modelValue(spec.itemType, item));
  return v; // a map
}

/** A request model from wire-named JSON: properties found through the model's names(). */
export function toModel(cls: ModelClass, params: Body): InstanceType<ModelClass> {
  const names = cls.names();
  const types = cls.types();
  const props: Body = {};
  for (const [wire, v] of Object.entries(params)) {
    const prop = Object.keys(names).find((p) => names[p] === wire);
    if (!prop) throw new Error(`${cls.name}: no property for ${wire}`);
    props[prop] = modelValue(types[prop], v);
  }
  return new cls(props);
}

// ---- the sample as wire parameters (V1) ------------------------------------------------------------------

function expand(shape: SpecShape & { json?: SpecField['json'] }, prefix: string, v: unknown, out: Record<string, string>): void {
  if (shape.json) {
    out[prefix] = typeof v === 'string' ? v : JSON.stringify(v);
  } else if (shape.type === 'array') {
    (v as unknown[]).forEach((item, i) => expand(shape.items!, `${prefix}.${i + 1}`, item, out));
  } else if (shape.type === 'object') {
    for (const [k, mv] of Object.entries(v as Body)) {
      const member = shape.members!.find((m) => m.name === k);
      if (!member) throw new Error(`${prefix}: no member ${k}`);
      expand(member, `${prefix}.${k}`, mv, out);
    }
  } else if (shape.type === 'map') {
    for (const [k, mv] of Object.entries(v as Body)) out[`${prefix}.${k}`] = String(mv);
  } else {
    out[prefix] = String(v);
  }
}

/** Wire parameters: lists `.N`, objects `.Member`, JSON-valued parameters one JSON string. */
export function sampleWire(call: SampleCall): Record<string, string> {
  const spec = actionSpec(call.action)!;
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(call.params)) {
    const p = spec.params.find((x) => x.name === name);
    if (!p) throw new Error(`${call.action}: no parameter ${name}`);
    if (p.style === 'json') out[name] = typeof v === 'string' ? v : JSON.stringify(v);
    else expand(p, name, v, out);
  }
  return out;
}

/** The sample call as the SDK's typed request model (`${action}Request`). */
export function sampleModel(call: SampleCall): InstanceType<ModelClass> {
  const cls = (Ecs as unknown as Record<string, unknown>)[`${call.action}Request`];
  if (!isModel(cls)) throw new Error(`no ${call.action}Request in the SDK`);
  return toModel(cls, call.params as Body);
}
