/**
 * Checks one call's raw wire parameters against the action's spec (catalog/spec.json) before any behaviour
 * runs, for every action, stateful or synthetic:
 * - a key the action does not have (`InstanceIds.1` where the action takes `InstanceId.N`, `SystemDisk.Sise`,
 *   a scalar given members, a list or object given a plain value) → InvalidParameter;
 * - a list index that is not 1, 2, … (`Tag.0.Key`, `Tag.first.Key`) → InvalidParameter;
 * - a malformed value: not an integer for an integer, not a number for a number, not true/false for a boolean,
 *   not JSON (or not the documented array/object) for a JSON-valued parameter → InvalidParameter;
 * - a required parameter absent or empty → MissingParameter; a required member (`Tag.N.Key` of TagResources)
 *   whenever its object or list item is given (`Tag.1.Value` alone → MissingParameter `Tag.1.Key`).
 * Names are case-exact, except the first letter of a top-level name (see topParam) and the legacy lower-case
 * `Tag.N.key` / `Tag.N.value`.
 * The parameters are checked in sorted key order, unknown and malformed keys before missing ones, so the same
 * request always gets the same error. Empty values count as absent (as ECS treats them) and are not type-checked.
 */
import { COMMON_PARAMS } from '../common-params.js';
import type { ActionSpec, SpecField, SpecParam, SpecShape } from './catalog/spec.js';
import { EcsErrors } from './errors.js';

/**
 * Accepted with every action: the common parameters (identity, signature, protocol; the protocol layer strips
 * them before this check, direct callers of the behaviour layer may not) and `RegionId`, the region a call is
 * routed to, which the old `aliyun-sdk` and some tools send with every call (StartInstance has none of its own).
 */
export const ALWAYS_ACCEPTED: ReadonlySet<string> = new Set([...COMMON_PARAMS, 'RegionId']);

const INDEX = /^[1-9]\d{0,5}$/;
const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const BOOLEAN = /^(?:true|false)$/i;

const topLevel = new WeakMap<ActionSpec, Map<string, SpecParam>>();

function paramsByName(spec: ActionSpec): Map<string, SpecParam> {
  let map = topLevel.get(spec);
  if (!map) {
    map = new Map(spec.params.map((p) => [p.name, p]));
    topLevel.set(spec, map);
  }
  return map;
}

/**
 * The spec's parameter for a key's first segment: by its exact name, or with the first letter's case flipped.
 * The official V1 SDK (`@alicloud/pop-core`) upper-cases every parameter's first letter, so ECS takes
 * `AutoSnapshotPolicyId` for the documented `autoSnapshotPolicyId` (and the reverse).
 */
function topParam(byName: Map<string, SpecParam>, name: string): SpecParam | undefined {
  const exact = byName.get(name);
  if (exact) return exact;
  const first = name.charAt(0);
  const flipped = first === first.toUpperCase() ? first.toLowerCase() : first.toUpperCase();
  return byName.get(flipped + name.slice(1));
}

/**
 * The parameters with each top-level name in the spec's own spelling (`AutoSnapshotPolicyId.x` →
 * `autoSnapshotPolicyId.x`), so behaviour and synthetic answers see one spelling whichever SDK sent the call.
 */
export function canonicalParams(spec: ActionSpec, raw: Readonly<Record<string, string>>): Record<string, string> {
  const byName = paramsByName(spec);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    const dot = key.indexOf('.');
    const first = dot < 0 ? key : key.slice(0, dot);
    const top = byName.has(first) ? undefined : topParam(byName, first);
    out[top ? top.name + key.slice(first.length) : key] = value;
  }
  return out;
}

/** Throws the ECS error for the first problem found; returns when the parameters fit the spec. */
export function checkParams(spec: ActionSpec, raw: Readonly<Record<string, string>>): void {
  const byName = paramsByName(spec);
  const keys = Object.keys(raw).sort();
  /** Non-empty values by the spec's own top-level name, for the required check. */
  const given = new Set<string>();
  /** Every object given (`Tag.1`, `SystemDisk`; in the key's own spelling), for its required members. */
  const objects = new Map<string, SpecField[]>();
  for (const key of keys) {
    const segments = key.split('.');
    const top = topParam(byName, segments[0]!);
    if (top && raw[key] !== '') given.add(top.name);
    if (!top) {
      if (segments.length === 1 && ALWAYS_ACCEPTED.has(key)) continue;
      throw EcsErrors.invalidParameter(key);
    }
    if (top.style === 'json') {
      if (segments.length > 1) throw EcsErrors.invalidParameter(key);
      checkValue(top, raw[key]!, key);
      continue;
    }
    walk(top, segments, 1, raw[key]!, key, objects);
  }
  for (const p of spec.params) {
    if (p.required && !given.has(p.name)) throw EcsErrors.missingParameter(p.name);
  }
  for (const [prefix, members] of [...objects].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    for (const m of members) {
      if (!m.required) continue;
      const path = `${prefix}.${m.name}`;
      const legacy = m.name === 'Key' || m.name === 'Value' ? `${prefix}.${m.name.toLowerCase()}` : path;
      const has = (p: string) => keys.some((k) => raw[k] !== '' && (k === p || k.startsWith(`${p}.`)));
      if (!has(path) && !has(legacy)) throw EcsErrors.missingParameter(path);
    }
  }
}

/** Follows `segments[i…]` down `shape`; the key must end exactly at a scalar. */
function walk(
  shape: SpecShape & { json?: SpecField['json'] },
  segments: string[],
  i: number,
  value: string,
  key: string,
  objects: Map<string, SpecField[]>,
): void {
  if (shape.type === 'map') return; // free-form keys below
  if (i === segments.length) {
    if (shape.type === 'array' || shape.type === 'object') throw EcsErrors.invalidParameter(key);
    checkValue(shape, value, key);
    return;
  }
  const seg = segments[i]!;
  if (shape.type === 'array') {
    if (!INDEX.test(seg)) throw EcsErrors.invalidParameter(key);
    walk(shape.items!, segments, i + 1, value, key, objects);
    return;
  }
  if (shape.type === 'object') {
    const member = memberNamed(shape.members ?? [], seg);
    if (!member) throw EcsErrors.invalidParameter(key);
    if (value !== '') objects.set(segments.slice(0, i).join('.'), shape.members ?? []);
    walk(member, segments, i + 1, value, key, objects);
    return;
  }
  throw EcsErrors.invalidParameter(key); // a scalar has no members
}

/** A member by its exact wire name; also the legacy lower-case `Tag.N.key` / `Tag.N.value` ECS still accepts. */
function memberNamed(members: SpecField[], name: string): SpecField | undefined {
  const exact = members.find((m) => m.name === name);
  if (exact) return exact;
  if (name === 'key' || name === 'value') return members.find((m) => m.name.toLowerCase() === name);
  return undefined;
}

function checkValue(shape: SpecShape & { json?: SpecField['json'] }, value: string, key: string): void {
  if (value === '') return;
  const ok = (() => {
    switch (shape.type) {
      case 'integer': return INTEGER.test(value);
      case 'number': return NUMBER.test(value);
      case 'boolean': return BOOLEAN.test(value);
      case 'string': return shape.json ? isJsonOf(value, shape.json) : true;
      default: return false;
    }
  })();
  if (!ok) throw EcsErrors.invalidParameter(key);
}

function isJsonOf(text: string, kind: NonNullable<SpecField['json']>): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  if (kind === 'array') return Array.isArray(parsed);
  if (kind === 'object') return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  return true;
}
