/**
 * The networking state (VPCs, vSwitches, security groups and rules, key pairs, tags) survives a snapshot and
 * restore through JSON, as EMULATOR_STATE_FILE stores it; snapshots from before it existed still load; garbage
 * in the new records is refused.
 */
import { describe, expect, it } from 'vitest';
import { EcsEmulatorState } from '../../../src/emulator/ecs/index.js';
import { Harness, REGION } from './helpers.js';

describe('networking state persistence', () => {
  it('round-trips through JSON: the restored emulator answers the same', () => {
    const h = new Harness();
    const sg = h.call('CreateSecurityGroup', { RegionId: REGION, SecurityGroupName: 'web', 'Tag.1.Key': 'env', 'Tag.1.Value': 'prod' }).SecurityGroupId as string;
    h.call('AuthorizeSecurityGroup', { RegionId: REGION, SecurityGroupId: sg, IpProtocol: 'tcp', PortRange: '443/443', SourceCidrIp: '0.0.0.0/0' });
    const key = h.call('CreateKeyPair', { RegionId: REGION, KeyPairName: 'deploy' });
    const [id] = h.running(1, { SecurityGroupId: sg, KeyPairName: 'deploy' });
    h.call('TagResources', { RegionId: REGION, ResourceType: 'keypair', 'ResourceId.1': 'deploy', 'Tag.1.Key': 'k', 'Tag.1.Value': 'v' });
    const reads: Array<[string, Record<string, string>]> = [
      ['DescribeVpcs', { RegionId: REGION }],
      ['DescribeVSwitches', { RegionId: REGION, PageSize: '50' }],
      ['DescribeSecurityGroups', { RegionId: REGION }],
      ['DescribeSecurityGroupAttribute', { RegionId: REGION, SecurityGroupId: sg }],
      ['DescribeKeyPairs', { RegionId: REGION, IncludePublicKey: 'true' }],
      ['ListTagResources', { RegionId: REGION, ResourceType: 'securitygroup' }],
      ['ListTagResources', { RegionId: REGION, ResourceType: 'keypair' }],
      ['DescribeInstances', { RegionId: REGION }],
    ];
    const before = reads.map(([a, p]) => h.call(a, p));
    const json = JSON.stringify(h.state.snapshot());
    expect(json).not.toContain(key.PrivateKeyBody as string);
    const restored = new EcsEmulatorState({ transitionMs: 1000, now: () => h.now });
    restored.restore(JSON.parse(json));
    expect(reads.map(([a, p]) => restored.call(a, p, { account: 'AK-A' }))).toEqual(before);
    // And the restored state still enforces its rules.
    expect(() => restored.call('DeleteSecurityGroup', { RegionId: REGION, SecurityGroupId: sg }, { account: 'AK-A' })).toThrow(expect.objectContaining({ code: 'DependencyViolation' }));
    expect(() => restored.call('DeleteKeyPairs', { RegionId: REGION, KeyPairNames: '["deploy"]' }, { account: 'AK-A' })).toThrow(expect.objectContaining({ code: 'InvalidParameter.KeypairAlreadyAttachedInstance' }));
    expect(id).toBeDefined();
  });

  it('loads a snapshot written before the networking records existed, and refuses garbage in them', () => {
    const h = new Harness();
    h.running(1);
    const old = h.state.snapshot() as Record<string, unknown>;
    for (const k of ['vpcs', 'securityGroups', 'keyPairs']) delete old[k];
    old.vSwitches = [];
    const state = new EcsEmulatorState({ transitionMs: 0 });
    state.restore(old);
    const body = state.call('DescribeSecurityGroups', { RegionId: REGION }, { account: 'AK-A' });
    expect(body.TotalCount).toBe(1); // the default group, made on first use
    for (const bad of [{ securityGroups: 'x' }, { keyPairs: [{ account: 'a' }] }, { keyPairs: [{ account: 'a', regionId: 'r', keyPairName: 'k', fingerprint: 'f', publicKey: 'p', creationTime: 1, tags: [], privateKey: 'x' }] }]) {
      expect(() => state.restore({ ...h.state.snapshot() as object, ...bad })).toThrow(TypeError);
    }
  });
});
