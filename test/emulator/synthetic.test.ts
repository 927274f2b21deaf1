/**
 * Every ECS action answers. For each action of the spec without state (all but the instance lifecycle and the
 * static catalog), a call with exactly its required parameters, built from the spec, answers 200 with a body
 * that matches the official SDK's response model field for field, through the V3 SDK (ACS3-HMAC-SHA256) and the
 * V1 SDK (HMAC-SHA1); the same request gives the same body again (apart from RequestId).
 */
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionSpec, specActionNames } from '../../src/emulator/ecs/catalog/spec.js';
import { EcsEmulatorState, SUPPORTED_ACTIONS, SYNTHETIC_ACTIONS } from '../../src/emulator/ecs/index.js';
import { FAKE_PRIVATE_KEY, FAKE_SECRET, syntheticBody } from '../../src/emulator/ecs/synthetic.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { TEST_KEY } from './helpers.js';
import { bodyProblems } from './sdk-shape.js';
import { v1Client, v3Client } from './sdk-clients.js';
import { requiredWire } from './spec-params.js';

type Body = Record<string, unknown>;

let emu: RunningEmulator;
let v3: ReturnType<typeof v3Client>;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, transitionMs: 0, accessKeys: [TEST_KEY] });
  v3 = v3Client(emu.url, TEST_KEY);
});
afterAll(() => emu.close());

/** A raw V3 call: the official signer over exactly these wire parameters. */
async function callV3(action: string, query: Record<string, string>): Promise<{ statusCode: number; body: Body }> {
  const params = new $OpenApiUtil.Params({
    action, version: '2014-05-26', protocol: 'HTTP', pathname: '/', method: 'POST',
    authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json',
  });
  const runtime = {} as Parameters<typeof v3.callApi>[2];
  return (await v3.callApi(params, new $OpenApiUtil.OpenApiRequest({ query }), runtime)) as { statusCode: number; body: Body };
}

const withoutRequestId = (b: Body): Body => {
  const { RequestId: _r, ...rest } = b;
  return rest;
};

describe('the spec covers the catalog', () => {
  it('holds all 380 actions of the SDK; 54 have state, every other one is synthetic', () => {
    expect(specActionNames()).toHaveLength(380);
    expect(SUPPORTED_ACTIONS.every((a) => actionSpec(a) !== undefined)).toBe(true);
    expect(SYNTHETIC_ACTIONS).toHaveLength(380 - SUPPORTED_ACTIONS.length);
    expect(SUPPORTED_ACTIONS).toHaveLength(54);
  });
});

describe('synthetic answers for every action without state', () => {
  it.each(SYNTHETIC_ACTIONS.map((a) => [a]))('%s: required params only → 200 and the SDK response model (V3 and V1)', async (action) => {
    const spec = actionSpec(action)!;
    const query = requiredWire(spec);
    const first = await callV3(action, query);
    expect(first.statusCode).toBe(200);
    expect(first.body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(bodyProblems(action, first.body)).toEqual([]);
    const again = await callV3(action, query);
    expect(again.body.RequestId).not.toBe(first.body.RequestId);
    expect(withoutRequestId(again.body)).toEqual(withoutRequestId(first.body));
    const v1 = await v1Client(emu.url, TEST_KEY).request<Body>(action, query, { method: 'POST' });
    expect(bodyProblems(action, v1)).toEqual([]);
    expect(withoutRequestId(v1)).toEqual(withoutRequestId(first.body));
  });
});

describe('synthetic values', () => {
  const state = new EcsEmulatorState({ transitionMs: 0 });
  const call = (action: string, params: Record<string, string>) => state.call(action, params, { account: 'A' });

  it('shapes IDs like ECS, keeps TotalCount consistent with one-element lists, and ends paging', () => {
    const hosts = call('DescribeDedicatedHosts', { RegionId: 'cn-hangzhou' }) as { DedicatedHosts: { DedicatedHost: Body[] }; TotalCount: number; PageNumber: number; PageSize: number; NextToken: string };
    expect(hosts.DedicatedHosts.DedicatedHost).toHaveLength(1);
    expect([hosts.TotalCount, hosts.PageNumber, hosts.PageSize, hosts.NextToken]).toEqual([1, 1, 1, '']);
    const host = hosts.DedicatedHosts.DedicatedHost[0]!;
    expect(host.DedicatedHostId).toMatch(/^dh-[0-9a-f]{20}$/);
    expect(host.RegionId).toBe('cn-hangzhou');
    expect(host.ZoneId).toBe('cn-hangzhou-i');
    expect(host.CreationTime).toBe('2026-01-01T00:00:00Z');
    const full = call('DescribeDisksFullStatus', { RegionId: 'cn-hangzhou' }) as { DiskFullStatusSet: { DiskFullStatusType: Body[] } };
    const status = full.DiskFullStatusSet.DiskFullStatusType[0]!;
    expect(status.DiskId).toMatch(/^d-[0-9a-f]{20}$/);
    expect(status.InstanceId).toMatch(/^i-[0-9a-f]{20}$/);
    const image = (call('DescribeImageFromFamily', { RegionId: 'cn-hangzhou', ImageFamily: 'f' }) as { Image: Body }).Image;
    expect(image.ImageId).toMatch(/^m-[0-9a-f]{20}$/);
    expect(image.Size).toBe(1);
    expect(image.IsCopied).toBe(false);
    // CreateSecurityGroup has state now; its synthetic answer is still shaped the same way.
    const sg = syntheticBody(actionSpec('CreateSecurityGroup')!, { RegionId: 'cn-hangzhou' });
    expect(sg.SecurityGroupId).toMatch(/^sg-[0-9a-f]{20}$/);
    const eni = call('CreateNetworkInterface', { RegionId: 'cn-hangzhou', VSwitchId: 'vsw-1' });
    expect(eni.NetworkInterfaceId).toMatch(/^eni-[0-9a-f]{20}$/);
    expect(eni.VSwitchId).toMatch(/^vsw-[0-9a-f]{20}$/);
  });

  it('answers the same request with the same body, and a different request with different IDs', () => {
    const a = call('CreateDeploymentSet', { RegionId: 'cn-hangzhou', DeploymentSetName: 'ds-a' });
    expect(call('CreateDeploymentSet', { DeploymentSetName: 'ds-a', RegionId: 'cn-hangzhou' })).toEqual(a);
    const b = call('CreateDeploymentSet', { RegionId: 'cn-hangzhou', DeploymentSetName: 'ds-b' });
    expect(b.DeploymentSetId).not.toBe(a.DeploymentSetId);
    // A new emulator answers the same: nothing depends on state, time or randomness.
    expect(new EcsEmulatorState({ transitionMs: 0 }).call('CreateDeploymentSet', { RegionId: 'cn-hangzhou', DeploymentSetName: 'ds-a' }, { account: 'B' })).toEqual(a);
  });

  it('never answers a secret: obviously fake private keys, tokens, codes and URLs, and nothing from the request', () => {
    // CreateKeyPair has state now (a real key, test/emulator/ecs/key-pairs.test.ts); the synthetic rule still holds.
    expect(syntheticBody(actionSpec('CreateKeyPair')!, { RegionId: 'cn-hangzhou', KeyPairName: 'k' }).PrivateKeyBody).toBe(FAKE_PRIVATE_KEY);
    expect(call('CreateActivation', { RegionId: 'cn-hangzhou' }).ActivationCode).toBe(FAKE_SECRET);
    const session = call('StartTerminalSession', { RegionId: 'cn-hangzhou', 'InstanceId.1': 'i-1' });
    expect([session.SecurityToken, session.WebSocketUrl]).toEqual([FAKE_SECRET, FAKE_SECRET]);
    expect(call('DescribeInstanceVncUrl', { RegionId: 'cn-hangzhou', InstanceId: 'i-1' }).VncUrl).toBe(FAKE_SECRET);
    expect(call('DescribeUserData', { RegionId: 'cn-hangzhou', InstanceId: 'i-1' }).UserData).toBe(FAKE_SECRET);
    const commands = JSON.stringify(call('DescribeCommands', { RegionId: 'cn-hangzhou' }));
    expect(commands).toContain(`"CommandContent":"${FAKE_SECRET}"`);
    // A password sent in does not come out, nor does anything derived from it change the answer.
    const secret = 'Sup3r-Secret-Pa55!';
    for (const action of SYNTHETIC_ACTIONS) {
      const spec = actionSpec(action)!;
      if (!spec.params.some((p) => p.name === 'Password')) continue;
      const base = requiredWire(spec);
      const body = call(action, { ...base, Password: secret });
      expect(JSON.stringify(body), action).not.toContain(secret);
      expect(body, action).toEqual(call(action, { ...base, Password: 'another-one' }));
    }
  });

  it('answers DryRun=true with DryRunOperation when the action takes DryRun', () => {
    expect(() => call('DescribeLockedSnapshots', { RegionId: 'cn-hangzhou', DryRun: 'true' })).toThrow(
      expect.objectContaining({ status: 400, code: 'DryRunOperation' }),
    );
    expect(call('DescribeLockedSnapshots', { RegionId: 'cn-hangzhou', DryRun: 'false' }).NextToken).toBe('');
    // CreateDeploymentSet takes no DryRun: the key is refused like any other unknown one.
    expect(() => call('CreateDeploymentSet', { RegionId: 'cn-hangzhou', DryRun: 'true' })).toThrow(
      expect.objectContaining({ status: 400, code: 'InvalidParameter' }),
    );
  });
});
