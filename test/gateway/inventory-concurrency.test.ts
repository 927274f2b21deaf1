/**
 * The two limits of an inventory (src/gateway/jobs/context.ts): GATEWAY_FANOUT_CONCURRENCY regions at a time,
 * and GATEWAY_ACTION_CONCURRENCY calls in flight per account and action over every job of the process. Every
 * DescribeInstances answer is held until the test releases it, one at a time, so the peak of calls in flight
 * is read from the upstream's own arrivals, not from timing.
 */
import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CREDS, testGateway } from '../support/gateway.js';
import { FakeUpstream, gate, type CapturedRequest, type UpstreamReply } from '../support/upstream.js';

/** `regions` regions of `perRegion` instances each; PageSize 100, so one page per region while perRegion ≤ 100. */
function fleetReply(regions: string[], perRegion: number, held: Array<() => void>, arrived: CapturedRequest[]) {
  return (req: CapturedRequest): UpstreamReply => {
    if (req.action === 'DescribeRegions') {
      return { body: { RequestId: 'R-REGIONS', Regions: { Region: regions.map((RegionId) => ({ RegionId, LocalName: RegionId })) } } };
    }
    const regionId = req.params.RegionId ?? '';
    const size = Number(req.params.PageSize ?? 10);
    const page = Number(req.params.PageNumber ?? 1);
    const all = Array.from({ length: perRegion }, (_, i) => ({ InstanceId: `i-${regionId}-${i}`, RegionId: regionId, Status: 'Running' }));
    const g = gate();
    held.push(g.open);
    arrived.push(req);
    return { body: { RequestId: `R-${regionId}-${page}`, Instances: { Instance: all.slice((page - 1) * size, page * size) }, TotalCount: perRegion, PageNumber: page, PageSize: size }, until: g.promise };
  };
}

let upstream: FakeUpstream;
let app: FastifyInstance | undefined;
beforeEach(async () => { upstream = await new FakeUpstream().start(); });
afterEach(async () => {
  await app?.close();
  app = undefined;
  await upstream.close();
});

/**
 * Runs an inventory over `regions`, releasing held answers one at a time, the oldest first, each once `cap`
 * calls are held (or every call left is); returns the most calls ever held at once and the answer. A limit
 * wider than `cap` shows as a peak over it: the extra calls arrive while none of them is released.
 */
async function inventoryPeak(env: Record<string, string>, regions: string[], perRegion: number, cap: number): Promise<{ peak: number; body: Record<string, unknown>; calls: number }> {
  const held: Array<() => void> = [];
  const arrived: CapturedRequest[] = [];
  upstream.reply = fleetReply(regions, perRegion, held, arrived);
  ({ app } = await testGateway(upstream.url, env));
  const pending = request(app.server).get(`/api/inventory/instances?${new URLSearchParams(CREDS)}&items=false`).then((r) => r);
  let released = 0;
  let peak = 0;
  const expected = regions.length * Math.max(1, Math.ceil(perRegion / 100));
  while (released < expected) {
    // Wait until `cap` calls are held (every arrival so far, less those released), or all that are left.
    await vi.waitFor(() => expect(arrived.length).toBeGreaterThanOrEqual(Math.min(expected, released + cap)), { timeout: 10_000, interval: 2 });
    peak = Math.max(peak, arrived.length - released);
    held[released]!();
    released++;
  }
  const res = await pending;
  expect(res.status).toBe(200);
  peak = Math.max(peak, arrived.length - released);
  return { peak, body: res.body as Record<string, unknown>, calls: arrived.length };
}

describe('inventory concurrency', () => {
  it('GATEWAY_ACTION_CONCURRENCY caps the calls in flight per account and action below the regions in flight', async () => {
    const regions = Array.from({ length: 7 }, (_, i) => `region-${i + 1}`);
    const { peak, body, calls } = await inventoryPeak({ GATEWAY_FANOUT_CONCURRENCY: '8', GATEWAY_ACTION_CONCURRENCY: '3' }, regions, 2, 3);
    expect(calls).toBe(7);
    expect(peak).toBe(3);
    expect(body).toMatchObject({ total: 14, regions: { ok: regions, failed: [] } });
  });

  it('GATEWAY_FANOUT_CONCURRENCY caps the regions listed at once, under a wider action limit', async () => {
    const regions = Array.from({ length: 7 }, (_, i) => `region-${i + 1}`);
    const { peak, calls } = await inventoryPeak({ GATEWAY_FANOUT_CONCURRENCY: '2', GATEWAY_ACTION_CONCURRENCY: '32' }, regions, 2, 2);
    expect(calls).toBe(7);
    expect(peak).toBe(2);
  });

  it('by default (8 regions, 32 calls) lists 8 regions at once', async () => {
    const regions = Array.from({ length: 10 }, (_, i) => `region-${i + 1}`);
    const { peak, calls } = await inventoryPeak({}, regions, 1, 8);
    expect(calls).toBe(10);
    expect(peak).toBe(8);
  });
});
