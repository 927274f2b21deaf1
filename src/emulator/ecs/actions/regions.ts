/**
 * DescribeRegions and DescribeZones.
 */
import { INSTANCE_TYPES, REGIONS, languageOf, regionEndpoint, requireRegion, zoneLocalName, zonesOf } from '../catalog/index.js';
import { read, type ActionEnv, type ActionResult } from './context.js';

/** DescribeRegions: every region, LocalName in AcceptLanguage (zh-CN by default). */
export function describeRegions({ params }: ActionEnv): ActionResult {
  const lang = languageOf(params.str('AcceptLanguage'));
  params.str('InstanceChargeType');
  params.str('ResourceType');
  return read({
    Regions: {
      Region: REGIONS.map((r) => ({
        RegionId: r.regionId,
        LocalName: r.name[lang],
        RegionEndpoint: regionEndpoint(r.regionId),
        Status: 'available',
      })),
    },
  });
}

const DISK_CATEGORIES = ['cloud_efficiency', 'cloud_ssd', 'cloud_essd', 'cloud_auto', 'cloud_essd_entry'];
const RESOURCE_TYPES = ['VSwitch', 'IoOptimized', 'Instance', 'DedicatedHost', 'Disk'];

function verboseZone(zoneId: string, localName: string): Record<string, unknown> {
  const typeIds = INSTANCE_TYPES.map((t) => t.instanceTypeId);
  return {
    ZoneId: zoneId,
    LocalName: localName,
    ZoneType: 'AvailabilityZone',
    AvailableResourceCreation: { ResourceTypes: RESOURCE_TYPES },
    AvailableDiskCategories: { DiskCategories: DISK_CATEGORIES },
    AvailableVolumeCategories: { VolumeCategories: [] },
    AvailableInstanceTypes: { InstanceTypes: typeIds },
    AvailableDedicatedHostTypes: { DedicatedHostType: [] },
    DedicatedHostGenerations: { DedicatedHostGeneration: [] },
    AvailableResources: {
      ResourcesInfo: [
        {
          IoOptimized: true,
          InstanceGenerations: { supportedInstanceGeneration: ['ecs-1', 'ecs-2', 'ecs-3', 'ecs-4'] },
          InstanceTypeFamilies: { supportedInstanceTypeFamily: [...new Set(INSTANCE_TYPES.map((t) => t.family))] },
          InstanceTypes: { supportedInstanceType: typeIds },
          NetworkTypes: { supportedNetworkCategory: ['vpc'] },
          SystemDiskCategories: { supportedSystemDiskCategory: DISK_CATEGORIES },
          DataDiskCategories: { supportedDataDiskCategory: DISK_CATEGORIES },
        },
      ],
    },
  };
}

/** DescribeZones: the zones of RegionId; Verbose=false leaves out the resource lists. */
export function describeZones({ params }: ActionEnv): ActionResult {
  const region = requireRegion(params.required('RegionId'));
  const lang = languageOf(params.str('AcceptLanguage'));
  const verbose = params.bool('Verbose', true);
  return read({
    Zones: {
      Zone: zonesOf(region).map(({ zoneId, letter }) => {
        const localName = zoneLocalName(region, letter, lang);
        return verbose
          ? verboseZone(zoneId, localName)
          : { ZoneId: zoneId, LocalName: localName, ZoneType: 'AvailabilityZone' };
      }),
    },
  });
}
