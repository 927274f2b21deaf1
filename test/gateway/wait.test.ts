/**
 * `waitFor` on the lifecycle routes, against a scripted upstream: the exact polling calls, the back-off (an
 * injected sleep records every pause; the clock only moves when it sleeps), timeouts, unreachable states,
 * validation, the access policy, passing and lasting failures of a poll, and a client that disconnects.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/gateway/app.js';
import { loadConfig } from '../../src/gateway/config.js';
import type { WaitClock } from '../../src/gateway/jobs/wait.js';
import { CREDS, FIXED_DATE, FIXED_NONCE, LogCapture } from '../support/gateway.js';
import { businessParams, FakeUpstream, type CapturedRequest, type UpstreamReply } from '../support/upstream.js';

const RID = 'F6A8C2D1-0000-4000-8000-000000000001';

/** A clock that moves only when the waiter sleeps; every pause is recorded. */
class FakeClock {
  t = 1_000_000;
  slept: number[] = [];
  sleep = async (ms: number): Promise<void> => {
    this.slept.push(ms);
    this.t += ms;
  };
  now = (): number => this.t;
  random = (): number => 0.5;
}

/** Log capture that can await a line. */
class WatchedLogs extends LogCapture {
  private watchers: Array<{ pattern: string; resolve: () => void }> = [];
  override _write(chunk: Buffer, enc: BufferEncoding, done: () => void): void {
    super._write(chunk, enc, done);
    this.watchers = this.watchers.filter((w) => (this.text.includes(w.pattern) ? (w.resolve(), false) : true));
  }
  line(pattern: string): Promise<void> {
    if (this.text.includes(pattern)) return Promise.resolve();
    return new Promise((resolve) => this.watchers.push({ pattern, resolve }));
  }
}

const OPS_KEY = 'ops-key-0123456789abcdef';
const POLICY = JSON.stringify({ keys: [{ name: 'starter', sha256: createHash('sha256').update(OPS_KEY).digest('hex'), allow: ['StartInstances'] }] });

async function build(upstream: FakeUpstream, clock: Partial<WaitClock>, env: Record<string, string> = {}) {
  const logs = new WatchedLogs();
  // ECS_MAX_RETRIES=0: the waiter's own handling of a failed poll is under test here, not the client's retries.
  const config = loadConfig({ ECS_UPSTREAM_URL: upstream.url, LOG_LEVEL: 'debug', ECS_TIMEOUT_MS: '60000', ECS_MAX_RETRIES: '0', ...env },
    { homeDir: '/nonexistent', readFile: (path) => (path === '/policy.json' ? POLICY : undefined) });
  const app = await buildApp({ config, logStream: logs, now: () => FIXED_DATE, nonce: () => FIXED_NONCE, wait: clock });
  await app.ready();
  return { app, logs };
}

/** Answers by action: a list of replies used in turn (the last one repeats). */
function script(upstream: FakeUpstream, byAction: Record<string, UpstreamReply[]>): void {
  const used: Record<string, number> = {};
  upstream.reply = (req: CapturedRequest) => {
    const list = byAction[req.action ?? ''];
    if (!list) return { status: 400, body: { Code: 'Unexpected', Message: `unexpected ${req.action}`, RequestId: RID } };
    const i = used[req.action!] = (used[req.action!] ?? -1) + 1;
    return list[Math.min(i, list.length - 1)]!;
  };
}

const instances = (...pairs: Array<[string, string]>): UpstreamReply => ({
  body: { Instances: { Instance: pairs.map(([InstanceId, Status]) => ({ InstanceId, Status, RegionId: 'cn-hangzhou' })) }, TotalCount: pairs.length, PageNumber: 1, PageSize: 100, RequestId: RID },
});
const disks = (id: string, Status: string): UpstreamReply => ({ body: { Disks: { Disk: [{ DiskId: id, Status }] }, TotalCount: 1, RequestId: RID } });
const snapshots = (id: string, Status: string): UpstreamReply => ({ body: { Snapshots: { Snapshot: [{ SnapshotId: id, Status, Progress: Status === 'accomplished' ? '100%' : '40%' }] }, TotalCount: 1, RequestId: RID } });
const results = (...rows: Array<Record<string, unknown>>): UpstreamReply => ({
  body: { Invocation: { InvocationResults: { InvocationResult: rows.map((r) => ({ InvokeId: 't-1', ...r })) }, TotalCount: rows.length, NextToken: '' }, RequestId: RID },
});
const started = (...ids: string[]): UpstreamReply => ({
  body: { RequestId: RID, InstanceResponses: { InstanceResponse: ids.map((InstanceId) => ({ Code: '200', Message: 'success', InstanceId, PreviousStatus: 'Stopped', CurrentStatus: 'Starting' })) } },
});
const ok: UpstreamReply = { body: { RequestId: RID } };

const pollParams = (sent: CapturedRequest[]) => sent.slice(1).map((r) => ({ action: r.action, ...businessParams(r) }));

let upstream: FakeUpstream;
let app: FastifyInstance;
let logs: WatchedLogs;
const clock = new FakeClock();

beforeAll(async () => {
  upstream = await new FakeUpstream().start();
  ({ app, logs } = await build(upstream, clock, { GATEWAY_MAX_WAIT_MS: '60000', GATEWAY_ACCESS_POLICY_FILE: '/policy.json', GATEWAY_API_KEYS: 'all-key-0123456789abcdef' }));
});
afterAll(async () => {
  await app?.close();
  await upstream?.close();
});
beforeEach(() => {
  clock.slept = [];
});

const ALL = { authorization: 'Bearer all-key-0123456789abcdef' };
const put = (url: string, body: Record<string, unknown>, headers: Record<string, string> = ALL) =>
  upstream.exchange(request(app.server).put(url).set(headers).send({ ...CREDS, ...body }));
const post = (url: string, body: Record<string, unknown>) => upstream.exchange(request(app.server).post(url).set(ALL).send({ ...CREDS, ...body }));
const get = (url: string) => upstream.exchange(request(app.server).get(url).set(ALL).set({ 'x-access-key-id': CREDS.accessKeyId, 'x-access-key-secret': CREDS.accessKeySecret }));

describe('each lifecycle route reaches its state', () => {
  it('start → Running: polls DescribeInstances with the ids until every instance runs; the body is StartInstances\'s', async () => {
    script(upstream, {
      StartInstances: [started('i-1', 'i-2')],
      DescribeInstances: [instances(['i-1', 'Starting'], ['i-2', 'Starting']), instances(['i-1', 'Running'], ['i-2', 'Starting']), instances(['i-1', 'Running'], ['i-2', 'Running'])],
    });
    const { res, sent } = await put('/api/instances/start', { regionId: 'cn-hangzhou', instanceIds: ['i-1', 'i-2'], waitFor: 'Running' });
    expect(res.status).toBe(200);
    expect(res.body.data.value.body).toEqual(started('i-1', 'i-2').body);
    expect(res.body.data.value.wait).toEqual({
      waitFor: 'Running', reached: true, resource: 'instance', polls: 3, elapsedMs: 750 + 1500,
      states: [{ id: 'i-1', status: 'Running' }, { id: 'i-2', status: 'Running' }],
    });
    expect(sent.map((r) => r.action)).toEqual(['StartInstances', 'DescribeInstances', 'DescribeInstances', 'DescribeInstances']);
    const poll = { action: 'DescribeInstances', RegionId: 'cn-hangzhou', InstanceIds: '["i-1","i-2"]', PageSize: '100' };
    expect(pollParams(sent)).toEqual([poll, poll, poll]);
    // Back-off: 1 s doubling, equal jitter (random 0.5 → three quarters of it).
    expect(clock.slept).toEqual([750, 1500]);
  });

  it('stop → Stopped and reboot → Running (through Stopping and Starting)', async () => {
    script(upstream, { StopInstances: [ok], DescribeInstances: [instances(['i-1', 'Stopping']), instances(['i-1', 'Stopped'])] });
    const stop = await put('/api/instances/stop', { regionId: 'cn-hangzhou', instanceIds: ['i-1'], waitFor: 'Stopped' });
    expect(stop.res.status).toBe(200);
    expect(stop.res.body.data.value.wait).toMatchObject({ waitFor: 'Stopped', polls: 2, states: [{ id: 'i-1', status: 'Stopped' }] });

    script(upstream, { RebootInstances: [ok], DescribeInstances: [instances(['i-1', 'Stopping']), instances(['i-1', 'Starting']), instances(['i-1', 'Running'])] });
    const reboot = await put('/api/instances/reboot', { regionId: 'cn-hangzhou', instanceIds: ['i-1'], waitFor: 'Running' });
    expect(reboot.res.status).toBe(200);
    expect(reboot.res.body.data.value.wait).toMatchObject({ waitFor: 'Running', polls: 3, states: [{ id: 'i-1', status: 'Running' }] });
    expect(pollParams(reboot.sent)).toEqual(Array(3).fill({ action: 'DescribeInstances', RegionId: 'cn-hangzhou', InstanceIds: '["i-1"]', PageSize: '100' }));
  });

  it('create → Running: the ids come from the answer; not yet listed right after creation is retried', async () => {
    script(upstream, {
      RunInstances: [{ body: { RequestId: RID, InstanceIdSets: { InstanceIdSet: ['i-new1', 'i-new2'] } } }],
      DescribeInstances: [instances(), instances(['i-new1', 'Pending'], ['i-new2', 'Pending']), instances(['i-new1', 'Running'], ['i-new2', 'Running'])],
    });
    const { res, sent } = await post('/api/instances', { regionId: 'cn-hangzhou', imageId: 'img', instanceType: 'ecs.t1.xsmall', amount: 2, waitFor: 'Running' });
    expect(res.status).toBe(200);
    expect(res.body.data.value.body.InstanceIdSets.InstanceIdSet).toEqual(['i-new1', 'i-new2']);
    expect(res.body.data.value.wait).toMatchObject({ polls: 3, states: [{ id: 'i-new1', status: 'Running' }, { id: 'i-new2', status: 'Running' }] });
    expect(pollParams(sent)[0]).toEqual({ action: 'DescribeInstances', RegionId: 'cn-hangzhou', InstanceIds: '["i-new1","i-new2"]', PageSize: '100' });
  });

  it('GET /api/instances/{id}?waitFor=Running: its own answer is the first look; the body is the last', async () => {
    script(upstream, { DescribeInstances: [instances(['i-abc', 'Starting']), instances(['i-abc', 'Running'])] });
    const { res, sent } = await get('/api/instances/i-abc?regionId=cn-hangzhou&waitFor=Running&waitTimeoutMs=5000');
    expect(res.status).toBe(200);
    expect(res.body.data.value.body.Instances.Instance[0].Status).toBe('Running');
    expect(res.body.data.value.wait).toMatchObject({ waitFor: 'Running', polls: 1, states: [{ id: 'i-abc', status: 'Running' }] });
    expect(sent).toHaveLength(2);
    expect(businessParams(sent[1]!)).toEqual({ RegionId: 'cn-hangzhou', InstanceIds: '["i-abc"]', PageSize: '100' });
    expect(clock.slept).toEqual([750]);
  });

  it('GET on an instance already Running answers at once, with no extra call', async () => {
    script(upstream, { DescribeInstances: [instances(['i-abc', 'Running'])] });
    const { res, sent } = await get('/api/instances/i-abc?regionId=cn-hangzhou&wait_for=Running');
    expect(res.status).toBe(200);
    expect(res.body.data.value.wait).toMatchObject({ polls: 0, elapsedMs: 0 });
    expect(sent).toHaveLength(1);
  });

  it('attach → In_use and detach → Available poll DescribeDisks', async () => {
    script(upstream, { AttachDisk: [ok], DescribeDisks: [disks('d-1', 'Attaching'), disks('d-1', 'In_use')] });
    const attach = await post('/api/disks/d-1/attach', { regionId: 'cn-hangzhou', instanceId: 'i-abc', waitFor: 'In_use' });
    expect(attach.res.status).toBe(200);
    expect(attach.res.body.data.value.wait).toMatchObject({ resource: 'disk', states: [{ id: 'd-1', status: 'In_use' }] });
    expect(pollParams(attach.sent)).toEqual(Array(2).fill({ action: 'DescribeDisks', RegionId: 'cn-hangzhou', DiskIds: '["d-1"]', PageSize: '100' }));

    script(upstream, { DetachDisk: [ok], DescribeDisks: [disks('d-1', 'Detaching'), disks('d-1', 'Available')] });
    const detach = await post('/api/disks/d-1/detach', { regionId: 'cn-hangzhou', instanceId: 'i-abc', waitFor: 'Available' });
    expect(detach.res.status).toBe(200);
    expect(detach.res.body.data.value.wait).toMatchObject({ resource: 'disk', states: [{ id: 'd-1', status: 'Available' }] });
  });

  it('create snapshot → accomplished polls DescribeSnapshots with the new id', async () => {
    script(upstream, { CreateSnapshot: [{ body: { SnapshotId: 's-9', RequestId: RID } }], DescribeSnapshots: [snapshots('s-9', 'progressing'), snapshots('s-9', 'accomplished')] });
    const { res, sent } = await post('/api/snapshots', { regionId: 'cn-hangzhou', diskId: 'd-1', waitFor: 'accomplished' });
    expect(res.status).toBe(200);
    expect(res.body.data.value.body.SnapshotId).toBe('s-9');
    expect(res.body.data.value.wait).toMatchObject({ resource: 'snapshot', states: [{ id: 's-9', status: 'accomplished' }] });
    expect(pollParams(sent)).toEqual(Array(2).fill({ action: 'DescribeSnapshots', RegionId: 'cn-hangzhou', SnapshotIds: '["s-9"]', PageSize: '100' }));
  });

  it('run command → Finished: each instance\'s output (as text) and exit code; the script is never logged', async () => {
    script(upstream, {
      RunCommand: [{ body: { CommandId: 'c-1', InvokeId: 't-1', RequestId: RID } }],
      DescribeInvocationResults: [
        results({ InstanceId: 'i-1', InvokeRecordStatus: 'Running', InvocationStatus: 'Running', Output: '' }, { InstanceId: 'i-2', InvokeRecordStatus: 'Running', InvocationStatus: 'Running', Output: '' }),
        results({ InstanceId: 'i-1', InvokeRecordStatus: 'Finished', InvocationStatus: 'Success', ExitCode: 0, Output: 'hello\n' },
          { InstanceId: 'i-2', InvokeRecordStatus: 'Finished', InvocationStatus: 'Failed', ExitCode: 3, ErrorCode: 'NonZeroExitCode', Output: 'oops\n' }),
      ],
    });
    const { res, sent } = await post('/api/commands/run', { regionId: 'cn-hangzhou', instanceIds: ['i-1', 'i-2'], commandContent: 'echo top-secret-script', waitFor: 'Finished' });
    expect(res.status).toBe(200);
    expect(res.body.data.value.body).toEqual({ CommandId: 'c-1', InvokeId: 't-1', RequestId: RID });
    expect(res.body.data.value.wait).toEqual({
      waitFor: 'Finished', reached: true, resource: 'invocation', polls: 2, elapsedMs: 750,
      states: [
        { id: 'i-1', status: 'Finished', invokeId: 't-1', invocationStatus: 'Success', exitCode: 0, output: 'hello\n' },
        { id: 'i-2', status: 'Finished', invokeId: 't-1', invocationStatus: 'Failed', exitCode: 3, errorCode: 'NonZeroExitCode', output: 'oops\n' },
      ],
    });
    expect(pollParams(sent)).toEqual(Array(2).fill({ action: 'DescribeInvocationResults', RegionId: 'cn-hangzhou', InvokeId: 't-1', ContentEncoding: 'PlainText', MaxResults: '50' }));
    expect(res.headers['cache-control']).toBe('no-store');
    expect(logs.text).not.toContain('top-secret-script');
    expect(logs.text).not.toContain('hello');
  });

  it('without waitFor nothing changes: one call, no wait section', async () => {
    script(upstream, { StartInstances: [started('i-1')] });
    const { res, sent } = await put('/api/instances/start', { regionId: 'cn-hangzhou', instanceIds: ['i-1'] });
    expect(res.status).toBe(200);
    expect(res.body.data.value).not.toHaveProperty('wait');
    expect(sent).toHaveLength(1);
  });
});

/** Real ECS answers (captured from the live service; sources in test/fixtures/README.md). */
const fixture = (name: string) => JSON.parse(readFileSync(resolve(__dirname, '../fixtures/ecs-responses', name), 'utf8')) as Record<string, any>;

describe('real ECS answers', () => {
  it('reads a captured DescribeInstances answer: both instances Running', async () => {
    const captured = fixture('DescribeInstances.captured.200.json');
    const ids = captured.Instances.Instance.map((i: { InstanceId: string }) => i.InstanceId) as string[];
    script(upstream, { StartInstances: [started(...ids)], DescribeInstances: [{ body: captured }] });
    const { res } = await put('/api/instances/start', { regionId: 'cn-beijing', instanceIds: ids, waitFor: 'Running' });
    expect(res.status).toBe(200);
    expect(res.body.data.value.wait.states).toEqual(ids.map((id) => ({ id, status: 'Running' })));
  });

  it('reads a captured Stopped instance: unreachable for Running', async () => {
    const stopped = fixture('DescribeInstances.Instance-stopped.element.json');
    script(upstream, { StartInstances: [started(stopped.InstanceId)], DescribeInstances: [{ body: { Instances: { Instance: [stopped] }, TotalCount: 1, RequestId: RID } }] });
    const { res } = await put('/api/instances/start', { regionId: 'cn-hangzhou', instanceIds: [stopped.InstanceId], waitFor: 'Running' });
    expect(res.status).toBe(409);
    expect(res.body.error.states).toEqual([{ id: stopped.InstanceId, status: 'Stopped' }]);
  });
});

describe('nothing to wait for', () => {
  it('an answer that names no resource is answered as it is, without a read call that would list everything', async () => {
    script(upstream, { RunInstances: [{ body: { RequestId: RID, InstanceIdSets: { InstanceIdSet: [] } } }] });
    const { res, sent } = await post('/api/instances', { regionId: 'cn-hangzhou', imageId: 'img', instanceType: 'ecs.t1.xsmall', waitFor: 'Running' });
    expect(res.status).toBe(200);
    expect(res.body.data.value.wait).toEqual({ waitFor: 'Running', reached: true, resource: 'instance', polls: 0, elapsedMs: 0, states: [] });
    expect(sent.map((r) => r.action)).toEqual(['RunInstances']);
  });
});

describe('timeout and unreachable states', () => {
  it('504 WAIT_TIMEOUT with the last states; the last look is made at the deadline', async () => {
    script(upstream, { StartInstances: [started('i-1')], DescribeInstances: [instances(['i-1', 'Starting'])] });
    const { res, sent } = await put('/api/instances/start', { regionId: 'cn-hangzhou', instanceIds: ['i-1'], waitFor: 'Running', waitTimeoutMs: 2000 });
    expect(res.status).toBe(504);
    expect(res.body.error).toMatchObject({ code: 'WAIT_TIMEOUT', status: 504, waitFor: 'Running', states: [{ id: 'i-1', status: 'Starting' }] });
    expect(res.body.error.message).toContain('StartInstances succeeded');
    expect(clock.slept).toEqual([750, 1250]);
    expect(sent).toHaveLength(1 + 3);
  });

  it.each([
    ['a started instance that is not found', [instances()], 'NotFound'],
    ['a started instance that stays Stopped (SuccessFirst refused it)', [instances(['i-1', 'Stopped'])], 'Stopped'],
  ])('409 WAIT_UNREACHABLE at once: %s', async (_what, replies, status) => {
    script(upstream, { StartInstances: [started('i-1')], DescribeInstances: replies });
    const { res, sent } = await put('/api/instances/start', { regionId: 'cn-hangzhou', instanceIds: ['i-1'], waitFor: 'Running' });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'WAIT_UNREACHABLE', waitFor: 'Running', states: [{ id: 'i-1', status }] });
    expect(sent).toHaveLength(2);
    expect(clock.slept).toEqual([]);
  });

  it('409 when a created instance, once seen, disappears', async () => {
    script(upstream, { RunInstances: [{ body: { RequestId: RID, InstanceIdSets: { InstanceIdSet: ['i-new1'] } } }], DescribeInstances: [instances(['i-new1', 'Pending']), instances()] });
    const { res } = await post('/api/instances', { regionId: 'cn-hangzhou', imageId: 'img', instanceType: 'ecs.t1.xsmall', waitFor: 'Running' });
    expect(res.status).toBe(409);
    expect(res.body.error.states).toEqual([{ id: 'i-new1', status: 'NotFound' }]);
  });

  it('409 for a failed snapshot, and for a command that failed to run (no output in the error)', async () => {
    script(upstream, { CreateSnapshot: [{ body: { SnapshotId: 's-9', RequestId: RID } }], DescribeSnapshots: [snapshots('s-9', 'failed')] });
    const snap = await post('/api/snapshots', { regionId: 'cn-hangzhou', diskId: 'd-1', waitFor: 'accomplished' });
    expect(snap.res.status).toBe(409);
    expect(snap.res.body.error.states).toEqual([{ id: 's-9', status: 'failed' }]);

    script(upstream, {
      RunCommand: [{ body: { CommandId: 'c-1', InvokeId: 't-1', RequestId: RID } }],
      DescribeInvocationResults: [results({ InstanceId: 'i-1', InvokeRecordStatus: 'Failed', InvocationStatus: 'Timeout', ExitCode: 124, ErrorCode: 'CommandTimeout', Output: 'partial-output' })],
    });
    const cmd = await post('/api/commands/run', { regionId: 'cn-hangzhou', instanceIds: ['i-1'], commandContent: 'sleep 999', waitFor: 'Finished' });
    expect(cmd.res.status).toBe(409);
    expect(cmd.res.body.error.states).toEqual([{ id: 'i-1', status: 'Failed', invokeId: 't-1', invocationStatus: 'Timeout', exitCode: 124, errorCode: 'CommandTimeout' }]);
    expect(JSON.stringify(cmd.res.body)).not.toContain('partial-output');
  });

  it('409 when attach leaves the disk Available (a resting state)', async () => {
    script(upstream, { AttachDisk: [ok], DescribeDisks: [disks('d-1', 'Available')] });
    const { res } = await post('/api/disks/d-1/attach', { regionId: 'cn-hangzhou', instanceId: 'i-abc', waitFor: 'In_use' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('WAIT_UNREACHABLE');
  });
});

describe('a poll that fails', () => {
  it('Throttling is retried after at least its retry-after', async () => {
    script(upstream, {
      StartInstances: [started('i-1')],
      DescribeInstances: [{ status: 400, headers: { 'x-acs-retry-after': '3000' }, body: { Code: 'Throttling.User', Message: 'Request was denied due to user flow control.', RequestId: RID } }, instances(['i-1', 'Running'])],
    });
    const { res, sent } = await put('/api/instances/start', { regionId: 'cn-hangzhou', instanceIds: ['i-1'], waitFor: 'Running' });
    expect(res.status).toBe(200);
    expect(res.body.data.value.wait).toMatchObject({ polls: 2 });
    expect(clock.slept).toEqual([3000]);
    expect(sent).toHaveLength(3);
  });

  it('a lasting error ends the wait with ECS\'s code, saying the call itself succeeded', async () => {
    script(upstream, { StartInstances: [started('i-1')], DescribeInstances: [{ status: 403, body: { Code: 'Forbidden.RAM', Message: 'User not authorized to operate on the specified resource.', RequestId: RID } }] });
    const { res, sent } = await put('/api/instances/start', { regionId: 'cn-hangzhou', instanceIds: ['i-1'], waitFor: 'Running' });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'Forbidden.RAM', waitFor: 'Running', states: [] });
    expect(res.body.error.message).toMatch(/^StartInstances succeeded, but DescribeInstances failed while waiting for Running: /);
    expect(sent).toHaveLength(2);
  });
});

describe('validation', () => {
  it.each([
    ['/api/instances/start', { instanceIds: ['i-1'], waitFor: 'Stopped' }, 'Running'],
    ['/api/instances/stop', { instanceIds: ['i-1'], waitFor: 'running' }, 'Stopped'],
  ])('%s: a waitFor it does not offer is a 400 naming the states it offers', async (url, body, allowed) => {
    script(upstream, {});
    const { res, sent } = await put(url, { regionId: 'cn-hangzhou', ...body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details).toEqual([{ location: 'body', field: 'waitFor', message: expect.stringContaining(`"${allowed}"`) }]);
    expect(sent).toHaveLength(0);
  });

  it('GET: a waitFor outside Running, Stopped is a 400 naming both', async () => {
    const { res, sent } = await get('/api/instances/i-abc?regionId=cn-hangzhou&waitFor=Starting');
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({ location: 'querystring', field: 'waitFor' });
    expect(res.body.error.details[0].message).toMatch(/"Running".*"Stopped"/);
    expect(sent).toHaveLength(0);
  });

  it('waitTimeoutMs above GATEWAY_MAX_WAIT_MS is refused (not clamped); without waitFor it is refused too', async () => {
    const over = await put('/api/instances/start', { regionId: 'cn-hangzhou', instanceIds: ['i-1'], waitFor: 'Running', waitTimeoutMs: 60_001 });
    expect(over.res.status).toBe(400);
    expect(over.res.body.error.details).toEqual([{ location: 'body', field: 'waitTimeoutMs', message: expect.stringContaining('60000') }]);
    const alone = await put('/api/instances/start', { regionId: 'cn-hangzhou', instanceIds: ['i-1'], waitTimeoutMs: 1000 });
    expect(alone.res.status).toBe(400);
    expect(alone.res.body.error.details).toEqual([{ location: 'body', field: 'waitTimeoutMs', message: 'needs waitFor' }]);
    expect([...over.sent, ...alone.sent]).toHaveLength(0);
  });

  it('routes without a wait do not take waitFor', async () => {
    const { res } = await put('/api/instances/terminate', { regionId: 'cn-hangzhou', instanceIds: ['i-1'], waitFor: 'Deleted' });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ location: 'body', field: 'waitFor', message: 'unknown field' }]);
  });
});

describe('access policy', () => {
  it('a key that may start instances but not describe them: waitFor is refused before anything is sent', async () => {
    script(upstream, { StartInstances: [started('i-1')] });
    const key = { authorization: `Bearer ${OPS_KEY}` };
    const refused = await put('/api/instances/start', { regionId: 'cn-hangzhou', instanceIds: ['i-1'], waitFor: 'Running' }, key);
    expect(refused.res.status).toBe(403);
    expect(refused.res.body.error.code).toBe('ACTION_FORBIDDEN');
    expect(refused.res.body.error.message).toContain('DescribeInstances');
    expect(refused.sent).toHaveLength(0);
    const plain = await put('/api/instances/start', { regionId: 'cn-hangzhou', instanceIds: ['i-1'] }, key);
    expect(plain.res.status).toBe(200);
    expect(plain.sent.map((r) => r.action)).toEqual(['StartInstances']);
  });

  it('a key that may not make the call itself is refused for the call, and audited as such', async () => {
    const { res, sent } = await put('/api/instances/stop', { regionId: 'cn-hangzhou', instanceIds: ['i-1'], waitFor: 'Stopped' }, { authorization: `Bearer ${OPS_KEY}` });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('ACTION_FORBIDDEN');
    expect(res.body.error.message).toContain('StopInstances');
    expect(sent).toHaveLength(0);
    const audit = logs.lines.map((l) => JSON.parse(l) as { audit?: { action: string; outcome: string; key: string } }).filter((l) => l.audit).at(-1)?.audit;
    expect(audit).toMatchObject({ key: 'starter', action: 'StopInstances', outcome: 'ACTION_FORBIDDEN' });
  });
});

describe('a client that disconnects', () => {
  it('cancels its waiter: no call goes upstream after it left', async () => {
    // A sleep the test releases by hand, ignoring the abort signal: the waiter itself must notice.
    let release!: () => void;
    let signalled!: (signal: AbortSignal) => void;
    const sleeping = new Promise<AbortSignal>((resolve) => { signalled = resolve; });
    const manual = { now: () => 0, random: () => 0.5, sleep: (_ms: number, signal: AbortSignal) => new Promise<void>((resolve) => { release = resolve; signalled(signal); }) };
    const up = await new FakeUpstream().start();
    const gw = await build(up, manual);
    try {
      script(up, { StartInstances: [started('i-1')], DescribeInstances: [instances(['i-1', 'Starting'])] });
      await gw.app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = gw.app.server.address() as AddressInfo;
      const body = JSON.stringify({ ...CREDS, regionId: 'cn-hangzhou', instanceIds: ['i-1'], waitFor: 'Running' });
      const req = httpRequest({ host: '127.0.0.1', port, method: 'PUT', path: '/api/instances/start', headers: { 'content-type': 'application/json' } });
      req.on('error', () => undefined);
      req.end(body);
      const signal = await sleeping; // the first look saw Starting; the waiter sleeps
      expect(up.requests.map((r) => r.action)).toEqual(['StartInstances', 'DescribeInstances']);
      const aborted = new Promise((resolve) => signal.addEventListener('abort', resolve));
      req.destroy();
      await aborted;
      release();
      const outcome = await Promise.race([up.received(3).then(() => 'polled again'), gw.logs.line('wait cancelled: the client disconnected').then(() => 'cancelled')]);
      expect(outcome).toBe('cancelled');
      expect(up.requests).toHaveLength(2);
    } finally {
      await gw.app.close();
      await up.close();
    }
  });
});
