/**
 * Helpers of the storage tests (disks, snapshots, custom images) over the Harness.
 */
import { Harness, REGION } from './helpers.js';

export type Row = Record<string, unknown>;

/** DescribeDisks rows (PageSize 100) of the account in cn-hangzhou. */
export function disks(h: Harness, params: Record<string, string> = {}, account = 'AK-A'): Row[] {
  const body = h.call('DescribeDisks', { RegionId: REGION, PageSize: '100', ...params }, account);
  return (body.Disks as { Disk: Row[] }).Disk;
}

/** One disk as DescribeDisks shows it. */
export function disk(h: Harness, diskId: string, account = 'AK-A'): Row {
  const row = disks(h, { DiskIds: JSON.stringify([diskId]) }, account)[0];
  if (!row) throw new Error(`no disk ${diskId}`);
  return row;
}

/** The system disk and the data disks of an instance. */
export function diskOf(h: Harness, instanceId: string, type: 'system' | 'data'): Row[] {
  return disks(h, { InstanceId: instanceId, DiskType: type });
}

/** CreateDisk in cn-hangzhou-h (20 GiB cloud_essd unless told), settled to Available; returns its ID. */
export function newDisk(h: Harness, extra: Record<string, string> = {}, settle = true): string {
  const id = h.call('CreateDisk', { RegionId: REGION, ZoneId: 'cn-hangzhou-h', Size: '20', DiskCategory: 'cloud_essd', ...extra }).DiskId as string;
  if (settle) h.advance(10_000);
  return id;
}

/** A Running instance in cn-hangzhou-h. */
export function runningIn(h: Harness, zoneId = 'cn-hangzhou-h', extra: Record<string, string> = {}): string {
  return h.running(1, { ZoneId: zoneId, ...extra })[0]!;
}

/** DescribeSnapshots rows of the account in cn-hangzhou. */
export function snapshots(h: Harness, params: Record<string, string> = {}, account = 'AK-A'): Row[] {
  const body = h.call('DescribeSnapshots', { RegionId: REGION, PageSize: '100', ...params }, account);
  return (body.Snapshots as { Snapshot: Row[] }).Snapshot;
}

/** DescribeImages rows of the account's own images (Status given or Available). */
export function ownImages(h: Harness, params: Record<string, string> = {}, account = 'AK-A'): Row[] {
  const body = h.call('DescribeImages', { RegionId: REGION, ImageOwnerAlias: 'self', PageSize: '100', ...params }, account);
  return (body.Images as { Image: Row[] }).Image;
}
