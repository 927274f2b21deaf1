/**
 * Disks: CreateDisk, DescribeDisks, DeleteDisk, AttachDisk, DetachDisk, ResizeDisk, and the system and data
 * disks RunInstances creates and DeleteInstances releases.
 *
 * Disk actions other than CreateDisk and DescribeDisks take no RegionId: the disk (and the instance) are found
 * in whichever region the caller holds them. Errors follow ECS's API reference:
 * - InvalidDiskId.NotFound 404, InvalidInstanceId.NotFound 404, InvalidSnapshotId.NotFound 404;
 * - IncorrectDiskStatus 403: attach needs Available, detach needs In_use, delete needs Available,
 *   resize needs Available or In_use;
 * - ResourcesNotInSameZone 403: attaching a disk to an instance of another zone (or region);
 * - DiskTypeViolation 403: detaching or deleting a system disk; DependencyViolation 403: detaching from an
 *   instance the disk is not attached to; IncorrectInstanceStatus 403: the instance is not Running or Stopped;
 * - InvalidDiskSize 403: ResizeDisk to a size not above the current one; InvalidDiskSize.TooSmall 403:
 *   CreateDisk smaller than its snapshot; DiskCreatingSnapshot 403: resizing while a snapshot progresses.
 */
import { requireRegion, zonesOf } from '../catalog/index.js';
import { EcsErrors } from '../errors.js';
import type { InstanceRecord, TagRecord } from '../model.js';
import { wildcardMatch, type Params } from '../params.js';
import { StorageErrors } from '../storage-errors.js';
import type { StoredDisk } from '../storage-model.js';
import { DISK_STATUSES } from '../storage-model.js';
import {
  addDisk,
  beginDisk,
  clientToken,
  disksOf,
  disksOfInstance,
  findSnapshot,
  idempotent,
  newStorageId,
  removeDisks,
  requireDisk,
  snapshotsOf,
} from '../storage-store.js';
import { read, type ActionEnv, type ActionResult } from './context.js';
import { derivedId } from './network.js';
import { pageByNumber, pageByToken } from './paging.js';

/** Disk categories and their data-disk size ranges (GiB). */
const DATA_SIZE: Readonly<Record<string, readonly [number, number]>> = {
  cloud: [5, 2000],
  cloud_efficiency: [20, 32768],
  cloud_ssd: [20, 32768],
  cloud_essd: [1, 65536],
  cloud_auto: [1, 65536],
  cloud_essd_entry: [10, 32768],
};
/** The system-disk size range (GiB). */
const SYSTEM_SIZE: readonly [number, number] = [20, 2048];
/** Most data disks one instance holds. */
const MAX_DATA_DISKS = 16;
const NEVER_EXPIRES = '2999-09-08T16:00Z';

const NAME_RE = /^[A-Za-z\u4e00-\u9fa5][A-Za-z0-9\u4e00-\u9fa5:_.\-]{1,127}$/;

/** ECS's second-precision times: `2024-05-01T08:00:00Z`. */
export function ecsSecondTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** A name such as DiskName or SnapshotName: 2-128 characters, a letter first, not a URL; else `code`. */
export function validName(params: Params, name: string, code: string): string {
  const v = params.str(name);
  if (v === undefined) return '';
  if (!NAME_RE.test(v) || /^https?:\/\//.test(v)) throw StorageErrors.malformed(code, `The specified ${name} is wrongly formed.`);
  return v;
}

/** A Description: up to 256 characters, not a URL. */
export function validDescription(params: Params): string {
  const v = params.str('Description') ?? '';
  if (v.length > 256 || /^https?:\/\//.test(v)) {
    throw StorageErrors.malformed('InvalidDescription.Malformed', 'The specified description is wrongly formed.');
  }
  return v;
}

/** `Tag.N.Key`/`Tag.N.Value` of a create call. */
export function createTags(params: Params): TagRecord[] {
  const list = params.tags('Tag', 20);
  for (const t of list) {
    if (t.key === '' || t.key.length > 128 || /^(aliyun|acs:)/i.test(t.key) || /^https?:\/\//.test(t.key)) {
      throw EcsErrors.malformed('InvalidTagKey.Malformed', 'Tag.N.Key');
    }
  }
  return list.map((t) => ({ key: t.key, value: t.value }));
}

function iops(d: StoredDisk): number {
  if (d.category === 'cloud_essd') return Math.min(1800 + 50 * d.size, 50000);
  if (d.category === 'cloud_ssd') return Math.min(1800 + 30 * d.size, 25000);
  if (d.category === 'cloud_efficiency') return Math.min(1800 + 8 * d.size, 5000);
  if (d.category === 'cloud_auto') return Math.min(3000 + 50 * d.size, 50000);
  return Math.min(1800 + 8 * d.size, 6000);
}

/** The DescribeDisks `Disk` element for a (settled) disk. */
export function renderDisk(d: StoredDisk): Record<string, unknown> {
  const attached = d.instanceId !== '' && d.status !== 'Attaching';
  return {
    DiskId: d.diskId,
    DiskName: d.diskName,
    Description: d.description,
    Type: d.type,
    Category: d.category,
    PerformanceLevel: d.performanceLevel,
    Size: d.size,
    Status: d.status,
    InstanceId: d.instanceId,
    Device: d.device,
    RegionId: d.regionId,
    ZoneId: d.zoneId,
    ImageId: d.imageId,
    SourceSnapshotId: d.sourceSnapshotId,
    Portable: d.type === 'data',
    DeleteWithInstance: d.deleteWithInstance,
    DeleteAutoSnapshot: true,
    EnableAutoSnapshot: true,
    EnableAutomatedSnapshotPolicy: false,
    AutoSnapshotPolicyId: '',
    Encrypted: d.encrypted,
    KMSKeyId: '',
    DiskChargeType: 'PostPaid',
    CreationTime: ecsSecondTime(d.creationTime),
    AttachedTime: d.attachedTime === null || !attached ? '' : ecsSecondTime(d.attachedTime),
    DetachedTime: d.detachedTime === null ? '' : ecsSecondTime(d.detachedTime),
    ExpiredTime: NEVER_EXPIRES,
    IOPS: iops(d),
    IOPSRead: 0,
    IOPSWrite: 0,
    Throughput: 0,
    ThroughputRead: 0,
    ThroughputWrite: 0,
    ProvisionedIops: 0,
    BurstingEnabled: false,
    MultiAttach: 'Disabled',
    MountInstanceNum: 0,
    MountInstances: { MountInstance: [] },
    Attachments: {
      Attachment: attached
        ? [{ InstanceId: d.instanceId, Device: d.device, AttachedTime: d.attachedTime === null ? '' : ecsSecondTime(d.attachedTime) }]
        : [],
    },
    OperationLocks: { OperationLock: [] },
    Tags: { Tag: d.tags.map((t) => ({ TagKey: t.key, TagValue: t.value })) },
    SerialNumber: d.serialNumber,
    ResourceGroupId: '',
    StorageSetId: '',
    StorageSetPartitionNumber: 0,
    StorageClusterId: '',
    ProductCode: '',
    BdfId: '',
  };
}

/** The next free data-disk device of an instance: /dev/xvdb, /dev/xvdc, … */
function nextDevice(env: ActionEnv, instanceId: string): string {
  const used = new Set(disksOfInstance(env, instanceId).map((d) => d.device));
  for (let c = 'b'.charCodeAt(0); c <= 'z'.charCodeAt(0); c++) {
    const dev = `/dev/xvd${String.fromCharCode(c)}`;
    if (!used.has(dev)) return dev;
  }
  throw StorageErrors.diskLimit();
}

function baseDisk(env: ActionEnv, regionId: string, zoneId: string, diskId: string): StoredDisk {
  return {
    account: env.account,
    regionId,
    zoneId,
    diskId,
    seq: env.store.nextSeq(),
    diskName: '',
    description: '',
    category: 'cloud_efficiency',
    performanceLevel: '',
    size: 20,
    type: 'data',
    status: 'Available',
    schedule: [],
    instanceId: '',
    device: '',
    deleteWithInstance: false,
    everAttached: false,
    imageId: '',
    sourceSnapshotId: '',
    encrypted: false,
    creationTime: env.now,
    attachedTime: null,
    detachedTime: null,
    serialNumber: diskId.slice(2),
    tags: [],
  };
}

/**
 * The system disk and data disks of a new instance, In_use and attached from the start. Their IDs derive from
 * the instance ID (no randomness is drawn, so RunInstances' IDs and addresses are what they were before).
 */
export function createInstanceDisks(env: ActionEnv, rec: InstanceRecord, regionPrefix: string): void {
  const attach = (d: StoredDisk, device: string): StoredDisk => ({
    ...d,
    status: 'In_use',
    instanceId: rec.instanceId,
    device,
    everAttached: true,
    attachedTime: env.now,
  });
  const sysId = derivedId('d', regionPrefix, `${rec.instanceId}|system`, 20);
  const sys = baseDisk(env, rec.regionId, rec.zoneId, sysId);
  addDisk(env, {
    ...attach(sys, '/dev/xvda'),
    type: 'system',
    category: rec.systemDisk.category,
    performanceLevel: rec.systemDisk.category === 'cloud_essd' ? 'PL1' : '',
    size: rec.systemDisk.size,
    diskName: rec.systemDisk.name ?? '',
    description: rec.systemDisk.description ?? '',
    deleteWithInstance: true,
    imageId: rec.imageId,
  });
  rec.dataDisks.forEach((spec, i) => {
    const id = derivedId('d', regionPrefix, `${rec.instanceId}|data|${i + 1}`, 20);
    addDisk(env, {
      ...attach(baseDisk(env, rec.regionId, rec.zoneId, id), `/dev/xvd${String.fromCharCode(98 + i)}`),
      category: spec.category,
      performanceLevel: spec.category === 'cloud_essd' ? 'PL1' : '',
      size: spec.size,
      diskName: spec.name ?? '',
      description: spec.description ?? '',
      deleteWithInstance: spec.deleteWithInstance ?? true,
    });
  });
}

/**
 * What releasing instances does to their disks: those marked DeleteWithInstance go; the others are detached
 * and become Available.
 */
export function releaseInstanceDisks(env: ActionEnv, instanceIds: ReadonlySet<string>): void {
  const gone = new Set<string>();
  for (const d of disksOf(env)) {
    if (!instanceIds.has(d.instanceId)) continue;
    if (d.deleteWithInstance) {
      gone.add(d.diskId);
      continue;
    }
    d.status = 'Available';
    d.schedule = [];
    d.instanceId = '';
    d.device = '';
    d.detachedTime = env.now;
  }
  removeDisks(env, gone);
}

/** An instance of the caller in any region, or InvalidInstanceId.NotFound. */
export function anyInstance(env: ActionEnv, instanceId: string): InstanceRecord {
  const rec = env.store.findInAnyRegion(env.account, instanceId, env.now);
  if (!rec) throw EcsErrors.instanceNotFound();
  return rec;
}

/** The instance must be Running or Stopped to take or give up a data disk. */
function requireSteady(rec: InstanceRecord): void {
  if (rec.status !== 'Running' && rec.status !== 'Stopped') throw EcsErrors.incorrectStatus(rec.status, ['Running', 'Stopped']);
}

function categoryParam(params: Params): string {
  const v = params.str('DiskCategory') ?? 'cloud';
  if (!Object.hasOwn(DATA_SIZE, v)) throw StorageErrors.diskCategory();
  return v;
}

function inRange(size: number, [min, max]: readonly [number, number]): boolean {
  return size >= min && size <= max;
}

function createSpec(env: ActionEnv): { regionId: string; zoneId: string; instance: InstanceRecord | undefined; size: number; snapshotId: string; imageId: string; category: string } {
  const { params } = env;
  const region = requireRegion(params.required('RegionId'));
  const instanceId = params.str('InstanceId');
  const instance = instanceId === undefined ? undefined : env.store.find(env.account, region.regionId, instanceId, env.now);
  if (instanceId !== undefined && !instance) throw EcsErrors.instanceNotFound();
  const zoneParam = params.str('ZoneId');
  if (zoneParam === undefined && !instance) throw EcsErrors.missingParameter('ZoneId');
  if (zoneParam !== undefined && !zonesOf(region).some((z) => z.zoneId === zoneParam)) throw EcsErrors.zoneNotFound();
  if (instance && zoneParam !== undefined && zoneParam !== instance.zoneId) throw StorageErrors.notSameZone();
  const category = categoryParam(params);
  const snapshotId = params.str('SnapshotId');
  const snapshot = snapshotId === undefined ? undefined : findSnapshot(env, snapshotId);
  if (snapshotId !== undefined && (!snapshot || snapshot.regionId !== region.regionId)) throw StorageErrors.snapshotNotFound();
  if (snapshot && snapshot.status !== 'accomplished') throw StorageErrors.snapshotNotReady();
  const sizeParam = params.str('Size');
  if (sizeParam === undefined && !snapshot) throw EcsErrors.missingParameter('Size');
  const size = sizeParam === undefined ? snapshot!.sourceDiskSize : Number(sizeParam);
  if (!inRange(size, DATA_SIZE[category]!)) throw StorageErrors.dataDiskSize();
  if (snapshot && size < snapshot.sourceDiskSize) throw StorageErrors.sizeBelowSnapshot();
  return {
    regionId: region.regionId,
    zoneId: instance?.zoneId ?? zoneParam!,
    instance,
    size,
    snapshotId: snapshot?.snapshotId ?? '',
    imageId: snapshot?.imageId ?? '',
    category,
  };
}

/** CreateDisk: a pay-as-you-go data disk, Creating → Available (or, with InstanceId, attached to it). */
export function createDisk(env: ActionEnv): ActionResult {
  const { params } = env;
  const spec = createSpec(env);
  if (spec.instance) requireSteady(spec.instance);
  const diskName = validName(params, 'DiskName', 'InvalidDiskName.Malformed');
  const description = validDescription(params);
  const tags = createTags(params);
  const encrypted = params.bool('Encrypted');
  const token = clientToken(params);
  const region = requireRegion(spec.regionId);
  return idempotent(env, 'CreateDisk', spec.regionId, token, () => {
    const disk: StoredDisk = {
      ...baseDisk(env, spec.regionId, spec.zoneId, newStorageId(env, 'd', region.idPrefix)),
      diskName,
      description,
      category: spec.category,
      performanceLevel: spec.category === 'cloud_essd' ? (params.str('PerformanceLevel') ?? 'PL1') : '',
      size: spec.size,
      sourceSnapshotId: spec.snapshotId,
      imageId: spec.imageId,
      encrypted,
      tags,
    };
    if (spec.instance) {
      disk.instanceId = spec.instance.instanceId;
      disk.device = nextDevice(env, spec.instance.instanceId);
      disk.deleteWithInstance = true;
      beginDisk(disk, ['Creating', 'Attaching', 'In_use'], env);
    } else {
      beginDisk(disk, ['Creating', 'Available'], env);
    }
    addDisk(env, disk);
    return { DiskId: disk.diskId };
  });
}

type Predicate = (d: StoredDisk) => boolean;

function boolFilter(params: Params, name: string, field: (d: StoredDisk) => boolean): Predicate | undefined {
  if (params.str(name) === undefined) return undefined;
  const want = params.bool(name);
  return (d) => field(d) === want;
}

function diskFilter(params: Params): Predicate {
  const ids = params.jsonStrings('DiskIds');
  if (ids !== undefined && ids.length > 100) throw EcsErrors.invalidParameter('DiskIds');
  const type = params.str('DiskType');
  if (type !== undefined && !['all', 'system', 'data'].includes(type)) throw EcsErrors.invalidParameter('DiskType');
  const category = params.str('Category');
  const status = params.str('Status');
  if (status !== undefined && status !== 'All' && !(DISK_STATUSES as readonly string[]).includes(status) && status !== 'ReIniting') {
    throw EcsErrors.invalidParameter('Status');
  }
  const name = params.str('DiskName');
  const tags = params.tags('Tag', 20);
  const eq = (param: string, field: (d: StoredDisk) => string): Predicate | undefined => {
    const v = params.str(param);
    return v === undefined ? undefined : (d) => field(d) === v;
  };
  const preds: Array<Predicate | undefined> = [
    ids === undefined || ids.length === 0 ? undefined : (d) => ids.includes(d.diskId),
    type === undefined || type === 'all' ? undefined : (d) => d.type === type,
    category === undefined || category === 'all' ? undefined : (d) => d.category === category,
    status === undefined || status === 'All' ? undefined : (d) => d.status === status,
    name === undefined ? undefined : (d) => wildcardMatch(name, d.diskName),
    eq('InstanceId', (d) => d.instanceId),
    eq('ZoneId', (d) => d.zoneId),
    eq('SnapshotId', (d) => d.sourceSnapshotId),
    boolFilter(params, 'Portable', (d) => d.type === 'data'),
    boolFilter(params, 'DeleteWithInstance', (d) => d.deleteWithInstance),
    boolFilter(params, 'Encrypted', (d) => d.encrypted),
    tags.length === 0
      ? undefined
      : (d) => tags.every((t) => d.tags.some((dt) => (t.key === '' || dt.key === t.key) && (t.value === '' || dt.value === t.value))),
  ];
  const active = preds.filter((p): p is Predicate => p !== undefined);
  return (d) => active.every((p) => p(d));
}

/** DescribeDisks: filters, PageNumber/PageSize (default 10, max 100) or NextToken/MaxResults (max 500), DryRun. */
export function describeDisks(env: ActionEnv): ActionResult {
  const { params, account } = env;
  const regionId = requireRegion(params.required('RegionId')).regionId;
  const matches = disksOf(env, regionId).filter(diskFilter(params));
  const tokenMode = params.str('NextToken') !== undefined || params.str('MaxResults') !== undefined;
  const page = tokenMode
    ? pageByToken(matches, params, `DescribeDisks|${account}|${regionId}`, { defaultSize: 10, maxSize: 500 })
    : pageByNumber(matches, params, { defaultSize: 10, maxSize: 100 });
  if (params.bool('DryRun')) throw EcsErrors.dryRunOperation();
  return read({
    Disks: { Disk: page.items.map(renderDisk) },
    TotalCount: page.totalCount,
    PageNumber: page.pageNumber,
    PageSize: page.pageSize,
    NextToken: page.nextToken,
  });
}

/** DeleteDisk: releases an Available data disk. */
export function deleteDisk(env: ActionEnv): ActionResult {
  const disk = requireDisk(env, env.params.required('DiskId'));
  if (disk.type === 'system' && disk.instanceId !== '') throw StorageErrors.systemDisk();
  if (disk.status !== 'Available') throw StorageErrors.incorrectDiskStatus();
  removeDisks(env, new Set([disk.diskId]));
  return { body: {}, mutated: true };
}

/** AttachDisk: Available → Attaching → In_use on a Running or Stopped instance of the same zone. */
export function attachDisk(env: ActionEnv): ActionResult {
  const { params } = env;
  const bootable = params.bool('Bootable');
  const deleteWithInstance = params.str('DeleteWithInstance') === undefined ? undefined : params.bool('DeleteWithInstance');
  const disk = requireDisk(env, params.required('DiskId'));
  const instance = anyInstance(env, params.required('InstanceId'));
  if (disk.status !== 'Available') throw StorageErrors.incorrectDiskStatus();
  if (disk.regionId !== instance.regionId || disk.zoneId !== instance.zoneId) throw StorageErrors.notSameZone();
  if (bootable) throw StorageErrors.notBootable();
  requireSteady(instance);
  if (disksOfInstance(env, instance.instanceId).filter((d) => d.type === 'data').length >= MAX_DATA_DISKS) {
    throw StorageErrors.diskLimit();
  }
  const device = params.str('Device');
  if (device !== undefined && !/^\/dev\/xvd[b-z]$/.test(device)) {
    throw StorageErrors.malformed('InvalidDevice.Malformed', 'The specified port is not valid.');
  }
  if (device !== undefined && disksOfInstance(env, instance.instanceId).some((d) => d.device === device)) {
    throw StorageErrors.deviceInUse();
  }
  disk.instanceId = instance.instanceId;
  disk.device = device ?? nextDevice(env, instance.instanceId);
  if (deleteWithInstance !== undefined) disk.deleteWithInstance = deleteWithInstance;
  beginDisk(disk, ['Attaching', 'In_use'], env);
  return { body: {}, mutated: true };
}

/** DetachDisk: In_use → Detaching → Available; never the system disk. */
export function detachDisk(env: ActionEnv): ActionResult {
  const { params } = env;
  if (params.str('DeleteWithInstance') !== undefined) params.bool('DeleteWithInstance');
  const disk = requireDisk(env, params.required('DiskId'));
  const instance = anyInstance(env, params.required('InstanceId'));
  if (disk.status !== 'In_use') throw StorageErrors.incorrectDiskStatus();
  if (disk.instanceId !== instance.instanceId) throw StorageErrors.notAttachedHere();
  if (disk.type === 'system') throw StorageErrors.systemDisk();
  requireSteady(instance);
  beginDisk(disk, ['Detaching', 'Available'], env);
  return { body: {}, mutated: true };
}

/** ResizeDisk: a larger size for an Available or In_use disk (offline or online: the size changes at once). */
export function resizeDisk(env: ActionEnv): ActionResult {
  const { params } = env;
  params.oneOf('Type', ['offline', 'online'], 'offline');
  const disk = requireDisk(env, params.required('DiskId'));
  const newSize = Number(params.required('NewSize'));
  if (disk.status !== 'Available' && disk.status !== 'In_use') throw StorageErrors.incorrectDiskStatus();
  if (disk.instanceId !== '') requireSteady(anyInstance(env, disk.instanceId));
  if (snapshotsOf(env).some((s) => s.sourceDiskId === disk.diskId && s.status === 'progressing')) {
    throw StorageErrors.diskCreatingSnapshot();
  }
  if (newSize <= disk.size) throw StorageErrors.newSizeTooSmall();
  if (disk.type === 'system' ? !inRange(newSize, SYSTEM_SIZE) : !inRange(newSize, DATA_SIZE[disk.category] ?? [20, 32768])) {
    throw disk.type === 'system' ? StorageErrors.systemDiskSize() : StorageErrors.dataDiskSize();
  }
  disk.size = newSize;
  if (disk.type === 'system') {
    const instance = env.store.findInAnyRegion(env.account, disk.instanceId, env.now);
    if (instance) instance.systemDisk = { ...instance.systemDisk, size: newSize };
  }
  return { body: {}, mutated: true };
}
