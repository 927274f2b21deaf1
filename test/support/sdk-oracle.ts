/**
 * The official SDK (@alicloud/ecs20140526, a devDependency) as an oracle for the wire parameters of any ECS
 * action: the SDK's request model, built from our JSON input (any of the three spellings) and run through its
 * own `xxxWithOptions` (OpenApiUtil.query, arrayToStringWithSpecifiedStyle), gives the query the SDK would
 * send. Its transport is replaced by a stub that captures the request instead of signing and sending it.
 */
import EcsModule, * as $Ecs from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import type { Action, Param, Shape } from '../../src/gateway/ecs/catalog/types.js';
import { memberFor, type WireParams } from '../../src/gateway/ecs/wire.js';

interface ModelClass {
  new (map?: Record<string, unknown>): object;
  names(): Record<string, string>;
  types(): Record<string, unknown>;
}
type SdkType = string | ModelClass | { type: 'array'; itemType: SdkType } | { type: 'map' };

/** The package is CommonJS with `exports.default`: the class is on `.default` or is the module itself. */
type EcsCtor = typeof EcsModule.default;
const EcsClient: EcsCtor = ((EcsModule as { default?: unknown }).default ?? EcsModule) as EcsCtor;
const models = $Ecs as unknown as Record<string, ModelClass>;

class Captured extends Error {}
let captured: Record<string, string> | undefined;
const client = new EcsClient(new $OpenApiUtil.Config({ accessKeyId: 'ak', accessKeySecret: 'sk', endpoint: 'ecs.aliyuncs.com' }));
// The SDK builds the request in `xxxWithOptions` and hands it to callApi, which would sign and send it.
(client as unknown as { callApi: unknown }).callApi = async (_params: unknown, req: { query: Record<string, string> }) => {
  captured = { ...req.query };
  throw new Captured();
};

/** The query the official SDK sends for `action` with the request model built from `map` (SDK property names). */
export async function sdkQuery(action: string, map: Record<string, unknown>): Promise<WireParams> {
  const Request = models[`${action}Request`];
  if (!Request) throw new Error(`the SDK has no ${action}Request`);
  const method = `${action[0]!.toLowerCase()}${action.slice(1)}WithOptions`;
  captured = undefined;
  const call = (client as unknown as Record<string, (r: object, rt: object) => Promise<unknown>>)[method]!;
  try {
    await call.call(client, new Request(map), {});
  } catch (err) {
    if (!(err instanceof Captured)) throw err;
  }
  if (!captured) throw new Error(`the SDK's ${method} did not call callApi`);
  return captured;
}

const isModel = (t: unknown): t is ModelClass => typeof t === 'function' && typeof (t as { names?: unknown }).names === 'function';

/** Our input (any spelling) as the SDK's constructor map (its property names, nested models as maps). */
function toSdk(cls: ModelClass, members: readonly Param[], value: Record<string, unknown>): Record<string, unknown> {
  const propOf = new Map(Object.entries(cls.names()).map(([prop, wire]) => [wire, prop]));
  const types = cls.types();
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const member = memberFor(members, key)!;
    const prop = propOf.get(member.name)!;
    out[prop] = sdkValue(types[prop] as SdkType, member, v);
  }
  return out;
}

function sdkValue(t: SdkType, shape: Shape & { style?: string }, v: unknown): unknown {
  if (isModel(t)) return toSdk(t, (shape as { members: Param[] }).members, v as Record<string, unknown>);
  if (typeof t === 'object' && t.type === 'array') {
    return (v as unknown[]).map((item) => sdkValue(t.itemType, (shape as { items: Shape }).items, item));
  }
  // A parameter the SDK types as a plain string but ECS reads as JSON: the caller of the SDK encodes it.
  if (t === 'string' && shape.style === 'json') return JSON.stringify(v);
  return v;
}

export async function sdkQueryFor(action: Action, input: Record<string, unknown>): Promise<WireParams> {
  return sdkQuery(action.name, toSdk(models[`${action.name}Request`]!, action.params, input));
}

