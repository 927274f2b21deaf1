import { describe, expect, it } from 'vitest';
import { Harness, expectEcsError } from './helpers.js';

type Region = { RegionId: string; LocalName: string; RegionEndpoint: string; Status: string };
type Zone = Record<string, unknown> & { ZoneId: string; LocalName: string };
type Image = Record<string, unknown> & { ImageId: string; OSType: string; Status: string };

function regions(h: Harness, params: Record<string, string> = {}): Region[] {
  return (h.call('DescribeRegions', params).Regions as { Region: Region[] }).Region;
}

function zones(h: Harness, params: Record<string, string>): Zone[] {
  return (h.call('DescribeZones', params).Zones as { Zone: Zone[] }).Zone;
}

function images(h: Harness, params: Record<string, string> = {}): { list: Image[]; body: Record<string, unknown> } {
  const body = h.call('DescribeImages', { RegionId: 'cn-beijing', PageSize: '100', ...params });
  return { list: (body.Images as { Image: Image[] }).Image, body };
}

describe('DescribeRegions', () => {
  it('lists the real regions with Chinese names by default and the central endpoint for cn-hangzhou', () => {
    const list = regions(new Harness());
    expect(list.length).toBeGreaterThanOrEqual(20);
    expect(list.find((r) => r.RegionId === 'cn-hangzhou')).toEqual({
      RegionId: 'cn-hangzhou',
      LocalName: '华东1（杭州）',
      RegionEndpoint: 'ecs.aliyuncs.com',
      Status: 'available',
    });
    expect(list.find((r) => r.RegionId === 'ap-southeast-1')).toMatchObject({ LocalName: '新加坡', RegionEndpoint: 'ecs.ap-southeast-1.aliyuncs.com' });
    for (const r of list.filter((x) => x.RegionId !== 'cn-hangzhou')) expect(r.RegionEndpoint).toBe(`ecs.${r.RegionId}.aliyuncs.com`);
    for (const id of ['cn-qingdao', 'cn-wulanchabu', 'cn-heyuan', 'ap-southeast-5', 'us-east-1', 'eu-central-1', 'me-east-1']) {
      expect(list.map((r) => r.RegionId)).toContain(id);
    }
  });

  it('answers in English and Japanese for AcceptLanguage en-US and ja', () => {
    const h = new Harness();
    expect(regions(h, { AcceptLanguage: 'en-US' }).find((r) => r.RegionId === 'cn-beijing')!.LocalName).toBe('China (Beijing)');
    expect(regions(h, { AcceptLanguage: 'ja' }).find((r) => r.RegionId === 'ap-northeast-1')!.LocalName).toBe('日本 (東京)');
    expect(regions(h, { AcceptLanguage: 'zh-CN', InstanceChargeType: 'PrePaid', ResourceType: 'instance' })[0]!.LocalName).toBe('华北1（青岛）');
  });
});

describe('DescribeZones', () => {
  it('lists the zones of a region with localized names', () => {
    const h = new Harness();
    const list = zones(h, { RegionId: 'cn-hangzhou' });
    expect(list.map((z) => z.ZoneId)).toEqual(['cn-hangzhou-g', 'cn-hangzhou-h', 'cn-hangzhou-i', 'cn-hangzhou-j', 'cn-hangzhou-k']);
    expect(list[1]!.LocalName).toBe('杭州 可用区H');
    expect(zones(h, { RegionId: 'cn-hangzhou', AcceptLanguage: 'en-US' })[1]!.LocalName).toBe('Hangzhou Zone H');
    expect(list[0]).toMatchObject({
      AvailableResourceCreation: { ResourceTypes: expect.arrayContaining(['Instance', 'Disk']) },
      AvailableInstanceTypes: { InstanceTypes: expect.arrayContaining(['ecs.g7.large', 'ecs.t1.xsmall']) },
    });
  });

  it('leaves the resource lists out with Verbose=false', () => {
    const list = zones(new Harness(), { RegionId: 'cn-beijing', Verbose: 'false' });
    expect(list[0]).toEqual({ ZoneId: 'cn-beijing-a', LocalName: '北京 可用区A', ZoneType: 'AvailabilityZone' });
  });

  it('needs a known RegionId', () => {
    const h = new Harness();
    expectEcsError(() => h.call('DescribeZones', {}), 400, 'MissingParameter');
    expectEcsError(() => h.call('DescribeZones', { RegionId: 'cn-nowhere' }), 404, 'InvalidRegionId.NotFound');
  });
});

describe('DescribeImages', () => {
  it('lists available public images, including those of the API contract, in the real Image shape', () => {
    const { list, body } = images(new Harness());
    const ids = list.map((i) => i.ImageId);
    expect(ids).toContain('debian_10_12_x64_20G_alibase_20220328.vhd');
    expect(ids).toContain('aliyun_2_1903_x64_20G_alibase_20220408.vhd');
    expect(list.every((i) => i.Status === 'Available')).toBe(true);
    expect(body).toMatchObject({ RegionId: 'cn-beijing', PageNumber: 1, PageSize: 100, TotalCount: list.length });
    const debian = list.find((i) => i.ImageId.startsWith('debian_10_12'))!;
    expect(debian).toMatchObject({ OSName: 'Debian  10.12 64位', Platform: 'Debian', ImageOwnerAlias: 'system', IsPublic: true, Size: 20, OSType: 'linux' });
    expect(debian.DiskDeviceMappings).toMatchObject({ DiskDeviceMapping: [{ Size: '20', Type: 'system' }] });
  });

  it('filters by ImageId list, ImageName wildcard, OSType, Architecture and owner', () => {
    const h = new Harness();
    expect(images(h, { ImageId: 'debian_10_12_x64_20G_alibase_20220328.vhd,centos_7_9_x64_20G_alibase_20240628.vhd' }).list).toHaveLength(2);
    expect(images(h, { ImageName: 'ubuntu_*' }).list.map((i) => i.ImageId).every((id) => id.startsWith('ubuntu_'))).toBe(true);
    expect(images(h, { ImageName: 'ubuntu_*' }).list.length).toBeGreaterThanOrEqual(2);
    const windows = images(h, { OSType: 'windows' }).list;
    expect(windows.length).toBeGreaterThanOrEqual(2);
    expect(windows.every((i) => i.OSType === 'windows')).toBe(true);
    expect(images(h, { Architecture: 'arm64' }).list).toEqual([]);
    expect(images(h, { ImageOwnerAlias: 'self' }).list).toEqual([]);
    expect(images(h, { InstanceType: 'ecs.g7.large' }).list.length).toBeGreaterThan(0);
    expect(images(h, { InstanceType: 'ecs.nope' }).list).toEqual([]);
  });

  it('hides deprecated images unless asked for by Status or ShowExpired', () => {
    const h = new Harness();
    const n = images(h).list.length;
    expect(images(h, { Status: 'Deprecated' }).list.map((i) => i.Status)).toEqual(['Deprecated']);
    expect(images(h, { Status: 'Available,Deprecated' }).list).toHaveLength(n + 1);
    expect(images(h, { ShowExpired: 'true' }).list).toHaveLength(n + 1);
  });

  it('pages with PageNumber/PageSize (max 100) and reports TotalCount', () => {
    const h = new Harness();
    const all = images(h).list;
    const page2 = images(h, { PageSize: '5', PageNumber: '2' });
    expect(page2.list.map((i) => i.ImageId)).toEqual(all.slice(5, 10).map((i) => i.ImageId));
    expect(page2.body).toMatchObject({ TotalCount: all.length, PageNumber: 2, PageSize: 5 });
    expect(h.call('DescribeImages', { RegionId: 'cn-beijing' })).toMatchObject({ PageSize: 10 });
    expectEcsError(() => images(h, { PageSize: '101' }), 400, 'InvalidParameter');
  });

  it('needs a known RegionId and honours DryRun', () => {
    const h = new Harness();
    expectEcsError(() => h.call('DescribeImages', {}), 400, 'MissingParameter');
    expectEcsError(() => h.call('DescribeImages', { RegionId: 'cn-nowhere' }), 404, 'InvalidRegionId.NotFound');
    expectEcsError(() => images(h, { DryRun: 'true' }), 400, 'DryRunOperation');
  });
});

describe('DescribeInstanceTypes', () => {
  type T = { InstanceTypeId: string; InstanceTypeFamily: string; CpuCoreCount: number; MemorySize: number };
  const types = (body: Record<string, unknown>) => (body.InstanceTypes as { InstanceType: T[] }).InstanceType;

  it('lists the t6, g7, c7 and r7 families and the doc types, with GiB memory', () => {
    const all = types(new Harness().call('DescribeInstanceTypes', {}));
    const families = new Set(all.map((t) => t.InstanceTypeFamily));
    for (const f of ['ecs.t6', 'ecs.g7', 'ecs.c7', 'ecs.r7', 'ecs.t1', 'ecs.g5']) expect(families).toContain(f);
    expect(all.find((t) => t.InstanceTypeId === 'ecs.t1.xsmall')).toMatchObject({ CpuCoreCount: 1, MemorySize: 0.5 });
    expect(all.find((t) => t.InstanceTypeId === 'ecs.g7.large')).toMatchObject({ CpuCoreCount: 2, MemorySize: 8, InstanceTypeFamily: 'ecs.g7' });
    expect(all.find((t) => t.InstanceTypeId === 'ecs.r7.xlarge')).toMatchObject({ CpuCoreCount: 4, MemorySize: 32 });
  });

  it('filters by InstanceTypeFamily and InstanceTypes.N', () => {
    const h = new Harness();
    const c7 = types(h.call('DescribeInstanceTypes', { InstanceTypeFamily: 'ecs.c7' }));
    expect(c7.length).toBeGreaterThan(3);
    expect(c7.every((t) => t.InstanceTypeFamily === 'ecs.c7')).toBe(true);
    const two = types(h.call('DescribeInstanceTypes', { 'InstanceTypes.1': 'ecs.g5.large', 'InstanceTypes.2': 'ecs.t1.xsmall' }));
    expect(two.map((t) => t.InstanceTypeId).sort()).toEqual(['ecs.g5.large', 'ecs.t1.xsmall']);
  });

  it('pages with NextToken/MaxResults', () => {
    const h = new Harness();
    const all = types(h.call('DescribeInstanceTypes', {}));
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const body = h.call('DescribeInstanceTypes', { MaxResults: '4', ...(token ? { NextToken: token } : {}) });
      seen.push(...types(body).map((t) => t.InstanceTypeId));
      token = body.NextToken as string;
    } while (token !== '');
    expect(seen).toEqual(all.map((t) => t.InstanceTypeId));
    expectEcsError(() => h.call('DescribeInstanceTypes', { NextToken: 'nope' }), 400, 'InvalidParameter');
  });
});
