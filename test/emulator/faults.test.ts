/**
 * Fault injection over HTTP (`/__emulator/faults`) and reset (`/__emulator/reset`), as the
 * official SDKs experience them.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { rawRequest, TEST_KEY } from './helpers.js';
import { $Ecs, v1Client, v3Client } from './sdk-clients.js';

/** The emulator's latency sleeps (node:timers/promises setTimeout), held until the test wakes them. */
const sleeps = vi.hoisted(() => {
  type Sleep = { ms: number; wake: () => void };
  const begun: Sleep[] = [];
  const waiting: Array<(sleep: Sleep) => void> = [];
  return {
    started(sleep: Sleep) {
      const waiter = waiting.shift();
      if (waiter) waiter(sleep);
      else begun.push(sleep);
    },
    /** Resolves with the next sleep once it has begun. */
    next: () => new Promise<Sleep>((resolve) => {
      const sleep = begun.shift();
      if (sleep) resolve(sleep);
      else waiting.push(resolve);
    }),
  };
});
vi.mock('node:timers/promises', async (importOriginal) => ({
  ...(await importOriginal<typeof import('node:timers/promises')>()),
  setTimeout: (ms: number) => new Promise<void>((wake) => sleeps.started({ ms, wake })),
}));

let emu: RunningEmulator;
let draws: number[] = [];
beforeAll(async () => {
  emu = await startEmulator({ port: 0, transitionMs: 0, accessKeys: [TEST_KEY], faults: true, random: () => draws.shift() ?? 0.99 });
});
afterAll(() => emu.close());
beforeEach(async () => {
  draws = [];
  await rawRequest(emu.url, { method: 'DELETE', path: '/__emulator/faults' });
});

const inject = (rule: unknown) =>
  rawRequest(emu.url, { method: 'POST', path: '/__emulator/faults', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rule) });
const regionsV3 = () => v3Client(emu.url, TEST_KEY).describeRegions(new $Ecs.DescribeRegionsRequest({}));
const regionsV1 = () => v1Client(emu.url, TEST_KEY).request<{ RequestId: string }>('DescribeRegions', {});

describe('fault modes', () => {
  it('throttle: Throttling.User 400 with x-acs-retry-after, surfaced by the V3 SDK as ThrottlingError', async () => {
    expect((await inject({ mode: 'throttle', count: 2, retryAfterMs: 1234 })).status).toBe(200);
    await expect(regionsV3()).rejects.toMatchObject({ name: 'ThrottlingError', code: 'Throttling.User', statusCode: 400, retryAfter: 1234 });
    await expect(regionsV1()).rejects.toMatchObject({ code: 'Throttling.User' });
    expect((await regionsV3()).statusCode).toBe(200);
  });

  it('unavailable: ServiceUnavailable 503; internal: InternalError 500', async () => {
    await inject([{ mode: 'unavailable' }, { mode: 'internal' }]);
    await expect(regionsV3()).rejects.toMatchObject({ code: 'ServiceUnavailable', statusCode: 503 });
    await expect(regionsV3()).rejects.toMatchObject({ code: 'InternalError', statusCode: 500 });
    expect((await regionsV1()).RequestId).toBeTruthy();
  });

  it('latency: holds the answer for latencyMs, then answers', async () => {
    await inject({ mode: 'latency', count: 1, latencyMs: 300 });
    const call = regionsV3();
    const first = await Promise.race([sleeps.next(), call.then(() => 'answered without waiting')]);
    if (typeof first === 'string') throw new Error(first);
    expect(first.ms).toBe(300);
    first.wake();
    expect((await call).statusCode).toBe(200);
    // count 1: the next call is not held.
    expect((await regionsV3()).statusCode).toBe(200);
  });

  it('drop: destroys the socket without an answer', async () => {
    await inject({ mode: 'drop', count: 1 });
    await expect(regionsV1()).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect((await regionsV1()).RequestId).toBeTruthy();
  });

  it('rate: affects the share of calls whose random draw falls below it, until cleared', async () => {
    await inject({ mode: 'unavailable', rate: 0.5 });
    draws = [0.2, 0.7, 0.4, 0.9];
    const outcomes = [];
    for (let i = 0; i < 4; i++) outcomes.push(await regionsV3().then(() => 'ok', (e: { code: string }) => e.code));
    expect(outcomes).toEqual(['ServiceUnavailable', 'ok', 'ServiceUnavailable', 'ok']);
    const listed = JSON.parse((await rawRequest(emu.url, { path: '/__emulator/faults' })).body);
    expect(listed).toEqual({ faults: [{ mode: 'unavailable', rate: 0.5 }] });
    await rawRequest(emu.url, { method: 'DELETE', path: '/__emulator/faults' });
    draws = [0.1];
    expect((await regionsV3()).statusCode).toBe(200);
  });

  it('refuses invalid rules with every problem listed, adding none of them', async () => {
    const res = await inject([{ mode: 'drop' }, { mode: 'boom', rate: 3 }]);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).problems).toEqual([
      'rule 1: mode must be one of throttle, unavailable, internal, latency, drop, reset-after',
      'rule 1: rate must be a number between 0 and 1',
    ]);
    expect((await regionsV1()).RequestId).toBeTruthy();
  });
});

describe('reset', () => {
  it('forgets every instance and fault', async () => {
    const ecs = v3Client(emu.url, TEST_KEY);
    await ecs.runInstances(
      new $Ecs.RunInstancesRequest({ regionId: 'cn-hangzhou', imageId: 'aliyun_3_x64_20G_alibase_20240528.vhd', instanceType: 'ecs.g6.large' }),
    );
    const count = async () =>
      (await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou' }))).body?.totalCount;
    expect(await count()).toBe(1);
    await inject({ mode: 'internal', count: 5 });
    expect((await rawRequest(emu.url, { method: 'POST', path: '/__emulator/reset' })).status).toBe(200);
    expect(await count()).toBe(0);
  });
});
