/**
 * The stored records of the storage actions: disks (system and data), snapshots, custom images, and the
 * ClientToken answers of CreateDisk / CreateSnapshot / CreateImage. Plain JSON, kept under StoreData.storage.
 */
import type { ClientTokenRecord, TagRecord } from './model.js';

/** ECS disk statuses the emulator produces. */
export type DiskStatus = 'Creating' | 'Available' | 'Attaching' | 'In_use' | 'Detaching';

/** Every DiskStatus, for validation. */
export const DISK_STATUSES: readonly DiskStatus[] = ['Creating', 'Available', 'Attaching', 'In_use', 'Detaching'];

/** A future disk status change. */
export interface DiskScheduled {
  status: DiskStatus;
  at: number;
}

/** One stored disk. */
export interface StoredDisk {
  account: string;
  regionId: string;
  zoneId: string;
  diskId: string;
  seq: number;
  diskName: string;
  description: string;
  category: string;
  performanceLevel: string;
  size: number;
  type: 'system' | 'data';
  status: DiskStatus;
  schedule: DiskScheduled[];
  /** The instance it is attached to (or being attached to / detached from); '' when none. */
  instanceId: string;
  device: string;
  deleteWithInstance: boolean;
  /** Whether it was ever attached (a snapshot needs that). */
  everAttached: boolean;
  imageId: string;
  sourceSnapshotId: string;
  encrypted: boolean;
  creationTime: number;
  attachedTime: number | null;
  detachedTime: number | null;
  serialNumber: string;
  tags: TagRecord[];
}

/** Snapshot statuses. */
export type SnapshotStatus = 'progressing' | 'accomplished';

/** One stored snapshot. */
export interface StoredSnapshot {
  account: string;
  regionId: string;
  snapshotId: string;
  seq: number;
  snapshotName: string;
  description: string;
  sourceDiskId: string;
  sourceDiskSize: number;
  /** 'System' or 'Data'. */
  sourceDiskType: string;
  sourceDiskCategory: string;
  /** The instance the source disk was attached to when the snapshot was taken ('' if none). */
  instanceId: string;
  /** The image of the source disk ('' for a blank data disk). */
  imageId: string;
  status: SnapshotStatus;
  /** When it becomes accomplished. */
  readyAt: number;
  creationTime: number;
  retentionDays: number;
  category: string;
  tags: TagRecord[];
}

/** Custom image statuses. */
export type CustomImageStatus = 'Creating' | 'Available';

/** One stored custom image. */
export interface StoredImage {
  account: string;
  regionId: string;
  imageId: string;
  seq: number;
  imageName: string;
  description: string;
  imageVersion: string;
  imageFamily: string;
  status: CustomImageStatus;
  readyAt: number;
  creationTime: number;
  size: number;
  /** The system-disk snapshot it is made from. */
  snapshotId: string;
  /** The instance it was made from ('' when made from a snapshot). */
  sourceInstanceId: string;
  /** The public image it descends from ('' if unknown). */
  baseImageId: string;
  platform: string;
  osType: string;
  osName: string;
  osNameEn: string;
  architecture: string;
  bootMode: string;
  tags: TagRecord[];
}

/** A ClientToken answer of a storage action (the token is per account, region and action). */
export interface StorageTokenRecord extends ClientTokenRecord {
  action: string;
}

/** Everything the storage actions store. */
export interface StorageData {
  disks: StoredDisk[];
  snapshots: StoredSnapshot[];
  images: StoredImage[];
  tokens: StorageTokenRecord[];
}

/** No disks, snapshots, images or tokens. */
export function emptyStorage(): StorageData {
  return { disks: [], snapshots: [], images: [], tokens: [] };
}
