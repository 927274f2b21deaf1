import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { CREDS, FIXED_CLIENT_TOKEN, useGatewayWithUpstream } from '../support/gateway.js';
import { answerWith, businessParams, type CapturedRequest, expectParamsInBodyOnly, FakeUpstream } from '../support/upstream.js';

/**
 * PUT /api/instances/start|stop|reboot|terminate: every documented field on the wire (InstanceId.1…N,
 * booleans as true/false), and terminate passing RegionId, Force and TerminateSubscription.
 */

const STRUCT = 'type.googleapis.com/google.protobuf.Struct';
const DATE = 'Fri, 29 Apr 2022 07:11:27 GMT';

let upstream: FakeUpstream;
let app: FastifyInstance;
useGatewayWithUpstream((ctx) => ({ upstream, app } = ctx));

/** Makes the upstream answer `body` with fixed headers; returns the headers the envelope must carry. */
const answer = (up: FakeUpstream, body: Record<string, unknown>) => answerWith(up, body, { date: DATE, vary: 'Accept-Encoding' });

const ids = (n: number) => Array.from({ length: n }, (_, i) => `i-bp${String(i + 1).padStart(3, '0')}`);
const idWire = (list: readonly string[]) => Object.fromEntries(list.map((id, i) => [`InstanceId.${i + 1}`, id]));

type Verb = 'start' | 'stop' | 'reboot' | 'terminate';
const ACTION: Record<Verb, string> = { start: 'StartInstances', stop: 'StopInstances', reboot: 'RebootInstances', terminate: 'DeleteInstances' };

const RESPONSE_BODY = {
  RequestId: '1C488B66-B819-4D14-8711-C4EAAA13AC01',
  InstanceResponses: [{ Code: '200', Message: 'success', InstanceId: 'i-bp67acfmxazb4p****', CurrentStatus: 'Stopping', PreviousStatus: 'Running' }],
};

/** The seed's example body for every verb. */
const SEED = {
  accessKeyId: CREDS.accessKeyId,
  accessKeySecret: CREDS.accessKeySecret,
  endpoint: 'ecs.cn-beijing.aliyuncs.com',
  regionId: 'cn-beijing',
  instanceIds: ['i-bp67acfmxazb4p****'],
};
const SEED_WIRE = { RegionId: 'cn-beijing', 'InstanceId.1': 'i-bp67acfmxazb4p****' };
/** DeleteInstances takes a ClientToken: the gateway adds one (the same on every retry); the others take none. */
const wireOf = (verb: Verb, wire: Record<string, string>) => (verb === 'terminate' ? { ...wire, ClientToken: FIXED_CLIENT_TOKEN } : wire);

interface ActionCase { name: string; verb: Verb; body: Record<string, unknown>; host: string; wire: Record<string, string> }

const CASES: ActionCase[] = [
  ...(['start', 'stop', 'reboot', 'terminate'] as const).map((verb) => ({
    name: `${verb}: the seed example`, verb, body: SEED, host: 'ecs.cn-beijing.aliyuncs.com', wire: SEED_WIRE,
  })),
  {
    name: 'start: every field', verb: 'start', host: 'ecs.cn-hangzhou.aliyuncs.com',
    body: { ...CREDS, regionId: 'cn-hangzhou', instanceIds: ['i-2', 'i-1'], batchOptimization: 'SuccessFirst', dryRun: true },
    wire: { RegionId: 'cn-hangzhou', 'InstanceId.1': 'i-2', 'InstanceId.2': 'i-1', BatchOptimization: 'SuccessFirst', DryRun: 'true' },
  },
  {
    name: 'stop: every field', verb: 'stop', host: 'ecs.cn-hangzhou.aliyuncs.com',
    body: { ...CREDS, regionId: 'cn-hangzhou', instanceIds: ['i-1'], forceStop: true, stoppedMode: 'StopCharging', batchOptimization: 'AllTogether', dryRun: 'false' },
    wire: { RegionId: 'cn-hangzhou', 'InstanceId.1': 'i-1', ForceStop: 'true', StoppedMode: 'StopCharging', BatchOptimization: 'AllTogether', DryRun: 'false' },
  },
  {
    name: 'stop: KeepCharging, forceStop false', verb: 'stop', host: 'ecs.cn-hangzhou.aliyuncs.com',
    body: { ...CREDS, region_id: 'cn-hangzhou', instance_ids: ['i-1'], force_stop: false, stopped_mode: 'KeepCharging' },
    wire: { RegionId: 'cn-hangzhou', 'InstanceId.1': 'i-1', ForceStop: 'false', StoppedMode: 'KeepCharging' },
  },
  {
    name: 'reboot: every field', verb: 'reboot', host: 'ecs.cn-hangzhou.aliyuncs.com',
    body: { ...CREDS, regionId: 'cn-hangzhou', instanceIds: ['i-1'], forceReboot: 'true', batchOptimization: 'SuccessFirst', dryRun: false },
    wire: { RegionId: 'cn-hangzhou', 'InstanceId.1': 'i-1', ForceReboot: 'true', BatchOptimization: 'SuccessFirst', DryRun: 'false' },
  },
  {
    name: 'terminate: every field (RegionId, Force, TerminateSubscription passed on)', verb: 'terminate', host: 'ecs.cn-hangzhou.aliyuncs.com',
    body: { ...CREDS, regionId: 'cn-hangzhou', instanceIds: ['i-1', 'i-2'], force: true, terminateSubscription: true, dryRun: true },
    wire: { RegionId: 'cn-hangzhou', 'InstanceId.1': 'i-1', 'InstanceId.2': 'i-2', Force: 'true', TerminateSubscription: 'true', DryRun: 'true' },
  },
  {
    name: 'terminate: force and terminate_subscription false are sent, not dropped', verb: 'terminate', host: 'ecs.cn-hangzhou.aliyuncs.com',
    body: { ...CREDS, regionId: 'cn-hangzhou', instanceIds: ['i-1'], force: false, terminate_subscription: 'false' },
    wire: { RegionId: 'cn-hangzhou', 'InstanceId.1': 'i-1', Force: 'false', TerminateSubscription: 'false' },
  },
  ...(['start', 'stop', 'reboot', 'terminate'] as const).map((verb) => ({
    name: `${verb}: 100 instance ids keep their order (InstanceId.10 … InstanceId.100)`, verb,
    body: { ...CREDS, regionId: 'cn-beijing', instanceIds: ids(100) }, host: 'ecs.cn-beijing.aliyuncs.com',
    wire: { RegionId: 'cn-beijing', ...idWire(ids(100)) },
  })),
];

describe('instance actions (V3)', () => {
  it.each(CASES)('$name', async ({ verb, body, host, wire }) => {
    const headers = answer(upstream, RESPONSE_BODY);
    const { res, sent } = await upstream.exchange(request(app.server).put(`/api/instances/${verb}`).send(body));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { '@type': STRUCT, value: { body: RESPONSE_BODY, headers } } });
    expect(sent).toHaveLength(1);
    const [call] = sent as [CapturedRequest];
    expectParamsInBodyOnly(call);
    expect(call.headers['x-acs-action']).toBe(ACTION[verb]);
    expect(call.headers.host).toBe(host);
    expect(call.params).toEqual(wireOf(verb, wire));
  });

  it('orders InstanceId.10 after InstanceId.9 in the signed body (canonical order is by name)', async () => {
    answer(upstream, RESPONSE_BODY);
    const { sent } = await upstream.exchange(request(app.server).put('/api/instances/start').send({ ...CREDS, regionId: 'cn-beijing', instanceIds: ids(10) }));
    const [call] = sent as [CapturedRequest];
    const keys = call.body.split('&').map((p) => decodeURIComponent(p.split('=')[0] ?? ''));
    expect(keys).toEqual(['InstanceId.1', 'InstanceId.10', ...ids(8).map((_, i) => `InstanceId.${i + 2}`), 'RegionId']);
    expect(call.params['InstanceId.10']).toBe('i-bp010');
    expect(call.params['InstanceId.9']).toBe('i-bp009');
  });

  it('takes credentials from headers, with a security token', async () => {
    answer(upstream, RESPONSE_BODY);
    const { res, sent } = await upstream.exchange(request(app.server).put('/api/instances/stop')
      .set('X-Access-Key-Id', 'hdr-id').set('X-Access-Key-Secret', 'hdr-secret').set('X-Security-Token', 'sts-2')
      .send({ regionId: 'cn-beijing', instanceIds: ['i-1'] }));
    expect(res.status).toBe(200);
    const [call] = sent as [CapturedRequest];
    expect(call.headers.authorization).toMatch(/^ACS3-HMAC-SHA256 Credential=hdr-id,/);
    expect(call.headers['x-acs-security-token']).toBe('sts-2');
    expect(call.params).toEqual({ RegionId: 'cn-beijing', 'InstanceId.1': 'i-1' });
  });

  it('answers an ECS error (IncorrectInstanceStatus) with its status and code', async () => {
    upstream.reply = { status: 403, body: { Code: 'IncorrectInstanceStatus', Message: 'The current status of the resource does not support this operation.', RequestId: 'E-9' } };
    const res = await request(app.server).put('/api/instances/terminate').send(SEED);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      error: {
        code: 'IncorrectInstanceStatus', message: 'The current status of the resource does not support this operation.',
        status: 403, requestId: res.headers['x-request-id'], ecsRequestId: 'E-9',
      },
    });
  });
});

describe('instance actions (V1: params in a signed form body)', () => {
  let v1Upstream: FakeUpstream;
  let v1App: FastifyInstance;
  useGatewayWithUpstream((ctx) => ({ upstream: v1Upstream, app: v1App } = ctx), { ECS_SIGNATURE_VERSION: 'v1' });

  it.each(CASES.filter((c) => /every field|seed/.test(c.name)))('$name', async ({ verb, body, host, wire }) => {
    const headers = answer(v1Upstream, RESPONSE_BODY);
    const { res, sent } = await v1Upstream.exchange(request(v1App.server).put(`/api/instances/${verb}`).set('X-Security-Token', 'sts-v1').send(body));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { '@type': STRUCT, value: { body: RESPONSE_BODY, headers } } });
    expect(sent).toHaveLength(1);
    const [call] = sent as [CapturedRequest];
    expect(call.url).toBe('/');
    expect(call.headers.host).toBe(host);
    expect(call.params).toMatchObject({ Action: ACTION[verb], Version: '2014-05-26', AccessKeyId: CREDS.accessKeyId, SecurityToken: 'sts-v1' });
    expect(businessParams(call)).toEqual(wireOf(verb, wire));
  });
});
