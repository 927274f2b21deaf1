/**
 * End to end per domain: every call of test/support/domain-sample.ts, through the official SDKs against the
 * emulator, answers 200 with a body of the SDK's response model — V3 with the typed `@alicloud/ecs20140526`
 * client (request models built from the sample), V1 with `@alicloud/pop-core` (wire parameters expanded from
 * the sample by the emulator's spec), GET and POST. What a call names is made first in a fresh account
 * (test/support/domain-prepare.ts), so the stateful actions really succeed: no NotFound is accepted.
 */
import * as Ecs from '@alicloud/ecs20140526';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUPPORTED_ACTIONS } from '../../src/emulator/ecs/index.js';
import { FAKE_PRIVATE_KEY } from '../../src/emulator/ecs/synthetic.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { getAction, listActions } from '../../src/gateway/ecs/catalog/index.js';
import { PREPARE, prepareSample, SAMPLE_ZONE, sdkCall, stringsOf, SYNTHETIC_PLACEHOLDERS } from '../support/domain-prepare.js';
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

// ---------------------------------------------------------------------------------------------------------
// The actions with state need what the sample names to exist. Each call runs in a fresh account (its own key),
// where test/support/domain-prepare.ts first makes what the call names; the real IDs replace the placeholders.

const KEYS = Array.from({ length: 3 * DOMAIN_SAMPLE.length + 4 }, (_, i) => ({ accessKeyId: `sample-key-${i}`, accessKeySecret: 'sample-secret' }));
let nextKey = 0;

/** A fresh account, and the sample call with what it names made there. */
async function prepared(sample: SampleCall): Promise<{ key: (typeof KEYS)[number]; call: SampleCall }> {
  const key = KEYS[nextKey++]!;
  const { call } = await prepareSample(sample, sdkCall(emu.url, key));
  return { key, call };
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
    const method = action.charAt(0).toLowerCase() + action.slice(1);
    const res = await ecs[method]!.call(ecs, sampleModel(call));
    expect(res.statusCode).toBe(200);
    const body = res.body.toMap();
    expect(body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(problems(action, body)).toEqual([]);
  });

  it.each(['GET', 'POST'] as const)('V1 %s: pop-core answers 200 with the response model', async (method) => {
    const { key, call } = await prepared(sample);
    const body = await v1Client(emu.url, key).request<Body>(action, sampleWire(call), { method, formatParams: false });
    expect(body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(problems(action, body)).toEqual([]);
  });
});

describe('preparing the sample (test/support/domain-prepare.ts)', () => {
  it('every placeholder of the sample is made, or names a kind the emulator keeps no state for in a synthetic call', () => {
    const placeholders = new Set(DOMAIN_SAMPLE.flatMap((c) => stringsOf(c.params)).filter((s) => /sample[0-9]|^sample-/.test(s)));
    for (const p of placeholders) expect(Object.hasOwn(PREPARE, p) || SYNTHETIC_PLACEHOLDERS.includes(p), p).toBe(true);
    // Every maker is used by some call, and the left-out ones only reach actions answered synthetically.
    expect([...placeholders].filter((p) => Object.hasOwn(PREPARE, p)).sort()).toEqual(Object.keys(PREPARE).sort());
    for (const c of DOMAIN_SAMPLE) {
      if (stringsOf(c.params).some((s) => SYNTHETIC_PLACEHOLDERS.includes(s))) expect(SUPPORTED_ACTIONS, c.action).not.toContain(c.action);
    }
  });

  it('makes every kind, dependencies first, each as the sample needs it', async () => {
    const key = KEYS[nextKey++]!;
    const ecs = sdkCall(emu.url, key);
    const all: SampleCall = { domain: 'instances', action: 'DescribeInstances', params: { Names: [...Object.keys(PREPARE)].reverse() } };
    const { call, made } = await prepareSample(all, ecs);
    expect([...made.keys()].sort()).toEqual(Object.keys(PREPARE).sort());
    for (const [placeholder, id] of made) if (placeholder !== 'sample-key-pair') expect(id, placeholder).not.toBe(placeholder);
    expect(stringsOf(call.params).sort()).toEqual([...made.values()].sort());
    const id = (p: string) => made.get(p)!;

    const instance = (await ecs('DescribeInstances', { RegionId: 'cn-hangzhou', InstanceIds: [id('i-bp1sample000000001')] })).Instances.Instance[0];
    expect(instance).toMatchObject({ Status: 'Running', ZoneId: SAMPLE_ZONE });
    const disks = (await ecs('DescribeDisks', { RegionId: 'cn-hangzhou', DiskIds: [id('d-bp1sample000000001'), id('d-bp1sample000000002')] })).Disks.Disk;
    const disk = (d: string) => disks.find((x: Body) => x.DiskId === id(d));
    expect(disk('d-bp1sample000000001')).toMatchObject({ Status: 'Available', Type: 'data', ZoneId: SAMPLE_ZONE, InstanceId: '' });
    expect(disk('d-bp1sample000000002')).toMatchObject({ Status: 'In_use', Type: 'system', InstanceId: id('i-bp1sample000000001') });
    const snaps = (await ecs('DescribeSnapshots', { RegionId: 'cn-hangzhou', SnapshotIds: [id('s-bp1sample000000001')] })).Snapshots.Snapshot;
    expect(snaps).toEqual([expect.objectContaining({ Status: 'accomplished', SourceDiskId: id('d-bp1sample000000002') })]);
    const images = (await ecs('DescribeImages', { RegionId: 'cn-hangzhou', ImageOwnerAlias: 'self' })).Images.Image;
    expect(images).toEqual([expect.objectContaining({ ImageId: id('m-bp1sample000000001'), Status: 'Available' })]);
    const groups = (await ecs('DescribeSecurityGroups', { RegionId: 'cn-hangzhou', SecurityGroupIds: [id('sg-bp1sample000000001'), id('sg-bp1sample000000002')] })).SecurityGroups.SecurityGroup;
    expect(groups.map((g: Body) => g.VpcId)).toEqual([id('vpc-bp1sample000000001'), id('vpc-bp1sample000000001')]);
    const vsws = (await ecs('DescribeVSwitches', { RegionId: 'cn-hangzhou', VSwitchId: id('vsw-bp1sample000000001') })).VSwitches.VSwitch;
    expect(vsws).toEqual([expect.objectContaining({ VpcId: id('vpc-bp1sample000000001'), ZoneId: SAMPLE_ZONE })]);
    const pairs = (await ecs('DescribeKeyPairs', { RegionId: 'cn-hangzhou' })).KeyPairs.KeyPair;
    expect(pairs.map((k: Body) => k.KeyPairName)).toEqual(['sample-key-pair']);
    const invocations = (await ecs('DescribeInvocations', { RegionId: 'cn-hangzhou', InvokeId: id('t-hz0sample000001') })).Invocations.Invocation;
    expect(invocations).toHaveLength(1);
    // One instance for all of them: the makers share what they depend on.
    expect((await ecs('DescribeInstances', { RegionId: 'cn-hangzhou' })).TotalCount).toBe(1);
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
