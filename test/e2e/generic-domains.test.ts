import { describe, expect, it } from 'vitest';
import { SUPPORTED_ACTIONS } from '../../src/emulator/ecs/index.js';
import { getAction } from '../../src/gateway/ecs/catalog/index.js';
import type { Param, Shape } from '../../src/gateway/ecs/catalog/types.js';
import { camelCase, snakeCase } from '../../src/gateway/ecs/names.js';
import { bodyProblems } from '../emulator/sdk-shape.js';
import { prepareSample, sdkCall } from '../support/domain-prepare.js';
import { DOMAIN_SAMPLE, type SampleCall } from '../support/domain-sample.js';
import { useRelayedStack } from '../support/relay.js';
import { call, DEMO_ACCESS_KEY, type Answer } from '../support/stack.js';

/**
 * `POST /api/ecs/{Action}` end to end: the gateway's generic route in front of a real emulator, signing V3 and
 * V1, for the sample of actions from every catalog domain (test/support/domain-sample.ts). Each call answers
 * 200 with the envelope and a body of the SDK's response model. The parameters go in all three spellings:
 * lowerCamelCase under V3, snake_case and the exact wire names (alternately) under V1, nested members too.
 * What a call names (an instance, disks, a snapshot, an image, security groups, the VPC and a vSwitch, a key pair,
 * an invocation) is made first in the emulator, directly with the demo key (test/support/domain-prepare.ts),
 * since the emulator's state is reset before each test. Then refusals that never reach the emulator (seen by a counting relay between gateway and emulator), an
 * error from the emulator with ECS's code kept, and the singular instance actions running a real lifecycle
 * (transitions are instant: the stack's emulator has EMULATOR_TRANSITION_MS=0).
 */

const STRUCT = 'type.googleapis.com/google.protobuf.Struct';
const REGION = 'cn-hangzhou';
const IMAGE = 'aliyun_2_1903_x64_20G_alibase_20220408.vhd';
const creds = { accessKeyId: DEMO_ACCESS_KEY.accessKeyId, accessKeySecret: DEMO_ACCESS_KEY.accessKeySecret };

type Spelling = 'camel' | 'snake' | 'wire';
const SPELL: Record<Spelling, (wire: string) => string> = { camel: camelCase, snake: snakeCase, wire: (w) => w };

/** `value` (wire-named, as in the sample) respelled along the catalog's shape; free-form maps keep their keys. */
function respell(value: unknown, shape: Shape, spelling: Spelling): unknown {
  if (shape.type === 'array' && Array.isArray(value)) return value.map((v) => respell(v, shape.items, spelling));
  if (shape.type === 'object' && shape.members && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return respellParams(value as Record<string, unknown>, shape.members, spelling);
  }
  return value;
}

function respellParams(params: Readonly<Record<string, unknown>>, members: readonly Param[], spelling: Spelling): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).map(([wire, v]) => {
    const param = members.find((m) => m.name === wire);
    if (!param) throw new Error(`${wire} is not a catalog parameter here`);
    return [SPELL[spelling](wire), respell(v, param, spelling)];
  }));
}

/** The sample call's body in one spelling. */
function bodyOf(sample: SampleCall, spelling: Spelling): Record<string, unknown> {
  const action = getAction(sample.action);
  if (!action) throw new Error(`${sample.action} is not in the catalog`);
  return respellParams(sample.params, action.params, spelling);
}

/** Every object key at any depth, skipping free-form maps (whose keys are the caller's). */
function keysDeep(value: unknown, shape: Shape | undefined, out: string[] = []): string[] {
  if (Array.isArray(value) && shape?.type === 'array') value.forEach((v) => keysDeep(v, shape.items, out));
  else if (shape?.type === 'object' && shape.members && typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      keysDeep(v, shape.members.find((m) => SPELL.camel(m.name) === k || SPELL.snake(m.name) === k || m.name === k), out);
    }
  }
  return out;
}

const path = (body: unknown, dotted: string): unknown => dotted.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], body);

/** Stateful answers leave out what the emulator does not model: only types and unknown fields count there. */
function problems(action: string, body: unknown): string[] {
  const all = bodyProblems(action, body);
  return SUPPORTED_ACTIONS.includes(action) ? all.filter((p) => !p.endsWith(': missing')) : all;
}


describe('the sample, respelled', () => {
  it('the three spellings differ from each other for most sample calls, nested members included', () => {
    const differing = DOMAIN_SAMPLE.filter((s) => {
      const [c, n, w] = (['camel', 'snake', 'wire'] as const).map((sp) => JSON.stringify(bodyOf(s, sp)));
      return c !== n && n !== w && c !== w;
    });
    expect(differing.length).toBeGreaterThan(DOMAIN_SAMPLE.length * 0.8);
    const nested = DOMAIN_SAMPLE.find((s) => s.action === 'CreateLaunchTemplate')!;
    expect(bodyOf(nested, 'camel')).toMatchObject({ systemDisk: { category: 'cloud_essd', size: 40 }, networkInterface: [{ vSwitchId: 'vsw-bp1sample000000001', securityGroupIds: ['sg-bp1sample000000001', 'sg-bp1sample000000002'] }] });
    expect(bodyOf(nested, 'snake')).toMatchObject({ system_disk: { category: 'cloud_essd', size: 40 }, network_interface: [{ v_switch_id: 'vsw-bp1sample000000001', security_group_ids: ['sg-bp1sample000000001', 'sg-bp1sample000000002'] }] });
    // A free-form JSON map keeps the caller's keys in every spelling.
    const invoke = DOMAIN_SAMPLE.find((s) => s.action === 'InvokeCommand')!;
    expect(bodyOf(invoke, 'snake')).toMatchObject({ parameters: { name: 'world' } });
  });
});

describe.each(['v3', 'v1'] as const)('POST /api/ecs/{Action} into the emulator (%s)', (version) => {
  const ctx = useRelayedStack(version);

  /** The sample call with what it names made in the emulator (directly, not through the gateway or the relay). */
  const prepared = async (sample: SampleCall): Promise<SampleCall> => {
    const before = ctx.relay.requests.length;
    const { call: ready } = await prepareSample(sample, sdkCall(ctx.stack.emulator.url, creds));
    expect(ctx.relay.requests.length).toBe(before);
    return ready;
  };

  const post = (action: string, body: Record<string, unknown>): Promise<Answer> => call(ctx.stack.base, 'POST', `/api/ecs/${action}`, { ...creds, ...body });
  const ok = async (action: string, body: Record<string, unknown>): Promise<Record<string, any>> => {
    const res = await post(action, body);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    return res.json.data.value.body;
  };

  // V3 sends lowerCamelCase; V1 alternates snake_case and the exact wire names.
  const spellingOf = (i: number): Spelling => (version === 'v3' ? 'camel' : i % 2 === 0 ? 'snake' : 'wire');

  describe.each(DOMAIN_SAMPLE.map((s, i) => [s.domain, s.action, spellingOf(i), s] as const))('%s: %s (%s)', (_domain, action, spelling, sample) => {
    it('answers 200, the envelope, and a body of the response model', async () => {
      const catalog = getAction(action)!;
      const body = bodyOf(await prepared(sample), spelling);
      // An action that takes a ClientToken gets a fresh one from the gateway per call; the caller's own wins, so
      // one token here keeps "the same call" the same on the wire (the determinism check below).
      const tokenKey = spelling === 'snake' ? 'client_token' : spelling === 'wire' ? 'ClientToken' : 'clientToken';
      if (catalog.idempotent && !['clientToken', 'client_token', 'ClientToken'].some((k) => k in body)) body[tokenKey] = `token-${action}`;
      // The spelling is the one this case claims, at every depth.
      const keys = keysDeep(body, { type: 'object', members: catalog.params });
      if (spelling === 'snake') for (const k of keys) expect(k).toMatch(/^[a-z0-9_]+$/);
      if (spelling === 'camel') for (const k of keys) expect(k).toMatch(/^[a-z][A-Za-z0-9]*$/);

      const res = await post(action, body);
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      expect(ctx.relay.requests.length).toBe(1);
      expect(Object.keys(res.json)).toEqual(['data']);
      expect(res.json.data['@type']).toBe(STRUCT);
      const answer = res.json.data.value.body;
      expect(answer.RequestId).toMatch(/^[0-9A-F-]{36}$/);
      expect(res.json.data.value.headers['x-acs-request-id']).toBe(answer.RequestId);
      expect(problems(action, answer)).toEqual([]);
      if (catalog.list) expect(Array.isArray(path(answer, catalog.list)), `${catalog.list} is a list`).toBe(true);

      if (!SUPPORTED_ACTIONS.includes(action)) {
        // A synthetic list is never empty (an empty one would show nothing of the item shape).
        if (catalog.list) expect((path(answer, catalog.list) as unknown[]).length).toBeGreaterThan(0);
        // Synthetic answers are deterministic: the same call answers the same body, bar the RequestId.
        const again = await ok(action, body);
        expect({ ...again, RequestId: '' }).toEqual({ ...answer, RequestId: '' });
      }
    });
  });

  it('key fields of a few answers: ids of what was created, the list of what was asked for', async () => {
    const sample = async (action: string) => bodyOf(await prepared(DOMAIN_SAMPLE.find((s) => s.action === action)!), version === 'v3' ? 'camel' : 'snake');
    expect((await ok('CreateInstance', await sample('CreateInstance'))).InstanceId).toMatch(/^i-/);
    expect((await ok('CreateDisk', await sample('CreateDisk'))).DiskId).toMatch(/^d-/);
    expect((await ok('CreateSecurityGroup', await sample('CreateSecurityGroup'))).SecurityGroupId).toMatch(/^sg-/);
    const regions = await ok('DescribeRegions', await sample('DescribeRegions'));
    expect(regions.Regions.Region.map((r: { RegionId: string }) => r.RegionId)).toContain(REGION);
    const images = await ok('DescribeImages', await sample('DescribeImages'));
    expect(images).toMatchObject({ PageSize: 5 });
    expect(images.Images.Image.length).toBeGreaterThan(0);
    expect(images.Images.Image.length).toBeLessThanOrEqual(5);
    expect(images.Images.Image.every((i: { ImageOwnerAlias: string }) => i.ImageOwnerAlias === 'system')).toBe(true);
  });

  it('the calls naming prepared resources act on them: a disk attached, a key pair on the instance, the snapshot and invocation listed', async () => {
    const sample = (action: string) => prepared(DOMAIN_SAMPLE.find((s) => s.action === action)!);
    const attach = await sample('AttachDisk');
    await ok('AttachDisk', attach.params);
    const disks = await ok('DescribeDisks', { RegionId: REGION, DiskIds: [attach.params.DiskId] });
    expect(disks.Disks.Disk).toEqual([expect.objectContaining({ DiskId: attach.params.DiskId, Status: 'In_use', InstanceId: attach.params.InstanceId })]);

    const keyPair = await ok('AttachKeyPair', (await sample('AttachKeyPair')).params);
    expect(keyPair).toMatchObject({ KeyPairName: 'sample-key-pair', TotalCount: '1', FailCount: '0' });

    const snapshots = await sample('DescribeSnapshots');
    expect((await ok('DescribeSnapshots', snapshots.params)).Snapshots.Snapshot).toEqual([
      expect.objectContaining({ SnapshotId: (snapshots.params.SnapshotIds as string[])[0], Status: 'accomplished' }),
    ]);

    const invocations = await sample('DescribeInvocations');
    expect((await ok('DescribeInvocations', invocations.params)).Invocations.Invocation).toEqual([
      expect.objectContaining({ InvokeId: invocations.params.InvokeId }),
    ]);
  });

  it('an unknown parameter name → 400 VALIDATION_FAILED with a suggestion; nothing reaches the emulator', async () => {
    const res = await post('StopInstances', { regionId: REGION, instanceId: ['i-1'], forceStpo: true });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
    expect(res.json.error.details).toEqual([expect.objectContaining({ field: 'forceStpo', message: expect.stringContaining('did you mean forceStop?') })]);
    expect(ctx.relay.requests.length).toBe(0);
  });

  it('a missing required parameter → 400 VALIDATION_FAILED naming it; nothing reaches the emulator', async () => {
    const res = await post('RunInstances', { image_id: IMAGE, instance_type: 'ecs.g7.large' });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
    expect(res.json.error.details).toEqual([expect.objectContaining({ field: 'regionId', message: 'required' })]);
    expect(ctx.relay.requests.length).toBe(0);
    // Nothing was created either.
    expect((await ok('DescribeInstances', { regionId: REGION })).TotalCount).toBe(0);
  });

  it('an emulator error keeps ECS\'s status and code: StopInstances on an unknown instance → 404 InvalidInstanceId.NotFound', async () => {
    const res = await post('StopInstances', { RegionId: REGION, InstanceId: ['i-bp1nosuchinstance01'] });
    expect(res.status).toBe(404);
    expect(res.json.error).toMatchObject({ code: 'InvalidInstanceId.NotFound', status: 404 });
    expect(res.json.error.ecsRequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(ctx.relay.requests.length).toBe(1);
  });

  it('StopInstance, StartInstance, RebootInstance and DeleteInstance (singular) run a real lifecycle', async () => {
    const run = await ok('RunInstances', { regionId: REGION, imageId: IMAGE, instanceType: 'ecs.g7.large', amount: 1 });
    const [id] = run.InstanceIdSets.InstanceIdSet as [string];
    const status = async () => {
      const listed = await ok('DescribeInstances', { regionId: REGION, instanceIds: [id] });
      expect(listed.Instances.Instance).toHaveLength(1);
      return listed.Instances.Instance[0].Status as string;
    };
    expect(await status()).toBe('Running');

    // Delete needs Stopped (unless forced): the state rules of the stateful model apply.
    const early = await post('DeleteInstance', { instanceId: id });
    expect(early.status).toBe(403);
    expect(early.json.error.code).toBe('IncorrectInstanceStatus');

    expect(Object.keys(await ok('StopInstance', { instance_id: id, force_stop: true }))).toEqual(['RequestId']);
    expect(await status()).toBe('Stopped');
    const badReboot = await post('RebootInstance', { InstanceId: id });
    expect(badReboot.status).toBe(403);
    expect(badReboot.json.error.code).toBe('IncorrectInstanceStatus');

    await ok('StartInstance', { InstanceId: id });
    expect(await status()).toBe('Running');
    await ok('RebootInstance', { instanceId: id });
    expect(await status()).toBe('Running');
    await ok('StopInstance', { instanceId: id });
    expect(await status()).toBe('Stopped');

    await ok('DeleteInstance', { instanceId: id });
    const gone = await post('StartInstance', { instanceId: id });
    expect(gone.status).toBe(404);
    expect(gone.json.error.code).toBe('InvalidInstanceId.NotFound');
    expect((await ok('DescribeInstances', { regionId: REGION })).TotalCount).toBe(0);
  });

  it('the gateway never logs the secret', () => {
    expect(ctx.stack.logs.lines.length).toBeGreaterThan(10);
    expect(ctx.stack.logs.text).not.toContain(DEMO_ACCESS_KEY.accessKeySecret);
  });
});
