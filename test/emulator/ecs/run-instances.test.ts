import { describe, expect, it } from 'vitest';
import { EcsEmulatorState } from '../../../src/emulator/ecs/index.js';
import { Harness, IMAGE, REGION, TYPE, expectEcsError } from './helpers.js';

const BASE = { RegionId: REGION, ImageId: IMAGE, InstanceType: TYPE };

describe('RunInstances', () => {
  it('creates one instance by default, with a cn-hangzhou style ID and the real answer shape', () => {
    const h = new Harness();
    const body = h.call('RunInstances', BASE);
    const ids = (body.InstanceIdSets as { InstanceIdSet: string[] }).InstanceIdSet;
    expect(ids).toHaveLength(1);
    expect(ids[0]).toMatch(/^i-bp[0-9a-z]{18}$/);
    expect(typeof body.OrderId).toBe('string');
    expect(typeof body.TradePrice).toBe('number');
    expect(Object.keys(body).sort()).toEqual(['InstanceIdSets', 'OrderId', 'TradePrice']);
  });

  it('creates Amount instances with distinct IDs and private IPs', () => {
    const h = new Harness();
    const ids = h.run({ Amount: '25' });
    expect(new Set(ids).size).toBe(25);
    const ips = h.instances().map((i) => (i.VpcAttributes as { PrivateIpAddress: { IpAddress: string[] } }).PrivateIpAddress.IpAddress[0]);
    expect(new Set(ips).size).toBe(25);
  });

  it('rejects Amount outside 1..100 and MinAmount above Amount', () => {
    const h = new Harness();
    expectEcsError(() => h.run({ Amount: '0' }), 400, 'InvalidParameter');
    expectEcsError(() => h.run({ Amount: '101' }), 400, 'InvalidParameter');
    expectEcsError(() => h.run({ Amount: 'two' }), 400, 'InvalidParameter');
    expectEcsError(() => h.run({ Amount: '2', MinAmount: '3' }), 400, 'InvalidParameter');
    expect(h.run({ Amount: '3', MinAmount: '2' })).toHaveLength(3);
  });

  it('appends 001.. suffixes to InstanceName and HostName with UniqueSuffix=true', () => {
    const h = new Harness();
    h.run({ Amount: '3', InstanceName: 'web', HostName: 'web-host', UniqueSuffix: 'true' });
    const got = h.instances().map((i) => [i.InstanceName, i.HostName]);
    expect(got).toEqual([
      ['web001', 'web-host001'],
      ['web002', 'web-host002'],
      ['web003', 'web-host003'],
    ]);
  });

  it('keeps the same name for all instances without UniqueSuffix, and defaults names to iZ<id>Z', () => {
    const h = new Harness();
    h.run({ Amount: '2', InstanceName: 'web' });
    expect(h.instances().map((i) => i.InstanceName)).toEqual(['web', 'web']);
    const [id] = h.run();
    const inst = h.instances({ InstanceIds: JSON.stringify([id]) })[0]!;
    expect(inst.InstanceName).toBe(`iZ${id!.slice(2)}Z`);
    expect(inst.HostName).toBe(`iZ${id!.slice(2)}Z`);
  });

  it('requires RegionId, ImageId and InstanceType', () => {
    const h = new Harness();
    for (const missing of ['RegionId', 'ImageId', 'InstanceType'] as const) {
      const params: Record<string, string> = { ...BASE };
      delete params[missing];
      const err = expectEcsError(() => h.call('RunInstances', params), 400, 'MissingParameter');
      expect(err.message).toBe(`The input parameter “${missing}” that is mandatory for processing this request is not supplied.`);
    }
  });

  it('validates region, image, instance type and zone against the catalog', () => {
    const h = new Harness();
    expectEcsError(() => h.run({ RegionId: 'cn-atlantis' }), 404, 'InvalidRegionId.NotFound');
    expectEcsError(() => h.run({ ImageId: 'm-doesnotexist' }), 404, 'InvalidImageId.NotFound');
    const err = expectEcsError(() => h.run({ InstanceType: 'ecs.x9.huge' }), 400, 'InvalidInstanceType.ValueNotSupported');
    expect(err.message).toBe('The specified instanceType beyond the permitted range.');
    expectEcsError(() => h.run({ ZoneId: 'cn-beijing-a' }), 404, 'InvalidZoneId.NotFound');
    expect(h.instances()).toHaveLength(0);
  });

  it('places instances in the requested zone, or a zone of the region', () => {
    const h = new Harness();
    h.run({ ZoneId: 'cn-hangzhou-k' });
    expect(h.instances()[0]!.ZoneId).toBe('cn-hangzhou-k');
    h.run({ Amount: '5' });
    for (const inst of h.instances()) expect(inst.ZoneId).toMatch(/^cn-hangzhou-[ghijk]$/);
  });

  it('DryRun validates and answers DryRunOperation without creating anything', () => {
    const h = new Harness();
    const err = expectEcsError(() => h.run({ DryRun: 'true' }), 400, 'DryRunOperation');
    expect(err.message).toBe('Request validation has been passed with DryRun flag set.');
    expectEcsError(() => h.run({ DryRun: 'true', ImageId: 'nope' }), 404, 'InvalidImageId.NotFound');
    expect(h.instances()).toHaveLength(0);
    expect(h.changes).toBe(0);
  });

  it('replays the same answer for the same ClientToken and parameters, creating nothing new', () => {
    const h = new Harness();
    const first = h.call('RunInstances', { ...BASE, Amount: '2', ClientToken: 'tok-1' });
    const second = h.call('RunInstances', { ...BASE, Amount: '2', ClientToken: 'tok-1' });
    expect(second).toEqual(first);
    expect(h.instances()).toHaveLength(2);
    expect(h.changes).toBe(1);
  });

  it('ignores parameter order, empty values and signing fields when comparing ClientToken replays', () => {
    const h = new Harness();
    const first = h.call('RunInstances', { ClientToken: 't', ...BASE, SignatureNonce: 'n1', Timestamp: '2024-05-01T08:00:00Z' });
    const second = h.call('RunInstances', { Description: '', SignatureNonce: 'n2', InstanceType: TYPE, ImageId: IMAGE, RegionId: REGION, ClientToken: 't' });
    expect(second).toEqual(first);
    expect(h.instances()).toHaveLength(1);
  });

  it('answers IdempotentParameterMismatch for the same ClientToken with other parameters', () => {
    const h = new Harness();
    h.call('RunInstances', { ...BASE, ClientToken: 'tok-1' });
    expectEcsError(() => h.call('RunInstances', { ...BASE, ClientToken: 'tok-1', Amount: '2' }), 400, 'IdempotentParameterMismatch');
    expect(h.instances()).toHaveLength(1);
  });

  it('scopes ClientTokens to the account', () => {
    const h = new Harness();
    h.call('RunInstances', { ...BASE, ClientToken: 'shared' }, 'AK-A');
    h.call('RunInstances', { ...BASE, ClientToken: 'shared' }, 'AK-B');
    expect(h.instances({}, 'AK-A')).toHaveLength(1);
    expect(h.instances({}, 'AK-B')).toHaveLength(1);
  });

  it('rejects a ClientToken longer than 64 characters or not ASCII', () => {
    const h = new Harness();
    expectEcsError(() => h.run({ ClientToken: 'x'.repeat(65) }), 400, 'InvalidClientToken.ValueNotSupported');
    expectEcsError(() => h.run({ ClientToken: 'tökén' }), 400, 'InvalidClientToken.ValueNotSupported');
    expect(h.run({ ClientToken: 'x'.repeat(64) })).toHaveLength(1);
  });

  it('stores tags, security groups, vSwitch, bandwidth, key pair and description', () => {
    const h = new Harness();
    // The security group and the key pair must exist (InvalidSecurityGroupId.NotFound, InvalidKeyPairName.NotFound).
    const sg = h.call('CreateSecurityGroup', { RegionId: REGION }).SecurityGroupId as string;
    h.call('CreateKeyPair', { RegionId: REGION, KeyPairName: 'my-key' });
    h.run({
      'Tag.1.Key': 'env',
      'Tag.1.Value': 'prod',
      'Tag.2.Key': 'team',
      'Tag.2.Value': 'core',
      'SecurityGroupIds.1': sg,
      VSwitchId: 'vsw-bp1bbbbbbbbbbbbbbbbbbb',
      ZoneId: 'cn-hangzhou-h',
      InternetMaxBandwidthOut: '10',
      KeyPairName: 'my-key',
      Description: 'a web server',
      InstanceChargeType: 'PostPaid',
    });
    const inst = h.instances()[0]!;
    expect(inst).toMatchObject({
      Tags: { Tag: [{ TagKey: 'env', TagValue: 'prod' }, { TagKey: 'team', TagValue: 'core' }] },
      SecurityGroupIds: { SecurityGroupId: [sg] },
      VpcAttributes: { VSwitchId: 'vsw-bp1bbbbbbbbbbbbbbbbbbb' },
      ZoneId: 'cn-hangzhou-h',
      InternetMaxBandwidthOut: 10,
      KeyPairName: 'my-key',
      Description: 'a web server',
      InstanceChargeType: 'PostPaid',
      Cpu: 2,
      Memory: 8192,
      InstanceTypeFamily: 'ecs.g7',
      OSType: 'linux',
    });
    expect((inst.PublicIpAddress as { IpAddress: string[] }).IpAddress).toHaveLength(1);
  });

  it('rejects malformed names, descriptions, user data, disks and bandwidth', () => {
    const h = new Harness();
    expectEcsError(() => h.run({ InstanceName: '1abc' }), 400, 'InvalidInstanceName.Malformed');
    expectEcsError(() => h.run({ InstanceName: 'http://x' }), 400, 'InvalidInstanceName.Malformed');
    expectEcsError(() => h.run({ HostName: '-bad' }), 400, 'InvalidHostName.Malformed');
    expectEcsError(() => h.run({ Description: 'https://x' }), 400, 'InvalidDescription.Malformed');
    expectEcsError(() => h.run({ UserData: 'not base64!' }), 400, 'InvalidUserData.Base64FormatInvalid');
    expectEcsError(() => h.run({ UserData: Buffer.alloc(40_000).toString('base64') }), 400, 'InvalidUserData.SizeExceeded');
    expectEcsError(() => h.run({ 'SystemDisk.Size': '10' }), 400, 'InvalidParameter');
    expectEcsError(() => h.run({ ImageId: 'win2022_21H2_x64_dtc_zh-cn_40G_alibase_20240716.vhd', 'SystemDisk.Size': '30' }), 400, 'InvalidSystemDiskSize.LessThanImageSize');
    expectEcsError(() => h.run({ 'SystemDisk.Category': 'floppy' }), 400, 'InvalidParameter');
    expectEcsError(() => h.run({ InternetMaxBandwidthOut: '101' }), 400, 'InvalidParameter');
    expectEcsError(() => h.run({ 'Tag.1.Key': 'aliyun-x', 'Tag.1.Value': 'v' }), 400, 'InvalidTagKey.Malformed');
    expectEcsError(() => h.run({ InstanceChargeType: 'PrePaid' }), 400, 'MissingParameter');
    expect(h.instances()).toHaveLength(0);
  });

  it('accepts PrePaid with a Period and reports its expiry', () => {
    const h = new Harness();
    h.run({ InstanceChargeType: 'PrePaid', Period: '1', PeriodUnit: 'Month' });
    expect(h.instances()[0]).toMatchObject({ InstanceChargeType: 'PrePaid', ExpiredTime: '2024-06-01T08:00Z' });
  });

  it('checks the password rules: 8-30 characters of at least three classes', () => {
    const h = new Harness();
    for (const bad of ['test', 'alllowercase1', 'Short1!', `Aa1!${'x'.repeat(27)}`, 'Pass word1!', 'Pässword1!']) {
      expectEcsError(() => h.run({ Password: bad }), 400, 'InvalidPassword.Malformed');
    }
    const win = 'win2022_21H2_x64_dtc_en-us_40G_alibase_20240716.vhd';
    expectEcsError(() => h.run({ ImageId: win, Password: '/Abcdef12' }), 400, 'InvalidPassword.Malformed');
    expect(h.run({ Password: '/Abcdef12' })).toHaveLength(1);
    expect(h.run({ Password: 'Abcdefg1' })).toHaveLength(1);
    expect(h.run({ Password: "abc(1)'~xyz" })).toHaveLength(1);
  });

  it('never keeps the password, only whether one was set', () => {
    const h = new Harness();
    h.run({ Password: 'S3cret-Passw0rd!' });
    const snap = JSON.stringify(h.state.snapshot());
    expect(snap).not.toContain('S3cret-Passw0rd!');
    expect(snap).toContain('"hasPassword":true');
  });

  it('is deterministic for the same clock and randomness', () => {
    const a = new Harness(1000, 7);
    const b = new Harness(1000, 7);
    expect(a.run({ Amount: '3' })).toEqual(b.run({ Amount: '3' }));
    expect(a.instances()).toEqual(b.instances());
    const c = new Harness(1000, 8);
    expect(c.run({ Amount: '3' })).not.toEqual(a.run({ Amount: '3' }));
  });

  it('still produces unique IDs and IPs from a degenerate random source', () => {
    const state = new EcsEmulatorState({ transitionMs: 0, now: () => 0, random: () => 0 });
    const body = state.call('RunInstances', { ...BASE, Amount: '5' }, { account: 'x' });
    const ids = (body.InstanceIdSets as { InstanceIdSet: string[] }).InstanceIdSet;
    expect(new Set(ids).size).toBe(5);
    const described = state.call('DescribeInstances', { RegionId: REGION }, { account: 'x' });
    const ips = (described.Instances as { Instance: Array<{ VpcAttributes: { PrivateIpAddress: { IpAddress: string[] } } }> }).Instance.map(
      (i) => i.VpcAttributes.PrivateIpAddress.IpAddress[0],
    );
    expect(new Set(ips).size).toBe(5);
  });
});
