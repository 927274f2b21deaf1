import { z } from 'zod';
import { boolish, dryRun, idList, intish, pageNumber, pageSize, text, unicode } from '../schemas/common.js';
import { diskId, imageId, instanceId, snapshotId, tags } from '../schemas/resources.js';
import { emptyIs404, endpointRegion, queryTags, region, requestId, routesPlugin } from './declare.js';
import type { CuratedRoute } from './factory.js';

const clientToken = () => z.string().regex(/^[\x20-\x7e]{1,64}$/, 'must be 1-64 ASCII characters').optional().describe('Idempotency token');
const onDisk = { diskId: { schema: diskId(), param: 'DiskId' } };
const diskCategory = () => text(64).optional().describe('cloud_essd, cloud_auto, cloud_ssd, cloud_efficiency, …');

const disk = { DiskId: 'd-bp67acfmxazb4p****', DiskName: 'data-1', Size: 40, Category: 'cloud_essd', Type: 'data', Status: 'Available', ZoneId: 'cn-hangzhou-i', RegionId: 'cn-hangzhou', InstanceId: '' };
const listFields = {
  regionId: region(),
  diskIds: { schema: idList(100).optional().describe('Disk IDs (up to 100): repeat the key, use diskIds[]=, or separate with commas'), param: 'DiskIds' },
  instanceId: instanceId().optional().describe('Only the disks of this instance'),
  zoneId: text(64).optional(),
  diskType: z.enum(['all', 'system', 'data']).optional(),
  category: diskCategory(),
  status: text(64).optional().describe('In_use, Available, Attaching, Detaching, Creating, ReIniting, All'),
  diskName: text(128).optional(),
  snapshotId: snapshotId().optional().describe('Only disks created from this snapshot'),
  tags: queryTags(),
  pageNumber: pageNumber(),
  pageSize: pageSize(100),
  nextToken: text(1024).optional().describe('NextToken from the previous page (token paging)'),
  maxResults: intish(1, 500).optional().describe('Entries per page with token paging'),
};

/** Disks: list, look up, create, delete, attach, detach, resize. */
export const DISK_ROUTES: CuratedRoute[] = [
  {
    method: 'GET', url: '/disks', operationId: 'Disk_ListDisks', action: 'DescribeDisks', tag: 'Disks',
    summary: 'List disks', description: 'The disks of a region (ECS DescribeDisks) with filters; page with pageNumber/pageSize or nextToken/maxResults.',
    fields: listFields,
    example: { regionId: 'cn-hangzhou', instanceId: 'i-bp67acfmxazb4p****', diskType: 'data' },
    exampleBody: { Disks: { Disk: [disk] }, PageNumber: 1, PageSize: 10, TotalCount: 1, RequestId: requestId },
  },
  {
    method: 'GET', url: '/disks/:diskId', operationId: 'Disk_GetDisk', action: 'DescribeDisks', tag: 'Disks',
    summary: 'Get one disk', description: 'One disk by ID (ECS DescribeDisks with DiskIds). 404 NOT_FOUND when it does not exist in the region.',
    pathParams: { diskId: { schema: diskId(), param: 'DiskIds' } },
    fields: { regionId: region() },
    check: emptyIs404('DescribeDisks', 'Disk', 'diskId'),
    example: { regionId: 'cn-hangzhou' },
    exampleBody: { Disks: { Disk: [disk] }, PageNumber: 1, PageSize: 10, TotalCount: 1, RequestId: requestId },
  },
  {
    method: 'POST', url: '/disks', operationId: 'Disk_CreateDisk', action: 'CreateDisk', tag: 'Disks',
    summary: 'Create a data disk', description: 'A pay-as-you-go data disk in a zone (ECS CreateDisk), empty or from a snapshot. It is Available until attached.',
    fields: {
      regionId: region(),
      zoneId: text(64).describe('The zone; a disk attaches only to instances of its zone'),
      size: intish(1, 65536).optional().describe('Size in GiB (needed unless snapshotId is given)'),
      category: { schema: diskCategory(), param: 'DiskCategory' },
      performanceLevel: z.enum(['PL0', 'PL1', 'PL2', 'PL3']).optional(),
      snapshotId: snapshotId().optional().describe('Create the disk from this snapshot'),
      diskName: text(128).optional(),
      description: text(256).optional(),
      encrypted: boolish().optional(),
      tags: { schema: tags().optional(), param: 'Tag' },
      clientToken: clientToken(),
    },
    refine: (input) => input.refine((b) => b.size !== undefined || b.snapshotId !== undefined, { path: ['size'], message: 'give size, or snapshotId to size the disk from its snapshot' }),
    example: { regionId: 'cn-hangzhou', zoneId: 'cn-hangzhou-i', size: 40, category: 'cloud_essd', diskName: 'data-1', tags: { env: 'demo' } },
    exampleBody: { DiskId: 'd-bp67acfmxazb4p****', OrderId: '', RequestId: requestId },
  },
  {
    method: 'DELETE', url: '/disks/:diskId', operationId: 'Disk_DeleteDisk', action: 'DeleteDisk', tag: 'Disks',
    summary: 'Delete a disk', description: 'Release an Available (detached) disk (ECS DeleteDisk). Parameters in the query string.',
    pathParams: onDisk,
    fields: { regionId: endpointRegion() },
    example: { regionId: 'cn-hangzhou' },
    exampleBody: { RequestId: requestId },
  },
  {
    method: 'POST', url: '/disks/:diskId/attach', operationId: 'Disk_AttachDisk', action: 'AttachDisk', tag: 'Disks',
    summary: 'Attach a disk', description: 'Attach an Available disk to an instance of its zone (ECS AttachDisk): Attaching, then In_use. `password` is never logged.',
    pathParams: onDisk,
    fields: {
      regionId: endpointRegion(),
      instanceId: instanceId(),
      deleteWithInstance: boolish().optional().describe('Release the disk with the instance'),
      bootable: boolish().optional().describe('Attach as the system disk'),
      keyPairName: text(128).optional().describe('When attached as system disk: the key pair to bind'),
      password: unicode(30).pipe(z.string().min(1)).optional().describe('When attached as system disk: the login password. Never logged.'),
    },
    example: { regionId: 'cn-hangzhou', instanceId: 'i-bp67acfmxazb4p****', deleteWithInstance: true },
    exampleBody: { RequestId: requestId },
  },
  {
    method: 'POST', url: '/disks/:diskId/detach', operationId: 'Disk_DetachDisk', action: 'DetachDisk', tag: 'Disks',
    summary: 'Detach a disk', description: 'Detach a data disk from its instance (ECS DetachDisk): Detaching, then Available. A system disk cannot be detached.',
    pathParams: onDisk,
    fields: {
      regionId: endpointRegion(),
      instanceId: instanceId(),
      deleteWithInstance: boolish().optional(),
    },
    example: { regionId: 'cn-hangzhou', instanceId: 'i-bp67acfmxazb4p****' },
    exampleBody: { RequestId: requestId },
  },
  {
    method: 'POST', url: '/disks/:diskId/resize', operationId: 'Disk_ResizeDisk', action: 'ResizeDisk', tag: 'Disks',
    summary: 'Grow a disk', description: 'Grow a disk to a larger size (ECS ResizeDisk); disks never shrink.',
    pathParams: onDisk,
    fields: {
      regionId: endpointRegion(),
      newSize: intish(1, 65536).describe('The new size in GiB, larger than the current one'),
      type: z.enum(['offline', 'online']).optional().describe('online (no restart) or offline (default: takes effect after a restart)'),
      clientToken: clientToken(),
    },
    example: { regionId: 'cn-hangzhou', newSize: 80, type: 'online' },
    exampleBody: { RequestId: requestId },
  },
];

const snapshot = { SnapshotId: 's-bp67acfmxazb4p****', SnapshotName: 'data-1-backup', SourceDiskId: 'd-bp67acfmxazb4p****', Status: 'accomplished', Progress: '100%' };

/** Snapshots: list, create, delete. */
export const SNAPSHOT_ROUTES: CuratedRoute[] = [
  {
    method: 'GET', url: '/snapshots', operationId: 'Snapshot_ListSnapshots', action: 'DescribeSnapshots', tag: 'Snapshots',
    summary: 'List snapshots', description: 'The snapshots of a region (ECS DescribeSnapshots) with filters.',
    fields: {
      regionId: region(),
      snapshotIds: { schema: idList(100).optional().describe('Snapshot IDs (up to 100)'), param: 'SnapshotIds' },
      diskId: diskId().optional().describe('Only snapshots of this disk'),
      instanceId: instanceId().optional().describe('Only snapshots of this instance\'s disks'),
      snapshotName: text(128).optional(),
      status: z.enum(['progressing', 'accomplished', 'failed', 'all']).optional(),
      snapshotType: z.enum(['auto', 'user', 'all']).optional(),
      sourceDiskType: z.enum(['system', 'data']).optional(),
      tags: queryTags(),
      pageNumber: pageNumber(),
      pageSize: pageSize(100),
      nextToken: text(1024).optional(),
      maxResults: intish(1, 100).optional(),
    },
    example: { regionId: 'cn-hangzhou', diskId: 'd-bp67acfmxazb4p****' },
    exampleBody: { Snapshots: { Snapshot: [snapshot] }, PageNumber: 1, PageSize: 10, TotalCount: 1, RequestId: requestId },
  },
  {
    method: 'POST', url: '/snapshots', operationId: 'Snapshot_CreateSnapshot', action: 'CreateSnapshot', tag: 'Snapshots',
    summary: 'Snapshot a disk', description: 'A snapshot of an attached disk (ECS CreateSnapshot): progressing, then accomplished.',
    fields: {
      regionId: endpointRegion(),
      diskId: diskId(),
      snapshotName: text(128).optional(),
      description: text(256).optional(),
      retentionDays: intish(1, 65536).optional().describe('Release the snapshot after this many days (default: keep)'),
      tags: { schema: tags().optional(), param: 'Tag' },
      clientToken: clientToken(),
    },
    example: { regionId: 'cn-hangzhou', diskId: 'd-bp67acfmxazb4p****', snapshotName: 'data-1-backup' },
    exampleBody: { SnapshotId: 's-bp67acfmxazb4p****', RequestId: requestId },
  },
  {
    method: 'DELETE', url: '/snapshots/:snapshotId', operationId: 'Snapshot_DeleteSnapshot', action: 'DeleteSnapshot', tag: 'Snapshots',
    summary: 'Delete a snapshot', description: 'Delete a snapshot (ECS DeleteSnapshot); `force` also when a disk was created from it. Parameters in the query string.',
    pathParams: { snapshotId: { schema: snapshotId(), param: 'SnapshotId' } },
    fields: { regionId: endpointRegion(), force: boolish().optional() },
    example: { regionId: 'cn-hangzhou' },
    exampleBody: { RequestId: requestId },
  },
];

/** Custom images: create (from an instance or a snapshot), delete. Listing is GET /api/images. */
export const IMAGE_ROUTES: CuratedRoute[] = [
  {
    method: 'POST', url: '/images', operationId: 'Image_CreateImage', action: 'CreateImage', tag: 'Images',
    summary: 'Create a custom image', description: 'A custom image from an instance or from a system disk snapshot (ECS CreateImage): give exactly one of instanceId and snapshotId.',
    fields: {
      regionId: region(),
      instanceId: instanceId().optional().describe('Create the image from this instance'),
      snapshotId: snapshotId().optional().describe('Create the image from this system disk snapshot'),
      imageName: text(128).optional(),
      description: text(256).optional(),
      imageFamily: text(128).optional(),
      imageVersion: text(40).optional(),
      architecture: z.enum(['i386', 'x86_64', 'arm64']).optional(),
      platform: text(64).optional(),
      tags: { schema: tags().optional(), param: 'Tag' },
      clientToken: clientToken(),
      dryRun: dryRun(),
    },
    refine: (input) => input.refine((b) => (b.instanceId === undefined) !== (b.snapshotId === undefined), { path: ['instanceId'], message: 'give exactly one of instanceId and snapshotId' }),
    example: { regionId: 'cn-hangzhou', instanceId: 'i-bp67acfmxazb4p****', imageName: 'web-golden' },
    exampleBody: { ImageId: 'm-bp67acfmxazb4p****', RequestId: requestId },
  },
  {
    method: 'DELETE', url: '/images/:imageId', operationId: 'Image_DeleteImage', action: 'DeleteImage', tag: 'Images',
    summary: 'Delete a custom image', description: 'Delete a custom image (ECS DeleteImage); `force` also when instances use it. Parameters in the query string.',
    pathParams: { imageId: { schema: imageId(), param: 'ImageId' } },
    fields: { regionId: region(), force: boolish().optional(), dryRun: dryRun() },
    example: { regionId: 'cn-hangzhou' },
    exampleBody: { RequestId: requestId },
  },
];

export const storageRoutes = routesPlugin([...DISK_ROUTES, ...SNAPSHOT_ROUTES, ...IMAGE_ROUTES]);
