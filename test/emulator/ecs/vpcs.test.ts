/**
 * The default network of an account and region: one VPC and one vSwitch per zone, made on first use with
 * stable IDs, shown by DescribeVpcs and DescribeVSwitches; instances land in it. Behaviour layer, then the
 * official V3 SDK.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/server.js';
import { TEST_KEY } from '../helpers.js';
import { $Ecs, v3Client } from '../sdk-clients.js';
import { Harness, REGION, expectEcsError } from './helpers.js';

type Body = Record<string, unknown>;
const vpcsOf = (b: Body) => (b.Vpcs as { Vpc: Body[] }).Vpc;
const vswOf = (b: Body) => (b.VSwitches as { VSwitch: Body[] }).VSwitch;

describe('VPCs and vSwitches (behaviour)', () => {
  it('has one default VPC and one default vSwitch per zone, with stable IDs, apart per account and region', () => {
    const h = new Harness();
    const zones = (h.call('DescribeZones', { RegionId: REGION }).Zones as { Zone: Body[] }).Zone.map((z) => z.ZoneId);
    const vpcs = h.call('DescribeVpcs', { RegionId: REGION });
    expect(vpcs).toMatchObject({ TotalCount: 1, PageNumber: 1, PageSize: 10 });
    const vpc = vpcsOf(vpcs)[0]!;
    expect(vpc).toMatchObject({ RegionId: REGION, Status: 'Available', IsDefault: true, CidrBlock: '172.16.0.0/12', CreationTime: '2024-05-01T08:00:00Z' });
    expect(vpc.VpcId).toMatch(/^vpc-bp[a-z0-9]+$/);
    const vsw = vswOf(h.call('DescribeVSwitches', { RegionId: REGION, PageSize: '50' }));
    expect(vsw.map((v) => v.ZoneId)).toEqual(zones);
    expect((vpc.VSwitchIds as { VSwitchId: string[] }).VSwitchId).toEqual(vsw.map((v) => v.VSwitchId));
    expect(vsw.every((v) => v.VpcId === vpc.VpcId && v.IsDefault === true && v.Status === 'Available' && /^172\.(1[6-9]|2[0-3])\.0\.0\/16$/.test(v.CidrBlock as string))).toBe(true);
    expect(new Set(vsw.map((v) => v.CidrBlock)).size).toBe(Math.min(8, zones.length));
    // The same IDs after a reset (derived from account and region); another account and region differ.
    const before = [vpc.VpcId, vsw.map((v) => v.VSwitchId)];
    h.state.reset();
    expect([vpcsOf(h.call('DescribeVpcs', { RegionId: REGION }))[0]!.VpcId, vswOf(h.call('DescribeVSwitches', { RegionId: REGION, PageSize: '50' })).map((v) => v.VSwitchId)]).toEqual(before);
    expect(vpcsOf(h.call('DescribeVpcs', { RegionId: REGION }, 'AK-B'))[0]!.VpcId).not.toBe(vpc.VpcId);
    expect(vpcsOf(h.call('DescribeVpcs', { RegionId: 'cn-beijing' }))[0]!.VpcId).toMatch(/^vpc-2z[a-z0-9]+$/);
  });

  it('filters and pages; instances land in the default vSwitch of their zone', () => {
    const h = new Harness();
    const vpcId = vpcsOf(h.call('DescribeVpcs', { RegionId: REGION }))[0]!.VpcId as string;
    expect(vpcsOf(h.call('DescribeVpcs', { RegionId: REGION, VpcId: 'vpc-x,vpc-y' }))).toEqual([]);
    expect(vpcsOf(h.call('DescribeVpcs', { RegionId: REGION, VpcId: `vpc-x,${vpcId}` }))).toHaveLength(1);
    expect(vpcsOf(h.call('DescribeVpcs', { RegionId: REGION, IsDefault: 'false' }))).toEqual([]);
    const zone = 'cn-hangzhou-h';
    const inZone = vswOf(h.call('DescribeVSwitches', { RegionId: REGION, ZoneId: zone }));
    expect(inZone).toHaveLength(1);
    expectEcsError(() => h.call('DescribeVSwitches', { RegionId: REGION, ZoneId: 'cn-hangzhou-zz' }), 404, 'InvalidZoneId.NotFound');
    const page = h.call('DescribeVSwitches', { RegionId: REGION, VpcId: vpcId, PageSize: '2', PageNumber: '2' });
    expect([vswOf(page).length, page.PageNumber, page.PageSize]).toEqual([2, 2, 2]);
    expectEcsError(() => h.call('DescribeVSwitches', { RegionId: REGION, PageSize: '51' }), 400, 'InvalidParameter');
    const [id] = h.running(1, { ZoneId: zone });
    const inst = h.instances()[0]!;
    expect(inst).toMatchObject({ InstanceId: id, VpcAttributes: { VpcId: vpcId, VSwitchId: inZone[0]!.VSwitchId } });
    expect(vswOf(h.call('DescribeVSwitches', { RegionId: REGION, VSwitchId: inZone[0]!.VSwitchId as string }))[0]!.AvailableIpAddressCount).toBe(65531);
    // A vSwitch RunInstances names by ID is remembered in the default VPC, not as a default one.
    h.run({ VSwitchId: 'vsw-bp1mine0000000000000', ZoneId: zone });
    const mine = vswOf(h.call('DescribeVSwitches', { RegionId: REGION, IsDefault: 'false' }));
    expect(mine.map((v) => [v.VSwitchId, v.VpcId, v.ZoneId, v.IsDefault])).toEqual([['vsw-bp1mine0000000000000', vpcId, zone, false]]);
  });
});

describe('VPCs and vSwitches (official V3 SDK)', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, transitionMs: 0, accessKeys: [TEST_KEY] });
  });
  afterAll(() => emu.close());

  it('describeVpcs and describeVSwitches answer the default network', async () => {
    const ecs = v3Client(emu.url, TEST_KEY);
    const vpcs = await ecs.describeVpcs(new $Ecs.DescribeVpcsRequest({ regionId: REGION }));
    const vpc = vpcs.body?.vpcs?.vpc?.[0];
    expect([vpcs.body?.totalCount, vpc?.isDefault, vpc?.cidrBlock]).toEqual([1, true, '172.16.0.0/12']);
    const vsw = await ecs.describeVSwitches(new $Ecs.DescribeVSwitchesRequest({ regionId: REGION, vpcId: vpc?.vpcId, pageSize: 50 }));
    expect(vsw.body?.vSwitches?.vSwitch?.map((v) => v.vSwitchId)).toEqual(vpc?.vSwitchIds?.vSwitchId);
  });
});
