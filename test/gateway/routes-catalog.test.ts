import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { CREDS, useGatewayWithUpstream } from '../support/gateway.js';
import { answerWith, businessParams, type CapturedRequest, expectParamsInBodyOnly, FakeUpstream, qs } from '../support/upstream.js';

/**
 * The read-only catalog routes (regions, zones, images, instance types): every documented field, mapped
 * to its ECS wire name and value, the upstream host, the action, and the exact success envelope.
 */

const STRUCT = 'type.googleapis.com/google.protobuf.Struct';
const DATE = 'Fri, 29 Apr 2022 07:02:12 GMT';

let upstream: FakeUpstream;
let app: FastifyInstance;
useGatewayWithUpstream((ctx) => ({ upstream, app } = ctx));

/** Makes the upstream answer `body` with fixed headers; returns the headers the envelope must carry. */
const answer = (up: FakeUpstream, body: Record<string, unknown>) => answerWith(up, body, { date: DATE, vary: 'Accept-Encoding' });

/** The V3 call: POST /, params in the form body, action in x-acs-action, signed for CREDS (or `keyId`). */
function expectV3Call(sent: CapturedRequest[], action: string, host: string, params: Record<string, string>, keyId: string = CREDS.accessKeyId): void {
  expect(sent).toHaveLength(1);
  const [call] = sent as [CapturedRequest];
  expectParamsInBodyOnly(call);
  expect(call.headers['x-acs-action']).toBe(action);
  expect(call.headers['x-acs-version']).toBe('2014-05-26');
  expect(call.headers.host).toBe(host);
  expect(call.headers.authorization).toMatch(new RegExp(`^ACS3-HMAC-SHA256 Credential=${keyId},`));
  expect(call.params).toEqual(params);
}

const REGIONS_BODY = {
  Regions: { Region: [{ LocalName: '华北1（青岛）', RegionEndpoint: 'ecs.cn-qingdao.aliyuncs.com', RegionId: 'cn-qingdao' }] },
  RequestId: '473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E',
};

interface CatalogCase {
  name: string;
  url: string;
  query: Record<string, string | readonly string[]>;
  action: string;
  host: string;
  wire: Record<string, string>;
}

const TYPES_10 = Array.from({ length: 10 }, (_, i) => `ecs.g7.t${i + 1}`);

const CASES: CatalogCase[] = [
  {
    name: 'regions, no filter: central endpoint, no params', url: '/api/regions', query: {},
    action: 'DescribeRegions', host: 'ecs.aliyuncs.com', wire: {},
  },
  {
    name: 'regions, every field', url: '/api/regions',
    query: { regionId: 'cn-hangzhou', instanceChargeType: 'PrePaid', resourceType: 'reservedinstance', acceptLanguage: 'ja' },
    action: 'DescribeRegions', host: 'ecs.cn-hangzhou.aliyuncs.com',
    wire: { InstanceChargeType: 'PrePaid', ResourceType: 'reservedinstance', AcceptLanguage: 'ja' },
  },
  {
    name: 'regions, endpoint wins over regionId', url: '/api/regions',
    query: { regionId: 'cn-hangzhou', endpoint: 'ecs.cn-shanghai.aliyuncs.com', resourceType: 'disk' },
    action: 'DescribeRegions', host: 'ecs.cn-shanghai.aliyuncs.com', wire: { ResourceType: 'disk' },
  },
  {
    name: 'zones, every field', url: '/api/zones',
    query: { regionId: 'ap-southeast-1', acceptLanguage: 'en-US', instanceChargeType: 'PostPaid', spotStrategy: 'SpotAsPriceGo', verbose: 'false' },
    action: 'DescribeZones', host: 'ecs.ap-southeast-1.aliyuncs.com',
    wire: { RegionId: 'ap-southeast-1', AcceptLanguage: 'en-US', InstanceChargeType: 'PostPaid', SpotStrategy: 'SpotAsPriceGo', Verbose: 'false' },
  },
  {
    name: 'zones, verbose=true', url: '/api/zones', query: { regionId: 'cn-beijing', verbose: 'true' },
    action: 'DescribeZones', host: 'ecs.cn-beijing.aliyuncs.com', wire: { RegionId: 'cn-beijing', Verbose: 'true' },
  },
  {
    name: 'images, every field', url: '/api/images',
    query: {
      regionId: 'cn-beijing', imageId: 'm-1,m-2', imageName: 'debian 测试*', imageOwnerAlias: 'marketplace', osType: 'windows',
      architecture: 'arm64', status: 'Available,Deprecated', instanceType: 'ecs.g7.large', showExpired: 'true', pageNumber: '3', pageSize: '100',
    },
    action: 'DescribeImages', host: 'ecs.cn-beijing.aliyuncs.com',
    wire: {
      RegionId: 'cn-beijing', ImageId: 'm-1,m-2', ImageName: 'debian 测试*', ImageOwnerAlias: 'marketplace', OSType: 'windows',
      Architecture: 'arm64', Status: 'Available,Deprecated', InstanceType: 'ecs.g7.large', ShowExpired: 'true', PageNumber: '3', PageSize: '100',
    },
  },
  {
    name: 'images, seed example (endpoint + regionId)', url: '/api/images',
    query: { endpoint: 'ecs.cn-beijing.aliyuncs.com', regionId: 'cn-beijing' },
    action: 'DescribeImages', host: 'ecs.cn-beijing.aliyuncs.com', wire: { RegionId: 'cn-beijing' },
  },
  {
    name: 'images, numbers with spaces and leading zeros are plain decimals', url: '/api/images',
    query: { regionId: 'cn-beijing', pageNumber: ' 007 ', pageSize: '1', showExpired: 'false' },
    action: 'DescribeImages', host: 'ecs.cn-beijing.aliyuncs.com',
    wire: { RegionId: 'cn-beijing', PageNumber: '7', PageSize: '1', ShowExpired: 'false' },
  },
  {
    name: 'instance types, seed example (endpoint only)', url: '/api/instance-types',
    query: { endpoint: 'ecs.cn-beijing.aliyuncs.com' },
    action: 'DescribeInstanceTypes', host: 'ecs.cn-beijing.aliyuncs.com', wire: {},
  },
  {
    name: 'instance types, every field, list as repeated keys (10, in order)', url: '/api/instance-types',
    query: { regionId: 'eu-central-1', instanceTypeFamily: 'ecs.g7', instanceTypes: TYPES_10, nextToken: 'tok/+=', maxResults: '1600' },
    action: 'DescribeInstanceTypes', host: 'ecs.eu-central-1.aliyuncs.com',
    wire: {
      InstanceTypeFamily: 'ecs.g7', NextToken: 'tok/+=', MaxResults: '1600',
      ...Object.fromEntries(TYPES_10.map((t, i) => [`InstanceTypes.${i + 1}`, t])),
    },
  },
  {
    name: 'instance types, instanceTypes[]=', url: '/api/instance-types',
    query: { 'instanceTypes[]': ['ecs.t1.xsmall', 'ecs.g7.large'], max_results: '1' },
    action: 'DescribeInstanceTypes', host: 'ecs.aliyuncs.com',
    wire: { 'InstanceTypes.1': 'ecs.t1.xsmall', 'InstanceTypes.2': 'ecs.g7.large', MaxResults: '1' },
  },
  {
    name: 'instance types, comma-separated (blanks dropped)', url: '/api/instance-types',
    query: { instance_types: 'ecs.c7.large, ecs.t1.xsmall,,' },
    action: 'DescribeInstanceTypes', host: 'ecs.aliyuncs.com',
    wire: { 'InstanceTypes.1': 'ecs.c7.large', 'InstanceTypes.2': 'ecs.t1.xsmall' },
  },
];

describe('catalog routes (V3: params in the signed form body)', () => {
  it.each(CASES)('$name', async ({ url, query, action, host, wire }) => {
    const headers = answer(upstream, REGIONS_BODY);
    const { res, sent } = await upstream.exchange(request(app.server).get(`${url}?${qs({ ...CREDS, ...query })}`));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { '@type': STRUCT, value: { body: REGIONS_BODY, headers } } });
    expectV3Call(sent, action, host, wire);
  });

  it('reads credentials from the X-Access-Key-* and X-Security-Token headers', async () => {
    answer(upstream, REGIONS_BODY);
    const { res, sent } = await upstream.exchange(request(app.server).get('/api/zones?region_id=cn-shanghai')
      .set('X-Access-Key-Id', 'hdr-key-id').set('X-Access-Key-Secret', 'hdr-secret').set('X-Security-Token', 'sts-token-1'));
    expect(res.status).toBe(200);
    expectV3Call(sent, 'DescribeZones', 'ecs.cn-shanghai.aliyuncs.com', { RegionId: 'cn-shanghai' }, 'hdr-key-id');
    expect(sent[0]?.headers['x-acs-security-token']).toBe('sts-token-1');
  });

  it('accepts the same credential in header and query when equal', async () => {
    answer(upstream, REGIONS_BODY);
    const { res, sent } = await upstream.exchange(request(app.server).get(`/api/regions?${qs(CREDS)}`).set('X-Access-Key-Id', CREDS.accessKeyId));
    expect(res.status).toBe(200);
    expectV3Call(sent, 'DescribeRegions', 'ecs.aliyuncs.com', {});
  });

  it('passes the ECS body through untouched (unicode, floats, nested arrays, empty objects)', async () => {
    const body = { InstanceTypes: { InstanceType: [{ MemorySize: 0.5, GPUSpec: '', EniTrunkSupported: false, Tags: {} }] }, NextToken: '', RequestId: 'R-1', Note: '华东5（南京-本地地域）' };
    const headers = answer(upstream, body);
    const res = await request(app.server).get(`/api/instance-types?${qs(CREDS)}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { '@type': STRUCT, value: { body, headers } } });
  });

  it('answers an ECS error with its status and code, in the error shape', async () => {
    upstream.reply = { status: 403, body: { Code: 'Forbidden.RAM', Message: 'no permission', RequestId: 'E-1', HostId: 'ecs.aliyuncs.com' } };
    const res = await request(app.server).get(`/api/regions?${qs(CREDS)}`);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: { code: 'Forbidden.RAM', message: 'no permission', status: 403, requestId: res.headers['x-request-id'], ecsRequestId: 'E-1', hostId: 'ecs.aliyuncs.com' } });
  });
});

describe('catalog routes (V1: params in a signed form body)', () => {
  let v1Upstream: FakeUpstream;
  let v1App: FastifyInstance;
  useGatewayWithUpstream((ctx) => ({ upstream: v1Upstream, app: v1App } = ctx), { ECS_SIGNATURE_VERSION: 'v1' });

  it.each(CASES.filter((c) => Object.keys(c.wire).length > 0))('$name', async ({ url, query, action, host, wire }) => {
    const headers = answer(v1Upstream, REGIONS_BODY);
    const { res, sent } = await v1Upstream.exchange(request(v1App.server).get(`${url}?${qs({ ...CREDS, ...query })}`));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { '@type': STRUCT, value: { body: REGIONS_BODY, headers } } });
    expect(sent).toHaveLength(1);
    const [call] = sent as [CapturedRequest];
    expect(call.url).toBe('/');
    expect(call.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(call.headers.host).toBe(host);
    expect(call.params).toMatchObject({
      Action: action, Version: '2014-05-26', AccessKeyId: CREDS.accessKeyId, Format: 'JSON',
      SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0', SignatureNonce: 'test-nonce-0001', Timestamp: '2026-11-23T10:00:00Z',
    });
    expect(call.params.Signature).toMatch(/^[A-Za-z0-9+/]{27}=$/);
    expect(businessParams(call)).toEqual(wire);
  });
});
