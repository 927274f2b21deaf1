/**
 * Security groups and their rules keep state: create in a VPC, list with filters and paging, read the rules
 * (Direction filter), authorize and revoke in both directions with the flat and the Permissions.N forms, the
 * documented refusals, and DependencyViolation while an instance uses a group. Behaviour layer, then the
 * official V3 SDK against a started emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/server.js';
import { TEST_KEY } from '../helpers.js';
import { $Ecs, v3Client } from '../sdk-clients.js';
import { Harness, REGION, expectEcsError } from './helpers.js';

type Body = Record<string, unknown>;
type Perm = Record<string, string>;

function group(h: Harness, extra: Record<string, string> = {}, account = 'AK-A'): string {
  return h.call('CreateSecurityGroup', { RegionId: REGION, ...extra }, account).SecurityGroupId as string;
}

function rules(h: Harness, sg: string, direction?: string): Perm[] {
  const body = h.call('DescribeSecurityGroupAttribute', { RegionId: REGION, SecurityGroupId: sg, ...(direction ? { Direction: direction } : {}) });
  return (body.Permissions as { Permission: Perm[] }).Permission;
}

function groups(h: Harness, params: Record<string, string> = {}): Body {
  return h.call('DescribeSecurityGroups', { RegionId: REGION, ...params });
}

const ids = (b: Body) => (b.SecurityGroups as { SecurityGroup: Body[] }).SecurityGroup.map((g) => g.SecurityGroupId);

describe('security groups (behaviour)', () => {
  it('creates groups in the default VPC or a named one; unknown VPC → InvalidVpcId.NotFound', () => {
    const h = new Harness();
    const vpc = (h.call('DescribeVpcs', { RegionId: REGION }).Vpcs as { Vpc: Body[] }).Vpc[0]!.VpcId as string;
    const a = group(h, { SecurityGroupName: 'web', Description: 'web tier', 'Tag.1.Key': 'env', 'Tag.1.Value': 'prod' });
    expect(a).toMatch(/^sg-bp[a-z0-9]{18}$/);
    const b = group(h, { VpcId: vpc, SecurityGroupName: 'db', SecurityGroupType: 'enterprise' });
    expectEcsError(() => group(h, { VpcId: 'vpc-bp1nope00000000000000' }), 404, 'InvalidVpcId.NotFound');
    expectEcsError(() => group(h, { SecurityGroupName: '1bad' }), 400, 'InvalidSecurityGroupName.Malformed');
    expectEcsError(() => group(h, { SecurityGroupType: 'vip' }), 400, 'InvalidSecurityGroupType.ValueNotSupported');
    expectEcsError(() => group(h, { Description: 'http://x' }), 400, 'InvalidDescription.Malformed');
    const all = (groups(h, { PageSize: '50' }).SecurityGroups as { SecurityGroup: Body[] }).SecurityGroup;
    // The default group of the region comes first, made with the default network.
    expect(all.map((g) => [g.SecurityGroupName, g.VpcId, g.SecurityGroupType])).toEqual([
      ['default', vpc, 'normal'], ['web', vpc, 'normal'], ['db', vpc, 'enterprise'],
    ]);
    expect(all[1]).toMatchObject({ SecurityGroupId: a, Description: 'web tier', RuleCount: 0, EcsCount: 0, Tags: { Tag: [{ TagKey: 'env', TagValue: 'prod' }] } });
    expect(all[2]).toMatchObject({ SecurityGroupId: b, AvailableInstanceAmount: 65536 });
  });

  it('filters (ids, name, fuzzy name, type, VPC, tags) and pages by number and by token', () => {
    const h = new Harness();
    const made = ['web-1', 'web-2', 'db-1'].map((n) => group(h, { SecurityGroupName: n, ...(n === 'db-1' ? { 'Tag.1.Key': 'tier', 'Tag.1.Value': 'db' } : {}) }));
    expect(ids(groups(h, { SecurityGroupIds: JSON.stringify([made[0], made[2]]) }))).toEqual([made[0], made[2]]);
    expect(ids(groups(h, { SecurityGroupId: made[1]! }))).toEqual([made[1]]);
    expect(ids(groups(h, { SecurityGroupName: 'web' }))).toEqual([]);
    expect(ids(groups(h, { SecurityGroupName: 'web', FuzzyQuery: 'true' }))).toEqual([made[0], made[1]]);
    expect(ids(groups(h, { 'Tag.1.Key': 'tier', 'Tag.1.Value': 'db' }))).toEqual([made[2]]);
    expect(ids(groups(h, { SecurityGroupType: 'enterprise' }))).toEqual([]);
    expect(ids(groups(h, { NetworkType: 'classic' }))).toEqual([]);
    const p2 = groups(h, { PageSize: '2', PageNumber: '2' });
    expect([ids(p2), p2.TotalCount, p2.PageNumber, p2.PageSize]).toEqual([[made[1], made[2]], 4, 2, 2]);
    expectEcsError(() => groups(h, { PageSize: '51' }), 400, 'InvalidParameter');
    const first = groups(h, { MaxResults: '3' });
    expect(ids(first)).toHaveLength(3);
    const rest = groups(h, { MaxResults: '3', NextToken: first.NextToken as string });
    expect([ids(rest), rest.NextToken]).toEqual([[made[2]], '']);
    expectEcsError(() => groups(h, { NextToken: 'garbage' }), 400, 'InvalidParameter');
    expectEcsError(() => groups(h, { DryRun: 'true' }), 400, 'DryRunOperation');
    // Another account sees none of them.
    expect(ids(h.call('DescribeSecurityGroups', { RegionId: REGION }, 'AK-B'))).toHaveLength(1);
  });

  it('authorizes inbound and outbound rules in both forms and shows them with a Direction filter', () => {
    const h = new Harness(1000);
    const sg = group(h);
    const peer = group(h, { SecurityGroupName: 'peer' });
    h.call('AuthorizeSecurityGroup', { RegionId: REGION, SecurityGroupId: sg, IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '10.0.0.0/8' });
    h.call('AuthorizeSecurityGroup', {
      RegionId: REGION, SecurityGroupId: sg,
      'Permissions.1.IpProtocol': 'TCP', 'Permissions.1.PortRange': '443/443', 'Permissions.1.SourceCidrIp': '0.0.0.0/0', 'Permissions.1.Priority': '5', 'Permissions.1.Description': 'https',
      'Permissions.2.IpProtocol': 'Icmp', 'Permissions.2.PortRange': '-1/-1', 'Permissions.2.SourceGroupId': peer,
      'Permissions.3.IpProtocol': 'all', 'Permissions.3.Ipv6SourceCidrIp': '2001:DB8::/32', 'Permissions.3.Policy': 'drop',
    });
    h.call('AuthorizeSecurityGroupEgress', { RegionId: REGION, SecurityGroupId: sg, 'Permissions.1.IpProtocol': 'udp', 'Permissions.1.PortRange': '53/53', 'Permissions.1.DestCidrIp': '8.8.8.8/32' });
    const all = rules(h, sg);
    expect(all.map((r) => [r.Direction, r.IpProtocol, r.PortRange, r.SourceCidrIp || r.SourceGroupId || r.Ipv6SourceCidrIp || r.DestCidrIp, r.Policy, r.Priority])).toEqual([
      ['ingress', 'TCP', '22/22', '10.0.0.0/8', 'Accept', '1'],
      ['ingress', 'TCP', '443/443', '0.0.0.0/0', 'Accept', '5'],
      ['ingress', 'ICMP', '-1/-1', peer, 'Accept', '1'],
      ['ingress', 'ALL', '-1/-1', '2001:db8::/32', 'Drop', '1'],
      ['egress', 'UDP', '53/53', '8.8.8.8/32', 'Accept', '1'],
    ]);
    expect(all[1]).toMatchObject({ Description: 'https', NicType: 'intranet', CreateTime: '2024-05-01T08:00:00Z' });
    expect(all[2]).toMatchObject({ SourceGroupName: 'peer' });
    expect(all.every((r) => /^sgr-bp[a-z0-9]{18}$/.test(r.SecurityGroupRuleId!))).toBe(true);
    expect(rules(h, sg, 'egress').map((r) => r.PortRange)).toEqual(['53/53']);
    expect(rules(h, sg, 'ingress')).toHaveLength(4);
    expectEcsError(() => rules(h, sg, 'sideways'), 400, 'InvalidParameter');
    const attr = h.call('DescribeSecurityGroupAttribute', { RegionId: REGION, SecurityGroupId: sg });
    expect(attr).toMatchObject({ SecurityGroupId: sg, RegionId: REGION, InnerAccessPolicy: 'Accept' });
    expect((groups(h, { SecurityGroupId: sg }).SecurityGroups as { SecurityGroup: Body[] }).SecurityGroup[0]).toMatchObject({ RuleCount: 5, GroupToGroupRuleCount: 1 });
  });

  it('refuses malformed rules with the documented codes, and a duplicate with InvalidPermission.Duplicate (nothing added)', () => {
    const h = new Harness();
    const sg = group(h);
    const auth = (p: Record<string, string>) => h.call('AuthorizeSecurityGroup', { RegionId: REGION, SecurityGroupId: sg, ...p });
    const ok = { IpProtocol: 'tcp', PortRange: '443/443', SourceCidrIp: '0.0.0.0/0' };
    expectEcsError(() => auth({ ...ok, IpProtocol: 'http' }), 400, 'InvalidIpProtocol.Malformed');
    for (const range of ['443', '0/80', '80/70', '1/65536', '-1/-1', 'a/b', '22-22']) {
      expectEcsError(() => auth({ ...ok, PortRange: range }), 400, 'InvalidPortRange.Malformed');
    }
    expectEcsError(() => auth({ ...ok, IpProtocol: 'icmp', PortRange: '8/8' }), 400, 'InvalidPortRange.Malformed');
    expectEcsError(() => auth({ IpProtocol: 'tcp', SourceCidrIp: '0.0.0.0/0' }), 400, 'MissingParameter');
    for (const cidr of ['10.0.0.0/33', '300.1.1.1', '10.0.0/8', 'x']) {
      expectEcsError(() => auth({ ...ok, SourceCidrIp: cidr }), 400, 'InvalidSourceCidrIp.Malformed');
    }
    expectEcsError(() => auth({ ...ok, SourceCidrIp: undefined!, Ipv6SourceCidrIp: '2001:zz::/32' }), 400, 'InvalidIpv6SourceCidrIp.Malformed');
    expectEcsError(() => auth({ ...ok, SourceCidrIp: undefined!, SourceGroupId: 'sg-bp1nope0000000000000' }), 404, 'InvalidSourceGroupId.NotFound');
    expectEcsError(() => auth({ IpProtocol: 'tcp', PortRange: '1/2' }), 400, 'MissingParameter');
    expectEcsError(() => auth({ ...ok, SourceGroupId: sg }), 400, 'InvalidParameter');
    expectEcsError(() => auth({ ...ok, Policy: 'allow' }), 400, 'InvalidPolicy.Malformed');
    expectEcsError(() => auth({ ...ok, Priority: '101' }), 400, 'InvalidPriority.Malformed');
    expectEcsError(() => auth({ ...ok, NicType: 'internet' }), 400, 'InvalidNicType.ValueNotSupported');
    expectEcsError(() => auth({ ...ok, 'Permissions.1.IpProtocol': 'tcp' }), 400, 'InvalidParameter');
    expectEcsError(() => auth({}), 400, 'MissingParameter');
    expectEcsError(() => h.call('AuthorizeSecurityGroup', { RegionId: REGION, SecurityGroupId: 'sg-bp1nope0000000000000', ...ok }), 404, 'InvalidSecurityGroupId.NotFound');
    expect(rules(h, sg)).toEqual([]);
    auth(ok);
    // The same rule (priority and description do not count), in either form, case-insensitively.
    expectEcsError(() => auth({ ...ok, IpProtocol: 'TCP', Priority: '9', Description: 'again' }), 400, 'InvalidPermission.Duplicate');
    expectEcsError(() => auth({ 'Permissions.1.IpProtocol': 'udp', 'Permissions.1.PortRange': '53/53', 'Permissions.1.SourceCidrIp': '0.0.0.0/0', 'Permissions.2.IpProtocol': 'tcp', 'Permissions.2.PortRange': '443/443', 'Permissions.2.SourceCidrIp': '0.0.0.0/0' }), 400, 'InvalidPermission.Duplicate');
    expect(rules(h, sg)).toHaveLength(1); // the udp rule of the refused call was not added either
    // A different policy or port makes a different rule.
    auth({ ...ok, Policy: 'drop' });
    expect(rules(h, sg)).toHaveLength(2);
  });

  it('holds at most 200 rules (AuthorizationLimitExceed)', () => {
    const h = new Harness();
    const sg = group(h);
    for (let batch = 0; batch < 2; batch++) {
      const perms: Record<string, string> = {};
      for (let i = 1; i <= 100; i++) {
        const port = batch * 100 + i;
        Object.assign(perms, { [`Permissions.${i}.IpProtocol`]: 'tcp', [`Permissions.${i}.PortRange`]: `${port}/${port}`, [`Permissions.${i}.SourceCidrIp`]: '10.0.0.0/8' });
      }
      h.call('AuthorizeSecurityGroup', { RegionId: REGION, SecurityGroupId: sg, ...perms });
    }
    expectEcsError(() => h.call('AuthorizeSecurityGroupEgress', { RegionId: REGION, SecurityGroupId: sg, IpProtocol: 'all', PortRange: '-1/-1', DestCidrIp: '0.0.0.0/0' }), 403, 'AuthorizationLimitExceed');
    expect(rules(h, sg)).toHaveLength(200);
  });

  it('revokes by rule or by SecurityGroupRuleId, in the right direction only', () => {
    const h = new Harness();
    const sg = group(h);
    const base = { RegionId: REGION, SecurityGroupId: sg };
    h.call('AuthorizeSecurityGroup', { ...base, IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '10.0.0.0/8' });
    h.call('AuthorizeSecurityGroup', { ...base, IpProtocol: 'tcp', PortRange: '80/80', SourceCidrIp: '10.0.0.0/8' });
    h.call('AuthorizeSecurityGroupEgress', { ...base, IpProtocol: 'tcp', PortRange: '80/80', DestCidrIp: '10.0.0.0/8' });
    // An egress revoke does not touch the ingress rule of the same shape.
    h.call('RevokeSecurityGroupEgress', { ...base, 'Permissions.1.IpProtocol': 'TCP', 'Permissions.1.PortRange': '80/80', 'Permissions.1.DestCidrIp': '10.0.0.0/8' });
    expect(rules(h, sg).map((r) => [r.Direction, r.PortRange])).toEqual([['ingress', '22/22'], ['ingress', '80/80']]);
    const changes = h.changes;
    h.call('RevokeSecurityGroup', { ...base, IpProtocol: 'tcp', PortRange: '8080/8080', SourceCidrIp: '10.0.0.0/8' }); // no such rule: no error
    expect(h.changes).toBe(changes);
    const id = rules(h, sg, 'ingress')[0]!.SecurityGroupRuleId!;
    expectEcsError(() => h.call('RevokeSecurityGroupEgress', { ...base, 'SecurityGroupRuleId.1': id }), 404, 'InvalidSecurityGroupRuleId.NotFound');
    h.call('RevokeSecurityGroup', { ...base, 'SecurityGroupRuleId.1': id });
    expect(rules(h, sg).map((r) => r.PortRange)).toEqual(['80/80']);
    expectEcsError(() => h.call('RevokeSecurityGroup', { ...base, IpProtocol: 'tcp', PortRange: '0/0', SourceCidrIp: '10.0.0.0/8' }), 400, 'InvalidPortRange.Malformed');
  });

  it('instances join groups that exist; a group in use or referenced cannot be deleted (DependencyViolation)', () => {
    const h = new Harness();
    const sg = group(h);
    expectEcsError(() => h.run({ SecurityGroupId: 'sg-bp1nope0000000000000' }), 404, 'InvalidSecurityGroupId.NotFound');
    expect(h.instances()).toEqual([]);
    const [id] = h.running(1, { SecurityGroupId: sg });
    const [plain] = h.running(1);
    const byId = new Map(h.instances().map((i) => [i.InstanceId, (i.SecurityGroupIds as { SecurityGroupId: string[] }).SecurityGroupId]));
    const defaultSg = ids(groups(h, { SecurityGroupName: 'default' }))[0];
    expect([byId.get(id!), byId.get(plain!)]).toEqual([[sg], [defaultSg]]);
    expect(h.instances({ SecurityGroupId: sg }).map((i) => i.InstanceId)).toEqual([id]);
    expect((groups(h, { SecurityGroupId: sg }).SecurityGroups as { SecurityGroup: Body[] }).SecurityGroup[0]!.EcsCount).toBe(1);
    const err = expectEcsError(() => h.call('DeleteSecurityGroup', { RegionId: REGION, SecurityGroupId: sg }), 403, 'DependencyViolation');
    expect(err.message).toBe('There is still instance(s) in the specified security group.');
    h.call('DeleteInstances', { RegionId: REGION, 'InstanceId.1': id!, Force: 'true' });
    const other = group(h);
    h.call('AuthorizeSecurityGroup', { RegionId: REGION, SecurityGroupId: other, IpProtocol: 'tcp', PortRange: '22/22', SourceGroupId: sg });
    expectEcsError(() => h.call('DeleteSecurityGroup', { RegionId: REGION, SecurityGroupId: sg }), 403, 'DependencyViolation');
    h.call('RevokeSecurityGroup', { RegionId: REGION, SecurityGroupId: other, IpProtocol: 'tcp', PortRange: '22/22', SourceGroupId: sg });
    expect(h.call('DeleteSecurityGroup', { RegionId: REGION, SecurityGroupId: sg })).toEqual({});
    expect(ids(groups(h, { SecurityGroupId: sg }))).toEqual([]);
    expectEcsError(() => h.call('DeleteSecurityGroup', { RegionId: REGION, SecurityGroupId: sg }), 404, 'InvalidSecurityGroupId.NotFound');
    expectEcsError(() => h.call('DescribeSecurityGroupAttribute', { RegionId: REGION, SecurityGroupId: sg }), 404, 'InvalidSecurityGroupId.NotFound');
    // Another account cannot see or delete the first account's groups.
    expectEcsError(() => h.call('DeleteSecurityGroup', { RegionId: REGION, SecurityGroupId: other }, 'AK-B'), 404, 'InvalidSecurityGroupId.NotFound');
  });
});

describe('security groups (official V3 SDK)', () => {
  let emu: RunningEmulator;
  let ecs: ReturnType<typeof v3Client>;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, transitionMs: 0, accessKeys: [TEST_KEY] });
    ecs = v3Client(emu.url, TEST_KEY);
  });
  afterAll(() => emu.close());

  it('create → authorize (ingress, egress) → describe → revoke → delete, and the errors as SDK exceptions', async () => {
    const created = await ecs.createSecurityGroup(new $Ecs.CreateSecurityGroupRequest({ regionId: REGION, securityGroupName: 'web' }));
    const sg = created.body?.securityGroupId as string;
    await ecs.authorizeSecurityGroup(new $Ecs.AuthorizeSecurityGroupRequest({
      regionId: REGION, securityGroupId: sg,
      permissions: [new $Ecs.AuthorizeSecurityGroupRequestPermissions({ ipProtocol: 'tcp', portRange: '443/443', sourceCidrIp: '0.0.0.0/0' })],
    }));
    await ecs.authorizeSecurityGroupEgress(new $Ecs.AuthorizeSecurityGroupEgressRequest({
      regionId: REGION, securityGroupId: sg,
      permissions: [new $Ecs.AuthorizeSecurityGroupEgressRequestPermissions({ ipProtocol: 'all', portRange: '-1/-1', destCidrIp: '0.0.0.0/0' })],
    }));
    const attr = await ecs.describeSecurityGroupAttribute(new $Ecs.DescribeSecurityGroupAttributeRequest({ regionId: REGION, securityGroupId: sg }));
    expect(attr.body?.permissions?.permission?.map((p) => [p.direction, p.ipProtocol, p.portRange])).toEqual([
      ['ingress', 'TCP', '443/443'], ['egress', 'ALL', '-1/-1'],
    ]);
    const dup = ecs.authorizeSecurityGroup(new $Ecs.AuthorizeSecurityGroupRequest({
      regionId: REGION, securityGroupId: sg,
      permissions: [new $Ecs.AuthorizeSecurityGroupRequestPermissions({ ipProtocol: 'TCP', portRange: '443/443', sourceCidrIp: '0.0.0.0/0' })],
    }));
    await expect(dup).rejects.toMatchObject({ code: 'InvalidPermission.Duplicate', statusCode: 400 });
    const list = await ecs.describeSecurityGroups(new $Ecs.DescribeSecurityGroupsRequest({ regionId: REGION, securityGroupIds: JSON.stringify([sg]) }));
    expect(list.body?.securityGroups?.securityGroup?.map((g) => [g.securityGroupId, g.securityGroupName, g.ruleCount])).toEqual([[sg, 'web', 2]]);
    await ecs.revokeSecurityGroup(new $Ecs.RevokeSecurityGroupRequest({
      regionId: REGION, securityGroupId: sg,
      permissions: [new $Ecs.RevokeSecurityGroupRequestPermissions({ ipProtocol: 'tcp', portRange: '443/443', sourceCidrIp: '0.0.0.0/0' })],
    }));
    const run = await ecs.runInstances(new $Ecs.RunInstancesRequest({ regionId: REGION, imageId: 'aliyun_3_x64_20G_alibase_20240528.vhd', instanceType: 'ecs.g7.large', securityGroupId: sg }));
    const id = run.body?.instanceIdSets?.instanceIdSet?.[0] as string;
    await expect(ecs.deleteSecurityGroup(new $Ecs.DeleteSecurityGroupRequest({ regionId: REGION, securityGroupId: sg }))).rejects.toMatchObject({ code: 'DependencyViolation', statusCode: 403 });
    await ecs.deleteInstances(new $Ecs.DeleteInstancesRequest({ regionId: REGION, instanceId: [id], force: true }));
    const del = await ecs.deleteSecurityGroup(new $Ecs.DeleteSecurityGroupRequest({ regionId: REGION, securityGroupId: sg }));
    expect(del.statusCode).toBe(200);
    await expect(ecs.describeSecurityGroupAttribute(new $Ecs.DescribeSecurityGroupAttributeRequest({ regionId: REGION, securityGroupId: sg })))
      .rejects.toMatchObject({ code: 'InvalidSecurityGroupId.NotFound', statusCode: 404 });
  });
});
