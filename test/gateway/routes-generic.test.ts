import type { FastifyInstance, FastifyRequest } from 'fastify';
import request from 'supertest';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { GatewayError } from '../../src/gateway/errors.js';
import * as policy from '../../src/gateway/policy/index.js';
import { routeCall } from '../../src/gateway/routes/factory.js';
import { CREDS, FIXED_CLIENT_TOKEN, useGatewayWithUpstream } from '../support/gateway.js';
import { answerWith, type CapturedRequest, expectParamsInBodyOnly, FakeUpstream } from '../support/upstream.js';

/**
 * POST /api/ecs/{Action} (any catalog action), GET /api/ecs and GET /api/ecs/{Action}: spellings, conflicts,
 * JSON values, validation, unknown actions, discovery, 405s, and the calls to the policy module (spied).
 */

vi.mock('../../src/gateway/policy/index.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/gateway/policy/index.js')>()),
  authorizeCall: vi.fn(),
  auditCall: vi.fn(),
}));
const authorize = vi.mocked(policy.authorizeCall);
const audit = vi.mocked(policy.auditCall);

let upstream: FakeUpstream;
let app: FastifyInstance;
useGatewayWithUpstream((ctx) => ({ upstream, app } = ctx));

const STRUCT = 'type.googleapis.com/google.protobuf.Struct';
const OK = { RequestId: 'GEN-1' };

beforeEach(() => {
  authorize.mockReset();
  audit.mockReset();
  upstream.reply = { body: OK };
});

const call = (action: string, body: unknown) => request(app.server).post(`/api/ecs/${action}`).send(body as object);

/** Sends and returns the answer and the one request that reached the upstream (asserting there is one). */
async function sendOne(action: string, body: Record<string, unknown>): Promise<{ res: request.Response; sent: CapturedRequest }> {
  const { res, sent } = await upstream.exchange(call(action, { ...CREDS, ...body }));
  expect(res.status, res.text).toBe(200);
  expect(sent).toHaveLength(1);
  expectParamsInBodyOnly(sent[0]!);
  expect(sent[0]!.headers['x-acs-action']).toBe(action);
  return { res, sent: sent[0]! };
}

/** Sends and expects a refusal that sent nothing upstream; returns the error body. */
async function refused(action: string, body: Record<string, unknown>, status: number, code: string, headers: Record<string, string> = {}) {
  const { res, sent } = await upstream.exchange(request(app.server).post(`/api/ecs/${action}`).set(headers).send({ ...CREDS, ...body }));
  expect(res.status, res.text).toBe(status);
  expect(res.body.error).toMatchObject({ code, status, requestId: res.headers['x-request-id'] });
  expect(sent).toHaveLength(0);
  expect(authorize).not.toHaveBeenCalled();
  return res.body.error as { message: string; details?: Array<{ location: string; field: string; message: string }>; suggestions?: string[] };
}

describe('POST /api/ecs/{Action}: values on the wire', () => {
  it('StopInstances: lists as repeat lists, the region picks the host, the answer is the envelope', async () => {
    const headers = answerWith(upstream, OK, { date: 'Fri, 29 Apr 2022 07:11:27 GMT' });
    const { res, sent } = await sendOne('StopInstances', { regionId: 'cn-hangzhou', instanceId: ['i-1', 'i-2'], forceStop: true, stoppedMode: 'StopCharging' });
    expect(res.body).toEqual({ data: { '@type': STRUCT, value: { body: OK, headers } } });
    expect(sent.headers.host).toBe('ecs.cn-hangzhou.aliyuncs.com');
    expect(sent.params).toEqual({ RegionId: 'cn-hangzhou', 'InstanceId.1': 'i-1', 'InstanceId.2': 'i-2', ForceStop: 'true', StoppedMode: 'StopCharging' });
  });

  it('takes lowerCamelCase, snake_case and the wire name, nested too, with identical wire params', async () => {
    const expected = {
      RegionId: 'cn-hangzhou', ImageId: 'm-1', 'SystemDisk.Size': '40', 'SystemDisk.Category': 'cloud_essd',
      'NetworkInterface.1.VSwitchId': 'vsw-1', 'NetworkInterface.1.SecurityGroupIds.1': 'sg-1', 'NetworkInterface.1.SecurityGroupIds.2': 'sg-2',
      'DataDisk.1.KMSKeyId': 'k', 'Tag.1.Key': 'env', 'Tag.1.Value': 'prod',
      // Added by the gateway: RunInstances takes a ClientToken.
      ClientToken: FIXED_CLIENT_TOKEN,
    };
    const bodies = [
      { regionId: 'cn-hangzhou', imageId: 'm-1', systemDisk: { size: 40, category: 'cloud_essd' }, networkInterface: [{ vSwitchId: 'vsw-1', securityGroupIds: ['sg-1', 'sg-2'] }], dataDisk: [{ kmsKeyId: 'k' }], tag: [{ key: 'env', value: 'prod' }] },
      { region_id: 'cn-hangzhou', image_id: 'm-1', system_disk: { size: 40, category: 'cloud_essd' }, network_interface: [{ v_switch_id: 'vsw-1', security_group_ids: ['sg-1', 'sg-2'] }], data_disk: [{ kms_key_id: 'k' }], tag: [{ key: 'env', value: 'prod' }] },
      { RegionId: 'cn-hangzhou', ImageId: 'm-1', SystemDisk: { Size: 40, Category: 'cloud_essd' }, NetworkInterface: [{ VSwitchId: 'vsw-1', SecurityGroupIds: ['sg-1', 'sg-2'] }], DataDisk: [{ KMSKeyId: 'k' }], Tag: [{ Key: 'env', Value: 'prod' }] },
      // Mixed, and one field twice with the same value.
      { regionId: 'cn-hangzhou', RegionId: 'cn-hangzhou', image_id: 'm-1', SystemDisk: { size: 40, Category: 'cloud_essd' }, network_interface: [{ VSwitchId: 'vsw-1', securityGroupIds: ['sg-1', 'sg-2'] }], DataDisk: [{ kms_key_id: 'k' }], tag: [{ Key: 'env', value: 'prod' }] },
    ];
    for (const body of bodies) expect((await sendOne('RunInstances', body)).sent.params).toEqual(expected);
  });

  it('lists of objects nest as deep as ECS nests them (AuthorizeSecurityGroup permissions)', async () => {
    const { sent } = await sendOne('AuthorizeSecurityGroup', {
      regionId: 'cn-hangzhou', securityGroupId: 'sg-1',
      permissions: [{ ipProtocol: 'TCP', portRange: '22/22', sourceCidrIp: '10.0.0.0/8' }, { ipProtocol: 'ICMP', portRange: '-1/-1', sourceGroupId: 'sg-2' }],
    });
    expect(sent.params).toEqual({
      RegionId: 'cn-hangzhou', SecurityGroupId: 'sg-1',
      'Permissions.1.IpProtocol': 'TCP', 'Permissions.1.PortRange': '22/22', 'Permissions.1.SourceCidrIp': '10.0.0.0/8',
      'Permissions.2.IpProtocol': 'ICMP', 'Permissions.2.PortRange': '-1/-1', 'Permissions.2.SourceGroupId': 'sg-2',
      ClientToken: FIXED_CLIENT_TOKEN,
    });
  });

  it('JSON-valued parameters: a native array or object is encoded; pre-encoded text is sent as it is', async () => {
    const native = await sendOne('DescribeInstances', { regionId: 'cn-hangzhou', instanceIds: ['i-1', 'i-2'] });
    expect(native.sent.params).toEqual({ RegionId: 'cn-hangzhou', InstanceIds: '["i-1","i-2"]' });
    const text = await sendOne('DescribeInstances', { regionId: 'cn-hangzhou', instance_ids: '["i-1", "i-2"]' });
    expect(text.sent.params).toEqual({ RegionId: 'cn-hangzhou', InstanceIds: '["i-1", "i-2"]' });
    // An object with members: wire names as keys, in the SDK's order, whatever the caller's spelling.
    const window = await sendOne('CreatePlanMaintenanceWindow', {
      regionId: 'cn-hangzhou', planWindowName: 'w', enable: true, supportMaintenanceAction: 'Stop', targetResource: { scope: 'All' }, timePeriod: { range_list: [{ endTime: '04:00', StartTime: '02:00' }], periodUnit: 'Day' },
    });
    expect(window.sent.params.TimePeriod).toBe('{"PeriodUnit":"Day","RangeList":[{"EndTime":"04:00","StartTime":"02:00"}]}');
    // A free-form map keeps the caller's keys exactly (no spelling folding inside it).
    const run = await sendOne('RunCommand', { regionId: 'cn-hangzhou', type: 'RunShellScript', commandContent: 'ZWNobw==', instanceId: ['i-1'], parameters: { dir_name: '/tmp', Count: 2 } });
    expect(run.sent.params.Parameters).toBe('{"dir_name":"/tmp","Count":2}');
  });

  it('credentials from headers or snake_case fields; the endpoint field picks the host', async () => {
    const { res, sent } = await upstream.exchange(request(app.server).post('/api/ecs/DescribeRegions')
      .set('X-Access-Key-Id', 'hdr-id').set('X-Access-Key-Secret', 'hdr-secret').set('X-Security-Token', 'sts-9')
      .send({ acceptLanguage: 'en-US', endpoint: 'ecs.cn-beijing.aliyuncs.com' }));
    expect(res.status).toBe(200);
    expect(sent[0]!.headers.authorization).toMatch(/^ACS3-HMAC-SHA256 Credential=hdr-id,/);
    expect(sent[0]!.headers['x-acs-security-token']).toBe('sts-9');
    expect(sent[0]!.headers.host).toBe('ecs.cn-beijing.aliyuncs.com');
    expect(sent[0]!.params).toEqual({ AcceptLanguage: 'en-US' });
    const snake = await upstream.exchange(request(app.server).post('/api/ecs/DescribeRegions')
      .send({ access_key_id: 'snake-id', access_key_secret: 'snake-secret' }));
    expect(snake.res.status).toBe(200);
    expect(snake.sent[0]!.headers.authorization).toMatch(/Credential=snake-id,/);
  });

  it('an ECS error keeps its status and code', async () => {
    upstream.reply = { status: 403, body: { Code: 'IncorrectInstanceStatus', Message: 'The current status of the resource does not support this operation.', RequestId: 'E-1' } };
    const res = await call('StopInstances', { ...CREDS, regionId: 'cn-hangzhou', instanceId: ['i-1'] });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'IncorrectInstanceStatus', status: 403, ecsRequestId: 'E-1' });
  });
});

describe('POST /api/ecs/{Action}: refusals (nothing is sent upstream)', () => {
  it.each([
    ['camelCase and snake_case', { regionId: 'cn-hangzhou', region_id: 'cn-beijing' }, 'regionId', 'regionId and region_id'],
    ['camelCase and the wire name', { regionId: 'cn-hangzhou', RegionId: 'cn-beijing' }, 'regionId', 'regionId and RegionId'],
    ['snake_case and the wire name', { region_id: 'cn-hangzhou', RegionId: 'cn-beijing' }, 'regionId', 'region_id and RegionId'],
    ['two spellings inside a list item', { regionId: 'cn-hangzhou', instanceId: ['i-1'], dataDisk: [{ size: 40, Size: 50 }] }, 'dataDisk.0.size', 'size and Size'],
    ['two spellings inside an object', { regionId: 'cn-hangzhou', systemDisk: { kms_key_id: 'a', KMSKeyId: 'b' } }, 'systemDisk.kmsKeyId', 'kms_key_id and KMSKeyId'],
  ])('CONFLICTING_FIELDS: %s', async (_name, body, field, spellings) => {
    const error = await refused('RunInstances', body, 400, 'CONFLICTING_FIELDS');
    expect(error.details).toEqual([{ location: 'request', field, message: `given twice (as ${spellings}) with different values` }]);
    expect(error.message).toContain(field);
  });

  it('CONFLICTING_FIELDS: a credential header and field that differ; snake and camel credential fields that differ', async () => {
    const header = await refused('DescribeRegions', {}, 400, 'CONFLICTING_FIELDS', { 'X-Access-Key-Id': 'other-id' });
    expect(header.details).toEqual([{ location: 'request', field: 'accessKeyId', message: 'given twice with different values' }]);
    const snake = await refused('DescribeRegions', { access_key_id: 'other-id' }, 400, 'CONFLICTING_FIELDS');
    expect(snake.details).toEqual([{ location: 'request', field: 'accessKeyId', message: 'given twice with different values' }]);
  });

  it('names every failing field in one 400: required, unknown (did you mean), types, limits, nested', async () => {
    const error = await refused('RunInstances', {
      imageID: 'x', amount: 101, dryRun: 'yes', systemDisk: { sise: 1 }, tag: { key: 'a' }, endpoint: 7,
      dataDisk: [{ size: 'big' }],
    }, 400, 'VALIDATION_FAILED');
    expect(error.details!.map((d) => `${d.location}.${d.field}: ${d.message}`).sort()).toEqual([
      'body.amount: must be at most 100',
      'body.dataDisk.0.size: must be a whole number',
      'body.dryRun: Invalid input',
      'body.endpoint: Invalid input: expected string, received number',
      'body.imageID: unknown field; did you mean imageId?',
      'body.regionId: required',
      'body.systemDisk.sise: unknown field; did you mean size?',
      'body.tag: Invalid input: expected array, received object',
    ].sort());
  });

  it('checks JSON text as it checks native values, and documented item counts', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => `i-${i}`);
    const native = await refused('DescribeInstances', { regionId: 'cn-hangzhou', instanceIds: ids }, 400, 'VALIDATION_FAILED');
    expect(native.details).toEqual([{ location: 'body', field: 'instanceIds', message: 'Too big: expected array to have <=100 items' }]);
    const text = await refused('DescribeInstances', { regionId: 'cn-hangzhou', instanceIds: 'i-1' }, 400, 'VALIDATION_FAILED');
    expect(text.details).toEqual([{ location: 'body', field: 'instanceIds', message: 'must be valid JSON text' }]);
  });

  it.each(['ownerId', 'OwnerId', 'resource_owner_account', 'ResourceOwnerId'])('refuses the Alibaba-internal parameter %s', async (key) => {
    const error = await refused('DescribeRegions', { [key]: '1' }, 400, 'VALIDATION_FAILED');
    expect(error.details).toHaveLength(1);
    expect(error.details![0]).toMatchObject({ location: 'body', field: key });
    expect(error.details![0]!.message).toMatch(/^(OwnerId|ResourceOwnerAccount|ResourceOwnerId) is an Alibaba-internal parameter; the gateway does not send it$/);
  });

  it('a body that is not a JSON object', async () => {
    const { res, sent } = await upstream.exchange(request(app.server).post('/api/ecs/DescribeRegions').set('content-type', 'application/json').send('[1]'));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ location: 'body', field: '(root)', message: 'expected a JSON object' }] });
    expect(sent).toHaveLength(0);
  });

  it('no credentials: 401 MISSING_CREDENTIALS', async () => {
    const { res, sent } = await upstream.exchange(request(app.server).post('/api/ecs/DescribeRegions').send({}));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('MISSING_CREDENTIALS');
    expect(sent).toHaveLength(0);
  });
});

describe('UNKNOWN_ACTION', () => {
  it.each([
    ['DescribeInstance', 'DescribeInstances'],
    ['describeinstances', 'DescribeInstances'],
    ['describe_instances', 'DescribeInstances'],
    ['StopInstnces', 'StopInstances'],
    ['AuthoriseSecurityGroup', 'AuthorizeSecurityGroup'],
  ])('POST /api/ecs/%s: 404 with %s suggested first', async (name, meant) => {
    const error = await refused(name, { regionId: 'cn-hangzhou' }, 404, 'UNKNOWN_ACTION');
    expect(error.suggestions![0]).toBe(meant);
    expect(error.suggestions!.length).toBeLessThanOrEqual(3);
    expect(error.message).toContain(`did you mean ${meant}`);
  });

  it('a name like nothing gets no suggestions; the unknown action wins over a bad body', async () => {
    const error = await refused('Xyzzy', { regionId: 42 }, 404, 'UNKNOWN_ACTION');
    expect(error.suggestions).toEqual([]);
    expect(error.message).toBe('ECS has no action Xyzzy. Action names are exact (GET /api/ecs lists them).');
  });

  it('GET /api/ecs/{Action} answers the same 404', async () => {
    const res = await request(app.server).get('/api/ecs/RunInstance');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'UNKNOWN_ACTION', suggestions: expect.arrayContaining(['RunInstances']) });
  });
});

describe('discovery', () => {
  it('GET /api/ecs lists every action: name, one-line summary, domain, read-only', async () => {
    const res = await request(app.server).get('/api/ecs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toMatchObject({ version: '2014-05-26', count: 380, call: 'POST /api/ecs/{Action}', describe: 'GET /api/ecs/{Action}' });
    expect(Object.keys(res.body.wireStyles).sort()).toEqual(['flat', 'json', 'object', 'repeatList']);
    expect(res.body.actions).toHaveLength(380);
    for (const a of res.body.actions) {
      expect(a).toMatchObject({ name: expect.any(String), summary: expect.any(String), domain: expect.any(String), readOnly: expect.any(Boolean) });
      expect(a.summary).not.toContain('\n');
    }
    expect(res.body.actions.find((a: { name: string }) => a.name === 'StopInstances')).toMatchObject({ domain: 'instances', readOnly: false });
    expect(res.body.actions.find((a: { name: string }) => a.name === 'DescribeDisks')).toMatchObject({ domain: 'disks', readOnly: true });
  });

  it('GET /api/ecs/{Action} describes the parameters: names, type, required, style, members, limits; no internal ones', async () => {
    const res = await request(app.server).get('/api/ecs/RunInstances');
    expect(res.status).toBe(200);
    const doc = res.body as { name: string; readOnly: boolean; call: string; parameters: Array<Record<string, unknown>> };
    expect(doc).toMatchObject({ name: 'RunInstances', readOnly: false, idempotent: true, domain: 'instances', call: 'POST /api/ecs/RunInstances' });
    const byName = new Map(doc.parameters.map((p) => [p.name, p]));
    expect(byName.get('regionId')).toMatchObject({ snakeName: 'region_id', wireName: 'RegionId', type: 'string', required: true, style: 'flat' });
    expect(doc.parameters[0]!.required).toBe(true);
    expect(byName.get('systemDisk')).toMatchObject({ type: 'object', style: 'object', required: false });
    expect((byName.get('systemDisk')!.members as Array<{ name: string }>).map((m) => m.name)).toContain('size');
    expect(byName.get('networkInterface')).toMatchObject({ type: 'array', style: 'repeatList', items: { type: 'object' } });
    const nic = (byName.get('networkInterface')!.items as { members: Array<Record<string, unknown>> }).members;
    expect(nic.find((m) => m.name === 'securityGroupIds')).toMatchObject({ type: 'array', style: 'repeatList', items: { type: 'string' }, wireName: 'SecurityGroupIds' });
    expect(byName.get('amount')).toMatchObject({ type: 'integer', minimum: 1, maximum: 100 });
    expect(byName.get('password')).toMatchObject({ secret: true });
    expect(byName.has('ownerId')).toBe(false);
    expect(byName.has('resourceOwnerAccount')).toBe(false);
    const di = (await request(app.server).get('/api/ecs/DescribeInstances')).body as { parameters: Array<Record<string, unknown>> };
    expect(di.parameters.find((p) => p.name === 'instanceIds')).toMatchObject({ style: 'json', type: 'array', maxItems: 100 });
    const rc = (await request(app.server).get('/api/ecs/RunCommand')).body as { parameters: Array<Record<string, unknown>> };
    expect(rc.parameters.find((p) => p.name === 'parameters')).toMatchObject({ style: 'json', type: 'object', freeForm: true, secret: true });
    const kp = (await request(app.server).get('/api/ecs/CreateKeyPair')).body;
    expect(kp.responseSecrets).toEqual(['PrivateKeyBody']);
  });
});

describe('methods', () => {
  it.each([
    ['put', '/api/ecs', 'GET, HEAD'],
    ['post', '/api/ecs', 'GET, HEAD'],
    ['delete', '/api/ecs/StopInstances', 'GET, HEAD, POST'],
    ['put', '/api/ecs/StopInstances', 'GET, HEAD, POST'],
    ['patch', '/api/ecs/NoSuchAction', 'GET, HEAD, POST'],
  ] as const)('%s %s: 405 with Allow: %s', async (method, path, allow) => {
    const { res, sent } = await upstream.exchange(request(app.server)[method](path).send({}));
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expect(res.body.error).toMatchObject({ code: 'METHOD_NOT_ALLOWED', status: 405 });
    expect(sent).toHaveLength(0);
  });
});

describe('the policy module: authorizeCall before anything is sent, auditCall with the outcome', () => {
  it('generic route: the action from the path, the region from the body; resource ids, ECS RequestId and outcome audited', async () => {
    const configs: unknown[] = [];
    const sentBefore = upstream.requests.length;
    const sentWhenAuthorized: number[] = [];
    authorize.mockImplementation((req: FastifyRequest) => {
      sentWhenAuthorized.push(upstream.requests.length - sentBefore);
      configs.push({ config: req.routeOptions.config, call: routeCall(req) });
    });
    await sendOne('RunCommand', { regionId: 'cn-shanghai', type: 'RunShellScript', commandContent: 'ZWNobw==', instanceId: ['i-1', 'i-2'], resourceGroupId: 'rg-1' });
    expect(authorize).toHaveBeenCalledTimes(1);
    expect(sentWhenAuthorized).toEqual([0]);
    expect(authorize.mock.calls[0]![1]).toMatchObject({ action: 'RunCommand', regionId: 'cn-shanghai', readOnly: false });
    // The policy sees the endpoint and the wire parameters too (a region-limited key and the audit line need them).
    expect(Object.keys(authorize.mock.calls[0]![1])).toEqual(expect.arrayContaining(['endpoint', 'params']));
    expect(authorize.mock.calls[0]![1].params).toMatchObject({ RegionId: 'cn-shanghai' });
    expect(configs).toMatchObject([{ config: { actionParam: 'Action' }, call: { action: 'RunCommand', readOnly: false } }]);
    expect(audit).toHaveBeenCalledTimes(1);
    expect(audit.mock.calls[0]![1]).toEqual({
      action: 'RunCommand', regionId: 'cn-shanghai', readOnly: false, resourceIds: ['i-1', 'i-2', 'rg-1'], ecsRequestId: 'GEN-1', outcome: 'ok',
    });
    // An action without RegionId: no region to authorize against.
    await sendOne('AttachDisk', { instanceId: 'i-1', diskId: 'd-1' });
    expect(authorize.mock.calls[1]![1]).toMatchObject({ action: 'AttachDisk', regionId: undefined });
    expect(audit.mock.calls[1]![1]).toMatchObject({ action: 'AttachDisk', resourceIds: ['d-1', 'i-1'] });
  });

  it('resource ids of lists, JSON lists and nested members; read-only from the catalog', async () => {
    await sendOne('DescribeInstances', { regionId: 'cn-hangzhou', instanceIds: ['i-1', 'i-2'], vpcId: 'vpc-1' });
    expect(audit.mock.calls[0]![1]).toMatchObject({ action: 'DescribeInstances', readOnly: true, resourceIds: ['i-1', 'i-2', 'vpc-1'] });
    audit.mockReset();
    await sendOne('RunInstances', { regionId: 'cn-hangzhou', imageId: 'm-1', securityGroupIds: ['sg-1'], dataDisk: [{ snapshotId: 's-1' }], zoneId: 'cn-hangzhou-h' });
    expect([...(audit.mock.calls[0]![1].resourceIds)].sort()).toEqual(['m-1', 's-1', 'sg-1']);
  });

  it('an ECS error is audited with its code and RequestId', async () => {
    upstream.reply = { status: 403, body: { Code: 'IncorrectInstanceStatus', Message: 'no', RequestId: 'E-7' } };
    await call('StopInstances', { ...CREDS, regionId: 'cn-hangzhou', instanceId: ['i-9'] });
    expect(audit.mock.calls[0]![1]).toEqual({
      action: 'StopInstances', regionId: 'cn-hangzhou', readOnly: false, resourceIds: ['i-9'], ecsRequestId: 'E-7', outcome: 'IncorrectInstanceStatus',
    });
  });

  it('a refusal from authorizeCall is answered as it is, and nothing is sent or audited', async () => {
    authorize.mockImplementation(() => {
      throw new GatewayError(403, 'ACTION_FORBIDDEN', 'The key "inventory" may not call DeleteInstances');
    });
    const { res, sent } = await upstream.exchange(call('DeleteInstances', { ...CREDS, regionId: 'cn-hangzhou', instanceId: ['i-1'] }));
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'ACTION_FORBIDDEN', status: 403 });
    expect(sent).toHaveLength(0);
    expect(audit).not.toHaveBeenCalled();
  });

  it('curated routes call it with the action they call (PUT /api/instances/stop is StopInstances), config on the route', async () => {
    const configs: unknown[] = [];
    authorize.mockImplementation((req: FastifyRequest) => { configs.push(req.routeOptions.config); });
    const stop = await upstream.exchange(request(app.server).put('/api/instances/stop').send({ ...CREDS, regionId: 'cn-beijing', instanceIds: ['i-1', 'i-2'] }));
    expect(stop.res.status).toBe(200);
    expect(authorize.mock.calls[0]![1]).toMatchObject({ action: 'StopInstances', regionId: 'cn-beijing' });
    expect(audit.mock.calls[0]![1]).toEqual({
      action: 'StopInstances', regionId: 'cn-beijing', readOnly: false, resourceIds: ['i-1', 'i-2'], ecsRequestId: 'GEN-1', outcome: 'ok',
    });
    const list = await upstream.exchange(request(app.server).get(`/api/instances/i-abc?accessKeyId=${CREDS.accessKeyId}&accessKeySecret=${CREDS.accessKeySecret}&regionId=cn-qingdao`));
    expect(list.res.status).toBe(404); // the upstream's body names no instance
    expect(authorize.mock.calls[1]![1]).toMatchObject({ action: 'DescribeInstances', regionId: 'cn-qingdao' });
    expect(audit.mock.calls[1]![1]).toMatchObject({ action: 'DescribeInstances', readOnly: true, resourceIds: ['i-abc'], outcome: 'InvalidInstanceId.NotFound' });
    expect(configs).toMatchObject([{ action: 'StopInstances', readOnly: false }, { action: 'DescribeInstances', readOnly: true }]);
  });

  it('is not called for a request that fails validation', async () => {
    await refused('StopInstances', { instanceId: ['i-1'] }, 400, 'VALIDATION_FAILED');
    const curated = await request(app.server).put('/api/instances/stop').send({ ...CREDS, instanceIds: ['i-1'] });
    expect(curated.status).toBe(400);
    expect(authorize).not.toHaveBeenCalled();
    expect(audit).not.toHaveBeenCalled();
  });
});
