/**
 * The inventory against the real emulator under an EMULATOR_QPS quota: the emulator throttles the excess
 * with Throttling.User and x-acs-retry-after, the gateway's limiter backs off and retries, and the
 * inventory completes with every region and no failed one. One clock, injected into both: the limiter's
 * sleeps move it forward (they return at once), and the emulator's token buckets refill by it, so nothing
 * here waits for real time.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, DEMO_ACCESS_KEY, type RunningEmulator } from '../../src/emulator/server.js';
import { buildApp } from '../../src/gateway/app.js';
import { loadConfig } from '../../src/gateway/config.js';
import { LogCapture } from '../support/gateway.js';

const QPS = 3;
/** Regions with more than one page (100 a page), and the instance count of every other region. */
const BIG: Record<string, number> = { 'cn-hangzhou': 150, 'cn-beijing': 120 };
const SMALL = 2;

let emulator: RunningEmulator;
let gateway: FastifyInstance;
let base = '';
const emulatorLog: string[] = [];
const slept: number[] = [];
// The signing timestamps are real (the gateway signs with the real date): the shared clock starts at the real time.
const start = Date.now();
let advanced = 0;
const now = () => start + advanced;

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0, accessKeys: [DEMO_ACCESS_KEY], transitionMs: 0, now,
    qps: { byAction: { DescribeInstances: QPS, DescribeRegions: QPS } },
    logger: (line) => emulatorLog.push(line),
  });
  const regions = emulator.state.call('DescribeRegions', {}, { account: DEMO_ACCESS_KEY.accessKeyId }) as { Regions: { Region: Array<{ RegionId: string }> } };
  for (const { RegionId } of regions.Regions.Region) {
    for (let left = BIG[RegionId] ?? SMALL; left > 0; left -= 100) {
      emulator.state.call('RunInstances', {
        RegionId, ImageId: 'aliyun_3_x64_20G_alibase_20240528.vhd', InstanceType: 'ecs.g7.large', Amount: String(Math.min(100, left)),
      }, { account: DEMO_ACCESS_KEY.accessKeyId });
    }
  }
  const config = loadConfig({ ECS_UPSTREAM_URL: emulator.url, LOG_LEVEL: 'warn', ECS_TIMEOUT_MS: '60000' }, { homeDir: '/nonexistent' });
  gateway = await buildApp({
    config, logStream: new LogCapture(),
    jobs: { now, random: () => 0.5, sleep: async (ms) => { slept.push(ms); advanced += ms; } },
  });
  await gateway.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await gateway?.close();
  await emulator?.close();
});

describe('inventory under EMULATOR_QPS', () => {
  it('is throttled, backs off, and completes with every region and no failed one', async () => {
    const res = await fetch(`${base}/api/inventory/instances?items=false`, {
      headers: { 'x-access-key-id': DEMO_ACCESS_KEY.accessKeyId, 'x-access-key-secret': DEMO_ACCESS_KEY.accessKeySecret },
    });
    const body = await res.json() as { total: number; groups: Record<string, number>; regions: { ok: string[]; failed: unknown[] } };
    expect(res.status).toBe(200);
    expect(body.regions.failed).toEqual([]);
    expect(body.regions.ok).toHaveLength(29);
    expect(body.groups['cn-hangzhou']).toBe(150);
    expect(body.groups['cn-beijing']).toBe(120);
    expect(body.total).toBe(150 + 120 + 27 * SMALL);
    // The quota did bite: the emulator refused calls with Throttling.User, and the gateway waited them out.
    const throttled = emulatorLog.filter((l) => / DescribeInstances 400 /.test(l));
    expect(throttled.length).toBeGreaterThan(0);
    expect(slept.length).toBeGreaterThan(0);
    // Every refused call was made again and then served: 29 first pages + 2 second pages.
    expect(emulatorLog.filter((l) => / DescribeInstances 200 /.test(l))).toHaveLength(31);
  });
});
