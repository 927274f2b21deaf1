/**
 * `waitFor` end to end: the gateway in front of the real emulator, whose state transitions last
 * EMULATOR_TRANSITION_MS (2 s here). One injected clock drives both: the emulator reads it, and the gateway's
 * waiter advances it when it sleeps. So each wait follows the emulator's real state machine, and nothing
 * depends on wall-clock time.
 */
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/gateway/app.js';
import { loadConfig } from '../../src/gateway/config.js';
import { DEMO_ACCESS_KEY, startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { call } from '../support/stack.js';
import { LogCapture } from '../support/gateway.js';

const TRANSITION_MS = 2000;
const REGION = 'cn-beijing';
const H = { 'x-access-key-id': DEMO_ACCESS_KEY.accessKeyId, 'x-access-key-secret': DEMO_ACCESS_KEY.accessKeySecret };

/** The one clock: moved by the waiter's sleeps (recorded), and by the test where it says so. */
const clock = {
  t: Date.now(),
  slept: [] as number[],
  now: () => clock.t,
  random: () => 0.5,
  sleep: async (ms: number) => {
    clock.slept.push(ms);
    clock.t += ms;
  },
};

let emulator: RunningEmulator;
let gateway: FastifyInstance;
let base: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, accessKeys: [DEMO_ACCESS_KEY], transitionMs: TRANSITION_MS, now: clock.now });
  const config = loadConfig({ ECS_UPSTREAM_URL: emulator.url, LOG_LEVEL: 'silent', ECS_TIMEOUT_MS: '60000', GATEWAY_MAX_WAIT_MS: '30000' }, { homeDir: '/nonexistent' });
  gateway = await buildApp({ config, logStream: new LogCapture(), wait: clock });
  await gateway.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await gateway?.close();
  await emulator?.close();
});

const send = (method: string, path: string, body?: Record<string, unknown>) => call(base, method, `/api${path}`, body, H);

describe('waitFor against the emulator', () => {
  let id = '';
  let zone = '';

  it('create → Running: through Pending and Starting', async () => {
    clock.slept = [];
    const res = await send('POST', '/instances', { regionId: REGION, imageId: 'aliyun_2_1903_x64_20G_alibase_20220408.vhd', instanceType: 'ecs.t1.xsmall', hostName: 'waiter-1', waitFor: 'Running' });
    expect(res.status).toBe(200);
    id = res.json.data.value.body.InstanceIdSets.InstanceIdSet[0];
    // 0: Pending, 750: Pending, 2250: Starting, 5250: Running (Running from 4000).
    expect(res.json.data.value.wait).toEqual({ waitFor: 'Running', reached: true, resource: 'instance', polls: 4, elapsedMs: 5250, states: [{ id, status: 'Running' }] });
    expect(clock.slept).toEqual([750, 1500, 3000]);
  });

  it('stop → Stopped; then a wait for Running on the Stopped instance is 409 at once', async () => {
    const stop = await send('PUT', '/instances/stop', { regionId: REGION, instanceIds: [id], waitFor: 'Stopped' });
    expect(stop.status).toBe(200);
    expect(stop.json.data.value.wait.states).toEqual([{ id, status: 'Stopped' }]);

    clock.slept = [];
    const get = await send('GET', `/instances/${id}?regionId=${REGION}&waitFor=Running`);
    expect(get.status).toBe(409);
    expect(get.json.error).toMatchObject({ code: 'WAIT_UNREACHABLE', waitFor: 'Running', states: [{ id, status: 'Stopped' }] });
    expect(clock.slept).toEqual([]);
  });

  it('start with a short waitTimeoutMs → 504 while Starting; GET ?waitFor=Running then sees it through', async () => {
    const start = await send('PUT', '/instances/start', { regionId: REGION, instanceIds: [id], waitFor: 'Running', waitTimeoutMs: 1000 });
    expect(start.status).toBe(504);
    expect(start.json.error).toMatchObject({ code: 'WAIT_TIMEOUT', states: [{ id, status: 'Starting' }] });

    const get = await send('GET', `/instances/${id}?regionId=${REGION}&waitFor=Running`);
    expect(get.status).toBe(200);
    expect(get.json.data.value.body.Instances.Instance[0].Status).toBe('Running');
    expect(get.json.data.value.wait.states).toEqual([{ id, status: 'Running' }]);
    zone = get.json.data.value.body.Instances.Instance[0].ZoneId;
  });

  it('attach → In_use, snapshot → accomplished, detach → Available', async () => {
    const created = await send('POST', '/disks', { regionId: REGION, zoneId: zone, size: 40, category: 'cloud_essd' });
    expect(created.status).toBe(200);
    const disk = created.json.data.value.body.DiskId as string;
    clock.t += TRANSITION_MS; // Creating → Available (CreateDisk takes no waitFor)

    const attach = await send('POST', `/disks/${disk}/attach`, { regionId: REGION, instanceId: id, waitFor: 'In_use' });
    expect(attach.status).toBe(200);
    expect(attach.json.data.value.wait.states).toEqual([{ id: disk, status: 'In_use' }]);

    const snap = await send('POST', '/snapshots', { regionId: REGION, diskId: disk, waitFor: 'accomplished' });
    expect(snap.status).toBe(200);
    expect(snap.json.data.value.wait.states).toEqual([{ id: snap.json.data.value.body.SnapshotId, status: 'accomplished' }]);

    const detach = await send('POST', `/disks/${disk}/detach`, { regionId: REGION, instanceId: id, waitFor: 'Available' });
    expect(detach.status).toBe(200);
    expect(detach.json.data.value.wait.states).toEqual([{ id: disk, status: 'Available' }]);
  });

  it('run command → Finished, with the output as text and the exit code', async () => {
    const res = await send('POST', '/commands/run', { regionId: REGION, instanceIds: [id], commandContent: 'hostname', waitFor: 'Finished' });
    expect(res.status).toBe(200);
    const [state] = res.json.data.value.wait.states;
    expect(state).toMatchObject({ id, status: 'Finished', invokeId: res.json.data.value.body.InvokeId, invocationStatus: 'Success', exitCode: 0 });
    expect(state.output.trim()).toBe('waiter-1');
  });
});
