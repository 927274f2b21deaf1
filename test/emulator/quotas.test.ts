/**
 * EMULATOR_QPS: per-account, per-action token buckets, refused with ECS's Throttling.User (400) and
 * x-acs-retry-after. The clock is injected: nothing here waits for real time.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadEmulatorConfig, EmulatorConfigError } from '../../src/emulator/config.js';
import { parseQps, RateQuotas } from '../../src/emulator/quotas.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { rawRequest, TEST_KEY } from './helpers.js';
import { $Ecs, v1Client, v3Client } from './sdk-clients.js';

describe('parseQps (EMULATOR_QPS)', () => {
  it('reads Action=n pairs and * for every other action', () => {
    const problems: string[] = [];
    expect(parseQps('DescribeInstances=20, DescribeDisks=10,*=50', problems)).toEqual({
      byAction: { DescribeInstances: 20, DescribeDisks: 10 },
      other: 50,
    });
    expect(parseQps('DescribeRegions=0.5', problems)).toEqual({ byAction: { DescribeRegions: 0.5 } });
    expect(parseQps('', problems)).toBeUndefined();
    expect(parseQps(undefined, problems)).toBeUndefined();
    expect(problems).toEqual([]);
  });

  it('names every bad entry, through loadEmulatorConfig, at once', () => {
    let problems: string[] = [];
    try {
      loadEmulatorConfig({ EMULATOR_QPS: 'DescribeInstances=0,Describe Disks=3,DescribeDisks=x,*=1,*=2,Foo=1,Foo=2' });
    } catch (err) {
      expect(err).toBeInstanceOf(EmulatorConfigError);
      problems = (err as EmulatorConfigError).problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(/^EMULATOR_QPS entry 1 must be Action=calls-per-second .*got "DescribeInstances=0"/),
      expect.stringMatching(/^EMULATOR_QPS entry 2 .*got "Describe Disks=3"/),
      expect.stringMatching(/^EMULATOR_QPS entry 3 .*got "DescribeDisks=x"/),
      'EMULATOR_QPS names * twice',
      'EMULATOR_QPS names Foo twice',
    ]);
  });

  it('is part of the configuration when set, absent when not', () => {
    expect(loadEmulatorConfig({ EMULATOR_QPS: 'DescribeInstances=20' }).qps).toEqual({ byAction: { DescribeInstances: 20 } });
    expect(loadEmulatorConfig({}).qps).toBeUndefined();
    expect(loadEmulatorConfig({ EMULATOR_QPS: '' }).qps).toBeUndefined();
  });
});

describe('RateQuotas', () => {
  it('lets a full bucket of calls through, then refuses with the ms until the next token', () => {
    let now = 1_000_000;
    const quotas = new RateQuotas({ byAction: { DescribeInstances: 20 } }, () => now);
    for (let i = 0; i < 20; i++) expect(quotas.take('acct', 'DescribeInstances')).toBeUndefined();
    expect(quotas.take('acct', 'DescribeInstances')).toBe(50);
    now += 30;
    // 30 ms refill 0.6 of a token: 20 ms to go. A refused call takes nothing.
    expect(quotas.take('acct', 'DescribeInstances')).toBe(20);
    now += 20;
    expect(quotas.take('acct', 'DescribeInstances')).toBeUndefined();
    expect(quotas.take('acct', 'DescribeInstances')).toBe(50);
  });

  it('counts each account and each action on its own; unlisted actions are unlimited without *', () => {
    const quotas = new RateQuotas({ byAction: { DescribeInstances: 1, DescribeDisks: 1 } }, () => 0);
    expect(quotas.take('a', 'DescribeInstances')).toBeUndefined();
    expect(quotas.take('a', 'DescribeInstances')).toBe(1000);
    expect(quotas.take('b', 'DescribeInstances')).toBeUndefined();
    expect(quotas.take('a', 'DescribeDisks')).toBeUndefined();
    for (let i = 0; i < 100; i++) expect(quotas.take('a', 'DescribeRegions')).toBeUndefined();
  });

  it('gives * to every action not named, each action its own bucket', () => {
    const quotas = new RateQuotas({ byAction: { DescribeInstances: 3 }, other: 1 }, () => 0);
    expect(quotas.quotaOf('DescribeInstances')).toBe(3);
    expect(quotas.quotaOf('DescribeDisks')).toBe(1);
    expect(quotas.take('a', 'DescribeDisks')).toBeUndefined();
    expect(quotas.take('a', 'DescribeDisks')).toBe(1000);
    expect(quotas.take('a', 'DescribeRegions')).toBeUndefined();
    expect(quotas.take('a', 'DescribeInstances')).toBeUndefined();
    expect(quotas.take('a', 'DescribeInstances')).toBeUndefined();
  });

  it('never holds more than one second of tokens, however long it was idle', () => {
    let now = 0;
    const quotas = new RateQuotas({ byAction: { X: 2 } }, () => now);
    now = 3_600_000;
    expect(quotas.take('a', 'X')).toBeUndefined();
    expect(quotas.take('a', 'X')).toBeUndefined();
    expect(quotas.take('a', 'X')).toBe(500);
  });
});

describe('EMULATOR_QPS over HTTP', () => {
  let emu: RunningEmulator;
  // The clock also checks signature timestamps, so it starts at the real time; it only moves when a test moves it.
  let now = Date.now();
  const other = { accessKeyId: 'other-key-id', accessKeySecret: 'other-key-secret' };
  beforeAll(async () => {
    emu = await startEmulator({
      port: 0, transitionMs: 0, accessKeys: [TEST_KEY, other], faults: true, now: () => now,
      qps: { byAction: { DescribeRegions: 2 } },
    });
  });
  afterAll(() => emu.close());
  beforeEach(async () => {
    await rawRequest(emu.url, { method: 'POST', path: '/__emulator/reset' });
  });

  const regionsV3 = (key: { accessKeyId: string; accessKeySecret: string } = TEST_KEY) => v3Client(emu.url, key).describeRegions(new $Ecs.DescribeRegionsRequest({}));

  it('answers the excess with Throttling.User, HTTP 400 and x-acs-retry-after, as the V3 SDK expects', async () => {
    expect((await regionsV3()).statusCode).toBe(200);
    expect((await regionsV3()).statusCode).toBe(200);
    await expect(regionsV3()).rejects.toMatchObject({ name: 'ThrottlingError', code: 'Throttling.User', statusCode: 400, retryAfter: 500 });
    // Another account has its own bucket; another action is not limited.
    expect((await regionsV3(other)).statusCode).toBe(200);
    const zones = await v3Client(emu.url, TEST_KEY).describeZones(new $Ecs.DescribeZonesRequest({ regionId: 'cn-hangzhou' }));
    expect(zones.statusCode).toBe(200);
    now += 500;
    expect((await regionsV3()).statusCode).toBe(200);
  });

  it('renders the real error body to V1 callers too (JSON, the ECS shape)', async () => {
    const client = v1Client(emu.url, TEST_KEY);
    await client.request('DescribeRegions', {});
    await client.request('DescribeRegions', {});
    await expect(client.request('DescribeRegions', {})).rejects.toMatchObject({
      code: 'Throttling.User',
      message: expect.stringContaining('Request was denied due to user flow control.'),
    });
  });

  it('reset empties the buckets', async () => {
    await regionsV3();
    await regionsV3();
    await expect(regionsV3()).rejects.toMatchObject({ code: 'Throttling.User' });
    await rawRequest(emu.url, { method: 'POST', path: '/__emulator/reset' });
    expect((await regionsV3()).statusCode).toBe(200);
  });
});
