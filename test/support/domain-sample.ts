/**
 * A sample of ECS actions from every domain of the catalog, each with a parameter set that ECS (and the
 * emulator) accepts. Parameters are keyed by their exact ECS wire names, with ordinary JSON values: lists as
 * arrays, objects as objects, lists of objects (nested as deep as ECS nests them), and JSON-valued parameters
 * as native arrays or objects (encoded to one JSON string on the wire). This is the body shape
 * `POST /api/ecs/{Action}` takes, and what test/emulator/domain-sample.test.ts expands for the official SDKs.
 *
 * Every call answers 200 from a fresh emulator once what it names exists. The placeholder IDs stand for real
 * resources that test/support/domain-prepare.ts makes first and swaps in: `i-bp1sample000000001` a Running
 * instance, `d-bp1sample000000001` an Available data disk in its zone (AttachDisk), `d-bp1sample000000002` its
 * system disk (attached: CreateSnapshot), `s-bp1sample000000001` a snapshot of it, `m-bp1sample000000001` a custom
 * image, `sg-bp1sample00000000N` security groups, `vpc-bp1sample000000001` / `vsw-bp1sample000000001` the default
 * VPC and a default vSwitch, `sample-key-pair` a key pair, `t-hz0sample000001` a RunCommand invocation. The rest
 * (`c-…`, `eni-…`, `dh-…`, tasks) name kinds the emulator keeps no state for, in calls it answers synthetically.
 */

/** The catalog's domains (src/gateway/ecs/catalog/types.ts `Domain`; spelled out here, the emulator shares no code). */
export type SampleDomain =
  | 'instances' | 'disks' | 'snapshots' | 'images' | 'security-groups' | 'networking' | 'key-pairs' | 'tags'
  | 'cloud-assistant' | 'launch-templates' | 'dedicated-hosts' | 'deployment' | 'auto-provisioning' | 'capacity'
  | 'billing' | 'maintenance' | 'diagnostics' | 'regions' | 'account' | 'tasks';

export interface SampleCall {
  domain: SampleDomain;
  action: string;
  /** By exact wire name; JSON values (see above). */
  params: Readonly<Record<string, unknown>>;
}

const region = { RegionId: 'cn-hangzhou' } as const;

export const DOMAIN_SAMPLE: readonly SampleCall[] = [
  // instances
  { domain: 'instances', action: 'DescribeInstances', params: { ...region, InstanceIds: ['i-bp1sample000000001'], PageSize: 10 } },
  { domain: 'instances', action: 'DescribeInstanceAttribute', params: { InstanceId: 'i-bp1sample000000001' } },
  { domain: 'instances', action: 'ModifyInstanceAttribute', params: { InstanceId: 'i-bp1sample000000001', InstanceName: 'web-1', Description: 'sample' } },
  { domain: 'instances', action: 'CreateInstance', params: { ...region, InstanceType: 'ecs.g7.large', ImageId: 'aliyun_3_x64_20G_alibase_20240528.vhd', SystemDisk: { Category: 'cloud_essd', Size: 40 }, DataDisk: [{ Size: 100, Category: 'cloud_essd' }], Tag: [{ Key: 'env', Value: 'test' }], SpotPriceLimit: 0.25 } },
  // disks
  { domain: 'disks', action: 'DescribeDisks', params: { ...region, DiskIds: ['d-bp1sample000000001', 'd-bp1sample000000002'], Portable: true, PageNumber: 1, PageSize: 50 } },
  { domain: 'disks', action: 'CreateDisk', params: { ...region, ZoneId: 'cn-hangzhou-i', DiskCategory: 'cloud_essd', Size: 40, Tag: [{ Key: 'env', Value: 'test' }] } },
  { domain: 'disks', action: 'AttachDisk', params: { InstanceId: 'i-bp1sample000000001', DiskId: 'd-bp1sample000000001', DeleteWithInstance: true } },
  // snapshots
  { domain: 'snapshots', action: 'CreateSnapshot', params: { DiskId: 'd-bp1sample000000002', SnapshotName: 'nightly', Tag: [{ Key: 'k', Value: 'v' }] } },
  { domain: 'snapshots', action: 'DescribeSnapshots', params: { ...region, SnapshotIds: ['s-bp1sample000000001'] } },
  { domain: 'snapshots', action: 'CreateAutoSnapshotPolicy', params: { regionId: 'cn-hangzhou', timePoints: ['0', '12'], repeatWeekdays: ['1', '7'], retentionDays: 7 } },
  // images
  { domain: 'images', action: 'DescribeImages', params: { ...region, ImageOwnerAlias: 'system', PageSize: 5 } },
  { domain: 'images', action: 'CreateImage', params: { ...region, InstanceId: 'i-bp1sample000000001', ImageName: 'golden', DiskDeviceMapping: [{ SnapshotId: 's-bp1sample000000001', Size: 40 }] } },
  { domain: 'images', action: 'ModifyImageSharePermission', params: { ...region, ImageId: 'm-bp1sample000000001', AddAccount: ['123456789'] } },
  // security groups
  { domain: 'security-groups', action: 'CreateSecurityGroup', params: { ...region, VpcId: 'vpc-bp1sample000000001', SecurityGroupName: 'web' } },
  { domain: 'security-groups', action: 'AuthorizeSecurityGroup', params: { ...region, SecurityGroupId: 'sg-bp1sample000000001', Permissions: [{ IpProtocol: 'tcp', PortRange: '443/443', SourceCidrIp: '0.0.0.0/0', Priority: '1' }] } },
  { domain: 'security-groups', action: 'DescribeSecurityGroups', params: { ...region, SecurityGroupIds: ['sg-bp1sample000000001'] } },
  // networking
  { domain: 'networking', action: 'CreateNetworkInterface', params: { ...region, VSwitchId: 'vsw-bp1sample000000001', SecurityGroupIds: ['sg-bp1sample000000001', 'sg-bp1sample000000002'] } },
  { domain: 'networking', action: 'DescribeNetworkInterfaces', params: { ...region, NetworkInterfaceId: ['eni-bp1sample000000001'], MaxResults: 10 } },
  { domain: 'networking', action: 'AllocateEipAddress', params: { ...region, Bandwidth: '5', InternetChargeType: 'PayByTraffic' } },
  // key pairs
  { domain: 'key-pairs', action: 'CreateKeyPair', params: { ...region, KeyPairName: 'deploy' } },
  { domain: 'key-pairs', action: 'DescribeKeyPairs', params: { ...region, KeyPairName: 'deploy' } },
  { domain: 'key-pairs', action: 'AttachKeyPair', params: { ...region, KeyPairName: 'sample-key-pair', InstanceIds: ['i-bp1sample000000001'] } },
  // tags
  { domain: 'tags', action: 'TagResources', params: { ...region, ResourceType: 'instance', ResourceId: ['i-bp1sample000000001'], Tag: [{ Key: 'env', Value: 'prod' }] } },
  { domain: 'tags', action: 'ListTagResources', params: { ...region, ResourceType: 'instance', ResourceId: ['i-bp1sample000000001'] } },
  { domain: 'tags', action: 'UntagResources', params: { ...region, ResourceType: 'instance', ResourceId: ['i-bp1sample000000001'], TagKey: ['env'] } },
  // Cloud Assistant
  { domain: 'cloud-assistant', action: 'InvokeCommand', params: { ...region, CommandId: 'c-hz0sample000001', InstanceId: ['i-bp1sample000000001'], Parameters: { name: 'world' } } },
  { domain: 'cloud-assistant', action: 'DescribeInvocations', params: { ...region, InvokeId: 't-hz0sample000001' } },
  { domain: 'cloud-assistant', action: 'CreateCommand', params: { ...region, Name: 'hello', Type: 'RunShellScript', CommandContent: 'ZWNobyBoZWxsbw==' } },
  // launch templates
  { domain: 'launch-templates', action: 'CreateLaunchTemplate', params: { ...region, LaunchTemplateName: 'web', SystemDisk: { Category: 'cloud_essd', Size: 40 }, NetworkInterface: [{ VSwitchId: 'vsw-bp1sample000000001', SecurityGroupIds: ['sg-bp1sample000000001', 'sg-bp1sample000000002'] }] } },
  { domain: 'launch-templates', action: 'DescribeLaunchTemplates', params: { ...region, LaunchTemplateName: ['web'] } },
  // dedicated hosts
  { domain: 'dedicated-hosts', action: 'DescribeDedicatedHosts', params: { ...region, DedicatedHostIds: ['dh-bp1sample000000001'] } },
  // deployment
  { domain: 'deployment', action: 'CreateDeploymentSet', params: { ...region, DeploymentSetName: 'spread', Strategy: 'Availability' } },
  // auto-provisioning
  { domain: 'auto-provisioning', action: 'DescribeAutoProvisioningGroups', params: { ...region, AutoProvisioningGroupStatus: ['active'] } },
  // capacity
  { domain: 'capacity', action: 'DescribeAvailableResource', params: { ...region, DestinationResource: 'InstanceType', Memory: 8.5 } },
  // billing
  { domain: 'billing', action: 'DescribePrice', params: { ...region, InstanceType: 'ecs.g7.large', SystemDisk: { Category: 'cloud_essd', Size: 40 }, DataDisk: [{ Category: 'cloud_essd', Size: 100 }] } },
  // maintenance
  { domain: 'maintenance', action: 'DescribeInstanceHistoryEvents', params: { ...region, EventType: 'SystemMaintenance.Reboot', InstanceEventType: ['SystemMaintenance.Reboot'] } },
  // diagnostics
  { domain: 'diagnostics', action: 'DescribeDiagnosticReports', params: { ...region, ResourceIds: ['i-bp1sample000000001'] } },
  // regions
  { domain: 'regions', action: 'DescribeRegions', params: { AcceptLanguage: 'en-US' } },
  { domain: 'regions', action: 'DescribeInstanceTypeFamilies', params: { ...region } },
  // account
  { domain: 'account', action: 'DescribeAccountAttributes', params: { ...region, AttributeName: ['max-security-groups'] } },
  // tasks
  { domain: 'tasks', action: 'DescribeTasks', params: { ...region, TaskIds: 't-1,t-2' } },
];
