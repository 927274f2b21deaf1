/**
 * DescribePrice from the emulator's catalog and its FICTIONAL price list (../catalog/prices.ts), in ECS's response
 * shape: PriceInfo.Price {Currency, OriginalPrice, DiscountPrice, TradePrice, ReservedInstanceHourPrice,
 * DetailInfos.DetailInfo[] per resource}, PriceInfo.Rules.Rule[].
 *
 * ResourceType (default instance):
 * - `instance`: InstanceType (required), ImageId or Platform (Windows costs extra), SystemDisk.Category/Size/
 *   PerformanceLevel (default cloud_efficiency, max(40, image size) GiB), up to 4 DataDisk.N, InternetChargeType
 *   and InternetMaxBandwidthOut; details instanceType, systemDisk, dataDisk (when given), bandwidth, image;
 * - `disk`: the DataDisk.N given (DataDisk.1.Category and Size required), per hour only;
 * - `bandwidth`: the pay-by-traffic price of one GB, per hour only;
 * - `ddh`, `ElasticityAssurance`, `CapacityReservation`: 400 PriceNotFound (the emulator has no price for them).
 * PriceUnit Hour (default), Week, Month or Year; Period 1 for Hour, 1–4 weeks, 1–9 months, 1–5 years; Amount 1–1000.
 * Errors as ECS's reference words them: InvalidResourceType.ValueNotSupported, InvalidPriceUnit.ValueNotSupported,
 * InvalidPeriod, InvalidAmount.Malformed, InvalidInstanceType.Missing, InvalidInstanceType.ValueNotSupported,
 * InvalidImageId.NotFound, InvalidIoOptimizedValue.ValueNotSupported, OperationDenied (classic network),
 * InvalidSystemDiskCategory.ValueNotSupported, InvalidSystemDiskSize.LessThanMinSize / MoreThanMaxSize /
 * LessThanImageSize, InvalidDiskCategory.Missing, InvalidDataDiskCategory.ValueNotSupported,
 * InvalidDataDiskSize.ValueNotSupported, InstanceDiskNumber.LimitExceed, InvalidInternetChargeType.ValueNotSupported,
 * InvalidInternetMaxBandwidthOut.ValueNotSupported.
 */
import { findInstanceType, requireImage, requireRegion, zonesOf, type ImageInfo } from '../catalog/index.js';
import { findDiskCategory } from '../catalog/disk-categories.js';
import {
  BANDWIDTH_RATE,
  DISK_RATES,
  ESSD_LEVEL_FACTOR,
  instanceTypeRate,
  TRAFFIC_PER_GB,
  UNIT_HOURS,
  WINDOWS_RATE,
  YEARLY_DISCOUNT,
  YEARLY_RULE,
} from '../catalog/prices.js';
import { EcsApiError, EcsErrors } from '../errors.js';
import type { Params } from '../params.js';
import { read, type ActionEnv, type ActionResult } from './context.js';
import { regionParam } from './instance-ids.js';

type Unit = keyof typeof UNIT_HOURS;
/** One priced resource: its hourly rate in 1/10000 CNY. */
interface Item {
  resource: string;
  rate: number;
}

const err = (status: number, code: string, message: string) => new EcsApiError(status, code, message);
const RESOURCE_TYPES = ['instance', 'disk', 'bandwidth', 'ddh', 'ElasticityAssurance', 'CapacityReservation'];
const MAX_PERIOD: Readonly<Record<Unit, number>> = { Hour: 1, Week: 4, Month: 9, Year: 5 };

function priceUnit(params: Params): Unit {
  const unit = params.str('PriceUnit') ?? 'Hour';
  if (!Object.hasOwn(UNIT_HOURS, unit)) {
    throw err(400, 'InvalidPriceUnit.ValueNotSupported', 'The specified parameter PriceUnit is not valid.');
  }
  return unit as Unit;
}

function bounded(params: Params, name: string, fallback: number, max: number, onBad: () => EcsApiError): number {
  const v = params.str(name);
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isSafeInteger(n) || n < 1 || n > max) throw onBad();
  return n;
}

function diskRate(category: string, size: number, level: string | undefined, name: string): number {
  const factor = category === 'cloud_essd' ? ESSD_LEVEL_FACTOR[level ?? 'PL1'] : 1;
  if (factor === undefined) throw EcsErrors.invalidParameter(name);
  return DISK_RATES[category]! * size * factor;
}

function systemDisk(params: Params, image: ImageInfo | undefined): Item {
  const category = params.str('SystemDisk.Category') ?? 'cloud_efficiency';
  const info = findDiskCategory(category);
  if (!info) {
    throw err(400, 'InvalidSystemDiskCategory.ValueNotSupported', 'The specified parameter "SystemDisk.Category" is not valid.');
  }
  const imageSize = image?.size ?? 20;
  const size = params.int('SystemDisk.Size', Math.max(40, imageSize), 0, Number.MAX_SAFE_INTEGER);
  if (size < info.system.min) {
    throw err(404, 'InvalidSystemDiskSize.LessThanMinSize', 'The specified parameter SystemDisk.Size is less than the minimum size.');
  }
  if (size > info.system.max) {
    throw err(404, 'InvalidSystemDiskSize.MoreThanMaxSize', 'The specified parameter SystemDisk.Size is more than the maximum size');
  }
  if (size < imageSize) throw EcsErrors.systemDiskTooSmall();
  return { resource: 'systemDisk', rate: diskRate(category, size, params.str('SystemDisk.PerformanceLevel'), 'SystemDisk.PerformanceLevel') };
}

/** The DataDisk.N given, each checked; their summed rate (or undefined when none is given). */
function dataDisks(params: Params, max: number): Item | undefined {
  const disks = new Map<number, Record<string, string>>();
  for (const [n, field, value] of params
    .entries()
    .map(([k, v]) => [/^DataDisk\.(\d+)\.(\w+)$/.exec(k), v] as const)
    .filter(([m]) => m !== null)
    .map(([m, v]) => [Number(m![1]), m![2]!, v] as const)) {
    disks.set(n, { ...disks.get(n), [field]: value });
  }
  if (disks.size === 0) return undefined;
  if (disks.size > max) {
    throw err(400, 'InstanceDiskNumber.LimitExceed', 'The total number of specified disk in an instance exceeds.');
  }
  let rate = 0;
  for (const [n, d] of [...disks].sort((a, b) => a[0] - b[0])) {
    if (!d.Category) {
      throw err(404, 'InvalidDiskCategory.Missing', `The DataDisk.${n}.Category parameter that is mandatory for processing the request is not provided.`);
    }
    const info = findDiskCategory(d.Category);
    if (!info) {
      throw err(400, 'InvalidDataDiskCategory.ValueNotSupported', 'The specified parameter "DataDisk.n.Category" is not valid.');
    }
    const size = Number(d.Size);
    if (!d.Size || !Number.isSafeInteger(size) || size < info.data.min || size > info.data.max) {
      throw err(
        400,
        'InvalidDataDiskSize.ValueNotSupported',
        'The specified DataDisk.n.Size beyond the permitted range, or the capacity of snapshot exceeds the size limit of the specified disk category.',
      );
    }
    rate += diskRate(d.Category, size, d.PerformanceLevel, `DataDisk.${n}.PerformanceLevel`);
  }
  return { resource: 'dataDisk', rate };
}

function bandwidth(params: Params): Item {
  const chargeType = params.str('InternetChargeType') ?? 'PayByTraffic';
  if (chargeType !== 'PayByTraffic' && chargeType !== 'PayByBandwidth') {
    throw err(400, 'InvalidInternetChargeType.ValueNotSupported', 'The specified InternetChargeType is not valid.');
  }
  const v = params.str('InternetMaxBandwidthOut');
  const mbps = v === undefined ? 0 : Number(v);
  if (!Number.isSafeInteger(mbps) || mbps < 0 || mbps > 100) {
    throw err(400, 'InvalidInternetMaxBandwidthOut.ValueNotSupported', 'The specified parameter "InternetMaxBandwidthOut" is not valid.');
  }
  return { resource: 'bandwidth', rate: chargeType === 'PayByBandwidth' ? BANDWIDTH_RATE * mbps : 0 };
}

function instanceItems(params: Params): Item[] {
  const typeId = params.str('InstanceType');
  if (typeId === undefined) {
    throw err(404, 'InvalidInstanceType.Missing', 'The InstanceType parameter that is mandatory for processing the request is not provided.');
  }
  const type = findInstanceType(typeId);
  if (!type) {
    throw err(400, 'InvalidInstanceType.ValueNotSupported', 'The specified InstanceType does not exist or beyond the permitted range.');
  }
  if ((params.str('IoOptimized') ?? 'optimized') !== 'optimized') {
    throw err(400, 'InvalidIoOptimizedValue.ValueNotSupported', 'IoOptimized value not supported.');
  }
  const network = params.str('InstanceNetworkType') ?? 'vpc';
  if (network === 'classic') throw err(403, 'OperationDenied', 'The specified parameter InstanceNetworkType is not authorized.');
  if (network !== 'vpc') throw err(404, 'InvalidNetworkType.ValueNotSupported', 'The specified parameter NetworkType is not valid.');
  const imageId = params.str('ImageId');
  const image = imageId === undefined ? undefined : requireImage(imageId);
  const windows = image ? image.osType === 'windows' : (params.str('Platform') ?? '').toLowerCase() === 'windows';
  const data = dataDisks(params, 4);
  return [
    { resource: 'instanceType', rate: instanceTypeRate(type) },
    systemDisk(params, image),
    ...(data ? [data] : []),
    bandwidth(params),
    { resource: 'image', rate: windows ? WINDOWS_RATE * type.cpu : 0 },
  ];
}

function hourlyOnly(unit: Unit): void {
  if (unit !== 'Hour') throw err(400, 'InvalidPriceUnit.ValueNotSupported', 'The specified parameter PriceUnit is not valid.');
}

function itemsFor(resourceType: string, params: Params, unit: Unit): Item[] {
  if (resourceType === 'instance') return instanceItems(params);
  hourlyOnly(unit);
  if (resourceType === 'bandwidth') return [{ resource: 'bandwidth', rate: TRAFFIC_PER_GB }];
  if (params.str('DataDisk.1.Category') === undefined) {
    throw err(404, 'InvalidDiskCategory.Missing', 'The DataDisk.1.Category parameter that is mandatory for processing the request is not provided.');
  }
  return [dataDisks(params, 16)!];
}

/** 1/10000 CNY → CNY. */
const cny = (v: number) => Math.round(v) / 10000;

/** DescribePrice. */
export function describePrice({ params }: ActionEnv): ActionResult {
  const region = requireRegion(regionParam(params));
  const zoneId = params.str('ZoneId');
  if (zoneId !== undefined && !zonesOf(region).some((z) => z.zoneId === zoneId)) throw EcsErrors.zoneNotFound();
  const resourceType = params.str('ResourceType') ?? 'instance';
  if (!RESOURCE_TYPES.includes(resourceType)) {
    throw err(400, 'InvalidResourceType.ValueNotSupported', 'The specified parameter ResourceType is not valid.');
  }
  if (!['instance', 'disk', 'bandwidth'].includes(resourceType)) {
    throw err(400, 'PriceNotFound', 'The price of your queried resource is not available now, please try other resources.');
  }
  const unit = priceUnit(params);
  const period = bounded(params, 'Period', 1, MAX_PERIOD[unit], () => err(400, 'InvalidPeriod', 'The specified period is not valid.'));
  const amount = bounded(params, 'Amount', 1, 1000, () => err(403, 'InvalidAmount.Malformed', 'The specified parameter Amount is not valid.'));
  const items = itemsFor(resourceType, params, unit);
  const yearly = unit === 'Year';
  const rules = yearly ? [{ ...YEARLY_RULE }] : [];
  const details = items.map(({ resource, rate }) => {
    const original = Math.round(rate * UNIT_HOURS[unit] * period * amount);
    const discount = yearly ? Math.round(original * YEARLY_DISCOUNT) : 0;
    return { resource, original, discount };
  });
  const sum = (f: (d: (typeof details)[number]) => number) => details.reduce((s, d) => s + f(d), 0);
  return read({
    PriceInfo: {
      Price: {
        Currency: 'CNY',
        OriginalPrice: cny(sum((d) => d.original)),
        DiscountPrice: cny(sum((d) => d.discount)),
        TradePrice: cny(sum((d) => d.original - d.discount)),
        ReservedInstanceHourPrice: 0,
        DetailInfos: {
          DetailInfo: details.map((d) => ({
            Resource: d.resource,
            OriginalPrice: cny(d.original),
            DiscountPrice: cny(d.discount),
            TradePrice: cny(d.original - d.discount),
            SubRules: { Rule: d.discount > 0 ? rules.map((r) => ({ ...r })) : [] },
          })),
        },
      },
      Rules: { Rule: rules },
    },
  });
}
