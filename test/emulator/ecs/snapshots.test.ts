/**
 * Snapshots with state: CreateSnapshot (progressing → accomplished), DescribeSnapshots filters and paging,
 * DeleteSnapshot and its refusals, CreateDisk from a snapshot — behaviour layer with an injected clock, then
 * the official V3 SDK against a started emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/server.js';
import { TEST_KEY } from '../helpers.js';
import { $Ecs, v3Client } from '../sdk-clients.js';
import { Harness, REGION, expectEcsError } from './helpers.js';
import { disk, diskOf, newDisk, runningIn, snapshots } from './storage-helpers.js';

/** A Running instance and its system disk. */
function instanceWithSystemDisk(h: Harness): { inst: string; sys: string } {
  const inst = runningIn(h);
  return { inst, sys: diskOf(h, inst, 'system')[0]!.DiskId as string };
}

describe('CreateSnapshot', () => {
  it('is progressing (0%) for EMULATOR_TRANSITION_MS, then accomplished (100%)', () => {
    const h = new Harness(1000);
    const { inst, sys } = instanceWithSystemDisk(h);
    const { SnapshotId: id } = h.call('CreateSnapshot', { DiskId: sys, SnapshotName: 'before-upgrade', Description: 'pre', RetentionDays: '7', 'Tag.1.Key': 'k', 'Tag.1.Value': 'v' });
    expect(id).toMatch(/^s-bp[0-9a-z]{18}$/);
    expect(snapshots(h)[0]).toMatchObject({
      SnapshotId: id, SnapshotName: 'before-upgrade', Description: 'pre', Status: 'progressing', Progress: '0%', RemainTime: 1,
      Available: false, SourceDiskId: sys, SourceDiskSize: '40', SourceDiskType: 'System', RetentionDays: 7, SnapshotType: 'user',
      Usage: 'none', RegionId: REGION, CreationTime: '2024-05-01T08:00:10Z', Tags: { Tag: [{ TagKey: 'k', TagValue: 'v' }] },
    });
    // A second snapshot of the same disk waits for the first.
    expectEcsError(() => h.call('CreateSnapshot', { DiskId: sys }), 403, 'IncorrectDiskStatus.CreatingSnapshot');
    // Nor can the disk be resized meanwhile.
    expectEcsError(() => h.call('ResizeDisk', { DiskId: sys, NewSize: '80' }), 403, 'DiskCreatingSnapshot');
    h.advance(1000);
    expect(snapshots(h)[0]).toMatchObject({ Status: 'accomplished', Progress: '100%', RemainTime: 0, Available: true });
    expect(snapshots(h, { InstanceId: inst }).map((s) => s.SnapshotId)).toEqual([id]);
  });

  it('refuses a disk never attached (IncorrectDiskStatus.NeverAttached), one in transition, and an unknown one', () => {
    const h = new Harness(1000);
    const inst = runningIn(h);
    const fresh = newDisk(h);
    const err = expectEcsError(() => h.call('CreateSnapshot', { DiskId: fresh }), 403, 'IncorrectDiskStatus.NeverAttached');
    expect(err.message).toBe('The specified disk has never been attached to any instance.');
    h.call('AttachDisk', { DiskId: fresh, InstanceId: inst });
    expectEcsError(() => h.call('CreateSnapshot', { DiskId: fresh }), 403, 'IncorrectDiskStatus');
    h.advance(1000);
    h.call('CreateSnapshot', { DiskId: fresh });
    // Once attached, a detached (Available) disk can be snapshotted.
    h.advance(1000);
    h.call('DetachDisk', { DiskId: fresh, InstanceId: inst });
    h.advance(1000);
    expect(disk(h, fresh).Status).toBe('Available');
    expect(h.call('CreateSnapshot', { DiskId: fresh }).SnapshotId).toMatch(/^s-/);
    expectEcsError(() => h.call('CreateSnapshot', { DiskId: 'd-bp1nope' }), 404, 'InvalidDiskId.NotFound');
    expectEcsError(() => h.call('CreateSnapshot', { DiskId: fresh, SnapshotName: 'auto-nightly' }), 400, 'InvalidSnapshotName.Malformed');
  });

  it('ClientToken: a replay answers the same SnapshotId; other parameters are a mismatch', () => {
    const h = new Harness(0);
    const { sys } = instanceWithSystemDisk(h);
    const a = h.call('CreateSnapshot', { DiskId: sys, ClientToken: 'snap-1' });
    expect(h.call('CreateSnapshot', { DiskId: sys, ClientToken: 'snap-1' })).toEqual(a);
    expect(snapshots(h)).toHaveLength(1);
    expectEcsError(() => h.call('CreateSnapshot', { DiskId: sys, ClientToken: 'snap-1', SnapshotName: 'other' }), 400, 'IdempotentParameterMismatch');
  });
});

describe('DescribeSnapshots', () => {
  it('filters by SnapshotIds, DiskId, Status, SourceDiskType, Usage, and pages', () => {
    const h = new Harness(1000);
    const { inst, sys } = instanceWithSystemDisk(h);
    const data = newDisk(h);
    h.call('AttachDisk', { DiskId: data, InstanceId: inst });
    h.advance(1000);
    const a = h.call('CreateSnapshot', { DiskId: sys }).SnapshotId;
    const b = h.call('CreateSnapshot', { DiskId: data }).SnapshotId;
    h.advance(1000);
    const c = h.call('CreateSnapshot', { DiskId: sys }).SnapshotId;
    const ids = (rows: Array<Record<string, unknown>>) => rows.map((r) => r.SnapshotId);
    expect(ids(snapshots(h))).toEqual([a, b, c]);
    expect(ids(snapshots(h, { SnapshotIds: JSON.stringify([c, a]) }))).toEqual([a, c]);
    expect(ids(snapshots(h, { DiskId: data }))).toEqual([b]);
    expect(ids(snapshots(h, { Status: 'progressing' }))).toEqual([c]);
    expect(ids(snapshots(h, { Status: 'accomplished' }))).toEqual([a, b]);
    expect(ids(snapshots(h, { SourceDiskType: 'Data' }))).toEqual([b]);
    expect(ids(snapshots(h, { SnapshotType: 'auto' }))).toEqual([]);
    h.call('CreateDisk', { RegionId: REGION, ZoneId: 'cn-hangzhou-h', SnapshotId: b as string });
    expect(ids(snapshots(h, { Usage: 'disk' }))).toEqual([b]);
    const page = h.call('DescribeSnapshots', { RegionId: REGION, PageSize: '2', PageNumber: '2' });
    expect([ids((page.Snapshots as { Snapshot: Array<Record<string, unknown>> }).Snapshot), page.TotalCount]).toEqual([[c], 3]);
    expect(snapshots(h, {}, 'AK-B')).toEqual([]);
    expectEcsError(() => snapshots(h, { Status: 'done' }), 400, 'InvalidParameter');
    expectEcsError(() => snapshots(h, { DryRun: 'true' }), 400, 'DryRunOperation');
  });
});

describe('DeleteSnapshot and disks from snapshots', () => {
  it('CreateDisk from a snapshot: its size by default, not smaller (InvalidDiskSize.TooSmall), not while progressing', () => {
    const h = new Harness(1000);
    const { sys } = instanceWithSystemDisk(h);
    const snap = h.call('CreateSnapshot', { DiskId: sys }).SnapshotId as string;
    expectEcsError(() => h.call('CreateDisk', { RegionId: REGION, ZoneId: 'cn-hangzhou-h', SnapshotId: snap }), 403, 'InvalidSnapshotId.NotReady');
    h.advance(1000);
    const id = h.call('CreateDisk', { RegionId: REGION, ZoneId: 'cn-hangzhou-h', SnapshotId: snap, DiskCategory: 'cloud_essd' }).DiskId as string;
    expect(disk(h, id)).toMatchObject({ Size: 40, SourceSnapshotId: snap, ImageId: 'aliyun_3_x64_20G_alibase_20240528.vhd' });
    expectEcsError(() => h.call('CreateDisk', { RegionId: REGION, ZoneId: 'cn-hangzhou-h', SnapshotId: snap, Size: '30', DiskCategory: 'cloud_essd' }), 403, 'InvalidDiskSize.TooSmall');
    expectEcsError(() => h.call('CreateDisk', { RegionId: REGION, ZoneId: 'cn-hangzhou-h', SnapshotId: 's-bp1nope' }), 404, 'InvalidSnapshotId.NotFound');
  });

  it('refuses a snapshot a disk was made from unless Force=true, and one a custom image uses even with Force', () => {
    const h = new Harness(0);
    const { sys } = instanceWithSystemDisk(h);
    const used = h.call('CreateSnapshot', { DiskId: sys }).SnapshotId as string;
    h.call('CreateDisk', { RegionId: REGION, ZoneId: 'cn-hangzhou-h', SnapshotId: used });
    const err = expectEcsError(() => h.call('DeleteSnapshot', { SnapshotId: used }), 403, 'SnapshotCreatedDisk');
    expect(err.message).toBe('The snapshot has been used to create disk(s).');
    expect(h.call('DeleteSnapshot', { SnapshotId: used, Force: 'true' })).toEqual({});
    const imaged = h.call('CreateSnapshot', { DiskId: sys }).SnapshotId as string;
    const image = h.call('CreateImage', { RegionId: REGION, SnapshotId: imaged, ImageName: 'from-snap' }).ImageId as string;
    expectEcsError(() => h.call('DeleteSnapshot', { SnapshotId: imaged }), 403, 'SnapshotCreatedImage');
    expectEcsError(() => h.call('DeleteSnapshot', { SnapshotId: imaged, Force: 'true' }), 403, 'SnapshotCreatedImage');
    h.call('DeleteImage', { RegionId: REGION, ImageId: image });
    h.call('DeleteSnapshot', { SnapshotId: imaged });
    expect(snapshots(h)).toEqual([]);
    expectEcsError(() => h.call('DeleteSnapshot', { SnapshotId: imaged }), 404, 'InvalidSnapshotId.NotFound');
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

  it('createSnapshot → describeSnapshots (progressing, then accomplished) → deleteSnapshot', async () => {
    const run = await ecs.runInstances(new $Ecs.RunInstancesRequest({ regionId: REGION, imageId: 'aliyun_3_x64_20G_alibase_20240528.vhd', instanceType: 'ecs.g6.large', dataDisk: [new $Ecs.RunInstancesRequestDataDisk({ size: 50, category: 'cloud_essd' })] }));
    const inst = run.body?.instanceIdSets?.instanceIdSet?.[0] as string;
    clock += 5000;
    const data = (await ecs.describeDisks(new $Ecs.DescribeDisksRequest({ regionId: REGION, instanceId: inst, diskType: 'data' }))).body?.disks?.disk?.[0];
    expect(data).toMatchObject({ size: 50, status: 'In_use' });
    const created = await ecs.createSnapshot(new $Ecs.CreateSnapshotRequest({ diskId: data?.diskId, snapshotName: 'sdk-snap', clientToken: 'sdk-snap-1' }));
    const id = created.body?.snapshotId as string;
    const again = await ecs.createSnapshot(new $Ecs.CreateSnapshotRequest({ diskId: data?.diskId, snapshotName: 'sdk-snap', clientToken: 'sdk-snap-1' }));
    expect(again.body?.snapshotId).toBe(id);
    const list = async () => (await ecs.describeSnapshots(new $Ecs.DescribeSnapshotsRequest({ regionId: REGION, diskId: data?.diskId }))).body?.snapshots?.snapshot ?? [];
    expect((await list()).map((s) => [s.snapshotId, s.status, s.progress, s.sourceDiskType, s.snapshotName])).toEqual([[id, 'progressing', '0%', 'Data', 'sdk-snap']]);
    clock += 1000;
    expect((await list()).map((s) => [s.status, s.progress, s.sourceDiskSize])).toEqual([['accomplished', '100%', '50']]);
    await ecs.deleteSnapshot(new $Ecs.DeleteSnapshotRequest({ snapshotId: id }));
    expect(await list()).toEqual([]);
    await expect(ecs.deleteSnapshot(new $Ecs.DeleteSnapshotRequest({ snapshotId: id }))).rejects.toMatchObject({ code: 'InvalidSnapshotId.NotFound', statusCode: 404 });
    const fresh = await ecs.createDisk(new $Ecs.CreateDiskRequest({ regionId: REGION, zoneId: 'cn-hangzhou-h', size: 20 }));
    clock += 1000;
    await expect(ecs.createSnapshot(new $Ecs.CreateSnapshotRequest({ diskId: fresh.body?.diskId }))).rejects.toMatchObject({ code: 'IncorrectDiskStatus.NeverAttached', statusCode: 403 });
  });
});
