/**
 * Access to the networking records of the store (VPCs, security groups, key pairs), per account and region.
 * Holds no data itself: it reads and writes the StoreData of the InstanceStore it belongs to, so snapshot(),
 * restore() and reset() cover it.
 */
import type { StoreData } from './model.js';
import type { KeyPairRecord, SecurityGroupRecord, VpcRecord } from './net-model.js';

/** VPCs, security groups and key pairs of the store. */
export class NetworkState {
  constructor(private readonly data: () => StoreData) {}

  /** VPCs of an account in a region, in creation order. */
  vpcs(account: string, regionId: string): VpcRecord[] {
    return this.data().vpcs.filter((v) => v.account === account && v.regionId === regionId);
  }

  addVpc(rec: VpcRecord): void {
    this.data().vpcs.push(rec);
  }

  /** Security groups of an account in a region, in creation order. */
  securityGroups(account: string, regionId: string): SecurityGroupRecord[] {
    return this.data().securityGroups.filter((g) => g.account === account && g.regionId === regionId);
  }

  findSecurityGroup(account: string, regionId: string, id: string): SecurityGroupRecord | undefined {
    return this.data().securityGroups.find((g) => g.securityGroupId === id && g.account === account && g.regionId === regionId);
  }

  /** Whether any account holds a security group with this ID (IDs are globally unique). */
  securityGroupIdTaken(id: string): boolean {
    return this.data().securityGroups.some((g) => g.securityGroupId === id);
  }

  addSecurityGroup(rec: SecurityGroupRecord): void {
    this.data().securityGroups.push(rec);
  }

  removeSecurityGroup(account: string, regionId: string, id: string): void {
    const d = this.data();
    d.securityGroups = d.securityGroups.filter((g) => !(g.securityGroupId === id && g.account === account && g.regionId === regionId));
  }

  /** Key pairs of an account in a region, in creation order. */
  keyPairs(account: string, regionId: string): KeyPairRecord[] {
    return this.data().keyPairs.filter((k) => k.account === account && k.regionId === regionId);
  }

  findKeyPair(account: string, regionId: string, name: string): KeyPairRecord | undefined {
    return this.data().keyPairs.find((k) => k.keyPairName === name && k.account === account && k.regionId === regionId);
  }

  addKeyPair(rec: KeyPairRecord): void {
    this.data().keyPairs.push(rec);
  }

  removeKeyPairs(account: string, regionId: string, names: ReadonlySet<string>): void {
    const d = this.data();
    d.keyPairs = d.keyPairs.filter((k) => !(k.account === account && k.regionId === regionId && names.has(k.keyPairName)));
  }
}
