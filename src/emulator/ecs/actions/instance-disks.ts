/**
 * ReplaceSystemDisk and ModifyInstanceSpec.
 * - ReplaceSystemDisk: the instance must be Stopped (IncorrectInstanceStatus 403); the image is a public one
 *   or an Available custom image of the caller (InvalidImageId.NotFound 404); SystemDisk.Size at least the
 *   image's size (InvalidSystemDiskSize.LessThanImageSize 400). The old system disk is released and a new one
 *   (new DiskId, answered) is attached; the instance now runs the image.
 * - ModifyInstanceSpec: a new InstanceType (InvalidInstanceType.ValueNotSupported 400) needs a Stopped instance;
 *   InternetMaxBandwidthOut/In and SystemDisk.Category change at once; DryRunOperation 400.
 */
import { requireInstanceType, requireRegion } from '../catalog/index.js';
import { EcsApiError, EcsErrors } from '../errors.js';
import type { StoredDisk } from '../storage-model.js';
import { addDisk, disksOfInstance, newStorageId, removeDisks } from '../storage-store.js';
import type { ActionEnv, ActionResult } from './context.js';
import { usableImage } from './custom-images.js';
import { anyInstance } from './disks.js';

const SYSTEM_CATEGORIES = ['cloud', 'cloud_efficiency', 'cloud_ssd', 'cloud_essd', 'cloud_auto', 'cloud_essd_entry'];

/** ReplaceSystemDisk: answers the new system disk's DiskId. */
export function replaceSystemDisk(env: ActionEnv): ActionResult {
  const { params } = env;
  const rec = anyInstance(env, params.required('InstanceId'));
  if (params.str('Password') !== undefined || params.str('KeyPairName') !== undefined) params.bool('PasswordInherit');
  const imageId = params.str('ImageId');
  if (imageId === undefined) throw EcsErrors.missingParameter('ImageId');
  const image = usableImage(env, rec.regionId, imageId);
  if (rec.status !== 'Stopped') throw EcsErrors.incorrectStatus(rec.status, ['Stopped']);
  const old = disksOfInstance(env, rec.instanceId).find((d) => d.type === 'system');
  const size = params.int('SystemDisk.Size', Math.max(image.size, old?.size ?? rec.systemDisk.size), 20, 2048);
  if (size < image.size) throw EcsErrors.systemDiskTooSmall();
  const region = requireRegion(rec.regionId);
  const disk: StoredDisk = {
    account: env.account,
    regionId: rec.regionId,
    zoneId: rec.zoneId,
    diskId: newStorageId(env, 'd', region.idPrefix),
    seq: env.store.nextSeq(),
    diskName: old?.diskName ?? '',
    description: old?.description ?? '',
    category: old?.category ?? rec.systemDisk.category,
    performanceLevel: old?.performanceLevel ?? '',
    size,
    type: 'system',
    status: 'In_use',
    schedule: [],
    instanceId: rec.instanceId,
    device: '/dev/xvda',
    deleteWithInstance: true,
    everAttached: true,
    imageId: image.imageId,
    sourceSnapshotId: '',
    encrypted: old?.encrypted ?? false,
    creationTime: env.now,
    attachedTime: env.now,
    detachedTime: null,
    serialNumber: '',
    tags: old?.tags ?? [],
  };
  disk.serialNumber = disk.diskId.slice(2);
  if (old) removeDisks(env, new Set([old.diskId]));
  addDisk(env, disk);
  rec.imageId = image.imageId;
  rec.systemDisk = { ...rec.systemDisk, size };
  if (params.str('Password') !== undefined) rec.hasPassword = true;
  const keyPair = params.str('KeyPairName');
  if (keyPair !== undefined) rec.keyPairName = keyPair;
  return { body: { DiskId: disk.diskId }, mutated: true };
}

/** ModifyInstanceSpec: instance type, bandwidth, system-disk category; answers `{}`. */
export function modifyInstanceSpec(env: ActionEnv): ActionResult {
  const { params } = env;
  const rec = anyInstance(env, params.required('InstanceId'));
  const typeId = params.str('InstanceType');
  const type = typeId === undefined ? undefined : requireInstanceType(typeId);
  const out = params.optInt('InternetMaxBandwidthOut', 0, 100);
  const inBw = params.optInt('InternetMaxBandwidthIn', 1, 200);
  const category = params.str('SystemDisk.Category');
  if (category !== undefined && !SYSTEM_CATEGORIES.includes(category)) throw EcsErrors.invalidParameter('SystemDisk.Category');
  params.bool('AllowMigrateAcrossZone');
  params.bool('Async');
  if (type === undefined && out === undefined && inBw === undefined && category === undefined) {
    throw EcsErrors.missingParameter('InstanceType');
  }
  if (type !== undefined && type.instanceTypeId === rec.instanceType) {
    throw new EcsApiError(400, 'InvalidInstanceType.ValueNotSupported', 'The specified InstanceType is the same as the current one.');
  }
  if ((type !== undefined || category !== undefined) && rec.status !== 'Stopped') {
    throw EcsErrors.incorrectStatus(rec.status, ['Stopped']);
  }
  if (params.bool('DryRun')) throw EcsErrors.dryRunOperation();
  if (type !== undefined) rec.instanceType = type.instanceTypeId;
  if (out !== undefined) {
    rec.internetMaxBandwidthOut = out;
    if (out > 0 && rec.publicIp === '') rec.publicIp = env.ids.publicIp();
  }
  if (inBw !== undefined) rec.internetMaxBandwidthIn = inBw;
  if (category !== undefined) {
    rec.systemDisk = { ...rec.systemDisk, category };
    const sys = disksOfInstance(env, rec.instanceId).find((d) => d.type === 'system');
    if (sys) sys.category = category;
  }
  return { body: {}, mutated: true };
}
