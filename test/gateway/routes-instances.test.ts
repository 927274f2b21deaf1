import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { CREDS, FIXED_CLIENT_TOKEN, useGatewayWithUpstream } from '../support/gateway.js';
import { answerWith, businessParams, type CapturedRequest, expectParamsInBodyOnly, FakeUpstream, qs } from '../support/upstream.js';

/**
 * GET /api/instances (DescribeInstances), GET /api/instances/:instanceId (DescribeInstances, 404 when
 * missing) and POST /api/instances (RunInstances): every documented field on the wire, exactly.
 */

const STRUCT = 'type.googleapis.com/google.protobuf.Struct';
const DATE = 'Fri, 29 Apr 2022 07:14:37 GMT';

let upstream: FakeUpstream;
let app: FastifyInstance;
useGatewayWithUpstream((ctx) => ({ upstream, app } = ctx));

/** Makes the upstream answer `body` with fixed headers; returns the headers the envelope must carry. */
const answer = (up: FakeUpstream, body: Record<string, unknown>) => answerWith(up, body, { date: DATE });

/** The one V3 call: POST /, params in the form body, action in x-acs-action, to `host`. */
function expectV3Call(sent: CapturedRequest[], action: string, host: string, params: Record<string, string>): CapturedRequest {
  expect(sent).toHaveLength(1);
  const [call] = sent as [CapturedRequest];
  expectParamsInBodyOnly(call);
  expect(call.headers['x-acs-action']).toBe(action);
  expect(call.headers.host).toBe(host);
  expect(call.params).toEqual(params);
  return call;
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `i-bp${String(i + 1).padStart(3, '0')}`);

const LIST_BODY = {
  Instances: { Instance: [{ InstanceId: 'i-bp67acfmxazb4p****', InstanceName: 'InstanceNameTest', Status: 'Running', Memory: 16384, SpotPriceLimit: 0.98, Tags: { Tag: [{ TagKey: 'TestKey', TagValue: 'TestValue' }] } }] },
  NextToken: '', PageNumber: 1, PageSize: 10, TotalCount: 1, RequestId: 'D-1',
};

describe('GET /api/instances (DescribeInstances)', () => {
  interface ListCase { name: string; query: Record<string, string | readonly string[]>; host: string; wire: Record<string, string> }
  const CASES: ListCase[] = [
    {
      name: 'seed example: region_id and endpoint', host: 'ecs.cn-beijing.aliyuncs.com',
      query: { endpoint: 'ecs.cn-beijing.aliyuncs.com', region_id: 'cn-beijing' }, wire: { RegionId: 'cn-beijing' },
    },
    {
      name: 'every field; instanceIds as repeated keys (12, in order); tags repeated', host: 'ecs.cn-hangzhou.aliyuncs.com',
      query: {
        regionId: 'cn-hangzhou', instanceIds: ids(12), status: 'Stopped', instanceName: 'web-*', zoneId: 'cn-hangzhou-h', vpcId: 'vpc-1',
        tags: ['env:prod', 'team:a:b', 'solo'], pageNumber: '2', pageSize: '100', nextToken: 'nt-1', maxResults: '100', dryRun: 'true',
      },
      wire: {
        RegionId: 'cn-hangzhou', InstanceIds: JSON.stringify(ids(12)), Status: 'Stopped', InstanceName: 'web-*', ZoneId: 'cn-hangzhou-h', VpcId: 'vpc-1',
        'Tag.1.Key': 'env', 'Tag.1.Value': 'prod', 'Tag.2.Key': 'team', 'Tag.2.Value': 'a:b', 'Tag.3.Key': 'solo',
        PageNumber: '2', PageSize: '100', NextToken: 'nt-1', MaxResults: '100', DryRun: 'true',
      },
    },
    {
      name: 'every field in snake_case', host: 'ecs.cn-hangzhou.aliyuncs.com',
      query: {
        region_id: 'cn-hangzhou', instance_ids: 'i-a,i-b', instance_name: 'n', zone_id: 'z', vpc_id: 'v',
        page_number: '1', page_size: '5', next_token: 't', max_results: '1', dry_run: 'false',
      },
      wire: {
        RegionId: 'cn-hangzhou', InstanceIds: '["i-a","i-b"]', InstanceName: 'n', ZoneId: 'z', VpcId: 'v',
        PageNumber: '1', PageSize: '5', NextToken: 't', MaxResults: '1', DryRun: 'false',
      },
    },
    {
      name: 'instanceIds[]= form', host: 'ecs.cn-beijing.aliyuncs.com',
      query: { regionId: 'cn-beijing', 'instanceIds[]': ['i-2', 'i-1'] }, wire: { RegionId: 'cn-beijing', InstanceIds: '["i-2","i-1"]' },
    },
    {
      name: 'a single instanceIds[]= value', host: 'ecs.cn-beijing.aliyuncs.com',
      query: { regionId: 'cn-beijing', 'instanceIds[]': 'i-only' }, wire: { RegionId: 'cn-beijing', InstanceIds: '["i-only"]' },
    },
    {
      name: 'comma-separated instanceIds, 100 of them', host: 'ecs.cn-beijing.aliyuncs.com',
      query: { regionId: 'cn-beijing', instanceIds: ids(100).join(',') }, wire: { RegionId: 'cn-beijing', InstanceIds: JSON.stringify(ids(100)) },
    },
    {
      name: 'a single tag filter env:prod', host: 'ecs.cn-beijing.aliyuncs.com',
      query: { regionId: 'cn-beijing', tags: 'env:prod' }, wire: { RegionId: 'cn-beijing', 'Tag.1.Key': 'env', 'Tag.1.Value': 'prod' },
    },
    {
      name: '11 tag filters keep their order (Tag.10, Tag.11)', host: 'ecs.cn-beijing.aliyuncs.com',
      query: { regionId: 'cn-beijing', tags: Array.from({ length: 11 }, (_, i) => `k${i + 1}:v${i + 1}`) },
      wire: { RegionId: 'cn-beijing', ...Object.fromEntries(Array.from({ length: 11 }, (_, i) => [[`Tag.${i + 1}.Key`, `k${i + 1}`], [`Tag.${i + 1}.Value`, `v${i + 1}`]]).flat()) },
    },
  ];

  it.each(CASES)('$name', async ({ query, host, wire }) => {
    const headers = answer(upstream, LIST_BODY);
    const { res, sent } = await upstream.exchange(request(app.server).get(`/api/instances?${qs({ ...CREDS, ...query })}`));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { '@type': STRUCT, value: { body: LIST_BODY, headers } } });
    expectV3Call(sent, 'DescribeInstances', host, wire);
  });

  it('answers the seed-shaped body (Instances as a bare array) as returned', async () => {
    const body = { Instances: [{ InstanceId: 'i-1', NetworkInterfaces: [{ PrivateIpSets: [{ Primary: true }] }] }], NextToken: '', RequestId: 'x' };
    const headers = answer(upstream, body);
    const res = await request(app.server).get(`/api/instances?${qs({ ...CREDS, region_id: 'cn-beijing' })}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { '@type': STRUCT, value: { body, headers } } });
  });
});

describe('GET /api/instances/:instanceId', () => {
  it('returns the envelope when the instance exists, asking for exactly that id', async () => {
    const headers = answer(upstream, LIST_BODY);
    const { res, sent } = await upstream.exchange(request(app.server)
      .get(`/api/instances/i-bp67acfmxazb4p****?${qs({ region_id: 'cn-qingdao' })}`)
      .set('X-Access-Key-Id', CREDS.accessKeyId).set('X-Access-Key-Secret', CREDS.accessKeySecret));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { '@type': STRUCT, value: { body: LIST_BODY, headers } } });
    expectV3Call(sent, 'DescribeInstances', 'ecs.cn-qingdao.aliyuncs.com', { RegionId: 'cn-qingdao', InstanceIds: '["i-bp67acfmxazb4p****"]' });
  });

  it('uses the endpoint given', async () => {
    answer(upstream, LIST_BODY);
    const { res, sent } = await upstream.exchange(request(app.server)
      .get(`/api/instances/i-1?${qs({ ...CREDS, regionId: 'cn-qingdao', endpoint: 'ecs-vpc.cn-qingdao.aliyuncs.com' })}`));
    expect(res.status).toBe(200);
    expectV3Call(sent, 'DescribeInstances', 'ecs-vpc.cn-qingdao.aliyuncs.com', { RegionId: 'cn-qingdao', InstanceIds: '["i-1"]' });
  });

  it.each([
    { name: 'an empty Instance list', body: { Instances: { Instance: [] }, TotalCount: 0, RequestId: 'ECS-REQ-404' } },
    { name: 'no Instances at all', body: { TotalCount: 0, RequestId: 'ECS-REQ-404' } },
  ])('404 InvalidInstanceId.NotFound for $name', async ({ body }) => {
    answer(upstream, body);
    const { res, sent } = await upstream.exchange(request(app.server).get(`/api/instances/i-missing?${qs({ ...CREDS, regionId: 'cn-beijing' })}`));
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: {
        code: 'InvalidInstanceId.NotFound', message: 'Instance i-missing does not exist in this region', status: 404,
        requestId: res.headers['x-request-id'], ecsRequestId: 'ECS-REQ-404',
      },
    });
    expect(sent).toHaveLength(1);
  });
});

const RUN_BODY = { RequestId: '473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E', OrderId: '1234567890', TradePrice: 0.165, InstanceIdSets: { InstanceIdSet: ['i-bp67acfmxazb4pd2****'] } };

/** The seed's CreateInstances example, as written. */
const SEED_CREATE = {
  accessKeyId: CREDS.accessKeyId,
  accessKeySecret: CREDS.accessKeySecret,
  endpoint: 'ecs.cn-beijing.aliyuncs.com',
  regionId: 'cn-beijing',
  imageId: 'debian_10_12_x64_20G_alibase_20220328.vhd',
  instanceType: 'ecs.t1.xsmall',
  systemDiskSize: '50',
  instanceName: 'test',
  uniqueSuffix: true,
  amount: 10,
  password: 'test',
  dry_run: true,
};
const SEED_CREATE_WIRE = {
  RegionId: 'cn-beijing', ImageId: 'debian_10_12_x64_20G_alibase_20220328.vhd', InstanceType: 'ecs.t1.xsmall',
  'SystemDisk.Size': '50', InstanceName: 'test', UniqueSuffix: 'true', Amount: '10', Password: 'test', DryRun: 'true',
  // Added by the gateway (RunInstances takes one): the same on every retry.
  ClientToken: FIXED_CLIENT_TOKEN,
};

describe('POST /api/instances (RunInstances)', () => {
  const required = { ...CREDS, regionId: 'cn-beijing', imageId: 'img-1', instanceType: 'ecs.g7.large' };
  const requiredWire = { RegionId: 'cn-beijing', ImageId: 'img-1', InstanceType: 'ecs.g7.large', ClientToken: FIXED_CLIENT_TOKEN };
  const sgs = Array.from({ length: 11 }, (_, i) => `sg-${i + 1}`);
  const tags = Array.from({ length: 11 }, (_, i) => ({ key: `k${i + 1}`, value: `v${i + 1}` }));
  const disks = Array.from({ length: 10 }, (_, i) => ({ size: 20 + i }));

  interface CreateCase { name: string; body: Record<string, unknown>; host: string; wire: Record<string, string> }
  const CASES: CreateCase[] = [
    { name: 'the seed example as written', body: SEED_CREATE, host: 'ecs.cn-beijing.aliyuncs.com', wire: SEED_CREATE_WIRE },
    { name: 'required fields only; host derived from regionId', body: required, host: 'ecs.cn-beijing.aliyuncs.com', wire: requiredWire },
    {
      name: 'every field',
      body: {
        ...required, systemDiskSize: 40, systemDiskCategory: 'cloud_essd', instanceName: 'web', uniqueSuffix: false, amount: '3', minAmount: 2,
        password: 'Pa ss+w/rd=中!', dryRun: false, zoneId: 'cn-beijing-h', securityGroupId: 'sg-main', securityGroupIds: ['sg-a', 'sg-b'],
        vSwitchId: 'vsw-1', internetMaxBandwidthOut: 0, instanceChargeType: 'PrePaid', keyPairName: 'kp', hostName: 'host-1',
        description: 'a web server', userData: 'ZWNobyBoaQ==', clientToken: 'token-123', tags: [{ key: 'env', value: 'prod' }, { key: 'bare' }],
        dataDisks: [
          { size: 100, category: 'cloud_essd', snapshotId: 's-1', diskName: 'data', description: 'd', deleteWithInstance: true, encrypted: 'false', performanceLevel: 'PL1', device: '/dev/xvdb' },
          { size: '200', category: 'cloud_auto' },
        ],
      },
      host: 'ecs.cn-beijing.aliyuncs.com',
      wire: {
        ...requiredWire, 'SystemDisk.Size': '40', 'SystemDisk.Category': 'cloud_essd', InstanceName: 'web', UniqueSuffix: 'false', Amount: '3', MinAmount: '2',
        Password: 'Pa ss+w/rd=中!', DryRun: 'false', ZoneId: 'cn-beijing-h', SecurityGroupId: 'sg-main', 'SecurityGroupIds.1': 'sg-a', 'SecurityGroupIds.2': 'sg-b',
        VSwitchId: 'vsw-1', InternetMaxBandwidthOut: '0', InstanceChargeType: 'PrePaid', KeyPairName: 'kp', HostName: 'host-1',
        Description: 'a web server', UserData: 'ZWNobyBoaQ==', ClientToken: 'token-123', 'Tag.1.Key': 'env', 'Tag.1.Value': 'prod', 'Tag.2.Key': 'bare',
        'DataDisk.1.Size': '100', 'DataDisk.1.Category': 'cloud_essd', 'DataDisk.1.SnapshotId': 's-1', 'DataDisk.1.DiskName': 'data',
        'DataDisk.1.Description': 'd', 'DataDisk.1.DeleteWithInstance': 'true', 'DataDisk.1.Encrypted': 'false', 'DataDisk.1.PerformanceLevel': 'PL1',
        'DataDisk.1.Device': '/dev/xvdb', 'DataDisk.2.Size': '200', 'DataDisk.2.Category': 'cloud_auto',
      },
    },
    {
      name: 'every field in snake_case, nested data-disk fields too',
      body: {
        access_key_id: CREDS.accessKeyId, access_key_secret: CREDS.accessKeySecret, region_id: 'cn-shanghai', image_id: 'img-2', instance_type: 't',
        system_disk_size: '60', system_disk_category: 'cloud_ssd', instance_name: 'n', unique_suffix: 'true', amount: 5, min_amount: '5',
        security_group_ids: ['sg-x'], security_group_id: 'sg-y', v_switch_id: 'vsw-2', zone_id: 'z', internet_max_bandwidth_out: '100',
        instance_charge_type: 'PostPaid', key_pair_name: 'k', host_name: 'h', user_data: '', client_token: 'c',
        data_disks: [{ size: 30, snapshot_id: 's-2', disk_name: 'dn', delete_with_instance: false, performance_level: 'PL0' }],
      },
      host: 'ecs.cn-shanghai.aliyuncs.com',
      wire: {
        RegionId: 'cn-shanghai', ImageId: 'img-2', InstanceType: 't', 'SystemDisk.Size': '60', 'SystemDisk.Category': 'cloud_ssd', InstanceName: 'n',
        UniqueSuffix: 'true', Amount: '5', MinAmount: '5', 'SecurityGroupIds.1': 'sg-x', SecurityGroupId: 'sg-y', VSwitchId: 'vsw-2', ZoneId: 'z',
        InternetMaxBandwidthOut: '100', InstanceChargeType: 'PostPaid', KeyPairName: 'k', HostName: 'h', UserData: '', ClientToken: 'c',
        'DataDisk.1.Size': '30', 'DataDisk.1.SnapshotId': 's-2', 'DataDisk.1.DiskName': 'dn', 'DataDisk.1.DeleteWithInstance': 'false', 'DataDisk.1.PerformanceLevel': 'PL0',
      },
    },
    {
      name: 'lists longer than 9 keep their order (SecurityGroupIds.11, Tag.11, DataDisk.10)',
      body: { ...required, securityGroupIds: sgs, tags, dataDisks: disks },
      host: 'ecs.cn-beijing.aliyuncs.com',
      wire: {
        ...requiredWire,
        ...Object.fromEntries(sgs.map((s, i) => [`SecurityGroupIds.${i + 1}`, s])),
        ...Object.fromEntries(tags.flatMap((t, i) => [[`Tag.${i + 1}.Key`, t.key], [`Tag.${i + 1}.Value`, t.value]])),
        ...Object.fromEntries(disks.map((d, i) => [`DataDisk.${i + 1}.Size`, String(d.size)])),
      },
    },
    {
      name: 'systemDiskSize as a number, amount as a string',
      body: { ...required, systemDiskSize: 50, amount: '10' }, host: 'ecs.cn-beijing.aliyuncs.com',
      wire: { ...requiredWire, 'SystemDisk.Size': '50', Amount: '10' },
    },
  ];

  it.each(CASES)('$name', async ({ body, host, wire }) => {
    const headers = answer(upstream, RUN_BODY);
    const { res, sent } = await upstream.exchange(request(app.server).post('/api/instances').send(body));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { '@type': STRUCT, value: { body: RUN_BODY, headers } } });
    expectV3Call(sent, 'RunInstances', host, wire);
  });

  it('passes X-Security-Token as the signed x-acs-security-token header, never as a business param', async () => {
    answer(upstream, RUN_BODY);
    const { res, sent } = await upstream.exchange(request(app.server).post('/api/instances').set('X-Security-Token', 'sts-1').send(required));
    expect(res.status).toBe(200);
    const call = expectV3Call(sent, 'RunInstances', 'ecs.cn-beijing.aliyuncs.com', requiredWire);
    expect(call.headers['x-acs-security-token']).toBe('sts-1');
    expect(call.headers.authorization).toContain('x-acs-security-token');
  });

  it('an ECS DryRunOperation answer comes back as the ECS error', async () => {
    upstream.reply = { status: 400, body: { Code: 'DryRunOperation', Message: 'Request validation has been passed with DryRun flag set.', RequestId: 'DRY-1' } };
    const res = await request(app.server).post('/api/instances').send(SEED_CREATE);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'DryRunOperation', status: 400, ecsRequestId: 'DRY-1' });
  });
});

describe('instances in V1 (params in a signed form body)', () => {
  let v1Upstream: FakeUpstream;
  let v1App: FastifyInstance;
  useGatewayWithUpstream((ctx) => ({ upstream: v1Upstream, app: v1App } = ctx), { ECS_SIGNATURE_VERSION: 'v1' });

  it.each([
    { name: 'POST seed example', req: () => request(v1App.server).post('/api/instances').send(SEED_CREATE), action: 'RunInstances', host: 'ecs.cn-beijing.aliyuncs.com', wire: SEED_CREATE_WIRE },
    {
      name: 'GET list with ids and tags', action: 'DescribeInstances', host: 'ecs.cn-hangzhou.aliyuncs.com',
      req: () => request(v1App.server).get(`/api/instances?${qs({ ...CREDS, region_id: 'cn-hangzhou', instanceIds: ['i-1', 'i-2'], tags: 'env:prod' })}`),
      wire: { RegionId: 'cn-hangzhou', InstanceIds: '["i-1","i-2"]', 'Tag.1.Key': 'env', 'Tag.1.Value': 'prod' },
    },
    {
      name: 'GET one', action: 'DescribeInstances', host: 'ecs.cn-hangzhou.aliyuncs.com',
      req: () => request(v1App.server).get(`/api/instances/i-9?${qs({ ...CREDS, regionId: 'cn-hangzhou' })}`),
      wire: { RegionId: 'cn-hangzhou', InstanceIds: '["i-9"]' },
    },
  ])('$name', async ({ req, action, host, wire }) => {
    const headers = answer(v1Upstream, LIST_BODY);
    const { res, sent } = await v1Upstream.exchange(req());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { '@type': STRUCT, value: { body: LIST_BODY, headers } } });
    expect(sent).toHaveLength(1);
    const [call] = sent as [CapturedRequest];
    expect(call.url).toBe('/');
    expect(call.headers.host).toBe(host);
    expect(call.params).toMatchObject({ Action: action, Version: '2014-05-26', AccessKeyId: CREDS.accessKeyId, SignatureMethod: 'HMAC-SHA1' });
    expect(businessParams(call)).toEqual(wire);
  });
});
