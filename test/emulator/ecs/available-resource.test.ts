/**
 * DescribeAvailableResource answers from the catalog (every zone of the region, every instance type, the disk
 * categories with their size ranges), narrowed by DestinationResource and the documented filters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTANCE_TYPES } from '../../../src/emulator/ecs/catalog/index.js';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/server.js';
import { TEST_KEY } from '../helpers.js';
import { $Ecs, v3Client } from '../sdk-clients.js';
import { expectEcsError, Harness, REGION } from './helpers.js';

type Obj = Record<string, unknown>;
const HZ_ZONES = ['cn-hangzhou-g', 'cn-hangzhou-h', 'cn-hangzhou-i', 'cn-hangzhou-j', 'cn-hangzhou-k'];
const CATEGORIES = ['cloud_efficiency', 'cloud_ssd', 'cloud_essd', 'cloud_auto', 'cloud_essd_entry'];

function zones(params: Record<string, string>): Obj[] {
  const body = new Harness(0).call('DescribeAvailableResource', { RegionId: REGION, ...params });
  return (body.AvailableZones as { AvailableZone: Obj[] }).AvailableZone;
}

/** [zoneId, Type, values] per zone. */
function values(params: Record<string, string>): Array<[string, string, string[]]> {
  return zones(params).map((z) => {
    const [res] = (z.AvailableResources as { AvailableResource: Obj[] }).AvailableResource;
    const supported = (res!.SupportedResources as { SupportedResource: Obj[] }).SupportedResource;
    return [z.ZoneId as string, res!.Type as string, supported.map((s) => s.Value as string)];
  });
}

describe('DescribeAvailableResource', () => {
  it('Zone: every zone of the region, in the documented shape', () => {
    const body = new Harness(0).call('DescribeAvailableResource', { RegionId: REGION, DestinationResource: 'Zone' });
    const first = (body.AvailableZones as { AvailableZone: Obj[] }).AvailableZone[0];
    expect(first).toEqual({
      ZoneId: 'cn-hangzhou-g',
      RegionId: REGION,
      Status: 'Available',
      StatusCategory: 'WithStock',
      AvailableResources: {
        AvailableResource: [
          {
            Type: 'Zone',
            SupportedResources: { SupportedResource: [{ Value: 'cn-hangzhou-g', Status: 'Available', StatusCategory: 'WithStock' }] },
          },
        ],
      },
    });
    expect(values({ DestinationResource: 'Zone' })).toEqual(HZ_ZONES.map((z) => [z, 'Zone', [z]]));
    expect(values({ DestinationResource: 'Zone', InstanceType: 'ecs.g7.large', InstanceChargeType: 'PrePaid' })).toHaveLength(5);
    expect(values({ DestinationResource: 'Zone', InstanceType: 'ecs.nope.large' })).toEqual([]);
  });

  it('InstanceType: the catalog types, narrowed by InstanceType, Cores and Memory, ZoneId', () => {
    const all = values({ DestinationResource: 'InstanceType' });
    expect(all.map(([z]) => z)).toEqual(HZ_ZONES);
    expect(all[0]![2]).toEqual(INSTANCE_TYPES.map((t) => t.instanceTypeId));
    expect(values({ DestinationResource: 'InstanceType', InstanceType: 'ecs.g7.large', ZoneId: 'cn-hangzhou-h' })).toEqual([
      ['cn-hangzhou-h', 'InstanceType', ['ecs.g7.large']],
    ]);
    expect(values({ DestinationResource: 'InstanceType', Cores: '2', Memory: '8', ZoneId: 'cn-hangzhou-i' })).toEqual([
      ['cn-hangzhou-i', 'InstanceType', ['ecs.t6-c1m4.large', 'ecs.g7.large', 'ecs.g5.large', 'ecs.g6.large']],
    ]);
    expect(values({ DestinationResource: 'InstanceType', ZoneId: 'cn-beijing-a' })).toEqual([]);
  });

  it('SystemDisk and DataDisk: categories with their GiB ranges; IoOptimized and Network', () => {
    const [sys] = zones({ DestinationResource: 'SystemDisk', InstanceType: 'ecs.g7.large', ZoneId: 'cn-hangzhou-k' });
    const sysRes = (sys!.AvailableResources as { AvailableResource: Obj[] }).AvailableResource[0]!;
    expect(sysRes.Type).toBe('SystemDisk');
    expect((sysRes.SupportedResources as { SupportedResource: Obj[] }).SupportedResource[2]).toEqual({
      Value: 'cloud_essd', Status: 'Available', StatusCategory: 'WithStock', Min: 20, Max: 2048, Unit: 'GiB',
    });
    expect(values({ DestinationResource: 'SystemDisk' })[0]![2]).toEqual(CATEGORIES);
    const data = zones({ DestinationResource: 'DataDisk', DataDiskCategory: 'cloud_auto', ZoneId: 'cn-hangzhou-g' });
    expect((((data[0]!.AvailableResources as { AvailableResource: Obj[] }).AvailableResource[0]!.SupportedResources) as Obj)).toEqual({
      SupportedResource: [{ Value: 'cloud_auto', Status: 'Available', StatusCategory: 'WithStock', Min: 1, Max: 65536, Unit: 'GiB' }],
    });
    expect(values({ DestinationResource: 'DataDisk', DataDiskCategory: 'ephemeral_ssd' })).toEqual([]);
    expect(values({ DestinationResource: 'IoOptimized', ZoneId: 'cn-hangzhou-g' })).toEqual([['cn-hangzhou-g', 'IoOptimized', ['optimized']]]);
    expect(values({ DestinationResource: 'Network', ZoneId: 'cn-hangzhou-g' })).toEqual([['cn-hangzhou-g', 'Network', ['vpc']]]);
  });

  it('offers nothing that the catalog does not have: non-optimized, classic, dedicated hosts', () => {
    expect(values({ DestinationResource: 'InstanceType', IoOptimized: 'none' })).toEqual([]);
    expect(values({ DestinationResource: 'Zone', NetworkCategory: 'classic' })).toEqual([]);
    expect(values({ DestinationResource: 'ddh' })).toEqual([]);
    expect(values({ DestinationResource: 'Zone', ResourceType: 'ddh' })).toEqual([]);
    expect(values({ DestinationResource: 'Zone', ResourceType: 'disk', SpotStrategy: 'SpotAsPriceGo' })).toHaveLength(5);
  });

  it.each([
    [{ DestinationResource: 'Disk' }, 404, 'Invalid.DestinationResource'],
    [{ DestinationResource: 'Zone', RegionId: 'xx-nowhere-1' }, 404, 'Invalid.RegionId'],
    [{ DestinationResource: 'Zone', InstanceChargeType: 'Spot' }, 400, 'Invalid.InstanceChargeType'],
    [{ DestinationResource: 'Zone', ResourceType: 'vm' }, 404, 'Invalid.ResourceType'],
    [{ DestinationResource: 'Zone', IoOptimized: 'yes' }, 404, 'Invalid.IoOptimized'],
    [{ DestinationResource: 'Zone', NetworkCategory: 'vxlan' }, 404, 'Invalid.NetworkCategory'],
    [{ DestinationResource: 'Zone', SpotStrategy: 'Cheap' }, 404, 'Invalid.SpotStrategy'],
    [{ DestinationResource: 'InstanceType', InstanceType: 'ecs.g7.large', Cores: '2' }, 403, 'InvalidParam.TypeAndCpuMem.Conflict'],
    [{ DestinationResource: 'Zone', Cores: '2' }, 403, 'InvalidParam.Cores'],
    [{ DestinationResource: 'Zone', Memory: '8' }, 403, 'InvalidParam.Memory'],
    [{}, 400, 'MissingParameter'],
  ] as Array<[Record<string, string>, number, string]>)('%j → %i %s', (params, status, code) => {
    expectEcsError(() => new Harness(0).call('DescribeAvailableResource', { RegionId: REGION, ...params }), status, code);
  });
});

describe('DescribeAvailableResource through the official V3 SDK', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, transitionMs: 0, accessKeys: [TEST_KEY] });
  });
  afterAll(() => emu.close());

  it('parses the zones and supported resources', async () => {
    const ecs = v3Client(emu.url, TEST_KEY);
    const res = await ecs.describeAvailableResource(
      new $Ecs.DescribeAvailableResourceRequest({
        regionId: 'cn-beijing',
        destinationResource: 'InstanceType',
        instanceType: 'ecs.c7.xlarge',
        instanceChargeType: 'PostPaid',
        ioOptimized: 'optimized',
      }),
    );
    const zs = res.body?.availableZones?.availableZone ?? [];
    expect(zs.map((z) => z.zoneId)).toEqual([...'acdefghijkl'].map((l) => `cn-beijing-${l}`));
    const r = zs[0]?.availableResources?.availableResource?.[0];
    expect(r?.type).toBe('InstanceType');
    expect(r?.supportedResources?.supportedResource?.map((s) => [s.value, s.status, s.statusCategory])).toEqual([
      ['ecs.c7.xlarge', 'Available', 'WithStock'],
    ]);
    const disks = await ecs.describeAvailableResource(
      new $Ecs.DescribeAvailableResourceRequest({ regionId: 'cn-beijing', destinationResource: 'DataDisk', zoneId: 'cn-beijing-a', dataDiskCategory: 'cloud_essd' }),
    );
    const d = disks.body?.availableZones?.availableZone?.[0]?.availableResources?.availableResource?.[0]?.supportedResources?.supportedResource?.[0];
    expect([d?.value, d?.min, d?.max, d?.unit]).toEqual(['cloud_essd', 20, 32768, 'GiB']);
    await expect(
      ecs.describeAvailableResource(new $Ecs.DescribeAvailableResourceRequest({ regionId: 'cn-beijing', destinationResource: 'Disk' })),
    ).rejects.toMatchObject({ code: 'Invalid.DestinationResource', statusCode: 404 });
  });
});
