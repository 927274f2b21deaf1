/**
 * The default network of an account in a region, made on first use: one VPC (172.16.0.0/12), one vSwitch per
 * zone (172.{16+i}.0.0/16) and one security group (no rules: ECS's default groups of new accounts allow
 * nothing in that is not asked for). The IDs derive from the account and region, so they are the same after a
 * reset and the same as the emulator has always given instances started without a vSwitch or security group.
 */
import { requireRegion, zonesOf, type RegionInfo } from '../catalog/index.js';
import type { VSwitchRecord } from '../model.js';
import type { SecurityGroupRecord, VpcRecord } from '../net-model.js';
import type { InstanceStore } from '../store.js';
import { derivedId } from './network.js';

/** The default VPC ID of an account in a region. */
export function defaultVpcId(account: string, region: RegionInfo): string {
  return derivedId('vpc', region.idPrefix, `${account}|${region.regionId}|vpc`);
}

/** The default security group ID of an account in a region. */
export function defaultSecurityGroupId(account: string, region: RegionInfo): string {
  return derivedId('sg', region.idPrefix, `${account}|${region.regionId}|sg`, 20);
}

/** The default vSwitch of a zone. */
export function defaultVSwitchRecord(account: string, region: RegionInfo, zoneId: string, now: number): VSwitchRecord {
  const index = Math.max(0, zonesOf(region).findIndex((z) => z.zoneId === zoneId));
  return {
    account,
    regionId: region.regionId,
    zoneId,
    vSwitchId: derivedId('vsw', region.idPrefix, `${account}|${zoneId}|vsw`),
    vpcId: defaultVpcId(account, region),
    cidrPrefix: `172.${16 + (index % 8)}`,
    isDefault: true,
    creationTime: now,
  };
}

/**
 * Makes the default VPC, vSwitches and security group of an account in a region unless its default VPC exists.
 * Returns whether it made them (the call then changed state).
 */
export function ensureDefaultNetwork(store: InstanceStore, account: string, regionId: string, now: number): boolean {
  const region = requireRegion(regionId);
  const vpcId = defaultVpcId(account, region);
  if (store.net.vpcs(account, regionId).some((v) => v.vpcId === vpcId)) return false;
  const vpc: VpcRecord = {
    account,
    regionId,
    vpcId,
    vpcName: '',
    description: 'System created default VPC.',
    cidrBlock: '172.16.0.0/12',
    vRouterId: derivedId('vrt', region.idPrefix, `${account}|${regionId}|vrt`),
    isDefault: true,
    creationTime: now,
  };
  store.net.addVpc(vpc);
  for (const zone of zonesOf(region)) {
    const rec = defaultVSwitchRecord(account, region, zone.zoneId, now);
    if (!store.findVSwitch(account, regionId, (v) => v.vSwitchId === rec.vSwitchId)) store.addVSwitch(rec);
  }
  const sgId = defaultSecurityGroupId(account, region);
  if (!store.net.findSecurityGroup(account, regionId, sgId)) {
    const sg: SecurityGroupRecord = {
      account,
      regionId,
      securityGroupId: sgId,
      securityGroupName: 'default',
      description: 'System created security group.',
      vpcId,
      securityGroupType: 'normal',
      resourceGroupId: '',
      creationTime: now,
      isDefault: true,
      rules: [],
      tags: [],
    };
    store.net.addSecurityGroup(sg);
  }
  return true;
}
