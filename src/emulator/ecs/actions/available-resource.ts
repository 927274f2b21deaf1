/**
 * DescribeAvailableResource from the catalog: every zone of a region offers every instance type of the catalog, I/O
 * optimized, in a VPC, with the disk categories of ../catalog/disk-categories.ts, for both PrePaid and PostPaid, and
 * nothing is ever sold out (Status Available, StatusCategory WithStock).
 *
 * The answer is AvailableZones.AvailableZone[] {ZoneId, RegionId, Status, StatusCategory,
 * AvailableResources.AvailableResource[] {Type, SupportedResources.SupportedResource[] {Value, Status,
 * StatusCategory, and Min/Max/Unit "GiB" for disks}}}, one AvailableResource of the DestinationResource's type per
 * zone; a zone (or the whole list) is left out when nothing matches:
 * - Zone, IoOptimized (`optimized`), Network (`vpc`), InstanceType (the types), SystemDisk, DataDisk (the categories);
 *   `ddh` matches nothing (no dedicated hosts);
 * - the filters narrow it: ZoneId (an unknown zone matches nothing), InstanceType (an unknown type matches nothing),
 *   Cores and Memory (DestinationResource=InstanceType only), SystemDiskCategory and DataDiskCategory, IoOptimized
 *   `none` and NetworkCategory `classic` (match nothing), ResourceType `ddh` (nothing).
 * Errors, as ECS's reference words them: DestinationResource not one of the values → 404 Invalid.DestinationResource;
 * RegionId unknown → 404 Invalid.RegionId; InstanceChargeType not PrePaid/PostPaid → 400 Invalid.InstanceChargeType;
 * ResourceType, IoOptimized, NetworkCategory, SpotStrategy not a documented value → 404 Invalid.ResourceType,
 * Invalid.IoOptimized, Invalid.NetworkCategory, Invalid.SpotStrategy; InstanceType with Cores or Memory → 403
 * InvalidParam.TypeAndCpuMem.Conflict; Cores / Memory with another DestinationResource → 403 InvalidParam.Cores /
 * InvalidParam.Memory.
 */
import { INSTANCE_TYPES, REGIONS, zonesOf, type InstanceTypeInfo } from '../catalog/index.js';
import { DISK_CATEGORY_INFO, type DiskCategoryInfo } from '../catalog/disk-categories.js';
import { EcsApiError } from '../errors.js';
import type { Params } from '../params.js';
import { read, type ActionEnv, type ActionResult } from './context.js';

const err = (status: number, code: string, message: string) => new EcsApiError(status, code, message);
const DESTINATIONS = ['Zone', 'IoOptimized', 'InstanceType', 'SystemDisk', 'DataDisk', 'Network', 'ddh'];
const AVAILABLE = { Status: 'Available', StatusCategory: 'WithStock' } as const;

function oneOf(params: Params, name: string, allowed: readonly string[], fallback: string, onBad: () => EcsApiError): string {
  const v = params.str(name) ?? fallback;
  if (!allowed.includes(v)) throw onBad();
  return v;
}

function numberOrUndefined(params: Params, name: string): number | undefined {
  const v = params.str(name);
  return v === undefined ? undefined : Number(v); // the spec check made sure it is a number
}

/** The instance types that pass InstanceType, Cores and Memory. */
function typesMatching(params: Params, destination: string): InstanceTypeInfo[] {
  const typeId = params.str('InstanceType');
  const cores = numberOrUndefined(params, 'Cores');
  const memory = numberOrUndefined(params, 'Memory');
  if (typeId !== undefined && (cores !== undefined || memory !== undefined)) {
    throw err(403, 'InvalidParam.TypeAndCpuMem.Conflict', "The specified 'InstanceType' and 'Cores','Memory' are not blank at the same time.");
  }
  if (destination !== 'InstanceType' && cores !== undefined) {
    throw err(403, 'InvalidParam.Cores', "The specified parameter 'Cores' should be empty");
  }
  if (destination !== 'InstanceType' && memory !== undefined) {
    throw err(403, 'InvalidParam.Memory', "The specified parameter 'Memory' should be empty");
  }
  return INSTANCE_TYPES.filter(
    (t) =>
      (typeId === undefined || t.instanceTypeId === typeId) &&
      (cores === undefined || t.cpu === cores) &&
      (memory === undefined || t.memoryGiB === memory),
  );
}

function disksMatching(params: Params, name: string): DiskCategoryInfo[] {
  const wanted = params.str(name);
  return DISK_CATEGORY_INFO.filter((d) => wanted === undefined || d.category === wanted);
}

function diskResource(d: DiskCategoryInfo, range: { min: number; max: number }): Record<string, unknown> {
  return { Value: d.category, ...AVAILABLE, Min: range.min, Max: range.max, Unit: 'GiB' };
}

/** DescribeAvailableResource. */
export function describeAvailableResource({ params }: ActionEnv): ActionResult {
  const destination = params.required('DestinationResource');
  if (!DESTINATIONS.includes(destination)) {
    throw err(404, 'Invalid.DestinationResource', 'The specified DestinationResource is not valid.');
  }
  const regionId = params.required('RegionId');
  const region = REGIONS.find((r) => r.regionId === regionId);
  if (!region) throw err(404, 'Invalid.RegionId', 'The specified RegionId does not exist.');
  oneOf(params, 'InstanceChargeType', ['PrePaid', 'PostPaid'], 'PostPaid', () =>
    err(400, 'Invalid.InstanceChargeType', 'The specified InstanceChargeType is not valid.'));
  const resourceType = oneOf(params, 'ResourceType', ['instance', 'disk', 'reservedinstance', 'ddh'], 'instance', () =>
    err(404, 'Invalid.ResourceType', 'The ResourceType provided does not exist in our records.'));
  const io = oneOf(params, 'IoOptimized', ['none', 'optimized'], 'optimized', () =>
    err(404, 'Invalid.IoOptimized', 'The specified IoOptimized is not valid.'));
  const network = oneOf(params, 'NetworkCategory', ['vpc', 'classic'], 'vpc', () =>
    err(404, 'Invalid.NetworkCategory', 'The specified NetworkCategory is not valid.'));
  oneOf(params, 'SpotStrategy', ['NoSpot', 'SpotWithPriceLimit', 'SpotAsPriceGo'], 'NoSpot', () =>
    err(404, 'Invalid.SpotStrategy', 'The specified SpotStrategy is not valid.'));
  const types = typesMatching(params, destination);
  const systemDisks = disksMatching(params, 'SystemDiskCategory');
  const dataDisks = disksMatching(params, 'DataDiskCategory');
  const zoneId = params.str('ZoneId');

  const anything = io === 'optimized' && network === 'vpc' && resourceType !== 'ddh' && destination !== 'ddh' &&
    types.length > 0 && systemDisks.length > 0 && dataDisks.length > 0;
  const supported = (zone: string): Record<string, unknown>[] => {
    switch (destination) {
      case 'Zone': return [{ Value: zone, ...AVAILABLE }];
      case 'IoOptimized': return [{ Value: 'optimized', ...AVAILABLE }];
      case 'Network': return [{ Value: 'vpc', ...AVAILABLE }];
      case 'InstanceType': return types.map((t) => ({ Value: t.instanceTypeId, ...AVAILABLE }));
      case 'SystemDisk': return systemDisks.map((d) => diskResource(d, d.system));
      default: return dataDisks.map((d) => diskResource(d, d.data));
    }
  };
  const zones = anything ? zonesOf(region).filter((z) => zoneId === undefined || z.zoneId === zoneId) : [];
  return read({
    AvailableZones: {
      AvailableZone: zones.map((z) => ({
        ZoneId: z.zoneId,
        RegionId: region.regionId,
        ...AVAILABLE,
        AvailableResources: {
          AvailableResource: [{ Type: destination, SupportedResources: { SupportedResource: supported(z.zoneId) } }],
        },
      })),
    },
  });
}
