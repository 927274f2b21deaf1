/**
 * Snapshots: CreateSnapshot, DescribeSnapshots, DeleteSnapshot. A snapshot is `progressing` (Progress 0%)
 * for EMULATOR_TRANSITION_MS, then `accomplished` (100%). Errors follow ECS's API reference:
 * - InvalidDiskId.NotFound 404; IncorrectDiskStatus.NeverAttached 403 for a disk never attached to an
 *   instance; IncorrectDiskStatus 403 while the disk is Creating, Attaching or Detaching;
 *   IncorrectDiskStatus.CreatingSnapshot 403 while another snapshot of the disk progresses;
 * - InvalidSnapshotId.NotFound 404; SnapshotCreatedImage 403 when a custom image is made from it (delete the
 *   image first, Force or not); SnapshotCreatedDisk 403 when a disk was made from it, unless Force=true.
 */
import { requireRegion } from '../catalog/index.js';
import { EcsErrors } from '../errors.js';
import type { Params } from '../params.js';
import { wildcardMatch } from '../params.js';
import { StorageErrors } from '../storage-errors.js';
import type { StoredDisk, StoredSnapshot } from '../storage-model.js';
import {
  addSnapshot,
  allImagesOf,
  clientToken,
  disksOf,
  findSnapshot,
  idempotent,
  newStorageId,
  removeSnapshot,
  requireDisk,
  snapshotsOf,
} from '../storage-store.js';
import { read, type ActionEnv, type ActionResult } from './context.js';
import { createTags, ecsSecondTime, validDescription, validName } from './disks.js';
import { pageByNumber, pageByToken } from './paging.js';

/** What a snapshot is used by: `image`, `disk`, `image_disk` or `none`. */
function usage(env: ActionEnv, s: StoredSnapshot): string {
  const image = allImagesOf(env).some((m) => m.snapshotId === s.snapshotId);
  const disk = disksOf(env).some((d) => d.sourceSnapshotId === s.snapshotId);
  return image && disk ? 'image_disk' : image ? 'image' : disk ? 'disk' : 'none';
}

/** The DescribeSnapshots `Snapshot` element for a (settled) snapshot. */
export function renderSnapshot(env: ActionEnv, s: StoredSnapshot): Record<string, unknown> {
  const done = s.status === 'accomplished';
  return {
    SnapshotId: s.snapshotId,
    SnapshotName: s.snapshotName,
    Description: s.description,
    Status: s.status,
    Progress: done ? '100%' : '0%',
    RemainTime: done ? 0 : Math.max(0, Math.ceil((s.readyAt - env.now) / 1000)),
    Available: done,
    SourceDiskId: s.sourceDiskId,
    SourceDiskSize: String(s.sourceDiskSize),
    SourceDiskType: s.sourceDiskType,
    SourceStorageType: 'disk',
    SourceRegionId: '',
    SourceSnapshotId: '',
    SnapshotType: 'user',
    SnapshotSN: s.snapshotId.slice(2),
    SnapshotLinkId: `sl-${s.sourceDiskId.slice(2)}`,
    Usage: usage(env, s),
    Category: s.category,
    InstantAccess: false,
    InstantAccessRetentionDays: 0,
    RetentionDays: s.retentionDays,
    Encrypted: false,
    KMSKeyId: '',
    ProductCode: '',
    ResourceGroupId: '',
    RegionId: s.regionId,
    FullSnapshotSizeInBytes: 0,
    CreationTime: ecsSecondTime(s.creationTime),
    LastModifiedTime: ecsSecondTime(done ? s.readyAt : s.creationTime),
    Tags: { Tag: s.tags.map((t) => ({ TagKey: t.key, TagValue: t.value })) },
  };
}

/** A new snapshot of `disk`, progressing for transitionMs. */
export function newSnapshot(env: ActionEnv, disk: StoredDisk, fields: Partial<StoredSnapshot> = {}): StoredSnapshot {
  if (snapshotsOf(env).some((s) => s.sourceDiskId === disk.diskId && s.status === 'progressing')) {
    throw StorageErrors.creatingSnapshot();
  }
  const region = requireRegion(disk.regionId);
  const snap: StoredSnapshot = {
    account: env.account,
    regionId: disk.regionId,
    snapshotId: newStorageId(env, 's', region.idPrefix),
    seq: env.store.nextSeq(),
    snapshotName: '',
    description: '',
    sourceDiskId: disk.diskId,
    sourceDiskSize: disk.size,
    sourceDiskType: disk.type === 'system' ? 'System' : 'Data',
    sourceDiskCategory: disk.category,
    instanceId: disk.instanceId,
    imageId: disk.imageId,
    status: 'progressing',
    readyAt: env.now + env.transitionMs,
    creationTime: env.now,
    retentionDays: 0,
    category: 'standard',
    tags: [],
    ...fields,
  };
  if (snap.readyAt <= env.now) snap.status = 'accomplished';
  addSnapshot(env, snap);
  return snap;
}

/** The disk a snapshot may be taken of: attached once, and neither Creating, Attaching nor Detaching. */
export function snapshotableDisk(env: ActionEnv, diskId: string): StoredDisk {
  const disk = requireDisk(env, diskId);
  if (!disk.everAttached && disk.status !== 'Attaching') throw StorageErrors.neverAttached();
  if (disk.status !== 'In_use' && disk.status !== 'Available') throw StorageErrors.incorrectDiskStatus();
  return disk;
}

/** CreateSnapshot: progressing → accomplished; ClientToken idempotency. */
export function createSnapshot(env: ActionEnv): ActionResult {
  const { params } = env;
  const snapshotName = validName(params, 'SnapshotName', 'InvalidSnapshotName.Malformed');
  if (/^auto/.test(snapshotName)) {
    throw StorageErrors.malformed('InvalidSnapshotName.Malformed', 'The specified SnapshotName is wrongly formed.');
  }
  const description = validDescription(params);
  const tags = createTags(params);
  const retentionDays = params.int('RetentionDays', 0, 0, 65536);
  const category = params.oneOf('Category', ['Standard', 'Flash', 'standard', 'flash'], 'standard').toLowerCase();
  const token = clientToken(params);
  const disk = snapshotableDisk(env, params.required('DiskId'));
  return idempotent(env, 'CreateSnapshot', disk.regionId, token, () => {
    const snap = newSnapshot(env, disk, { snapshotName, description, tags, retentionDays, category });
    return { SnapshotId: snap.snapshotId };
  });
}

type Predicate = (s: StoredSnapshot) => boolean;

function snapshotFilter(env: ActionEnv, params: Params): Predicate {
  const ids = params.jsonStrings('SnapshotIds');
  if (ids !== undefined && ids.length > 100) throw EcsErrors.invalidParameter('SnapshotIds');
  const status = params.str('Status');
  if (status !== undefined && !['progressing', 'accomplished', 'failed', 'all'].includes(status)) {
    throw EcsErrors.invalidParameter('Status');
  }
  const type = params.str('SnapshotType');
  if (type !== undefined && !['auto', 'user', 'all'].includes(type)) throw EcsErrors.invalidParameter('SnapshotType');
  const sourceType = params.str('SourceDiskType')?.toLowerCase();
  if (sourceType !== undefined && !['system', 'data', 'all'].includes(sourceType)) throw EcsErrors.invalidParameter('SourceDiskType');
  const use = params.str('Usage');
  if (use !== undefined && !['image', 'disk', 'image_disk', 'none'].includes(use)) throw EcsErrors.invalidParameter('Usage');
  const name = params.str('SnapshotName');
  const tags = params.tags('Tag', 20);
  const eq = (param: string, field: (s: StoredSnapshot) => string): Predicate | undefined => {
    const v = params.str(param);
    return v === undefined ? undefined : (s) => field(s) === v;
  };
  const preds: Array<Predicate | undefined> = [
    ids === undefined || ids.length === 0 ? undefined : (s) => ids.includes(s.snapshotId),
    status === undefined || status === 'all' ? undefined : (s) => s.status === status,
    type === 'auto' ? () => false : undefined,
    sourceType === undefined || sourceType === 'all' ? undefined : (s) => s.sourceDiskType.toLowerCase() === sourceType,
    use === undefined ? undefined : (s) => usage(env, s) === use,
    name === undefined ? undefined : (s) => wildcardMatch(name, s.snapshotName),
    eq('DiskId', (s) => s.sourceDiskId),
    eq('InstanceId', (s) => s.instanceId),
    eq('Category', (s) => s.category),
    eq('SnapshotLinkId', (s) => `sl-${s.sourceDiskId.slice(2)}`),
    tags.length === 0
      ? undefined
      : (s) => tags.every((t) => s.tags.some((st) => (t.key === '' || st.key === t.key) && (t.value === '' || st.value === t.value))),
  ];
  const active = preds.filter((p): p is Predicate => p !== undefined);
  return (s) => active.every((p) => p(s));
}

/** DescribeSnapshots: filters, PageNumber/PageSize (default 10, max 100) or NextToken/MaxResults, DryRun. */
export function describeSnapshots(env: ActionEnv): ActionResult {
  const { params, account } = env;
  const regionId = requireRegion(params.required('RegionId')).regionId;
  if (params.str('Encrypted') !== undefined) params.bool('Encrypted');
  const matches = snapshotsOf(env, regionId).filter(snapshotFilter(env, params));
  const tokenMode = params.str('NextToken') !== undefined || params.str('MaxResults') !== undefined;
  const page = tokenMode
    ? pageByToken(matches, params, `DescribeSnapshots|${account}|${regionId}`, { defaultSize: 10, maxSize: 100 })
    : pageByNumber(matches, params, { defaultSize: 10, maxSize: 100 });
  if (params.bool('DryRun')) throw EcsErrors.dryRunOperation();
  return read({
    Snapshots: { Snapshot: page.items.map((s) => renderSnapshot(env, s)) },
    TotalCount: page.totalCount,
    PageNumber: page.pageNumber,
    PageSize: page.pageSize,
    NextToken: page.nextToken,
  });
}

/** DeleteSnapshot: not while a custom image is made from it; not while a disk is, unless Force=true. */
export function deleteSnapshot(env: ActionEnv): ActionResult {
  const { params } = env;
  const force = params.bool('Force');
  const snap = findSnapshot(env, params.required('SnapshotId'));
  if (!snap) throw StorageErrors.snapshotNotFound();
  if (allImagesOf(env).some((m) => m.snapshotId === snap.snapshotId)) throw StorageErrors.snapshotCreatedImage();
  if (!force && disksOf(env).some((d) => d.sourceSnapshotId === snap.snapshotId)) throw StorageErrors.snapshotCreatedDisk();
  removeSnapshot(env, snap.snapshotId);
  return { body: {}, mutated: true };
}
