/**
 * The emulator's stored data: instances (per account and region), client-token
 * records for RunInstances idempotency, and the per-region default networks.
 * Everything here is plain JSON so that snapshots are just these records.
 */
import type { InvocationRecord } from './invocations.js';
import type { StorageData } from './storage-model.js';
import type { KeyPairRecord, SecurityGroupRecord, VpcRecord } from './net-model.js';

/** The ECS instance lifecycle states. */
export type InstanceStatus = 'Pending' | 'Starting' | 'Running' | 'Stopping' | 'Stopped';

/** Every InstanceStatus, for validation. */
export const INSTANCE_STATUSES: readonly InstanceStatus[] = ['Pending', 'Starting', 'Running', 'Stopping', 'Stopped'];

/** A future state change: the instance enters `status` at time `at` (ms). */
export interface ScheduledStatus {
  status: InstanceStatus;
  at: number;
}

/** A tag on an instance. */
export interface TagRecord {
  key: string;
  value: string;
}

/** A disk as asked for at creation. */
export interface DiskRecord {
  category: string;
  size: number;
  deleteWithInstance?: boolean;
  name?: string;
  description?: string;
}

/** One stored instance. Never holds a password: only `hasPassword`. */
export interface InstanceRecord {
  account: string;
  regionId: string;
  zoneId: string;
  instanceId: string;
  /** Creation order within the whole store. */
  seq: number;
  instanceName: string;
  hostName: string;
  description: string;
  imageId: string;
  instanceType: string;
  status: InstanceStatus;
  schedule: ScheduledStatus[];
  creationTime: number;
  /** When the instance last reached Running; null before that. */
  startTime: number | null;
  stoppedMode: string;
  instanceChargeType: string;
  expiredTime: number | null;
  internetChargeType: string;
  internetMaxBandwidthOut: number;
  internetMaxBandwidthIn: number;
  spotStrategy: string;
  vpcId: string;
  vSwitchId: string;
  privateIp: string;
  publicIp: string;
  securityGroupIds: string[];
  tags: TagRecord[];
  keyPairName: string;
  hasPassword: boolean;
  userData: string;
  systemDisk: DiskRecord;
  dataDisks: DiskRecord[];
  serialNumber: string;
  eniId: string;
  macAddress: string;
  deletionProtection: boolean;
  creditSpecification: string;
}

/** What a RunInstances with a ClientToken answered, kept for replays. */
export interface ClientTokenRecord {
  account: string;
  regionId: string;
  token: string;
  fingerprint: string;
  response: Record<string, unknown>;
}

/** A VSwitch the emulator knows (the default one per zone, or one named in RunInstances). */
export interface VSwitchRecord {
  account: string;
  regionId: string;
  zoneId: string;
  vSwitchId: string;
  vpcId: string;
  /** The first two octets of its range, e.g. "172.16": private IPs are drawn from it. */
  cidrPrefix: string;
  /** Whether it is the default vSwitch of its zone (see net-model.ts). */
  isDefault?: boolean;
  /** When it was created (ms); absent on records from older snapshots. */
  creationTime?: number;
}

/** The whole stored state, as snapshot() returns it. */
export interface StoreData {
  version: 1;
  seq: number;
  instances: InstanceRecord[];
  clientTokens: ClientTokenRecord[];
  vSwitches: VSwitchRecord[];
  /** Cloud Assistant invocations (RunCommand); see invocations.ts. */
  invocations: InvocationRecord[];
  /** Disks, snapshots and custom images (storage-model.ts). */
  storage: StorageData;
  /** VPCs, security groups and key pairs (net-model.ts); absent in older snapshots, read as empty. */
  vpcs: VpcRecord[];
  securityGroups: SecurityGroupRecord[];
  keyPairs: KeyPairRecord[];
}
