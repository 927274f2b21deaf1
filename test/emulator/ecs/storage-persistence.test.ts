/**
 * The storage state (disks, snapshots, custom images, their ClientTokens) survives snapshot/restore and an
 * EMULATOR_STATE_FILE restart; transitions in flight go on after a restore; a snapshot from before the emulator
 * kept storage loads with none; garbage is refused and leaves the state unchanged.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { EcsEmulatorState } from '../../../src/emulator/ecs/index.js';
import { startEmulator } from '../../../src/emulator/server.js';
import { afterWrites } from '../fs-spy.js';
import { TEST_KEY } from '../helpers.js';
import { $Ecs, v3Client } from '../sdk-clients.js';
import { Harness, REGION, seeded } from './helpers.js';
import { disk, diskOf, disks, newDisk, ownImages, runningIn, snapshots } from './storage-helpers.js';

vi.mock('node:fs/promises', async (real) => (await import('../fs-spy.js')).spiedFsPromises(await real()));

/** A harness holding a bit of everything, some of it mid-transition. */
function populated(): { h: Harness; inst: string; attaching: string; image: string; snap: string } {
  const h = new Harness(1000);
  const inst = runningIn(h, 'cn-hangzhou-h', { 'DataDisk.1.Size': '40' });
  const attaching = newDisk(h, { 'Tag.1.Key': 'k', 'Tag.1.Value': 'v' });
  h.call('AttachDisk', { DiskId: attaching, InstanceId: inst });
  const snap = h.call('CreateSnapshot', { DiskId: diskOf(h, inst, 'data')[0]!.DiskId as string, ClientToken: 'tok' }).SnapshotId as string;
  const image = h.call('CreateImage', { RegionId: REGION, InstanceId: inst, ImageName: 'img' }).ImageId as string;
  return { h, inst, attaching, image, snap };
}

/** A second emulator on the same clock, restored from a JSON round trip of `h`'s snapshot. */
function restoredFrom(h: Harness): Harness {
  const copy = new Harness(1000, 7);
  copy.now = h.now;
  copy.state.restore(JSON.parse(JSON.stringify(h.state.snapshot())));
  return copy;
}

describe('storage state in snapshots', () => {
  it('round-trips through JSON: the same disks, snapshots and images, and transitions go on', () => {
    const { h, inst, attaching, image, snap } = populated();
    const copy = restoredFrom(h);
    expect(disks(copy)).toEqual(disks(h));
    expect(snapshots(copy)).toEqual(snapshots(h));
    expect(ownImages(copy, { Status: 'Creating,Available' })).toEqual(ownImages(h, { Status: 'Creating,Available' }));
    expect(disk(copy, attaching).Status).toBe('Attaching');
    copy.advance(2000);
    expect(disk(copy, attaching)).toMatchObject({ Status: 'In_use', InstanceId: inst });
    expect(snapshots(copy, { SnapshotIds: JSON.stringify([snap]) })[0]!.Status).toBe('accomplished');
    expect(ownImages(copy).map((m) => [m.ImageId, m.Status])).toEqual([[image, 'Available']]);
    // The ClientToken record came along: a replay answers the first SnapshotId.
    const dataDisk = diskOf(copy, inst, 'data')[0]!.DiskId as string;
    expect(copy.call('CreateSnapshot', { DiskId: dataDisk, ClientToken: 'tok' }).SnapshotId).toBe(snap);
    // Releasing the instance after the restore still releases its disks.
    copy.call('DeleteInstance', { InstanceId: inst, Force: 'true' });
    expect(disks(copy, { InstanceId: inst })).toEqual([]);
  });

  it('loads a snapshot written before storage state existed (no `storage`) with no disks', () => {
    const { h } = populated();
    const old = JSON.parse(JSON.stringify(h.state.snapshot())) as Record<string, unknown>;
    delete old.storage;
    const state = new EcsEmulatorState({ transitionMs: 0, now: () => h.now, random: seeded(3) });
    state.restore(old);
    const list = state.call('DescribeDisks', { RegionId: REGION }, { account: 'AK-A' });
    expect(list.TotalCount).toBe(0);
    expect((state.call('DescribeInstances', { RegionId: REGION }, { account: 'AK-A' }) as { TotalCount: number }).TotalCount).toBe(1);
  });

  it('refuses garbage storage with a TypeError and keeps the previous state', () => {
    const { h } = populated();
    const before = disks(h);
    const good = JSON.parse(JSON.stringify(h.state.snapshot())) as { storage: { disks: Array<Record<string, unknown>>; snapshots: unknown[] } };
    const badStatus = structuredClone(good);
    badStatus.storage.disks[0]!.status = 'Melted';
    expect(() => h.state.restore(badStatus)).toThrow(/storage\.disks\[0\]\.status/);
    const badList = structuredClone(good);
    (badList.storage as Record<string, unknown>).snapshots = 'none';
    expect(() => h.state.restore(badList)).toThrow(/storage\.snapshots must be an array/);
    const badSize = structuredClone(good);
    badSize.storage.disks[1]!.size = '40';
    expect(() => h.state.restore(badSize)).toThrow(/storage\.disks\[1\]\.size must be number/);
    expect(disks(h)).toEqual(before);
  });
});

describe('EMULATOR_STATE_FILE', () => {
  it('keeps disks, snapshots and custom images across a restart', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ecs-emu-')), 'state.json');
    const first = await startEmulator({ port: 0, transitionMs: 0, accessKeys: [TEST_KEY], stateFile: file });
    const ecs1 = v3Client(first.url, TEST_KEY);
    const run = await ecs1.runInstances(new $Ecs.RunInstancesRequest({ regionId: REGION, imageId: 'aliyun_3_x64_20G_alibase_20240528.vhd', instanceType: 'ecs.g6.large', zoneId: 'cn-hangzhou-h' }));
    const inst = run.body?.instanceIdSets?.instanceIdSet?.[0] as string;
    const diskId = (await ecs1.createDisk(new $Ecs.CreateDiskRequest({ regionId: REGION, zoneId: 'cn-hangzhou-h', size: 30, diskName: 'kept' }))).body?.diskId as string;
    await ecs1.attachDisk(new $Ecs.AttachDiskRequest({ diskId, instanceId: inst }));
    const snapId = (await ecs1.createSnapshot(new $Ecs.CreateSnapshotRequest({ diskId }))).body?.snapshotId as string;
    const imageId = (await ecs1.createImage(new $Ecs.CreateImageRequest({ regionId: REGION, instanceId: inst, imageName: 'kept-image' }))).body?.imageId as string;
    await afterWrites(() => existsSync(file) && readFileSync(file, 'utf8').includes(imageId));
    await first.close();

    const second = await startEmulator({ port: 0, transitionMs: 0, accessKeys: [TEST_KEY], stateFile: file });
    try {
      const ecs2 = v3Client(second.url, TEST_KEY);
      const d = (await ecs2.describeDisks(new $Ecs.DescribeDisksRequest({ regionId: REGION, diskIds: JSON.stringify([diskId]) }))).body?.disks?.disk?.[0];
      expect([d?.diskName, d?.status, d?.instanceId, d?.size]).toEqual(['kept', 'In_use', inst, 30]);
      const s = (await ecs2.describeSnapshots(new $Ecs.DescribeSnapshotsRequest({ regionId: REGION, snapshotIds: JSON.stringify([snapId]) }))).body?.snapshots?.snapshot ?? [];
      expect(s.map((x) => [x.sourceDiskId, x.status])).toEqual([[diskId, 'accomplished']]);
      const m = (await ecs2.describeImages(new $Ecs.DescribeImagesRequest({ regionId: REGION, imageOwnerAlias: 'self' }))).body?.images?.image ?? [];
      expect(m.map((x) => [x.imageId, x.imageName, x.status])).toEqual([[imageId, 'kept-image', 'Available']]);
    } finally {
      await second.close();
    }
  });
});
