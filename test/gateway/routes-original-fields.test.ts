import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { useGatewayWithUpstream, withGatewayToken } from '../support/gateway.js';
import { FakeUpstream, type CapturedRequest } from '../support/upstream.js';

/**
 * Every field the original service declared (original-openapi.yaml), per route, in lowerCamelCase and in
 * snake_case: both must produce the same signed wire params; both spellings at once are fine when equal
 * and a 400 CONFLICTING_FIELDS naming the field when they differ.
 */

let upstream: FakeUpstream;
let app: FastifyInstance;
useGatewayWithUpstream((ctx) => ({ upstream, app } = ctx));

type Value = string | number | boolean | readonly string[];
type Fields = Record<string, Value>;

const toSnake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const snakeFields = (fields: Fields): Fields => Object.fromEntries(Object.entries(fields).map(([k, v]) => [toSnake(k), v]));

/** A different value of the same type. */
const other = (v: Value): Value => {
  if (typeof v === 'boolean') return !v;
  if (typeof v === 'number') return v + 1;
  if (typeof v === 'string') return v === 'true' ? 'false' : v === 'false' ? 'true' : /^\d+$/.test(v) ? String(Number(v) + 1) : `${v}-other`;
  return [...v, 'i-extra'];
};

function qs(fields: Fields): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const item of Array.isArray(v) ? v : [v]) params.append(k, String(item));
  return params.toString();
}

interface OriginalRoute {
  operationId: string;
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  action: string;
  /** Every field original-openapi.yaml declares for the operation, camelCase, with a valid value. */
  fields: Fields;
  host: string;
  wire: Record<string, string>;
}

const KEYS = { accessKeyId: 'orig-key-id', accessKeySecret: 'orig-key-secret', endpoint: 'ecs.cn-beijing.aliyuncs.com' };
const BJ = 'ecs.cn-beijing.aliyuncs.com';

const ROUTES: OriginalRoute[] = [
  {
    operationId: 'Instance_ListRegions', method: 'GET', url: '/api/regions', action: 'DescribeRegions', host: BJ,
    fields: { ...KEYS, instanceChargeType: 'PrePaid', resourceType: 'disk', acceptLanguage: 'en-US' },
    wire: { InstanceChargeType: 'PrePaid', ResourceType: 'disk', AcceptLanguage: 'en-US' },
  },
  {
    operationId: 'Instance_ListImages', method: 'GET', url: '/api/images', action: 'DescribeImages', host: BJ,
    fields: { ...KEYS, regionId: 'cn-beijing', status: 'Available,Deprecated', imageId: 'm-1', showExpired: 'true', imageName: 'debian*' },
    wire: { RegionId: 'cn-beijing', Status: 'Available,Deprecated', ImageId: 'm-1', ShowExpired: 'true', ImageName: 'debian*' },
  },
  {
    operationId: 'Instance_ListInstanceTypes', method: 'GET', url: '/api/instance-types', action: 'DescribeInstanceTypes', host: BJ,
    fields: { ...KEYS, maxResults: '1600', nextToken: 'next-1' },
    wire: { MaxResults: '1600', NextToken: 'next-1' },
  },
  {
    operationId: 'Instance_ListInstances', method: 'GET', url: '/api/instances', action: 'DescribeInstances', host: BJ,
    fields: { ...KEYS, regionId: 'cn-beijing', pageNumber: '2', pageSize: '50', nextToken: 'nt', instanceName: 'web-*', dryRun: 'true' },
    wire: { RegionId: 'cn-beijing', PageNumber: '2', PageSize: '50', NextToken: 'nt', InstanceName: 'web-*', DryRun: 'true' },
  },
  {
    operationId: 'Instance_CreateInstances', method: 'POST', url: '/api/instances', action: 'RunInstances', host: BJ,
    fields: {
      ...KEYS, regionId: 'cn-beijing', imageId: 'debian_10_12_x64_20G_alibase_20220328.vhd', instanceName: 'test', instanceType: 'ecs.t1.xsmall',
      systemDiskSize: '50', uniqueSuffix: true, amount: 10, password: 'test', dryRun: true,
    },
    wire: {
      RegionId: 'cn-beijing', ImageId: 'debian_10_12_x64_20G_alibase_20220328.vhd', InstanceName: 'test', InstanceType: 'ecs.t1.xsmall',
      'SystemDisk.Size': '50', UniqueSuffix: 'true', Amount: '10', Password: 'test', DryRun: 'true',
    },
  },
  {
    operationId: 'Instance_DeleteInstances', method: 'PUT', url: '/api/instances/terminate', action: 'DeleteInstances', host: BJ,
    fields: { ...KEYS, regionId: 'cn-beijing', force: true, terminateSubscription: true, instanceIds: ['i-1', 'i-2'], dryRun: false },
    wire: { RegionId: 'cn-beijing', Force: 'true', TerminateSubscription: 'true', 'InstanceId.1': 'i-1', 'InstanceId.2': 'i-2', DryRun: 'false' },
  },
  {
    operationId: 'Instance_RebootInstances', method: 'PUT', url: '/api/instances/reboot', action: 'RebootInstances', host: BJ,
    fields: { ...KEYS, regionId: 'cn-beijing', forceReboot: true, batchOptimization: 'SuccessFirst', instanceIds: ['i-1'], dryRun: true },
    wire: { RegionId: 'cn-beijing', ForceReboot: 'true', BatchOptimization: 'SuccessFirst', 'InstanceId.1': 'i-1', DryRun: 'true' },
  },
  {
    operationId: 'Instance_StartInstances', method: 'PUT', url: '/api/instances/start', action: 'StartInstances', host: BJ,
    fields: { ...KEYS, regionId: 'cn-beijing', instanceIds: ['i-1'], batchOptimization: 'AllTogether', dryRun: true },
    wire: { RegionId: 'cn-beijing', 'InstanceId.1': 'i-1', BatchOptimization: 'AllTogether', DryRun: 'true' },
  },
  {
    operationId: 'Instance_StopInstances', method: 'PUT', url: '/api/instances/stop', action: 'StopInstances', host: BJ,
    fields: { ...KEYS, regionId: 'cn-beijing', forceStop: false, stoppedMode: 'StopCharging', batchOptimization: 'SuccessFirst', instanceIds: ['i-1'], dryRun: false },
    wire: { RegionId: 'cn-beijing', ForceStop: 'false', StoppedMode: 'StopCharging', BatchOptimization: 'SuccessFirst', 'InstanceId.1': 'i-1', DryRun: 'false' },
  },
];

function send(route: OriginalRoute, fields: Fields): request.Test {
  if (route.method === 'GET') return request(app.server).get(`${route.url}?${qs(fields)}`);
  return (route.method === 'POST' ? request(app.server).post(route.url) : request(app.server).put(route.url)).send(fields);
}

function expectWire(route: OriginalRoute, res: request.Response, sent: CapturedRequest[]): void {
  expect(res.status).toBe(200);
  expect(sent).toHaveLength(1);
  const [call] = sent as [CapturedRequest];
  expect(call.headers['x-acs-action']).toBe(route.action);
  expect(call.headers.host).toBe(route.host);
  expect(call.headers.authorization).toMatch(/^ACS3-HMAC-SHA256 Credential=orig-key-id,/);
  expect(call.params).toEqual(withGatewayToken(route.action, route.wire));
}

describe.each(ROUTES)('$operationId ($method $url): every original field', (route) => {
  it('in camelCase', async () => {
    const { res, sent } = await upstream.exchange(send(route, route.fields));
    expectWire(route, res, sent);
  });

  it('in snake_case, with identical wire params', async () => {
    const snake = snakeFields(route.fields);
    expect(Object.keys(snake).filter((k) => k.includes('_')).length).toBeGreaterThan(1);
    const { res, sent } = await upstream.exchange(send(route, snake));
    expectWire(route, res, sent);
  });

  it('in both spellings with equal values', async () => {
    const { res, sent } = await upstream.exchange(send(route, { ...route.fields, ...snakeFields(route.fields) }));
    expectWire(route, res, sent);
  });

  const multiWord = Object.keys(route.fields).filter((k) => toSnake(k) !== k);
  it.each(multiWord)('%s and its snake_case spelling with different values: 400 CONFLICTING_FIELDS', async (field) => {
    const value = route.fields[field] as Value;
    const { res, sent } = await upstream.exchange(send(route, { ...route.fields, [toSnake(field)]: other(value) }));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'CONFLICTING_FIELDS', status: 400 });
    expect(res.body.error.details).toEqual([{ location: 'request', field, message: 'given twice with different values' }]);
    expect(res.body.error.message).toContain(field);
    expect(sent).toHaveLength(0);
  });
});
