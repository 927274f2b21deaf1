/**
 * The `reset-after` fault (the call runs, its answer is lost to a connection reset) and the
 * `/__emulator/stats` counters a resilience suite reads to prove that no write was duplicated.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseFaultRule } from '../../src/emulator/faults.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { rawRequest, TEST_KEY } from './helpers.js';
import { v1Client } from './sdk-clients.js';

/** The emulator's latency sleeps, held until the test wakes them (so a call can be caught in flight). */
const sleeps = vi.hoisted(() => {
  const waiting: Array<() => void> = [];
  const started: Array<() => void> = [];
  return {
    waiting,
    /** Resolves once a sleep has begun. */
    begun: () => new Promise<void>((resolve) => started.push(resolve)),
    start(wake: () => void) {
      waiting.push(wake);
      started.shift()?.();
    },
  };
});
vi.mock('node:timers/promises', async (importOriginal) => ({
  ...(await importOriginal<typeof import('node:timers/promises')>()),
  setTimeout: () => new Promise<void>((wake) => sleeps.start(wake)),
}));

const IMAGE = 'aliyun_3_x64_20G_alibase_20240528.vhd';
const RUN = { RegionId: 'cn-hangzhou', ImageId: IMAGE, InstanceType: 'ecs.g6.large', Amount: '2' };

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, transitionMs: 0, accessKeys: [TEST_KEY], faults: true });
});
afterAll(() => emu.close());
beforeEach(async () => {
  expect((await rawRequest(emu.url, { method: 'POST', path: '/__emulator/reset' })).status).toBe(200);
});

const inject = async (rule: unknown) => {
  const res = await rawRequest(emu.url, { method: 'POST', path: '/__emulator/faults', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rule) });
  expect(res.status, res.body).toBe(200);
};
const stats = async () => JSON.parse((await rawRequest(emu.url, { path: '/__emulator/stats' })).body);
type RunAnswer = { InstanceIdSets: { InstanceIdSet: string[] } };
const run = (params: Record<string, string>) => v1Client(emu.url, TEST_KEY).request<RunAnswer>('RunInstances', params, { method: 'POST' });

describe('reset-after: the call runs, the answer is lost', () => {
  it('RunInstances creates its instances, the caller sees a reset; a retry with the same ClientToken answers the same IDs and creates nothing', async () => {
    await inject({ mode: 'reset-after', count: 1 });
    await expect(run({ ...RUN, ClientToken: 'tok-reset-1' })).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect((await stats()).resources.instances).toBe(2);

    const retried = await run({ ...RUN, ClientToken: 'tok-reset-1' });
    const again = await run({ ...RUN, ClientToken: 'tok-reset-1' });
    expect(retried.InstanceIdSets.InstanceIdSet).toHaveLength(2);
    expect(again.InstanceIdSets.InstanceIdSet).toEqual(retried.InstanceIdSets.InstanceIdSet);
    const s = await stats();
    expect(s.resources.instances).toBe(2);
    expect(s.byAction.RunInstances).toEqual({ reset: 1, 200: 2 });
  });

  it('without a ClientToken, the same retry creates the instances a second time (why the token matters)', async () => {
    await inject({ mode: 'reset-after', count: 1 });
    await expect(run(RUN)).rejects.toThrow(/socket hang up|ECONNRESET/);
    await run(RUN);
    expect((await stats()).resources.instances).toBe(4);
  });

  it('the same ClientToken with other parameters: 400 IdempotentParameterMismatch, nothing created', async () => {
    await inject({ mode: 'reset-after', count: 1 });
    await expect(run({ ...RUN, ClientToken: 'tok-reset-2' })).rejects.toThrow(/socket hang up|ECONNRESET/);
    await expect(run({ ...RUN, Amount: '3', ClientToken: 'tok-reset-2' })).rejects.toMatchObject({ code: 'IdempotentParameterMismatch' });
    expect((await stats()).resources.instances).toBe(2);
  });

  it('drop, by contrast, loses the call before it runs: nothing is created', async () => {
    await inject({ mode: 'drop', count: 1 });
    await expect(run({ ...RUN, ClientToken: 'tok-drop' })).rejects.toThrow(/socket hang up|ECONNRESET/);
    const s = await stats();
    expect(s.resources.instances).toBe(0);
    expect(s.byAction.RunInstances).toEqual({ dropped: 1 });
  });

  it('an error answer is lost too: the caller cannot tell what happened', async () => {
    await inject({ mode: 'reset-after', count: 1 });
    await expect(run({ ...RUN, InstanceType: 'ecs.no-such-type' })).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect((await stats()).byAction.RunInstances).toEqual({ reset: 1 });
  });

  it('is a valid mode in rules and in the listed modes', () => {
    expect(parseFaultRule({ mode: 'reset-after', rate: 0.05 })).toEqual({ mode: 'reset-after', rate: 0.05 });
    expect(parseFaultRule({ mode: 'reset-before' })).toEqual({ problems: ['mode must be one of throttle, unavailable, internal, latency, drop, reset-after'] });
  });
});

describe('GET /__emulator/stats', () => {
  it('counts calls by action and outcome, the calls in flight, and the resources', async () => {
    await run(RUN);
    await inject({ mode: 'throttle', count: 1 });
    await expect(run(RUN)).rejects.toMatchObject({ code: 'Throttling.User' });
    await inject({ mode: 'latency', count: 1, latencyMs: 5 });
    const begun = sleeps.begun();
    const held = v1Client(emu.url, TEST_KEY).request('DescribeRegions', {});
    await begun;
    const during = await stats();
    expect(during.inFlight).toBe(1);
    sleeps.waiting.shift()!();
    await held;
    const after = await stats();
    expect(after).toEqual({
      inFlight: 0,
      calls: 3,
      byAction: { DescribeRegions: { 200: 1 }, RunInstances: { 200: 1, 400: 1 } },
      resources: { instances: 2, disks: expect.any(Number), snapshots: 0, images: 0, clientTokens: 0 },
    });
  });

  it('is reset with the state', async () => {
    await run(RUN);
    await rawRequest(emu.url, { method: 'POST', path: '/__emulator/reset' });
    expect(await stats()).toMatchObject({ calls: 0, byAction: {}, resources: { instances: 0 } });
  });

  it('is 404 when fault control is off', async () => {
    const closed = await startEmulator({ port: 0, transitionMs: 0, accessKeys: [TEST_KEY] });
    try {
      expect((await rawRequest(closed.url, { path: '/__emulator/stats' })).status).toBe(404);
    } finally {
      await closed.close();
    }
  });
});
