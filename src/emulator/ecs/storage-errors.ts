/**
 * The ECS errors of the storage actions, with the codes, HTTP statuses and messages of Alibaba Cloud's API
 * reference ("Error codes" of AttachDisk, DetachDisk, DeleteDisk, ResizeDisk, CreateSnapshot, DeleteSnapshot,
 * CreateImage, DeleteImage, CreateDisk).
 */
import { EcsApiError } from './errors.js';

const DISK_STATUS_MESSAGE = 'The current disk status does not support this operation.';

/** Factories for the storage errors. */
export const StorageErrors = {
  diskNotFound: () => new EcsApiError(404, 'InvalidDiskId.NotFound', 'The specified disk does not exist.'),
  incorrectDiskStatus: () => new EcsApiError(403, 'IncorrectDiskStatus', DISK_STATUS_MESSAGE),
  /** DetachDisk / DeleteDisk of a system disk. */
  systemDisk: () =>
    new EcsApiError(403, 'DiskTypeViolation', 'The specified disk is a system disk and cannot support the operation.'),
  /** DetachDisk naming an instance the disk is not attached to. */
  notAttachedHere: () =>
    new EcsApiError(403, 'DependencyViolation', 'The specified disk has not been attached on the specified instance.'),
  notSameZone: () =>
    new EcsApiError(403, 'ResourcesNotInSameZone', 'The specified instance and disk are not in the same zone.'),
  diskLimit: () =>
    new EcsApiError(403, 'InstanceDiskLimitExceeded', 'The amount of the disk on instance in question reach its limits.'),
  notBootable: () => new EcsApiError(403, 'OperationDenied', 'The specified disk is not a detached system disk.'),
  /** ResizeDisk to a size not larger than the current one. */
  newSizeTooSmall: () =>
    new EcsApiError(403, 'InvalidDiskSize', 'Specified new disk size is less than or equal the original disk size.'),
  /** CreateDisk from a snapshot larger than Size. */
  sizeBelowSnapshot: () =>
    new EcsApiError(403, 'InvalidDiskSize.TooSmall', 'Specified disk size is less than the size of snapshot'),
  dataDiskSize: () =>
    new EcsApiError(
      400,
      'InvalidDataDiskSize.ValueNotSupported',
      'The specified DataDisk.n.Size beyond the permitted range, or the capacity of snapshot exceeds the size limit of the specified disk category.',
    ),
  systemDiskSize: () =>
    new EcsApiError(400, 'InvalidSystemDiskSize.ValueNotSupported', 'The specified SystemDisk.Size beyond the permitted range.'),
  diskCategory: () =>
    new EcsApiError(400, 'InvalidDataDiskCategory.ValueNotSupported', 'The specified DiskCategory is not valid.'),
  diskCreatingSnapshot: () =>
    new EcsApiError(
      403,
      'DiskCreatingSnapshot',
      'The operation is denied due to a snapshot of the specified disk is not completed yet.',
    ),
  neverAttached: () =>
    new EcsApiError(403, 'IncorrectDiskStatus.NeverAttached', 'The specified disk has never been attached to any instance.'),
  creatingSnapshot: () =>
    new EcsApiError(403, 'IncorrectDiskStatus.CreatingSnapshot', 'A previous snapshot creation is in process.'),
  snapshotNotFound: () => new EcsApiError(404, 'InvalidSnapshotId.NotFound', 'The specified SnapshotId does not exist.'),
  snapshotNotReady: () =>
    new EcsApiError(
      403,
      'InvalidSnapshotId.NotReady',
      'The current status of the DiskDeviceMapping.n.SnapshotId or SnapshotId does not support this operation.',
    ),
  snapshotNotSystem: () => new EcsApiError(403, 'OperationDenied', 'The specified snapshot is not from system disk.'),
  snapshotCreatedImage: () =>
    new EcsApiError(403, 'SnapshotCreatedImage', 'The snapshot has been used to create user defined image(s).'),
  snapshotCreatedDisk: () => new EcsApiError(403, 'SnapshotCreatedDisk', 'The snapshot has been used to create disk(s).'),
  imageSourceMissing: () =>
    new EcsApiError(
      400,
      'MissingParameter',
      'The input parameter SnapshotId or InstanceId or DiskDeviceMapping that is mandatory for processing this request is not supplied.',
    ),
  imageNameDuplicated: () =>
    new EcsApiError(400, 'InvalidImageName.Duplicated', 'The specified Image name has already bean used.'),
  imageInUse: () =>
    new EcsApiError(403, 'ImageUsingByInstance', 'The specified image has been used to create instances.'),
  imageCreating: () => new EcsApiError(403, 'ImageIsCreating', 'The specified image is being created.'),
  deviceInUse: () => new EcsApiError(403, 'InvalidDevice.InUse', 'The specified device has been occupied.'),
  malformed: (code: string, message: string) => new EcsApiError(400, code, message),
} as const;
