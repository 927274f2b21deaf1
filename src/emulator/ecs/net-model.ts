/**
 * Stored networking and access records: VPCs (the default one per account and region), security groups with
 * their rules, and SSH key pairs. Plain JSON, like every record of model.ts. A key pair never holds its private
 * key: CreateKeyPair answers it once and forgets it.
 */
import type { TagRecord } from './model.js';

/** A VPC (the emulator only makes the default one of each account and region). */
export interface VpcRecord {
  account: string;
  regionId: string;
  vpcId: string;
  vpcName: string;
  description: string;
  cidrBlock: string;
  vRouterId: string;
  isDefault: boolean;
  creationTime: number;
}

/** The direction of a security group rule. */
export type RuleDirection = 'ingress' | 'egress';

/** One security group rule, as AuthorizeSecurityGroup(Egress) stored it. */
export interface SecurityGroupRule {
  ruleId: string;
  direction: RuleDirection;
  /** Upper case: TCP, UDP, ICMP, GRE, ALL. */
  ipProtocol: string;
  /** `from/to`, e.g. `443/443`, `-1/-1`. */
  portRange: string;
  sourcePortRange: string;
  sourceCidrIp: string;
  ipv6SourceCidrIp: string;
  sourceGroupId: string;
  sourcePrefixListId: string;
  destCidrIp: string;
  ipv6DestCidrIp: string;
  destGroupId: string;
  destPrefixListId: string;
  /** `Accept` or `Drop`. */
  policy: string;
  /** 1 (highest) to 100. */
  priority: number;
  nicType: string;
  description: string;
  createTime: number;
}

/** A security group of an account in a region. */
export interface SecurityGroupRecord {
  account: string;
  regionId: string;
  securityGroupId: string;
  securityGroupName: string;
  description: string;
  vpcId: string;
  /** `normal` or `enterprise`. */
  securityGroupType: string;
  resourceGroupId: string;
  creationTime: number;
  isDefault: boolean;
  rules: SecurityGroupRule[];
  tags: TagRecord[];
}

/** An SSH key pair of an account in a region: its public key and fingerprint only. */
export interface KeyPairRecord {
  account: string;
  regionId: string;
  keyPairName: string;
  keyPairId: string;
  fingerprint: string;
  /** The OpenSSH public key line (`ssh-rsa AAAA…`). */
  publicKey: string;
  resourceGroupId: string;
  creationTime: number;
  tags: TagRecord[];
}
