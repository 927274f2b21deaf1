/**
 * Custom images and the instance's system disk: CreateImage (from an instance or a snapshot), DescribeImages
 * with the account's own images, DeleteImage, ReplaceSystemDisk and ModifyInstanceSpec — behaviour layer with an
 * injected clock, then the official V3 SDK against a started emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/server.js';
import { TEST_KEY } from '../helpers.js';
import { $Ecs, v3Client } from '../sdk-clients.js';
import { Harness, IMAGE, REGION, expectEcsError, idParams } from './helpers.js';
import { disk, diskOf, disks, newDisk, ownImages, runningIn, snapshots } from './storage-helpers.js';

const UBUNTU = 'ubuntu_22_04_x64_20G_alibase_20240710.vhd';

function stop(h: Harness, id: string): void {
  h.call('StopInstances', { RegionId: REGION, ...idParams([id]) });
  h.advance(10_000);
}

describe('CreateImage', () => {
  it('from an instance: snapshots its system disk (Usage image), Creating until the snapshot and one transition are done', () => {
    const h = new Harness(1000);
    const inst = runningIn(h);
    const { ImageId: id } = h.call('CreateImage', { RegionId: REGION, InstanceId: inst, ImageName: 'web-golden', Description: 'nginx', 'Tag.1.Key': 'app', 'Tag.1.Value': 'web' });
    expect(id).toMatch(/^m-bp[0-9a-z]{18}$/);
    const [snap] = snapshots(h);
    expect(snap).toMatchObject({ SourceDiskType: 'System', Status: 'progressing', Usage: 'image', SourceDiskId: diskOf(h, inst, 'system')[0]!.DiskId });
    // Creating images are not listed by default (Status defaults to Available), but can be asked for.
    expect(ownImages(h)).toEqual([]);
    expect(ownImages(h, { Status: 'Creating' }).map((m) => [m.ImageId, m.Status, m.Progress])).toEqual([[id, 'Creating', '0%']]);
    h.advance(1000);
    expect(ownImages(h, { Status: 'Creating' })).toHaveLength(1);
    h.advance(1000);
    expect(ownImages(h)[0]).toMatchObject({
      ImageId: id, ImageName: 'web-golden', Description: 'nginx', ImageOwnerAlias: 'self', IsPublic: false, Status: 'Available',
      Progress: '100%', Size: 40, OSType: 'linux', Platform: 'Aliyun', Architecture: 'x86_64',
      OSNameEn: 'Alibaba Cloud Linux  3.2104 LTS 64 bit', Tags: { Tag: [{ TagKey: 'app', TagValue: 'web' }] },
      DiskDeviceMappings: { DiskDeviceMapping: [expect.objectContaining({ SnapshotId: snap!.SnapshotId, Type: 'system', Size: '40' })] },
    });
  });

  it('from a system-disk snapshot; DescribeImages lists own images first, only own with self, none with system', () => {
    const h = new Harness(0);
    const inst = runningIn(h);
    const snap = h.call('CreateSnapshot', { DiskId: diskOf(h, inst, 'system')[0]!.DiskId as string }).SnapshotId as string;
    const id = h.call('CreateImage', { RegionId: REGION, SnapshotId: snap, ImageName: 'from-snap' }).ImageId;
    expect(ownImages(h).map((m) => [m.ImageId, m.Status])).toEqual([[id, 'Available']]);
    const all = (h.call('DescribeImages', { RegionId: REGION, PageSize: '100' }).Images as { Image: Array<Record<string, unknown>> }).Image;
    expect(all[0]).toMatchObject({ ImageId: id, ImageOwnerAlias: 'self' });
    expect(all.slice(1).every((m) => m.ImageOwnerAlias === 'system')).toBe(true);
    const sys = (h.call('DescribeImages', { RegionId: REGION, ImageOwnerAlias: 'system', PageSize: '100' }).Images as { Image: Array<Record<string, unknown>> }).Image;
    expect(sys.some((m) => m.ImageId === id)).toBe(false);
    expect(ownImages(h, { ImageName: 'from-*' }).map((m) => m.ImageId)).toEqual([id]);
    expect(ownImages(h, { ImageId: id as string }).map((m) => m.ImageId)).toEqual([id]);
    expect(ownImages(h, {}, 'AK-B')).toEqual([]);
    expect(ownImages(h, { RegionId: 'cn-beijing' })).toEqual([]);
  });

  it('refuses with ECS codes', () => {
    const h = new Harness(1000);
    const inst = runningIn(h);
    const data = newDisk(h);
    h.call('AttachDisk', { DiskId: data, InstanceId: inst });
    h.advance(1000);
    const err = expectEcsError(() => h.call('CreateImage', { RegionId: REGION }), 400, 'MissingParameter');
    expect(err.message).toBe('The input parameter SnapshotId or InstanceId or DiskDeviceMapping that is mandatory for processing this request is not supplied.');
    expectEcsError(() => h.call('CreateImage', { RegionId: REGION, InstanceId: 'i-bp1nope' }), 404, 'InvalidInstanceId.NotFound');
    expectEcsError(() => h.call('CreateImage', { RegionId: REGION, SnapshotId: 's-bp1nope' }), 404, 'InvalidSnapshotId.NotFound');
    const dataSnap = h.call('CreateSnapshot', { DiskId: data }).SnapshotId as string;
    expectEcsError(() => h.call('CreateImage', { RegionId: REGION, SnapshotId: dataSnap }), 403, 'InvalidSnapshotId.NotReady');
    h.advance(1000);
    const notSystem = expectEcsError(() => h.call('CreateImage', { RegionId: REGION, SnapshotId: dataSnap }), 403, 'OperationDenied');
    expect(notSystem.message).toBe('The specified snapshot is not from system disk.');
    expectEcsError(() => h.call('CreateImage', { RegionId: REGION, InstanceId: inst, DryRun: 'true' }), 400, 'DryRunOperation');
    expect(snapshots(h)).toHaveLength(1);
    h.call('CreateImage', { RegionId: REGION, InstanceId: inst, ImageName: 'dup' });
    h.advance(2000);
    expectEcsError(() => h.call('CreateImage', { RegionId: REGION, InstanceId: inst, ImageName: 'dup' }), 400, 'InvalidImageName.Duplicated');
    const pending = h.run()[0]!;
    expectEcsError(() => h.call('CreateImage', { RegionId: REGION, InstanceId: pending }), 403, 'IncorrectInstanceStatus');
  });

  it('ClientToken: a replay answers the same ImageId and takes no second snapshot', () => {
    const h = new Harness(0);
    const inst = runningIn(h);
    const a = h.call('CreateImage', { RegionId: REGION, InstanceId: inst, ClientToken: 'img-1' });
    expect(h.call('CreateImage', { RegionId: REGION, InstanceId: inst, ClientToken: 'img-1' })).toEqual(a);
    expect([ownImages(h).length, snapshots(h).length]).toEqual([1, 1]);
    expectEcsError(() => h.call('CreateImage', { RegionId: REGION, InstanceId: inst, ClientToken: 'img-1', ImageName: 'x2' }), 400, 'IdempotentParameterMismatch');
  });
});

describe('ReplaceSystemDisk', () => {
  it('needs a Stopped instance; gives it a new system disk from a public or custom image', () => {
    const h = new Harness(0);
    const inst = runningIn(h);
    const image = h.call('CreateImage', { RegionId: REGION, InstanceId: inst, ImageName: 'golden' }).ImageId as string;
    const old = diskOf(h, inst, 'system')[0]!.DiskId as string;
    expectEcsError(() => h.call('ReplaceSystemDisk', { InstanceId: inst, ImageId: UBUNTU }), 403, 'IncorrectInstanceStatus');
    stop(h, inst);
    expectEcsError(() => h.call('ReplaceSystemDisk', { InstanceId: inst, ImageId: 'm-bp1nope' }), 404, 'InvalidImageId.NotFound');
    expectEcsError(() => h.call('ReplaceSystemDisk', { InstanceId: 'i-bp1nope', ImageId: UBUNTU }), 404, 'InvalidInstanceId.NotFound');
    expectEcsError(() => h.call('ReplaceSystemDisk', { InstanceId: inst, ImageId: UBUNTU, 'SystemDisk.Size': '10' }), 400, 'InvalidParameter');
    const { DiskId: fresh } = h.call('ReplaceSystemDisk', { InstanceId: inst, ImageId: UBUNTU, 'SystemDisk.Size': '80' });
    expect(fresh).toMatch(/^d-bp/);
    expect(fresh).not.toBe(old);
    expect(disks(h, { DiskIds: JSON.stringify([old]) })).toEqual([]);
    expect(disk(h, fresh as string)).toMatchObject({ Type: 'system', Status: 'In_use', InstanceId: inst, Device: '/dev/xvda', ImageId: UBUNTU, Size: 80, DeleteWithInstance: true });
    expect(h.instances({ InstanceIds: JSON.stringify([inst]) })[0]).toMatchObject({ ImageId: UBUNTU, OSType: 'linux', Status: 'Stopped' });
    const again = h.call('ReplaceSystemDisk', { InstanceId: inst, ImageId: image }).DiskId as string;
    expect(disk(h, again)).toMatchObject({ ImageId: image, Size: 80 });
    expect(h.instances({ InstanceIds: JSON.stringify([inst]) })[0]!.ImageId).toBe(image);
  });
});

describe('DeleteImage', () => {
  it('not while Creating, not while an instance runs it unless Force=true; public images are not the caller’s', () => {
    const h = new Harness(1000);
    const inst = runningIn(h);
    const image = h.call('CreateImage', { RegionId: REGION, InstanceId: inst, ImageName: 'golden' }).ImageId as string;
    expectEcsError(() => h.call('DeleteImage', { RegionId: REGION, ImageId: image }), 403, 'ImageIsCreating');
    h.advance(2000);
    stop(h, inst);
    h.call('ReplaceSystemDisk', { InstanceId: inst, ImageId: image });
    const err = expectEcsError(() => h.call('DeleteImage', { RegionId: REGION, ImageId: image }), 403, 'ImageUsingByInstance');
    expect(err.message).toBe('The specified image has been used to create instances.');
    expectEcsError(() => h.call('DeleteImage', { RegionId: REGION, ImageId: image, Force: 'true', DryRun: 'true' }), 400, 'DryRunOperation');
    expect(ownImages(h)).toHaveLength(1);
    expect(h.call('DeleteImage', { RegionId: REGION, ImageId: image, Force: 'true' })).toEqual({});
    expect(ownImages(h)).toEqual([]);
    expectEcsError(() => h.call('DeleteImage', { RegionId: REGION, ImageId: image }), 404, 'InvalidImageId.NotFound');
    expectEcsError(() => h.call('DeleteImage', { RegionId: REGION, ImageId: IMAGE }), 404, 'InvalidImageId.NotFound');
    // Its snapshot stays, no longer used by an image.
    expect(snapshots(h).map((s) => s.Usage)).toEqual(['none']);
  });
});

describe('ModifyInstanceSpec', () => {
  it('changes the type of a Stopped instance, and bandwidth and system-disk category', () => {
    const h = new Harness(0);
    const inst = runningIn(h);
    expectEcsError(() => h.call('ModifyInstanceSpec', { InstanceId: inst, InstanceType: 'ecs.g7.xlarge' }), 403, 'IncorrectInstanceStatus');
    stop(h, inst);
    expectEcsError(() => h.call('ModifyInstanceSpec', { InstanceId: inst, InstanceType: 'ecs.nope' }), 400, 'InvalidInstanceType.ValueNotSupported');
    expectEcsError(() => h.call('ModifyInstanceSpec', { InstanceId: inst, InstanceType: 'ecs.g7.large' }), 400, 'InvalidInstanceType.ValueNotSupported');
    expectEcsError(() => h.call('ModifyInstanceSpec', { InstanceId: inst }), 400, 'MissingParameter');
    expectEcsError(() => h.call('ModifyInstanceSpec', { InstanceId: inst, InstanceType: 'ecs.g7.xlarge', DryRun: 'true' }), 400, 'DryRunOperation');
    expect(h.instances()[0]!.InstanceType).toBe('ecs.g7.large');
    h.call('ModifyInstanceSpec', { InstanceId: inst, InstanceType: 'ecs.g7.xlarge', InternetMaxBandwidthOut: '10', 'SystemDisk.Category': 'cloud_essd' });
    expect(h.instances()[0]).toMatchObject({ InstanceType: 'ecs.g7.xlarge', Cpu: 4, InternetMaxBandwidthOut: 10 });
    expect((h.instances()[0]!.PublicIpAddress as { IpAddress: string[] }).IpAddress).toHaveLength(1);
    expect(diskOf(h, inst, 'system')[0]!.Category).toBe('cloud_essd');
    expectEcsError(() => h.call('ModifyInstanceSpec', { InstanceId: 'i-bp1nope', InstanceType: 'ecs.g7.xlarge' }), 404, 'InvalidInstanceId.NotFound');
  });
});

describe('through the official V3 SDK', () => {
  let emu: RunningEmulator;
  let ecs: ReturnType<typeof v3Client>;
  let clock = Date.now();
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, transitionMs: 1000, accessKeys: [TEST_KEY], now: () => clock });
    ecs = v3Client(emu.url, TEST_KEY);
  });
  afterAll(() => emu.close());

  it('createImage → describeImages(self) → replaceSystemDisk → modifyInstanceSpec → deleteImage', async () => {
    const run = await ecs.runInstances(new $Ecs.RunInstancesRequest({ regionId: REGION, imageId: IMAGE, instanceType: 'ecs.g6.large' }));
    const inst = run.body?.instanceIdSets?.instanceIdSet?.[0] as string;
    clock += 5000;
    const created = await ecs.createImage(new $Ecs.CreateImageRequest({ regionId: REGION, instanceId: inst, imageName: 'sdk-golden' }));
    const image = created.body?.imageId as string;
    const own = async () => (await ecs.describeImages(new $Ecs.DescribeImagesRequest({ regionId: REGION, imageOwnerAlias: 'self', status: 'Creating,Available' }))).body?.images?.image ?? [];
    expect((await own()).map((m) => [m.imageId, m.status, m.imageOwnerAlias])).toEqual([[image, 'Creating', 'self']]);
    clock += 2000;
    expect((await own()).map((m) => [m.imageId, m.status, m.imageName, m.size])).toEqual([[image, 'Available', 'sdk-golden', 40]]);

    await expect(ecs.replaceSystemDisk(new $Ecs.ReplaceSystemDiskRequest({ instanceId: inst, imageId: image }))).rejects.toMatchObject({ code: 'IncorrectInstanceStatus', statusCode: 403 });
    await ecs.stopInstances(new $Ecs.StopInstancesRequest({ regionId: REGION, instanceId: [inst] }));
    clock += 5000;
    const replaced = await ecs.replaceSystemDisk(new $Ecs.ReplaceSystemDiskRequest({ instanceId: inst, imageId: image, systemDisk: new $Ecs.ReplaceSystemDiskRequestSystemDisk({ size: 60 }) }));
    const sys = (await ecs.describeDisks(new $Ecs.DescribeDisksRequest({ regionId: REGION, instanceId: inst, diskType: 'system' }))).body?.disks?.disk ?? [];
    expect(sys.map((d) => [d.diskId, d.imageId, d.size])).toEqual([[replaced.body?.diskId, image, 60]]);

    await ecs.modifyInstanceSpec(new $Ecs.ModifyInstanceSpecRequest({ instanceId: inst, instanceType: 'ecs.g7.xlarge' }));
    const described = await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: REGION, instanceIds: JSON.stringify([inst]) }));
    expect([described.body?.instances?.instance?.[0]?.instanceType, described.body?.instances?.instance?.[0]?.imageId]).toEqual(['ecs.g7.xlarge', image]);

    await expect(ecs.deleteImage(new $Ecs.DeleteImageRequest({ regionId: REGION, imageId: image }))).rejects.toMatchObject({ code: 'ImageUsingByInstance', statusCode: 403 });
    await ecs.deleteImage(new $Ecs.DeleteImageRequest({ regionId: REGION, imageId: image, force: true }));
    expect(await own()).toEqual([]);
  });
});
