/**
 * Renders a stored instance as the `Instance` element of DescribeInstances,
 * key for key like the responses captured from real ECS.
 */
import { IMAGES, findInstanceType } from './catalog/index.js';
import { ecsMinuteTime } from './ids.js';
import { visibleStoppedMode } from './lifecycle.js';
import type { InstanceRecord } from './model.js';

const NEVER_EXPIRES = '2099-12-31T15:59Z';

/** The image's OS facts; one lookup per image, not per instance. */
function osFacts(imageId: string): { OSName: string; OSNameEn: string; OSType: string } {
  const img = IMAGE_BY_ID.get(imageId);
  return { OSName: img?.osName ?? '', OSNameEn: img?.osNameEn ?? '', OSType: img?.osType ?? 'linux' };
}

const IMAGE_BY_ID = new Map(IMAGES.map((i) => [i.imageId, i]));

/** The DescribeInstances `Instance` element for a (settled) record. */
export function renderInstance(rec: InstanceRecord): Record<string, unknown> {
  const type = findInstanceType(rec.instanceType);
  const cpu = type?.cpu ?? 0;
  const os = osFacts(rec.imageId);
  // One object literal, keys in the order real answers have them (no spreads, no clones: a page of 100
  // instances is rendered per DescribeInstances call, and the inventory benchmark asks for many pages).
  const out: Record<string, unknown> = {
    ResourceGroupId: '',
    ImageOptions: {},
    VlanId: '',
    HibernationOptions: { Configured: false },
    MetadataOptions: { HttpTokens: '', HttpEndpoint: '' },
    PrivateDnsNameOptions: {},
    DeploymentSetId: '',
    AutoReleaseTime: '',
    DedicatedInstanceAttribute: { Tenancy: '', Affinity: '' },
    GPUSpec: '',
    SpotPriceLimit: 0,
    DeviceAvailable: true,
    SaleCycle: '',
    IoOptimized: true,
    ClusterId: '',
    EcsCapacityReservationAttr: { CapacityReservationPreference: '', CapacityReservationId: '' },
    DedicatedHostAttribute: { DedicatedHostId: '', DedicatedHostName: '', DedicatedHostClusterId: '' },
    GPUAmount: 0,
    OperationLocks: { LockReason: [] },
    Recyclable: false,
    InstanceNetworkType: 'vpc',
    InnerIpAddress: { IpAddress: [] },
    EipAddress: { AllocationId: '', IpAddress: '', InternetChargeType: '' },
    SecurityGroupIds: { SecurityGroupId: [...rec.securityGroupIds] },
    VpcAttributes: {
      PrivateIpAddress: { IpAddress: [rec.privateIp] },
      VpcId: rec.vpcId,
      VSwitchId: rec.vSwitchId,
      NatIpAddress: '',
    },
    PublicIpAddress: { IpAddress: rec.publicIp === '' ? [] : [rec.publicIp] },
    NetworkInterfaces: {
      NetworkInterface: [
        {
          Type: 'Primary',
          PrimaryIpAddress: rec.privateIp,
          MacAddress: rec.macAddress,
          NetworkInterfaceId: rec.eniId,
          PrivateIpSets: { PrivateIpSet: [{ PrivateIpAddress: rec.privateIp, Primary: true }] },
        },
      ],
    },
    OSName: os.OSName,
    OSNameEn: os.OSNameEn,
    OSType: os.OSType,
    InstanceId: rec.instanceId,
    InstanceName: rec.instanceName,
    HostName: rec.hostName,
    Description: rec.description,
    Status: rec.status,
    StoppedMode: visibleStoppedMode(rec),
    ImageId: rec.imageId,
    InstanceType: rec.instanceType,
    InstanceTypeFamily: type?.family ?? '',
    Cpu: cpu,
    Memory: Math.round((type?.memoryGiB ?? 0) * 1024),
    CpuOptions: { ThreadsPerCore: cpu > 1 ? 2 : 1, Numa: 'ON', CoreCount: Math.max(1, Math.floor(cpu / 2)) },
    RegionId: rec.regionId,
    ZoneId: rec.zoneId,
    CreationTime: ecsMinuteTime(rec.creationTime),
    StartTime: rec.startTime === null ? '' : ecsMinuteTime(rec.startTime),
    ExpiredTime: rec.expiredTime === null ? NEVER_EXPIRES : ecsMinuteTime(rec.expiredTime),
    InstanceChargeType: rec.instanceChargeType,
    InternetChargeType: rec.internetChargeType,
    InternetMaxBandwidthOut: rec.internetMaxBandwidthOut,
    InternetMaxBandwidthIn: rec.internetMaxBandwidthIn,
    SpotStrategy: rec.spotStrategy,
    SerialNumber: rec.serialNumber,
    DeletionProtection: rec.deletionProtection,
    CreditSpecification: rec.creditSpecification,
  };
  if (rec.keyPairName !== '') out.KeyPairName = rec.keyPairName;
  if (rec.tags.length > 0) out.Tags = { Tag: rec.tags.map((t) => ({ TagKey: t.key, TagValue: t.value })) };
  return out;
}
