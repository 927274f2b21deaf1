/**
 * The inventory job on its own (jobs/inventory.ts): fan-out with bounded concurrency, counting, partial
 * and total failure. Regions and pages are fakes whose answers the test releases by hand.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, GatewayError } from '../../src/gateway/errors.js';
import { NO_VALUE, parseGroupBy, runInventory, type InventoryDeps, type Item } from '../../src/gateway/jobs/inventory.js';
import { gate } from '../support/upstream.js';

const inst = (id: string, extra: Item = {}): Item => ({ InstanceId: id, Status: 'Running', InstanceType: 'ecs.g7.large', ZoneId: 'z-a', VpcAttributes: { VpcId: 'vpc-1' }, ...extra });

function deps(fleet: Record<string, Item[] | GatewayError>, concurrency = 8): InventoryDeps & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    concurrency,
    listRegions: async () => Object.keys(fleet),
    pageRegion: async (regionId) => {
      calls.push(regionId);
      const answer = fleet[regionId];
      if (answer instanceof GatewayError) throw answer;
      return answer ?? [];
    },
  };
}

describe('runInventory', () => {
  it('counts by region, every region that answered a key, zeros included, in region order', async () => {
    const d = deps({ 'cn-hangzhou': [inst('i-1'), inst('i-2')], 'cn-qingdao': [], 'cn-beijing': [inst('i-3', { RegionId: 'cn-beijing' })] });
    const { result, items } = await runInventory({ kind: 'instances', groupBy: { key: 'region' } }, d);
    expect(result).toEqual({
      kind: 'instances', total: 3, groupBy: 'region',
      groups: { 'cn-hangzhou': 2, 'cn-qingdao': 0, 'cn-beijing': 1 },
      regions: { ok: ['cn-hangzhou', 'cn-qingdao', 'cn-beijing'], failed: [] },
    });
    expect(Object.keys(result.groups)).toEqual(['cn-hangzhou', 'cn-qingdao', 'cn-beijing']);
    // RegionId is added where ECS left it out, kept where it gave it.
    expect(items.map((i) => [i.InstanceId, i.RegionId])).toEqual([['i-1', 'cn-hangzhou'], ['i-2', 'cn-hangzhou'], ['i-3', 'cn-beijing']]);
  });

  it('counts by status, instanceType, zoneId, vpcId and tag; an item without the key counts under (none)', async () => {
    const fleet = {
      r1: [inst('i-1', { Status: 'Stopped', Tags: { Tag: [{ TagKey: 'env', TagValue: 'prod' }] } }), inst('i-2', { InstanceType: 'ecs.t6-c1m1.large', ZoneId: 'z-b', VpcAttributes: { VpcId: '' } })],
      r2: [inst('i-3', { Tags: { Tag: [{ TagKey: 'env', TagValue: 'dev' }, { TagKey: 'team', TagValue: 'a' }] } })],
    };
    const count = async (raw: string) => {
      const groupBy = parseGroupBy('instances', raw);
      if ('problem' in groupBy) throw new Error(groupBy.problem);
      const { result } = await runInventory({ kind: 'instances', groupBy }, deps(fleet));
      return [result.groupBy, result.groups];
    };
    expect(await count('status')).toEqual(['status', { Stopped: 1, Running: 2 }]);
    expect(await count('instanceType')).toEqual(['instanceType', { 'ecs.g7.large': 2, 'ecs.t6-c1m1.large': 1 }]);
    expect(await count('zoneId')).toEqual(['zoneId', { 'z-a': 2, 'z-b': 1 }]);
    expect(await count('vpcId')).toEqual(['vpcId', { 'vpc-1': 2, [NO_VALUE]: 1 }]);
    expect(await count('tag:env')).toEqual(['tag:env', { prod: 1, [NO_VALUE]: 1, dev: 1 }]);
  });

  it('keepItems false: the same counts, in the same group order, whatever order the regions finish in; no items kept', async () => {
    const fleet = {
      r1: [inst('i-1', { Status: 'Stopped' }), inst('i-2', { Status: 'Starting' })],
      r2: [inst('i-3'), inst('i-4', { Status: 'Stopped' })],
      r3: [inst('i-5', { Status: 'Pending' })],
    };
    // The regions answer r3, r2, r1: each is let through once the one before it was listed. r1 answers last, and
    // its groups must still come first.
    type Region = keyof typeof fleet;
    const gates = { r1: gate(), r2: gate(), r3: gate() };
    const after: Partial<Record<Region, Region>> = { r3: 'r2', r2: 'r1' };
    const released: string[] = [];
    const seen: string[] = [];
    const kept = await runInventory({ kind: 'instances', groupBy: { key: 'status' } }, deps(fleet));
    gates.r3.open();
    const lean = await runInventory({ kind: 'instances', groupBy: { key: 'status' } }, {
      ...deps(fleet), keepItems: false,
      pageRegion: async (regionId) => {
        await gates[regionId as Region].promise;
        released.push(regionId);
        return fleet[regionId as Region];
      },
      onRegion: (regionId, list) => {
        seen.push(`${regionId}:${list.length}`);
        const next = after[regionId as Region];
        if (next) gates[next].open();
      },
    });
    expect(released).toEqual(['r3', 'r2', 'r1']);
    expect(lean.result).toEqual(kept.result);
    expect(Object.keys(lean.result.groups)).toEqual(['Stopped', 'Starting', 'Running', 'Pending']);
    expect(lean.result.total).toBe(5);
    expect(lean.items).toEqual([]);
    expect(kept.items.map((i) => i.InstanceId)).toEqual(['i-1', 'i-2', 'i-3', 'i-4', 'i-5']);
    // onRegion still sees every region's items, as each finishes.
    expect(seen).toEqual(['r3:1', 'r2:2', 'r1:2']);
  });

  it('reports a failing region with its code and message and keeps the others', async () => {
    const d = deps({
      'cn-hangzhou': [inst('i-1')],
      'me-east-1': new GatewayError(403, 'Forbidden.RAM', 'User not authorized to operate on the specified resource.'),
      'cn-qingdao': [],
    });
    const { result } = await runInventory({ kind: 'instances', groupBy: { key: 'region' } }, d);
    expect(result.regions).toEqual({
      ok: ['cn-hangzhou', 'cn-qingdao'],
      failed: [{ regionId: 'me-east-1', code: 'Forbidden.RAM', message: 'User not authorized to operate on the specified resource.' }],
    });
    expect(result.groups).toEqual({ 'cn-hangzhou': 1, 'cn-qingdao': 0 });
    expect(result.total).toBe(1);
  });

  it('fails when no region answered: their common error when they agree, 502 INVENTORY_FAILED when not', async () => {
    const ram = () => new GatewayError(403, 'Forbidden.RAM', 'not authorized');
    const same = runInventory({ kind: 'disks', groupBy: { key: 'region' } }, deps({ a: ram(), b: ram() }));
    await expect(same).rejects.toMatchObject({
      statusCode: 403, code: 'Forbidden.RAM',
      extra: { failed: [{ regionId: 'a', code: 'Forbidden.RAM', message: 'not authorized' }, { regionId: 'b', code: 'Forbidden.RAM', message: 'not authorized' }] },
    });
    const mixed = runInventory({ kind: 'disks', groupBy: { key: 'region' } }, deps({ a: ram(), b: new GatewayError(504, ErrorCode.upstreamTimeout, 'ECS did not answer') }));
    await expect(mixed).rejects.toMatchObject({
      statusCode: 502, code: 'INVENTORY_FAILED',
      extra: { failed: [{ regionId: 'a', code: 'Forbidden.RAM' }, { regionId: 'b', code: 'UPSTREAM_TIMEOUT' }] },
    });
  });

  it('passes ACTION_FORBIDDEN on as the answer (the key may not list this kind anywhere)', async () => {
    const refusal = new GatewayError(403, ErrorCode.actionForbidden, 'The key "ops" may not call DescribeDisks');
    await expect(runInventory({ kind: 'disks', groupBy: { key: 'region' } }, deps({ a: [], b: refusal }))).rejects.toBe(refusal);
  });

  it('lists only the regions asked for, without DescribeRegions', async () => {
    const d = deps({ a: [inst('i-1')], b: [inst('i-2')], c: [] });
    let listed = false;
    const { result } = await runInventory({ kind: 'instances', regions: ['c', 'a'], groupBy: { key: 'region' } }, { ...d, listRegions: async () => { listed = true; return []; } });
    expect(listed).toBe(false);
    expect(d.calls.sort()).toEqual(['a', 'c']);
    expect(result.groups).toEqual({ c: 0, a: 1 });
  });

  it('keeps at most `concurrency` regions in flight', async () => {
    const regions = Array.from({ length: 10 }, (_, i) => `r${i}`);
    let inFlight = 0;
    let most = 0;
    const releases: Array<() => void> = [];
    const d: InventoryDeps = {
      concurrency: 3,
      listRegions: async () => regions,
      pageRegion: (regionId) => {
        inFlight++;
        most = Math.max(most, inFlight);
        return new Promise((resolve) => releases.push(() => { inFlight--; resolve([inst(`i-${regionId}`)]); }));
      },
    };
    const job = runInventory({ kind: 'instances', groupBy: { key: 'region' } }, d);
    // Release one region at a time, as soon as one is waiting: the job must never have more than 3 started.
    for (let released = 0; released < regions.length; released++) {
      while (releases.length === 0) await new Promise((r) => setImmediate(r));
      expect(inFlight).toBeLessThanOrEqual(3);
      releases.shift()!();
    }
    const { result } = await job;
    expect(most).toBe(3);
    expect(result.total).toBe(10);
    expect(result.regions.ok).toEqual(regions);
  });
});

describe('parseGroupBy', () => {
  it('accepts only what the kind can be counted by, and tag:<key> for every kind', () => {
    expect(parseGroupBy('instances', 'vpcId')).toEqual({ key: 'vpcId' });
    expect(parseGroupBy('disks', 'zoneId')).toEqual({ key: 'zoneId' });
    expect(parseGroupBy('security-groups', 'tag:owner')).toEqual({ tag: 'owner' });
    expect(parseGroupBy('disks', 'instanceType')).toEqual({ problem: 'disks can be counted by region, status, zoneId, tag:<key>, not "instanceType"' });
    expect(parseGroupBy('snapshots', 'zoneId')).toMatchObject({ problem: expect.stringContaining('snapshots can be counted by region, status, tag:<key>') });
    expect(parseGroupBy('security-groups', 'status')).toMatchObject({ problem: expect.stringContaining('region, vpcId, tag:<key>') });
    expect(parseGroupBy('instances', 'tag:')).toMatchObject({ problem: expect.stringContaining('tag key') });
    expect(parseGroupBy('instances', 'colour')).toMatchObject({ problem: expect.any(String) });
  });
});
