/**
 * Disks with state: the system and data disks of RunInstances, CreateDisk, DescribeDisks, AttachDisk,
 * DetachDisk, ResizeDisk, DeleteDisk and what releasing an instance does to its disks — behaviour layer with
 * an injected clock, then the official V3 SDK against a started emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/server.js';
import { TEST_KEY } from '../helpers.js';
import { $Ecs, v3Client } from '../sdk-clients.js';
import { Harness, REGION, expectEcsError, idParams } from './helpers.js';
import { disk, diskOf, disks, newDisk, runningIn } from './storage-helpers.js';

describe('the disks of an instance', () => {
  it('RunInstances creates the system disk and each DataDisk.N as In_use disks attached to it', () => {
    const h = new Harness();
    const [id] = h.run({
      ZoneId: 'cn-hangzhou-h', 'SystemDisk.Category': 'cloud_essd', 'SystemDisk.Size': '60',
      'DataDisk.1.Size': '100', 'DataDisk.1.Category': 'cloud_ssd', 'DataDisk.2.Size': '30', 'DataDisk.2.DeleteWithInstance': 'false',
    });
    const [sys] = diskOf(h, id!, 'system');
    expect(sys).toMatchObject({
      Type: 'system', Category: 'cloud_essd', PerformanceLevel: 'PL1', Size: 60, Status: 'In_use', InstanceId: id, Device: '/dev/xvda',
      ZoneId: 'cn-hangzhou-h', RegionId: REGION, ImageId: 'aliyun_3_x64_20G_alibase_20240528.vhd', DeleteWithInstance: true, Portable: false,
    });
    expect(sys!.DiskId).toMatch(/^d-bp[0-9a-z]{18}$/);
    expect(sys!.Attachments).toEqual({ Attachment: [{ InstanceId: id, Device: '/dev/xvda', AttachedTime: '2024-05-01T08:00:00Z' }] });
    const data = diskOf(h, id!, 'data');
    expect(data.map((d) => [d.Category, d.Size, d.Device, d.Status, d.DeleteWithInstance, d.Portable])).toEqual([
      ['cloud_ssd', 100, '/dev/xvdb', 'In_use', true, true],
      ['cloud_efficiency', 30, '/dev/xvdc', 'In_use', false, true],
    ]);
    expect(disks(h)).toHaveLength(3);
    // Another account sees none of them.
    expect(disks(h, {}, 'AK-B')).toEqual([]);
  });

  it('DeleteInstances releases the disks marked DeleteWithInstance and detaches the others (Available)', () => {
    const h = new Harness();
    const ids = h.running(2, { 'DataDisk.1.Size': '40', 'DataDisk.1.DeleteWithInstance': 'false' });
    const kept = diskOf(h, ids[0]!, 'data')[0]!.DiskId as string;
    h.call('DeleteInstances', { RegionId: REGION, Force: 'true', ...idParams([ids[0]!]) });
    expect(disks(h, { InstanceId: ids[0]! })).toEqual([]);
    expect(disk(h, kept)).toMatchObject({ Status: 'Available', InstanceId: '', Device: '', DetachedTime: '2024-05-01T08:00:10Z', Attachments: { Attachment: [] } });
    // The singular DeleteInstance does the same.
    const other = diskOf(h, ids[1]!, 'data')[0]!.DiskId as string;
    h.call('DeleteInstance', { InstanceId: ids[1]!, Force: 'true' });
    expect(disk(h, other).Status).toBe('Available');
    expect(disks(h).map((d) => d.DiskId).sort()).toEqual([kept, other].sort());
  });
});

describe('CreateDisk and DescribeDisks', () => {
  it('a new disk is Creating, then Available after EMULATOR_TRANSITION_MS', () => {
    const h = new Harness(1000);
    const id = newDisk(h, { DiskName: 'data-1', Description: 'logs', Size: '50', 'Tag.1.Key': 'env', 'Tag.1.Value': 'prod' }, false);
    expect(id).toMatch(/^d-bp[0-9a-z]{18}$/);
    expect(disk(h, id)).toMatchObject({
      Status: 'Creating', DiskName: 'data-1', Description: 'logs', Size: 50, Category: 'cloud_essd', Type: 'data',
      InstanceId: '', ZoneId: 'cn-hangzhou-h', DeleteWithInstance: false, Portable: true, CreationTime: '2024-05-01T08:00:00Z',
      Tags: { Tag: [{ TagKey: 'env', TagValue: 'prod' }] },
    });
    h.advance(999);
    expect(disk(h, id).Status).toBe('Creating');
    h.advance(1);
    expect(disk(h, id).Status).toBe('Available');
  });

  it('ClientToken: a replay answers the same DiskId and creates nothing; other parameters are a mismatch', () => {
    const h = new Harness();
    const a = h.call('CreateDisk', { RegionId: REGION, ZoneId: 'cn-hangzhou-h', Size: '20', ClientToken: 'tok-1' });
    const changes = h.changes;
    expect(h.call('CreateDisk', { RegionId: REGION, ZoneId: 'cn-hangzhou-h', Size: '20', ClientToken: 'tok-1' })).toEqual(a);
    expect(h.changes).toBe(changes);
    expect(disks(h)).toHaveLength(1);
    expectEcsError(() => h.call('CreateDisk', { RegionId: REGION, ZoneId: 'cn-hangzhou-h', Size: '21', ClientToken: 'tok-1' }), 400, 'IdempotentParameterMismatch');
  });

  it('refuses a missing zone, an unknown zone, a bad category or size, and a bad name', () => {
    const h = new Harness();
    expectEcsError(() => h.call('CreateDisk', { RegionId: REGION, Size: '20' }), 400, 'MissingParameter');
    expectEcsError(() => h.call('CreateDisk', { RegionId: REGION, ZoneId: 'cn-hangzhou-z', Size: '20' }), 404, 'InvalidZoneId.NotFound');
    expectEcsError(() => h.call('CreateDisk', { RegionId: REGION, ZoneId: 'cn-hangzhou-h' }), 400, 'MissingParameter');
    expectEcsError(() => newDisk(h, { DiskCategory: 'floppy' }), 400, 'InvalidDataDiskCategory.ValueNotSupported');
    expectEcsError(() => newDisk(h, { DiskCategory: 'cloud_efficiency', Size: '10' }), 400, 'InvalidDataDiskSize.ValueNotSupported');
    expectEcsError(() => newDisk(h, { DiskName: '1abc' }), 400, 'InvalidDiskName.Malformed');
    expect(disks(h)).toEqual([]);
  });

  it('filters by DiskIds, InstanceId, DiskType, Category, Status, ZoneId and Tag, and pages', () => {
    const h = new Harness();
    const inst = runningIn(h);
    const a = newDisk(h, { 'Tag.1.Key': 'team', 'Tag.1.Value': 'blue' });
    const b = newDisk(h, { ZoneId: 'cn-hangzhou-i', DiskCategory: 'cloud_ssd' });
    const c = newDisk(h, {}, false);
    const sys = diskOf(h, inst, 'system')[0]!.DiskId;
    const ids = (rows: Array<Record<string, unknown>>) => rows.map((r) => r.DiskId);
    expect(ids(disks(h))).toEqual([sys, a, b, c]);
    expect(ids(disks(h, { DiskIds: JSON.stringify([c, a]) }))).toEqual([a, c]);
    expect(ids(disks(h, { DiskType: 'data' }))).toEqual([a, b, c]);
    expect(ids(disks(h, { DiskType: 'system' }))).toEqual([sys]);
    expect(ids(disks(h, { Category: 'cloud_ssd' }))).toEqual([b]);
    expect(ids(disks(h, { Status: 'Creating' }))).toEqual([c]);
    expect(ids(disks(h, { Status: 'In_use' }))).toEqual([sys]);
    expect(ids(disks(h, { ZoneId: 'cn-hangzhou-i' }))).toEqual([b]);
    expect(ids(disks(h, { 'Tag.1.Key': 'team', 'Tag.1.Value': 'blue' }))).toEqual([a]);
    const page2 = h.call('DescribeDisks', { RegionId: REGION, PageSize: '3', PageNumber: '2' });
    expect([ids((page2.Disks as { Disk: Array<Record<string, unknown>> }).Disk), page2.TotalCount, page2.PageNumber, page2.PageSize]).toEqual([[c], 4, 2, 3]);
    const first = h.call('DescribeDisks', { RegionId: REGION, MaxResults: '2' });
    const next = h.call('DescribeDisks', { RegionId: REGION, MaxResults: '2', NextToken: first.NextToken as string });
    expect([...ids((first.Disks as { Disk: Array<Record<string, unknown>> }).Disk), ...ids((next.Disks as { Disk: Array<Record<string, unknown>> }).Disk)]).toEqual([sys, a, b, c]);
    expect(next.NextToken).toBe('');
    expectEcsError(() => disks(h, { DiskType: 'root' }), 400, 'InvalidParameter');
    expectEcsError(() => disks(h, { DryRun: 'true' }), 400, 'DryRunOperation');
  });
});

describe('AttachDisk, DetachDisk', () => {
  it('Available → Attaching → In_use, then Detaching → Available, each taking EMULATOR_TRANSITION_MS', () => {
    const h = new Harness(1000);
    const inst = runningIn(h);
    const id = newDisk(h);
    h.call('AttachDisk', { DiskId: id, InstanceId: inst, DeleteWithInstance: 'true' });
    expect(disk(h, id)).toMatchObject({ Status: 'Attaching', InstanceId: inst, Device: '/dev/xvdb', Attachments: { Attachment: [] } });
    h.advance(1000);
    expect(disk(h, id)).toMatchObject({ Status: 'In_use', InstanceId: inst, Device: '/dev/xvdb', DeleteWithInstance: true, AttachedTime: '2024-05-01T08:00:21Z' });
    h.call('DetachDisk', { DiskId: id, InstanceId: inst });
    expect(disk(h, id)).toMatchObject({ Status: 'Detaching', InstanceId: inst });
    h.advance(1000);
    expect(disk(h, id)).toMatchObject({ Status: 'Available', InstanceId: '', Device: '', DetachedTime: '2024-05-01T08:00:22Z' });
  });

  it('refuses with ECS codes: unknown disk or instance, wrong status, another zone, a pending instance', () => {
    const h = new Harness(1000);
    const inst = runningIn(h);
    const other = runningIn(h, 'cn-hangzhou-i');
    const id = newDisk(h);
    expectEcsError(() => h.call('AttachDisk', { DiskId: 'd-bp1nope', InstanceId: inst }), 404, 'InvalidDiskId.NotFound');
    expectEcsError(() => h.call('AttachDisk', { DiskId: id, InstanceId: 'i-bp1nope' }), 404, 'InvalidInstanceId.NotFound');
    const err = expectEcsError(() => h.call('AttachDisk', { DiskId: id, InstanceId: other }), 403, 'ResourcesNotInSameZone');
    expect(err.message).toBe('The specified instance and disk are not in the same zone.');
    // Another account cannot see the disk.
    expectEcsError(() => h.call('AttachDisk', { DiskId: id, InstanceId: inst }, 'AK-B'), 404, 'InvalidDiskId.NotFound');
    const creating = newDisk(h, {}, false);
    expectEcsError(() => h.call('AttachDisk', { DiskId: creating, InstanceId: inst }), 403, 'IncorrectDiskStatus');
    const pending = h.run({ ZoneId: 'cn-hangzhou-h' })[0]!;
    expectEcsError(() => h.call('AttachDisk', { DiskId: id, InstanceId: pending }), 403, 'IncorrectInstanceStatus');
    h.call('AttachDisk', { DiskId: id, InstanceId: inst });
    expectEcsError(() => h.call('AttachDisk', { DiskId: id, InstanceId: inst }), 403, 'IncorrectDiskStatus');
    h.advance(1000);
    const again = expectEcsError(() => h.call('AttachDisk', { DiskId: id, InstanceId: inst }), 403, 'IncorrectDiskStatus');
    expect(again.message).toBe('The current disk status does not support this operation.');
  });

  it('DetachDisk: never the system disk (DiskTypeViolation), only from its instance (DependencyViolation), only In_use', () => {
    const h = new Harness(1000);
    const inst = runningIn(h);
    const other = runningIn(h);
    const sys = diskOf(h, inst, 'system')[0]!.DiskId as string;
    const err = expectEcsError(() => h.call('DetachDisk', { DiskId: sys, InstanceId: inst }), 403, 'DiskTypeViolation');
    expect(err.message).toBe('The specified disk is a system disk and cannot support the operation.');
    const id = newDisk(h);
    expectEcsError(() => h.call('DetachDisk', { DiskId: id, InstanceId: inst }), 403, 'IncorrectDiskStatus');
    h.call('AttachDisk', { DiskId: id, InstanceId: inst });
    h.advance(1000);
    expectEcsError(() => h.call('DetachDisk', { DiskId: id, InstanceId: other }), 403, 'DependencyViolation');
    expectEcsError(() => h.call('DetachDisk', { DiskId: id, InstanceId: 'i-bp1nope' }), 404, 'InvalidInstanceId.NotFound');
    expect(disk(h, id).Status).toBe('In_use');
  });
});

describe('ResizeDisk, DeleteDisk', () => {
  it('ResizeDisk grows an Available or In_use disk; not smaller or equal (InvalidDiskSize), not past the maximum', () => {
    const h = new Harness();
    const inst = runningIn(h);
    const sys = diskOf(h, inst, 'system')[0]!.DiskId as string;
    const id = newDisk(h, { Size: '40' });
    const err = expectEcsError(() => h.call('ResizeDisk', { DiskId: id, NewSize: '40' }), 403, 'InvalidDiskSize');
    expect(err.message).toBe('Specified new disk size is less than or equal the original disk size.');
    expectEcsError(() => h.call('ResizeDisk', { DiskId: id, NewSize: '30' }), 403, 'InvalidDiskSize');
    expectEcsError(() => h.call('ResizeDisk', { DiskId: id, NewSize: '70000' }), 400, 'InvalidDataDiskSize.ValueNotSupported');
    h.call('ResizeDisk', { DiskId: id, NewSize: '80' });
    expect(disk(h, id).Size).toBe(80);
    h.call('ResizeDisk', { DiskId: sys, NewSize: '100', Type: 'online' });
    expect(disk(h, sys).Size).toBe(100);
    expectEcsError(() => h.call('ResizeDisk', { DiskId: sys, NewSize: '4096' }), 400, 'InvalidSystemDiskSize.ValueNotSupported');
    const creating = newDisk(h, {}, false);
    expectEcsError(() => h.call('ResizeDisk', { DiskId: creating, NewSize: '100' }), 403, 'IncorrectDiskStatus');
  });

  it('DeleteDisk releases an Available disk; an In_use one is IncorrectDiskStatus, a system disk DiskTypeViolation', () => {
    const h = new Harness();
    const inst = runningIn(h);
    const sys = diskOf(h, inst, 'system')[0]!.DiskId as string;
    expectEcsError(() => h.call('DeleteDisk', { DiskId: sys }), 403, 'DiskTypeViolation');
    const id = newDisk(h);
    h.call('AttachDisk', { DiskId: id, InstanceId: inst });
    h.advance(10_000);
    expectEcsError(() => h.call('DeleteDisk', { DiskId: id }), 403, 'IncorrectDiskStatus');
    h.call('DetachDisk', { DiskId: id, InstanceId: inst });
    h.advance(10_000);
    expect(h.call('DeleteDisk', { DiskId: id })).toEqual({});
    expect(disks(h, { DiskIds: JSON.stringify([id]) })).toEqual([]);
    expectEcsError(() => h.call('DeleteDisk', { DiskId: id }), 404, 'InvalidDiskId.NotFound');
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

  const describeDisk = async (diskId: string) =>
    (await ecs.describeDisks(new $Ecs.DescribeDisksRequest({ regionId: REGION, diskIds: JSON.stringify([diskId]) }))).body?.disks?.disk?.[0];

  it('create → attach → resize → detach → delete, with the state checked after each step', async () => {
    const run = await ecs.runInstances(new $Ecs.RunInstancesRequest({ regionId: REGION, imageId: 'aliyun_3_x64_20G_alibase_20240528.vhd', instanceType: 'ecs.g6.large', zoneId: 'cn-hangzhou-h' }));
    const inst = run.body?.instanceIdSets?.instanceIdSet?.[0] as string;
    clock += 5000;
    const sys = (await ecs.describeDisks(new $Ecs.DescribeDisksRequest({ regionId: REGION, instanceId: inst }))).body?.disks?.disk ?? [];
    expect(sys.map((d) => [d.type, d.status, d.device, d.deleteWithInstance])).toEqual([['system', 'In_use', '/dev/xvda', true]]);

    const created = await ecs.createDisk(new $Ecs.CreateDiskRequest({ regionId: REGION, zoneId: 'cn-hangzhou-h', size: 40, diskCategory: 'cloud_essd', diskName: 'sdk-disk' }));
    const id = created.body?.diskId as string;
    expect((await describeDisk(id))?.status).toBe('Creating');
    clock += 1000;
    expect(await describeDisk(id)).toMatchObject({ status: 'Available', diskName: 'sdk-disk', size: 40, category: 'cloud_essd', zoneId: 'cn-hangzhou-h' });

    await ecs.attachDisk(new $Ecs.AttachDiskRequest({ diskId: id, instanceId: inst }));
    expect((await describeDisk(id))?.status).toBe('Attaching');
    clock += 1000;
    expect(await describeDisk(id)).toMatchObject({ status: 'In_use', instanceId: inst, device: '/dev/xvdb' });
    await expect(ecs.attachDisk(new $Ecs.AttachDiskRequest({ diskId: id, instanceId: inst }))).rejects.toMatchObject({ code: 'IncorrectDiskStatus', statusCode: 403 });

    await ecs.resizeDisk(new $Ecs.ResizeDiskRequest({ diskId: id, newSize: 60, type: 'online' }));
    expect((await describeDisk(id))?.size).toBe(60);
    await expect(ecs.resizeDisk(new $Ecs.ResizeDiskRequest({ diskId: id, newSize: 50 }))).rejects.toMatchObject({ code: 'InvalidDiskSize', statusCode: 403 });

    await expect(ecs.detachDisk(new $Ecs.DetachDiskRequest({ diskId: sys[0]!.diskId, instanceId: inst }))).rejects.toMatchObject({ code: 'DiskTypeViolation', statusCode: 403 });
    await expect(ecs.deleteDisk(new $Ecs.DeleteDiskRequest({ diskId: id }))).rejects.toMatchObject({ code: 'IncorrectDiskStatus' });
    await ecs.detachDisk(new $Ecs.DetachDiskRequest({ diskId: id, instanceId: inst }));
    expect((await describeDisk(id))?.status).toBe('Detaching');
    clock += 1000;
    expect(await describeDisk(id)).toMatchObject({ status: 'Available', instanceId: '' });

    const del = await ecs.deleteDisk(new $Ecs.DeleteDiskRequest({ diskId: id }));
    expect(Object.keys(del.body?.toMap() ?? {})).toEqual(['RequestId']);
    expect(await describeDisk(id)).toBeUndefined();
    await expect(ecs.deleteDisk(new $Ecs.DeleteDiskRequest({ diskId: id }))).rejects.toMatchObject({ code: 'InvalidDiskId.NotFound', statusCode: 404 });

    await ecs.deleteInstances(new $Ecs.DeleteInstancesRequest({ regionId: REGION, instanceId: [inst], force: true }));
    expect((await ecs.describeDisks(new $Ecs.DescribeDisksRequest({ regionId: REGION, instanceId: inst }))).body?.disks?.disk).toEqual([]);
  });
});
