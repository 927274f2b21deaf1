/**
 * Custom images: CreateImage (from an instance's system disk, or from a system-disk snapshot), DeleteImage,
 * and the account's own images in DescribeImages (ImageOwnerAlias=self). An image is Creating for
 * EMULATOR_TRANSITION_MS, then Available. Made from an instance, it takes a snapshot of the system disk first
 * (Usage "image"), as ECS does. Errors follow ECS's API reference:
 * - CreateImage: MissingParameter when neither InstanceId nor SnapshotId is given; InvalidInstanceId.NotFound
 *   404; IncorrectInstanceStatus 403 unless Running or Stopped; InvalidSnapshotId.NotFound 404;
 *   InvalidSnapshotId.NotReady 403 (still progressing); OperationDenied 403 (not a system-disk snapshot);
 *   InvalidImageName.Duplicated 400; DryRunOperation 400.
 * - DeleteImage: InvalidImageId.NotFound 404 (also for public images); ImageIsCreating 403;
 *   ImageUsingByInstance 403 when an instance runs it, unless Force=true; DryRunOperation 400.
 */
import { IMAGES, requireRegion, type ImageInfo } from '../catalog/index.js';
import { EcsErrors } from '../errors.js';
import { commaList, wildcardMatch, type Params } from '../params.js';
import { StorageErrors } from '../storage-errors.js';
import type { StoredImage, StoredSnapshot } from '../storage-model.js';
import {
  addImage,
  clientToken,
  disksOfInstance,
  findSnapshot,
  idempotent,
  imagesOf,
  newStorageId,
  removeImage,
} from '../storage-store.js';
import type { ActionEnv, ActionResult } from './context.js';
import { createTags, ecsSecondTime, validDescription, validName } from './disks.js';
import { newSnapshot, snapshotableDisk } from './snapshots.js';

/** The DescribeImages `Image` element for a (settled) custom image. */
export function renderCustomImage(m: StoredImage): Record<string, unknown> {
  return {
    ImageOwnerAlias: 'self',
    IsSelfShared: '',
    Description: m.description,
    Platform: m.platform,
    ResourceGroupId: '',
    Size: m.size,
    IsSubscribed: false,
    BootMode: m.bootMode,
    OSName: m.osName,
    IsPublic: false,
    ImageId: m.imageId,
    DetectionOptions: {},
    Features: { NvmeSupport: 'supported' },
    OSNameEn: m.osNameEn,
    Tags: { Tag: m.tags.map((t) => ({ TagKey: t.key, TagValue: t.value })) },
    LoginAsNonRootSupported: false,
    Status: m.status,
    Progress: m.status === 'Available' ? '100%' : '0%',
    Usage: 'none',
    Architecture: m.architecture,
    ProductCode: '',
    IsCopied: false,
    ImageFamily: m.imageFamily,
    IsSupportIoOptimized: true,
    IsSupportCloudinit: true,
    ImageName: m.imageName,
    DiskDeviceMappings: {
      DiskDeviceMapping: [
        {
          SnapshotId: m.snapshotId,
          Type: 'system',
          Progress: m.status === 'Available' ? '100%' : '0%',
          Format: '',
          Device: '/dev/xvda',
          Size: String(m.size),
          ImportOSSBucket: '',
          ImportOSSObject: '',
        },
      ],
    },
    ImageVersion: m.imageVersion,
    OSType: m.osType,
    CreationTime: ecsSecondTime(m.creationTime),
  };
}

/** The caller's custom images that DescribeImages' filters select (ImageOwnerAlias unset or `self`), rendered. */
export function describedCustomImages(env: ActionEnv, regionId: string, params: Params): Array<Record<string, unknown>> {
  const owner = params.str('ImageOwnerAlias');
  if (owner !== undefined && owner !== 'self') return [];
  if (params.str('IsPublic') !== undefined && params.bool('IsPublic')) return [];
  const ids = commaList(params.str('ImageId'));
  const name = params.str('ImageName');
  const osType = params.str('OSType');
  const arch = params.str('Architecture');
  const family = params.str('ImageFamily');
  const statuses = commaList(params.str('Status'));
  if (statuses.length === 0) statuses.push('Available');
  return imagesOf(env, regionId)
    .filter(
      (m) =>
        (ids.length === 0 || ids.includes(m.imageId)) &&
        (name === undefined || wildcardMatch(name, m.imageName)) &&
        (osType === undefined || osType.toLowerCase() === m.osType) &&
        (arch === undefined || arch === m.architecture) &&
        (family === undefined || family === m.imageFamily) &&
        statuses.includes(m.status),
    )
    .reverse()
    .map(renderCustomImage);
}

/** A public image, or an Available custom image of the caller in the region (ReplaceSystemDisk takes both). */
export function usableImage(env: ActionEnv, regionId: string, imageId: string): { imageId: string; size: number; base: ImageInfo | undefined } {
  const pub = IMAGES.find((i) => i.imageId === imageId);
  if (pub) return { imageId, size: pub.size, base: pub };
  const own = imagesOf(env, regionId).find((m) => m.imageId === imageId && m.status === 'Available');
  if (!own) throw EcsErrors.imageNotFound();
  return { imageId, size: own.size, base: IMAGES.find((i) => i.imageId === own.baseImageId) };
}

function baseOf(env: ActionEnv, regionId: string, imageId: string): ImageInfo | StoredImage | undefined {
  return IMAGES.find((i) => i.imageId === imageId) ?? imagesOf(env, regionId).find((m) => m.imageId === imageId);
}

function sourceSnapshot(env: ActionEnv, regionId: string, params: Params): () => StoredSnapshot {
  const instanceId = params.str('InstanceId');
  const snapshotId = params.str('SnapshotId') ?? params.str('DiskDeviceMapping.1.SnapshotId');
  if (instanceId !== undefined) {
    const rec = env.store.find(env.account, regionId, instanceId, env.now);
    if (!rec) throw EcsErrors.instanceNotFound();
    if (rec.status !== 'Running' && rec.status !== 'Stopped') throw EcsErrors.incorrectStatus(rec.status, ['Running', 'Stopped']);
    const sys = disksOfInstance(env, rec.instanceId).find((d) => d.type === 'system');
    if (!sys) throw StorageErrors.diskNotFound();
    const disk = snapshotableDisk(env, sys.diskId);
    return () => newSnapshot(env, disk, { snapshotName: `CreatedByImage-${rec.instanceId}` });
  }
  if (snapshotId === undefined) throw StorageErrors.imageSourceMissing();
  const snap = findSnapshot(env, snapshotId);
  if (!snap || snap.regionId !== regionId) throw StorageErrors.snapshotNotFound();
  if (snap.status !== 'accomplished') throw StorageErrors.snapshotNotReady();
  if (snap.sourceDiskType !== 'System') throw StorageErrors.snapshotNotSystem();
  return () => snap;
}

/** CreateImage: Creating → Available; ClientToken idempotency; DryRun. */
export function createImage(env: ActionEnv): ActionResult {
  const { params } = env;
  const region = requireRegion(params.required('RegionId'));
  const imageName = validName(params, 'ImageName', 'InvalidImageName.Malformed');
  const description = validDescription(params);
  const tags = createTags(params);
  const token = clientToken(params);
  const snapshotFor = sourceSnapshot(env, region.regionId, params);
  if (imageName !== '' && imagesOf(env, region.regionId).some((m) => m.imageName === imageName)) {
    throw StorageErrors.imageNameDuplicated();
  }
  if (params.bool('DryRun')) throw EcsErrors.dryRunOperation();
  return idempotent(env, 'CreateImage', region.regionId, token, () => {
    const snap = snapshotFor();
    const base = baseOf(env, region.regionId, snap.imageId);
    const osName = base?.osName ?? '';
    const image: StoredImage = {
      account: env.account,
      regionId: region.regionId,
      imageId: newStorageId(env, 'm', region.idPrefix),
      seq: env.store.nextSeq(),
      imageName,
      description,
      imageVersion: params.str('ImageVersion') ?? '',
      imageFamily: params.str('ImageFamily') ?? '',
      status: 'Creating',
      readyAt: Math.max(snap.readyAt, env.now) + env.transitionMs,
      creationTime: env.now,
      size: snap.sourceDiskSize,
      snapshotId: snap.snapshotId,
      sourceInstanceId: params.str('InstanceId') ?? '',
      baseImageId: base === undefined ? '' : 'baseImageId' in base ? base.baseImageId : base.imageId,
      platform: params.str('Platform') ?? base?.platform ?? '',
      osType: base?.osType ?? 'linux',
      osName,
      osNameEn: base?.osNameEn ?? '',
      architecture: params.str('Architecture') ?? base?.architecture ?? 'x86_64',
      bootMode: params.str('BootMode') ?? base?.bootMode ?? 'BIOS',
      tags,
    };
    if (image.readyAt <= env.now) image.status = 'Available';
    addImage(env, image);
    return { ImageId: image.imageId };
  });
}

/** DeleteImage: a custom image no instance runs (or Force=true); DryRun. */
export function deleteImage(env: ActionEnv): ActionResult {
  const { params } = env;
  const region = requireRegion(params.required('RegionId'));
  const force = params.bool('Force');
  const imageId = params.required('ImageId');
  const image = imagesOf(env, region.regionId).find((m) => m.imageId === imageId);
  if (!image) throw EcsErrors.imageNotFound();
  if (image.status === 'Creating') throw StorageErrors.imageCreating();
  if (!force && env.store.list(env.account, region.regionId, env.now).some((r) => r.imageId === imageId)) {
    throw StorageErrors.imageInUse();
  }
  if (params.bool('DryRun')) throw EcsErrors.dryRunOperation();
  removeImage(env, imageId);
  return { body: {}, mutated: true };
}
