/**
 * End to end per domain: every call of test/support/domain-sample.ts, through the official SDKs against the
 * emulator, answers 200 with a body of the SDK's response model — V3 with the typed `@alicloud/ecs20140526`
 * client (request models built from the sample), V1 with `@alicloud/pop-core` (wire parameters expanded from
 * the sample by the emulator's spec), GET and POST.
 */
import * as Ecs from '@alicloud/ecs20140526';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUPPORTED_ACTIONS } from '../../src/emulator/ecs/index.js';
import { FAKE_PRIVATE_KEY } from '../../src/emulator/ecs/synthetic.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { getAction, listActions } from '../../src/gateway/ecs/catalog/index.js';
import { DOMAIN_SAMPLE, type SampleCall } from '../support/domain-sample.js';
import { TEST_KEY } from './helpers.js';
import { sampleModel, sampleWire } from './sample-calls.js';
import { bodyProblems } from './sdk-shape.js';
import { v1Client, v3Client } from './sdk-clients.js';

type Body = Record<string, unknown>;

/** Stateful answers leave out what the emulator does not model: only types and unknown fields count there. */
function problems(action: string, body: unknown): string[] {
  const all = bodyProblems(action, body);
  return SUPPORTED_ACTIONS.includes(action) ? all.filter((p) => !p.endsWith(': missing')) : all;
}

/**
 * A stateful action that names the sample's made-up resources (`d-bp1sample…`) finds none of them: ECS's
 * `….NotFound` (404) then shows the call was signed and well-formed as much as a 200 would.
 */
async function answered(action: string, call: (typeof DOMAIN_SAMPLE)[number], send: () => Promise<Body>): Promise<Body | undefined> {
  if (!SUPPORTED_ACTIONS.includes(action) || !JSON.stringify(call.params).includes('sample')) return send();
  try {
    return await send();
  } catch (err) {
    // The V3 client reports the HTTP status; pop-core only the body's Code.
    const e = err as { statusCode?: number; code?: string };
    expect(e.code).toMatch(/\.NotFound$/);
    if (e.statusCode !== undefined) expect(e.statusCode).toBe(404);
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The actions with state need what the sample names to exist. Each call runs in a fresh account (its own key),
// which first gets made what the call's parameters name, and the real IDs replace the sample's placeholders.

type V3 = ReturnType<typeof v3Client>;
const KEYS = Array.from({ length: 3 * DOMAIN_SAMPLE.length + 4 }, (_, i) => ({ accessKeyId: `sample-key-${i}`, accessKeySecret: 'sample-secret' }));
let nextKey = 0;
const IMAGE = 'aliyun_3_x64_20G_alibase_20240528.vhd';

/** How each placeholder of the sample is made in a fresh account (its real ID or name). */
const PREPARE: Readonly<Record<string, (ecs: V3) => Promise<string>>> = {
  'i-bp1sample000000001': async (ecs) =>
    (await ecs.runInstances(new Ecs.RunInstancesRequest({ regionId: 'cn-hangzhou', imageId: IMAGE, instanceType: 'ecs.g7.large' }))).body?.instanceIdSets?.instanceIdSet?.[0] as string,
  'sg-bp1sample000000001': async (ecs) => (await ecs.createSecurityGroup(new Ecs.CreateSecurityGroupRequest({ regionId: 'cn-hangzhou' }))).body?.securityGroupId as string,
  'sg-bp1sample000000002': async (ecs) => (await ecs.createSecurityGroup(new Ecs.CreateSecurityGroupRequest({ regionId: 'cn-hangzhou' }))).body?.securityGroupId as string,
  'vpc-bp1sample000000001': async (ecs) => (await ecs.describeVpcs(new Ecs.DescribeVpcsRequest({ regionId: 'cn-hangzhou' }))).body?.vpcs?.vpc?.[0]?.vpcId as string,
  'sample-key-pair': async (ecs) => (await ecs.createKeyPair(new Ecs.CreateKeyPairRequest({ regionId: 'cn-hangzhou', keyPairName: 'sample-key-pair' }))).body?.keyPairName as string,
};

/** A fresh account; for an action with state, the sample call with what it names made there. */
async function prepared(call: SampleCall): Promise<{ key: (typeof KEYS)[number]; call: SampleCall }> {
  const key = KEYS[nextKey++]!;
  if (!SUPPORTED_ACTIONS.includes(call.action)) return { key, call };
  const ecs = v3Client(emu.url, key);
  const made = new Map<string, string>();
  const text = JSON.stringify(call.params);
  for (const [placeholder, make] of Object.entries(PREPARE)) if (text.includes(`"${placeholder}"`)) made.set(placeholder, await make(ecs));
  const swap = (v: unknown): unknown =>
    typeof v === 'string' ? (made.get(v) ?? v) : Array.isArray(v) ? v.map(swap) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, swap(x)])) : v;
  return { key, call: { ...call, params: swap(call.params) as SampleCall['params'] } };
}

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, transitionMs: 0, accessKeys: [TEST_KEY, ...KEYS] });
});
afterAll(() => emu.close());

describe('the domain sample', () => {
  it('covers every domain of the catalog, each action filed under its catalog domain', () => {
    const domains = new Set(listActions().map((a) => a.domain));
    expect(new Set(DOMAIN_SAMPLE.map((c) => c.domain))).toEqual(domains);
    for (const c of DOMAIN_SAMPLE) expect(getAction(c.action)?.domain, c.action).toBe(c.domain);
    // Nested values are in it: objects, lists of objects, a list inside a list, JSON-valued parameters.
    const wire = DOMAIN_SAMPLE.flatMap((c) => Object.keys(sampleWire(c)));
    expect(wire).toEqual(expect.arrayContaining(['SystemDisk.Size', 'Tag.1.Key', 'NetworkInterface.1.SecurityGroupIds.2', 'DiskIds', 'Parameters']));
  });
});

describe.each(DOMAIN_SAMPLE.map((c) => [c.domain, c.action, c] as const))('%s: %s', (_domain, action, sample) => {
  it('V3: the typed SDK call answers 200 with the response model', async () => {
    const { key, call } = await prepared(sample);
    const ecs = v3Client(emu.url, key) as unknown as Record<string, (req: unknown) => Promise<{ statusCode: number; body: { toMap(): Body } }>>;
    const request = sampleModel(call);
    const method = action.charAt(0).toLowerCase() + action.slice(1);
    const body = await answered(action, call, async () => {
      const res = await ecs[method]!.call(ecs, request);
      expect(res.statusCode).toBe(200);
      return res.body.toMap();
    });
    if (body === undefined) return;
    expect(body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(problems(action, body)).toEqual([]);
  });

  it.each(['GET', 'POST'] as const)('V1 %s: pop-core answers 200 with the response model', async (method) => {
    const { key, call } = await prepared(sample);
    const body = await answered(action, call, () => v1Client(emu.url, key).request<Body>(action, sampleWire(call), { method, formatParams: false }));
    if (body === undefined) return;
    expect(body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(problems(action, body)).toEqual([]);
  });
});

describe('what the sample shows', () => {
  it('CreateKeyPair (with state) answers a real private key; a synthetic answer never would', async () => {
    const ecs = v3Client(emu.url, TEST_KEY);
    const res = await ecs.createKeyPair(new Ecs.CreateKeyPairRequest({ regionId: 'cn-hangzhou', keyPairName: 'deploy' }));
    expect(res.body?.privateKeyBody).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(res.body?.privateKeyBody).not.toBe(FAKE_PRIVATE_KEY);
    expect(res.body?.keyPairName).toBe('deploy');
  });
});
