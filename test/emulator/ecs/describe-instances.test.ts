import { describe, expect, it } from 'vitest';
import { Harness, REGION, expectEcsError, idParams } from './helpers.js';

type Body = { Instances: { Instance: Array<Record<string, unknown>> }; TotalCount: number; PageNumber: number; PageSize: number; NextToken: string };

function describeInstances(h: Harness, params: Record<string, string> = {}): Body {
  return h.call('DescribeInstances', { RegionId: REGION, ...params }) as unknown as Body;
}

/** Keys and value types of fixtures/DescribeInstances.Instance-stopped.element.json (captured from real ECS). */
const CAPTURED_INSTANCE_KEYS: Record<string, string> = {
  AutoReleaseTime: 'string',
  ClusterId: 'string',
  Cpu: 'number',
  CpuOptions: 'object',
  CreationTime: 'string',
  CreditSpecification: 'string',
  DedicatedHostAttribute: 'object',
  DedicatedInstanceAttribute: 'object',
  DeletionProtection: 'boolean',
  DeploymentSetId: 'string',
  Description: 'string',
  DeviceAvailable: 'boolean',
  EcsCapacityReservationAttr: 'object',
  EipAddress: 'object',
  ExpiredTime: 'string',
  GPUAmount: 'number',
  GPUSpec: 'string',
  HibernationOptions: 'object',
  HostName: 'string',
  ImageId: 'string',
  ImageOptions: 'object',
  InnerIpAddress: 'object',
  InstanceChargeType: 'string',
  InstanceId: 'string',
  InstanceName: 'string',
  InstanceNetworkType: 'string',
  InstanceType: 'string',
  InstanceTypeFamily: 'string',
  InternetChargeType: 'string',
  InternetMaxBandwidthIn: 'number',
  InternetMaxBandwidthOut: 'number',
  IoOptimized: 'boolean',
  Memory: 'number',
  MetadataOptions: 'object',
  NetworkInterfaces: 'object',
  OSName: 'string',
  OSNameEn: 'string',
  OSType: 'string',
  OperationLocks: 'object',
  PrivateDnsNameOptions: 'object',
  PublicIpAddress: 'object',
  Recyclable: 'boolean',
  RegionId: 'string',
  ResourceGroupId: 'string',
  SaleCycle: 'string',
  SecurityGroupIds: 'object',
  SerialNumber: 'string',
  SpotPriceLimit: 'number',
  SpotStrategy: 'string',
  StartTime: 'string',
  Status: 'string',
  StoppedMode: 'string',
  VlanId: 'string',
  VpcAttributes: 'object',
  ZoneId: 'string',
};

const names = (b: Body) => b.Instances.Instance.map((i) => i.InstanceName);

describe('DescribeInstances paging', () => {
  it('answers an empty page like the captured empty response', () => {
    const h = new Harness();
    expect(describeInstances(h)).toEqual({ Instances: { Instance: [] }, TotalCount: 0, PageNumber: 1, PageSize: 10, NextToken: '' });
  });

  it('pages with PageNumber (default 1) and PageSize (default 10)', () => {
    const h = new Harness();
    h.run({ Amount: '25', InstanceName: 'vm', UniqueSuffix: 'true' });
    const p1 = describeInstances(h);
    expect([p1.TotalCount, p1.PageNumber, p1.PageSize, p1.Instances.Instance.length]).toEqual([25, 1, 10, 10]);
    expect(names(p1)[0]).toBe('vm001');
    const p3 = describeInstances(h, { PageNumber: '3' });
    expect(names(p3)).toEqual(['vm021', 'vm022', 'vm023', 'vm024', 'vm025']);
    expect(describeInstances(h, { PageNumber: '4' }).Instances.Instance).toEqual([]);
    expect(describeInstances(h, { PageSize: '100' }).Instances.Instance).toHaveLength(25);
  });

  it('refuses PageSize and PageNumber out of range', () => {
    const h = new Harness();
    for (const p of <Array<Record<string, string>>>[{ PageSize: '0' }, { PageSize: '101' }, { PageNumber: '0' }, { PageSize: 'ten' }]) {
      expectEcsError(() => describeInstances(h, p), 400, 'InvalidParameter');
    }
  });

  it('walks all pages with NextToken/MaxResults, ending with an empty NextToken', () => {
    const h = new Harness();
    h.run({ Amount: '7', InstanceName: 'vm', UniqueSuffix: 'true' });
    const seen: unknown[] = [];
    let token = '';
    let pages = 0;
    do {
      const body = describeInstances(h, { MaxResults: '3', ...(token ? { NextToken: token } : {}) });
      seen.push(...names(body));
      expect(body.TotalCount).toBe(7);
      expect(body.PageSize).toBe(3);
      token = body.NextToken;
      pages += 1;
    } while (token !== '');
    expect(pages).toBe(3);
    expect(seen).toEqual(['vm001', 'vm002', 'vm003', 'vm004', 'vm005', 'vm006', 'vm007']);
  });

  it('answers NextToken "" when the token page fits everything, and refuses bad MaxResults and tokens', () => {
    const h = new Harness();
    h.run({ Amount: '3' });
    expect(describeInstances(h, { MaxResults: '3' }).NextToken).toBe('');
    expectEcsError(() => describeInstances(h, { MaxResults: '0' }), 400, 'InvalidParameter');
    expectEcsError(() => describeInstances(h, { MaxResults: '101' }), 400, 'InvalidParameter');
    expectEcsError(() => describeInstances(h, { NextToken: 'garbage' }), 400, 'InvalidParameter');
    const token = describeInstances(h, { MaxResults: '1' }).NextToken;
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expectEcsError(() => h.call('DescribeInstances', { RegionId: 'cn-beijing', NextToken: token }), 400, 'InvalidParameter');
  });

  it('DescribeInstanceStatus pages with PageSize up to 50', () => {
    const h = new Harness();
    const ids = h.run({ Amount: '60' });
    const body = h.call('DescribeInstanceStatus', { RegionId: REGION, PageSize: '50', PageNumber: '2' });
    expect(body).toMatchObject({ TotalCount: 60, PageNumber: 2, PageSize: 50 });
    const statuses = (body.InstanceStatuses as { InstanceStatus: unknown[] }).InstanceStatus;
    expect(statuses).toHaveLength(10);
    expect(statuses[0]).toEqual({ InstanceId: ids[50], Status: 'Pending' });
    expectEcsError(() => h.call('DescribeInstanceStatus', { RegionId: REGION, PageSize: '51' }), 400, 'InvalidParameter');
    const one = h.call('DescribeInstanceStatus', { RegionId: REGION, ...idParams([ids[3]!]) });
    expect(one).toMatchObject({ TotalCount: 1, InstanceStatuses: { InstanceStatus: [{ InstanceId: ids[3] }] } });
  });
});

describe('DescribeInstances filters', () => {
  function fleet(): { h: Harness; web: string[]; db: string[]; win: string[] } {
    const h = new Harness();
    const web = h.run({ Amount: '2', InstanceName: 'web-', UniqueSuffix: 'true', ZoneId: 'cn-hangzhou-h', 'Tag.1.Key': 'role', 'Tag.1.Value': 'web' });
    const db = h.run({ InstanceName: 'db', InstanceType: 'ecs.r7.xlarge', ZoneId: 'cn-hangzhou-i', 'Tag.1.Key': 'role', 'Tag.1.Value': 'db', VSwitchId: 'vsw-bpdbdbdbdbdbdbdbdbdbd' });
    const win = h.run({ InstanceName: 'win', ImageId: 'win2019_1809_x64_dtc_en-us_40G_alibase_20240716.vhd', ZoneId: 'cn-hangzhou-h' });
    h.advance(10_000);
    h.call('StopInstances', { RegionId: REGION, ...idParams(db) });
    h.advance(10_000);
    return { h, web, db, win };
  }

  it('filters by InstanceIds (JSON array), Status, ZoneId, InstanceType and ImageId', () => {
    const { h, web, db, win } = fleet();
    expect(names(describeInstances(h, { InstanceIds: JSON.stringify([db[0], win[0], 'i-unknown']) }))).toEqual(['db', 'win']);
    expect(describeInstances(h, { InstanceIds: '[]' }).TotalCount).toBe(4);
    expect(names(describeInstances(h, { Status: 'Stopped' }))).toEqual(['db']);
    expect(names(describeInstances(h, { Status: 'Running' }))).toEqual(['web-001', 'web-002', 'win']);
    expect(names(describeInstances(h, { ZoneId: 'cn-hangzhou-h' }))).toEqual(['web-001', 'web-002', 'win']);
    expect(names(describeInstances(h, { InstanceType: 'ecs.r7.xlarge' }))).toEqual(['db']);
    expect(names(describeInstances(h, { ImageId: 'win2019_1809_x64_dtc_en-us_40G_alibase_20240716.vhd' }))).toEqual(['win']);
    expect(web).toHaveLength(2);
  });

  it('filters by InstanceName with * wildcards', () => {
    const { h } = fleet();
    expect(names(describeInstances(h, { InstanceName: 'web-*' }))).toEqual(['web-001', 'web-002']);
    expect(names(describeInstances(h, { InstanceName: '*b*' }))).toEqual(['web-001', 'web-002', 'db']);
    expect(names(describeInstances(h, { InstanceName: 'web' }))).toEqual([]);
  });

  it('filters by Tag.N.Key/Value and VpcId', () => {
    const { h } = fleet();
    expect(names(describeInstances(h, { 'Tag.1.Key': 'role', 'Tag.1.Value': 'db' }))).toEqual(['db']);
    expect(names(describeInstances(h, { 'Tag.1.Key': 'role' }))).toEqual(['web-001', 'web-002', 'db']);
    expect(names(describeInstances(h, { 'Tag.1.Key': 'role', 'Tag.1.Value': 'web', 'Tag.2.Key': 'x' }))).toEqual([]);
    const vpcId = describeInstances(h).Instances.Instance[0]!.VpcAttributes as { VpcId: string };
    expect(describeInstances(h, { VpcId: vpcId.VpcId }).TotalCount).toBe(4);
    expect(describeInstances(h, { VpcId: 'vpc-other' }).TotalCount).toBe(0);
  });

  it('refuses malformed InstanceIds, an unknown Status and more than 100 IDs', () => {
    const h = new Harness();
    expectEcsError(() => describeInstances(h, { InstanceIds: 'i-1' }), 400, 'InvalidParameter');
    expectEcsError(() => describeInstances(h, { InstanceIds: '[1,2]' }), 400, 'InvalidParameter');
    expectEcsError(() => describeInstances(h, { Status: 'Sleeping' }), 400, 'InvalidParameter');
    const many = JSON.stringify(Array.from({ length: 101 }, (_, i) => `i-${i}`));
    expectEcsError(() => describeInstances(h, { InstanceIds: many }), 403, 'InvalidParameter.TooManyInstanceIds');
    const ids = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`InstanceId.${i + 1}`, `i-${i}`]));
    expectEcsError(() => h.call('DescribeInstanceStatus', { RegionId: REGION, ...ids }), 403, 'InvalidParameter.TooManyInstanceIds');
  });

  it('needs a known RegionId and answers DryRunOperation for DryRun', () => {
    const h = new Harness();
    expectEcsError(() => h.call('DescribeInstances', {}), 400, 'MissingParameter');
    expectEcsError(() => h.call('DescribeInstances', { RegionId: 'mars-1' }), 404, 'InvalidRegionId.NotFound');
    expectEcsError(() => describeInstances(h, { DryRun: 'true' }), 400, 'DryRunOperation');
    expectEcsError(() => h.call('DescribeInstanceStatus', {}), 400, 'MissingParameter');
  });

  it('renders every key of the captured stopped instance element, with the same value types', () => {
    const { h } = fleet();
    const db = describeInstances(h, { Status: 'Stopped' }).Instances.Instance[0]!;
    for (const [key, type] of Object.entries(CAPTURED_INSTANCE_KEYS)) expect(typeof db[key], key).toBe(type);
    expect(db).toMatchObject({ Status: 'Stopped', StoppedMode: 'KeepCharging', Cpu: 4, Memory: 32768, InstanceNetworkType: 'vpc' });
  });
});
