/**
 * Validation of the storage part of a snapshot (StoreData.storage). A snapshot written before the emulator
 * kept storage state has no `storage`: it loads with none. Garbage is a TypeError naming what is wrong.
 */
import { DISK_STATUSES, emptyStorage, type StorageData } from './storage-model.js';

function fail(what: string): never {
  throw new TypeError(`invalid ECS emulator snapshot: ${what}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const TYPES: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  boolean: (v) => typeof v === 'boolean',
  array: (v) => Array.isArray(v),
  object: (v) => isObject(v),
  'number|null': (v) => v === null || (typeof v === 'number' && Number.isFinite(v)),
};

function checkList(storage: Record<string, unknown>, key: string, fields: Record<string, string>): unknown[] {
  const list = storage[key];
  if (!Array.isArray(list)) fail(`storage.${key} must be an array`);
  list.forEach((item, i) => {
    if (!isObject(item)) fail(`storage.${key}[${i}] must be an object`);
    for (const [name, type] of Object.entries(fields)) {
      if (!TYPES[type]!(item[name])) fail(`storage.${key}[${i}].${name} must be ${type}`);
    }
  });
  return list;
}

const COMMON = { account: 'string', regionId: 'string', seq: 'number', creationTime: 'number', tags: 'array' };

/** Checks the storage records of a snapshot; `undefined` (an older snapshot) is no storage at all. */
export function parseStorage(v: unknown): StorageData {
  if (v === undefined) return emptyStorage();
  if (!isObject(v)) fail('storage must be an object');
  const disks = checkList(v, 'disks', {
    ...COMMON, zoneId: 'string', diskId: 'string', category: 'string', size: 'number', type: 'string', status: 'string',
    schedule: 'array', instanceId: 'string', device: 'string', deleteWithInstance: 'boolean', everAttached: 'boolean',
    attachedTime: 'number|null', detachedTime: 'number|null',
  });
  disks.forEach((d, i) => {
    const disk = d as { status: string; type: string; schedule: unknown[] };
    if (!(DISK_STATUSES as readonly string[]).includes(disk.status)) fail(`storage.disks[${i}].status is unknown`);
    if (disk.type !== 'system' && disk.type !== 'data') fail(`storage.disks[${i}].type is unknown`);
    for (const s of disk.schedule) {
      if (!isObject(s) || typeof s.at !== 'number' || !(DISK_STATUSES as readonly string[]).includes(s.status as string)) {
        fail(`storage.disks[${i}].schedule is malformed`);
      }
    }
  });
  const snapshots = checkList(v, 'snapshots', {
    ...COMMON, snapshotId: 'string', sourceDiskId: 'string', sourceDiskSize: 'number', status: 'string', readyAt: 'number',
  });
  snapshots.forEach((s, i) => {
    const status = (s as { status: string }).status;
    if (status !== 'progressing' && status !== 'accomplished') fail(`storage.snapshots[${i}].status is unknown`);
  });
  const images = checkList(v, 'images', {
    ...COMMON, imageId: 'string', imageName: 'string', status: 'string', readyAt: 'number', snapshotId: 'string', size: 'number',
  });
  images.forEach((m, i) => {
    const status = (m as { status: string }).status;
    if (status !== 'Creating' && status !== 'Available') fail(`storage.images[${i}].status is unknown`);
  });
  checkList(v, 'tokens', { account: 'string', regionId: 'string', action: 'string', token: 'string', fingerprint: 'string', response: 'object' });
  return v as unknown as StorageData;
}
