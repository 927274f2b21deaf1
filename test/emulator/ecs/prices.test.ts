/**
 * DescribePrice answers from the catalog with the emulator's fictional price list (src/emulator/ecs/catalog/prices.ts):
 * the numbers below are worked out by hand from its rates, so a change of formula or shape fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/server.js';
import { TEST_KEY } from '../helpers.js';
import { $Ecs, v3Client } from '../sdk-clients.js';
import { expectEcsError, Harness, REGION } from './helpers.js';

type Obj = Record<string, unknown>;
const WINDOWS = 'win2022_21H2_x64_dtc_en-us_40G_alibase_20240716.vhd';

function price(params: Record<string, string>): Obj {
  const body = new Harness(0).call('DescribePrice', { RegionId: REGION, ...params });
  return (body.PriceInfo as Obj).Price as Obj;
}

function details(p: Obj): Array<[string, number, number, number]> {
  return ((p.DetailInfos as Obj).DetailInfo as Obj[]).map((d) => [
    d.Resource as string,
    d.OriginalPrice as number,
    d.DiscountPrice as number,
    d.TradePrice as number,
  ]);
}

describe('DescribePrice (instance)', () => {
  it('prices ecs.g7.large per hour: 2 vCPU × 0.12 + 8 GiB × 0.03, a 40 GiB cloud_efficiency system disk, free traffic', () => {
    const h = new Harness(0);
    const body = h.call('DescribePrice', { RegionId: REGION, InstanceType: 'ecs.g7.large' });
    expect(body).toEqual({
      PriceInfo: {
        Price: {
          Currency: 'CNY',
          OriginalPrice: 0.5,
          DiscountPrice: 0,
          TradePrice: 0.5,
          ReservedInstanceHourPrice: 0,
          DetailInfos: {
            DetailInfo: [
              { Resource: 'instanceType', OriginalPrice: 0.48, DiscountPrice: 0, TradePrice: 0.48, SubRules: { Rule: [] } },
              { Resource: 'systemDisk', OriginalPrice: 0.02, DiscountPrice: 0, TradePrice: 0.02, SubRules: { Rule: [] } },
              { Resource: 'bandwidth', OriginalPrice: 0, DiscountPrice: 0, TradePrice: 0, SubRules: { Rule: [] } },
              { Resource: 'image', OriginalPrice: 0, DiscountPrice: 0, TradePrice: 0, SubRules: { Rule: [] } },
            ],
          },
        },
        Rules: { Rule: [] },
      },
    });
    expect(h.changes).toBe(0);
  });

  it('adds disks, fixed bandwidth and a Windows image; shared types cost half', () => {
    const p = price({
      InstanceType: 'ecs.g7.large',
      ImageId: WINDOWS,
      'SystemDisk.Category': 'cloud_essd',
      'SystemDisk.Size': '100',
      'DataDisk.1.Category': 'cloud_essd',
      'DataDisk.1.Size': '100',
      'DataDisk.1.PerformanceLevel': 'PL2',
      'DataDisk.2.Category': 'cloud_auto',
      'DataDisk.2.Size': '50',
      InternetChargeType: 'PayByBandwidth',
      InternetMaxBandwidthOut: '5',
    });
    expect(details(p)).toEqual([
      ['instanceType', 0.48, 0, 0.48],
      ['systemDisk', 0.15, 0, 0.15],
      ['dataDisk', 0.36, 0, 0.36], // 100 × 0.0015 × 2 (PL2) + 50 × 0.0012
      ['bandwidth', 0.4, 0, 0.4],
      ['image', 0.08, 0, 0.08],
    ]);
    expect(p.TradePrice).toBe(1.47);
    expect(details(price({ InstanceType: 'ecs.t6-c4m1.large' }))[0]).toEqual(['instanceType', 0.1275, 0, 0.1275]);
    expect(details(price({ InstanceType: 'ecs.g7.large', Platform: 'windows' })).at(-1)).toEqual(['image', 0.08, 0, 0.08]);
  });

  it('multiplies by unit, Period and Amount; a year gets the 15% rule', () => {
    expect(price({ InstanceType: 'ecs.g7.large', PriceUnit: 'Month', Period: '2', Amount: '3' }).TradePrice).toBe(1512);
    expect(price({ InstanceType: 'ecs.g7.large', PriceUnit: 'Week' }).TradePrice).toBe(84);
    const body = new Harness(0).call('DescribePrice', { RegionId: REGION, InstanceType: 'ecs.g7.large', PriceUnit: 'Year' });
    const info = body.PriceInfo as Obj;
    const p = info.Price as Obj;
    expect([p.OriginalPrice, p.DiscountPrice, p.TradePrice]).toEqual([3066, 459.9, 2606.1]);
    expect(details(p).slice(0, 2)).toEqual([
      ['instanceType', 2943.36, 441.504, 2501.856],
      ['systemDisk', 122.64, 18.396, 104.244],
    ]);
    const rule = { RuleId: 1001, Description: 'Emulator (fictional): 15% off yearly subscriptions' };
    expect(info.Rules).toEqual({ Rule: [rule] });
    expect(((p.DetailInfos as Obj).DetailInfo as Obj[])[0]!.SubRules).toEqual({ Rule: [rule] });
  });

  it('prices disks and traffic on their own', () => {
    expect(details(price({ ResourceType: 'disk', 'DataDisk.1.Category': 'cloud_ssd', 'DataDisk.1.Size': '200' }))).toEqual([
      ['dataDisk', 0.2, 0, 0.2],
    ]);
    expect(details(price({ ResourceType: 'bandwidth' }))).toEqual([['bandwidth', 0.8, 0, 0.8]]);
  });
});

describe('DescribePrice errors', () => {
  const h = new Harness(0);
  const call = (p: Record<string, string>) => () => h.call('DescribePrice', { RegionId: REGION, ...p });
  const g7 = { InstanceType: 'ecs.g7.large' };
  it.each([
    [{}, 404, 'InvalidInstanceType.Missing'],
    [{ InstanceType: 'ecs.nope.large' }, 400, 'InvalidInstanceType.ValueNotSupported'],
    [{ ...g7, ResourceType: 'vm' }, 400, 'InvalidResourceType.ValueNotSupported'],
    [{ ...g7, ResourceType: 'ddh' }, 400, 'PriceNotFound'],
    [{ ...g7, PriceUnit: 'Day' }, 400, 'InvalidPriceUnit.ValueNotSupported'],
    [{ ...g7, PriceUnit: 'Hour', Period: '2' }, 400, 'InvalidPeriod'],
    [{ ...g7, PriceUnit: 'Month', Period: '10' }, 400, 'InvalidPeriod'],
    [{ ...g7, Amount: '1001' }, 403, 'InvalidAmount.Malformed'],
    [{ ...g7, ImageId: 'nope.vhd' }, 404, 'InvalidImageId.NotFound'],
    [{ ...g7, IoOptimized: 'none' }, 400, 'InvalidIoOptimizedValue.ValueNotSupported'],
    [{ ...g7, InstanceNetworkType: 'classic' }, 403, 'OperationDenied'],
    [{ ...g7, 'SystemDisk.Category': 'ephemeral_ssd' }, 400, 'InvalidSystemDiskCategory.ValueNotSupported'],
    [{ ...g7, 'SystemDisk.Size': '10' }, 404, 'InvalidSystemDiskSize.LessThanMinSize'],
    [{ ...g7, 'SystemDisk.Size': '4096' }, 404, 'InvalidSystemDiskSize.MoreThanMaxSize'],
    [{ ...g7, ImageId: WINDOWS, 'SystemDisk.Size': '30' }, 400, 'InvalidSystemDiskSize.LessThanImageSize'],
    [{ ...g7, 'SystemDisk.Category': 'cloud_essd', 'SystemDisk.PerformanceLevel': 'PL9' }, 400, 'InvalidParameter'],
    [{ ...g7, 'DataDisk.1.Size': '100' }, 404, 'InvalidDiskCategory.Missing'],
    [{ ...g7, 'DataDisk.1.Category': 'cloud', 'DataDisk.1.Size': '100' }, 400, 'InvalidDataDiskCategory.ValueNotSupported'],
    [{ ...g7, 'DataDisk.1.Category': 'cloud_ssd', 'DataDisk.1.Size': '5' }, 400, 'InvalidDataDiskSize.ValueNotSupported'],
    [
      { ...g7, ...Object.fromEntries([1, 2, 3, 4, 5].flatMap((n) => [[`DataDisk.${n}.Category`, 'cloud_ssd'], [`DataDisk.${n}.Size`, '20']])) },
      400,
      'InstanceDiskNumber.LimitExceed',
    ],
    [{ ...g7, InternetChargeType: 'PayByHour' }, 400, 'InvalidInternetChargeType.ValueNotSupported'],
    [{ ...g7, InternetMaxBandwidthOut: '101' }, 400, 'InvalidInternetMaxBandwidthOut.ValueNotSupported'],
    [{ ResourceType: 'disk' }, 404, 'InvalidDiskCategory.Missing'],
    [{ ResourceType: 'disk', 'DataDisk.1.Category': 'cloud_ssd', 'DataDisk.1.Size': '20', PriceUnit: 'Month' }, 400, 'InvalidPriceUnit.ValueNotSupported'],
    [{ ...g7, ZoneId: 'cn-beijing-a' }, 404, 'InvalidZoneId.NotFound'],
    [{ ...g7, RegionId: 'xx-nowhere-1' }, 404, 'InvalidRegionId.NotFound'],
  ] as Array<[Record<string, string>, number, string]>)('%j → %i %s', (params, status, code) => {
    expectEcsError(call(params), status, code);
  });
});

describe('DescribePrice through the official V3 SDK', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, transitionMs: 0, accessKeys: [TEST_KEY] });
  });
  afterAll(() => emu.close());

  it('answers the documented shape the SDK parses', async () => {
    const ecs = v3Client(emu.url, TEST_KEY);
    const res = await ecs.describePrice(
      new $Ecs.DescribePriceRequest({
        regionId: REGION,
        instanceType: 'ecs.g7.large',
        priceUnit: 'Year',
        systemDisk: new $Ecs.DescribePriceRequestSystemDisk({ category: 'cloud_efficiency', size: 40 }),
        dataDisk: [new $Ecs.DescribePriceRequestDataDisk({ category: 'cloud_ssd', size: 100 })],
      }),
    );
    const p = res.body?.priceInfo?.price;
    expect(p?.currency).toBe('CNY');
    // 0.48 + 0.02 + 0.1 (100 GiB cloud_ssd) = 0.6 per hour; × 6132 hours; 15% off.
    expect([p?.originalPrice, p?.discountPrice, p?.tradePrice]).toEqual([3679.2, 551.88, 3127.32]);
    expect(p?.detailInfos?.detailInfo?.map((d) => d.resource)).toEqual(['instanceType', 'systemDisk', 'dataDisk', 'bandwidth', 'image']);
    expect(res.body?.priceInfo?.rules?.rule?.[0]?.ruleId).toBe(1001);
    await expect(
      ecs.describePrice(new $Ecs.DescribePriceRequest({ regionId: REGION, instanceType: 'ecs.nope' })),
    ).rejects.toMatchObject({ code: 'InvalidInstanceType.ValueNotSupported', statusCode: 400 });
  });
});
