/**
 * The request schemas of the ECS document (JSON Schema, made by src/gateway/ecs/json-schema.ts) agree with
 * the zod schemas that validate (src/gateway/ecs/schema.ts), both made from the catalog: on boundary and
 * broken inputs built from every property of every action, both accept or both refuse; and every input
 * the JSON Schema accepts (random ones, fast-check), zod accepts. The JSON side is checked by zod's own
 * JSON Schema reader (`z.fromJSONSchema`, OpenAPI 3.0 dialect), on the committed document.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SCHEMA_OPTIONS } from '../../scripts/ecs-openapi.js';
import { ECS_TARGET } from '../../scripts/generate-openapi.js';
import { listActions } from '../../src/gateway/ecs/catalog/index.js';
import type { Action } from '../../src/gateway/ecs/catalog/types.js';
import type { JsonSchema } from '../../src/gateway/ecs/json-schema.js';
import { actionJsonSchema } from '../../src/gateway/ecs/json-schema.js';
import { actionSchemaWith } from '../../src/gateway/ecs/schema.js';
import { commonFields } from '../../src/gateway/schemas/common.js';

const doc = JSON.parse(readFileSync(ECS_TARGET, 'utf8')) as {
  components: { schemas: Record<string, JsonSchema> };
  paths: Record<string, { post: { requestBody: { content: { 'application/json': { example: Record<string, unknown> } } } } }>;
};
const actions = listActions();
const CREDENTIALS = new Set(Object.keys(commonFields));

interface Checkers { action: Action; schema: JsonSchema; json: z.ZodType; zod: z.ZodType; example: Record<string, unknown> }
const checkers = new Map<string, Checkers>();
function checkersOf(action: Action): Checkers {
  let c = checkers.get(action.name);
  if (!c) {
    const schema = doc.components.schemas[`${action.name}Request`]!;
    c = {
      action,
      schema,
      json: z.fromJSONSchema(schema as never, { defaultTarget: 'openapi-3.0' }),
      zod: actionSchemaWith(action, commonFields, SCHEMA_OPTIONS),
      example: doc.paths[`/api/ecs/${action.name}`]!.post.requestBody.content['application/json'].example,
    };
    checkers.set(action.name, c);
  }
  return c;
}

/** A value the JSON Schema accepts, as small as the limits allow. */
function valid(s: JsonSchema): unknown {
  switch (s.type) {
    case 'integer':
    case 'number':
      return s.minimum ?? Math.min(1, s.maximum ?? 1);
    case 'string':
      return s.enum ? s.enum[0] : 'x'.repeat(Math.min(Math.max(s.minLength ?? 1, 1), s.maxLength ?? Infinity));
    case 'boolean':
      return true;
    case 'array':
      return s.maxItems === 0 ? [] : [valid(s.items!)];
    case 'object':
      return s.properties ? Object.fromEntries((s.required ?? []).map((k) => [k, valid(s.properties![k]!)])) : {};
    default:
      throw new Error(`unexpected schema ${JSON.stringify(s)}`);
  }
}

interface Case { what: string; value: Record<string, unknown>; ok: boolean }

/**
 * Inputs around one schema node: `put` places a value there inside an otherwise valid body. Limits at and
 * beyond their bounds, a value of the wrong type, and for objects an unknown member and each missing
 * required member; recursively.
 */
function cases(s: JsonSchema, put: (v: unknown) => Record<string, unknown>, at: string): Case[] {
  const out: Case[] = [];
  const add = (what: string, v: unknown, ok: boolean): void => { out.push({ what: `${at}: ${what}`, value: put(v), ok }); };
  switch (s.type) {
    case 'integer':
    case 'number': {
      const step = s.type === 'integer' ? 1 : 0.5;
      if (s.minimum !== undefined) { add('minimum', s.minimum, true); add('below minimum', s.minimum - step, false); }
      if (s.maximum !== undefined) { add('maximum', s.maximum, true); add('above maximum', s.maximum + step, false); }
      if (s.type === 'integer') add('a fraction', (s.minimum ?? 1) + 0.5, false);
      add('an object', {}, false);
      break;
    }
    case 'string':
      if (s.enum) { add('the last documented value', s.enum.at(-1), true); add('an undocumented value', 'notADocumentedValue', false); add('an object', {}, false); break; }
      if (s.maxLength !== undefined) { add('maxLength', 'x'.repeat(s.maxLength), true); add('too long', 'x'.repeat(s.maxLength + 1), false); }
      if (s.minLength) { add('minLength', 'x'.repeat(s.minLength), true); add('too short', 'x'.repeat(s.minLength - 1), false); }
      add('an object', {}, false);
      break;
    case 'boolean':
      add('true', true, true);
      add('an object', {}, false);
      break;
    case 'array': {
      add('empty', [], true);
      if (s.maxItems !== undefined) {
        add('maxItems', Array.from({ length: s.maxItems }, () => valid(s.items!)), true);
        add('too many items', Array.from({ length: s.maxItems + 1 }, () => valid(s.items!)), false);
      }
      add('a boolean', true, false);
      out.push(...cases(s.items!, (v) => put([v]), `${at}[0]`));
      break;
    }
    case 'object': {
      const base = valid(s) as Record<string, unknown>;
      add('valid', base, true);
      add('a boolean', true, false);
      if (!s.properties) { add('any keys', { anyKey: [1, 'two'] }, true); break; }
      add('an unknown member', { ...base, notAMember: 1 }, false);
      for (const key of s.required ?? []) {
        const { [key]: _dropped, ...rest } = base;
        add(`without ${key}`, rest, false);
      }
      for (const [key, member] of Object.entries(s.properties)) {
        out.push(...cases(member, (v) => put({ ...base, [key]: v }), `${at}.${key}`));
      }
      break;
    }
    default:
      throw new Error(`unexpected schema at ${at}`);
  }
  return out;
}

/** Arbitrary inputs the JSON Schema accepts (credentials left out: see the note in the last test). */
function arb(s: JsonSchema): fc.Arbitrary<unknown> {
  switch (s.type) {
    case 'integer':
      return fc.integer({ min: s.minimum ?? -1_000_000, max: s.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: s.minimum ?? -1e9, max: s.maximum ?? 1e9, noNaN: true, noDefaultInfinity: true });
    case 'string': {
      if (s.enum) return fc.constantFrom(...s.enum);
      const minLength = s.minLength ?? 0;
      return fc.string({ minLength, maxLength: Math.max(minLength, Math.min(s.maxLength ?? 12, 12)) });
    }
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(arb(s.items!), { maxLength: Math.min(s.maxItems ?? 3, 3) });
    case 'object':
      if (!s.properties) return fc.dictionary(fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,7}$/), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
      return fc.record(
        Object.fromEntries(Object.entries(s.properties).filter(([k]) => !CREDENTIALS.has(k)).map(([k, v]) => [k, arb(v)])),
        { requiredKeys: s.required ?? [] },
      );
    default:
      throw new Error('unexpected schema');
  }
}

describe('the ECS document\'s request schemas and the validation', () => {
  it('are made from the same catalog entries (the document holds json-schema.ts\'s output)', () => {
    const credentials = Object.fromEntries([...CREDENTIALS].map((k) => [k, (doc.components.schemas.DescribeDisksRequest!.properties!)[k]!]));
    for (const action of actions) expect(doc.components.schemas[`${action.name}Request`], action.name).toEqual(actionJsonSchema(action, credentials, SCHEMA_OPTIONS));
  });

  const domains = [...new Set(actions.map((a) => a.domain))].sort();
  it.each(domains)('agree on every %s action\'s example body, missing required parameters, unknown fields, wrong types and every documented limit', (domain) => {
    const disagreements: string[] = [];
    let count = 0;
    for (const action of actions.filter((a) => a.domain === domain)) {
      const { schema, json, zod, example } = checkersOf(action);
      const all: Case[] = [
        { what: 'the example body', value: example, ok: true },
        { what: 'an unknown field', value: { ...example, notAParameter: 'x' }, ok: false },
        ...(schema.required ?? []).map((k) => {
          const { [k]: _dropped, ...rest } = example;
          return { what: `without ${k}`, value: rest, ok: false };
        }),
        ...Object.entries(schema.properties!).flatMap(([k, s]) => cases(s, (v) => ({ ...example, [k]: v }), k)),
      ];
      for (const c of all) {
        count++;
        const byJson = json.safeParse(c.value).success;
        const byZod = zod.safeParse(c.value).success;
        if (byJson !== c.ok || byZod !== c.ok) disagreements.push(`${action.name} ${c.what}: expected ${c.ok ? 'valid' : 'invalid'}, JSON Schema ${byJson}, zod ${byZod}`);
      }
    }
    expect(disagreements).toEqual([]);
    // At least the example, an unknown field and one case per property, for each action.
    expect(count).toBeGreaterThan(actions.filter((a) => a.domain === domain).length * 3);
  });

  it('every property example fits its own schema', () => {
    const bad: string[] = [];
    let count = 0;
    const walk = (s: JsonSchema, at: string): void => {
      if (s.example !== undefined) {
        count++;
        if (!z.fromJSONSchema(s as never, { defaultTarget: 'openapi-3.0' }).safeParse(s.example).success) bad.push(`${at}: ${JSON.stringify(s.example)}`);
      }
      if (s.items) walk(s.items, `${at}[]`);
      for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, `${at}.${k}`);
    };
    for (const action of actions) walk(checkersOf(action).schema, action.name);
    expect(bad).toEqual([]);
    expect(count).toBeGreaterThan(1000);
  });

  it('the comparison sees a disagreement when there is one', () => {
    // The first action with a top-level integer limit, and a copy of its JSON Schema that forgot the limit.
    const [action, key, max] = actions.flatMap((a) => Object.entries(checkersOf(a).schema.properties!)
      .filter(([, s]) => s.type === 'integer' && s.maximum !== undefined).map(([k, s]) => [a, k, s.maximum!] as const))[0]!;
    const { schema, zod, example } = checkersOf(action);
    const loose = structuredClone(schema);
    delete loose.properties![key]!.maximum;
    const json = z.fromJSONSchema(loose as never, { defaultTarget: 'openapi-3.0' });
    const value = { ...example, [key]: max + 1 };
    expect(json.safeParse(value).success).toBe(true);
    expect(zod.safeParse(value).success).toBe(false);
  });

  it('every input the JSON Schema accepts, zod accepts (random inputs over all actions)', () => {
    // Credentials are left out of the random inputs: they are zod's own schemas (schemas/common.ts) converted by
    // z.toJSONSchema, which cannot express their "not empty, no control characters" refinement.
    const arbs = new Map(actions.map((a) => [a.name, arb(checkersOf(a).schema)]));
    fc.assert(fc.property(fc.constantFrom(...actions).chain((a) => arbs.get(a.name)!.map((v) => [a, v] as const)), ([action, value]) => {
      const { json, zod } = checkersOf(action);
      expect(json.safeParse(value).success).toBe(true);
      const r = zod.safeParse(value);
      expect(r.success ? [] : r.error.issues).toEqual([]);
    }), { numRuns: 3000 });
  }, 120_000);
});
