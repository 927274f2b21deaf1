import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { CREDS, useGatewayWithUpstream } from '../support/gateway.js';
import { FakeUpstream } from '../support/upstream.js';

/**
 * Hostile input: every case is refused with the documented error shape, names the failing field, and
 * sends NOTHING upstream.
 */

let upstream: FakeUpstream;
let app: FastifyInstance;
useGatewayWithUpstream((ctx) => ({ upstream, app } = ctx));

const get = (path: string, query: string) => () => request(app.server).get(`${path}?${new URLSearchParams(CREDS).toString()}&${query}`);
const json = (method: 'post' | 'put', path: string, body: unknown) => () => request(app.server)[method](path).send(body as object);
const raw = (method: 'post' | 'put', path: string, text: string, type = 'application/json') => () =>
  request(app.server)[method](path).set('content-type', type).send(text);

const create = (extra: Record<string, unknown>) => json('post', '/api/instances', { ...CREDS, regionId: 'cn-beijing', imageId: 'img-1', instanceType: 'ecs.t1.xsmall', ...extra });
const start = (extra: Record<string, unknown>) => json('put', '/api/instances/start', { ...CREDS, regionId: 'cn-beijing', instanceIds: ['i-1'], ...extra });
const stop = (extra: Record<string, unknown>) => json('put', '/api/instances/stop', { ...CREDS, regionId: 'cn-beijing', instanceIds: ['i-1'], ...extra });
const START_JSON = `"accessKeyId":"${CREDS.accessKeyId}","accessKeySecret":"${CREDS.accessKeySecret}","regionId":"cn-beijing","instanceIds":["i-1"]`;
const CREATE_JSON = `"accessKeyId":"${CREDS.accessKeyId}","accessKeySecret":"${CREDS.accessKeySecret}","regionId":"cn-beijing","imageId":"img-1","instanceType":"t"`;
const many = (n: number, prefix = 'i-') => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

interface Hostile {
  name: string;
  req: () => request.Test;
  status: number;
  code: string;
  /** The field error.details must name (in `field`, or quoted in the message for unknown keys); absent: no details. */
  field?: string;
  location?: string;
}

/** A detail names `field` exactly, as its parent path, or (for unknown keys reported on the parent) quoted in its message. */
const names = (d: { field: string; message: string }, field: string) =>
  d.field === field || d.field.startsWith(`${field}.`) || d.field.endsWith(`.${field}`) || d.message.includes(`"${field}"`);

const CASES: Hostile[] = [
  // unknown and prototype keys, query
  { name: 'query: unknown field', req: get('/api/regions', 'foo=1'), status: 400, code: 'VALIDATION_FAILED', field: 'foo', location: 'querystring' },
  { name: 'query: unknown snake_case field', req: get('/api/images', 'regionId=cn-beijing&bogus_field=1'), status: 400, code: 'VALIDATION_FAILED', field: 'bogusField' },
  { name: 'query: ECS wire name RegionId', req: get('/api/zones', 'RegionId=cn-beijing'), status: 400, code: 'VALIDATION_FAILED', field: 'RegionId' },
  { name: 'query: smuggled wire param InstanceId.1', req: get('/api/instances', 'regionId=cn-beijing&InstanceId.1=i-x'), status: 400, code: 'VALIDATION_FAILED', field: 'InstanceId.1' },
  { name: 'query: smuggled Action', req: get('/api/regions', 'Action=DeleteInstances'), status: 400, code: 'VALIDATION_FAILED', field: 'Action' },
  { name: 'query: __proto__', req: get('/api/regions', '__proto__=1'), status: 400, code: 'VALIDATION_FAILED', field: '__proto__' },
  { name: 'query: __proto__[] (folds to __proto__)', req: get('/api/regions', '__proto__[]=1&__proto__[]=2'), status: 400, code: 'VALIDATION_FAILED', field: '__proto__[]' },
  { name: 'query: __proto__[accessKeyId]', req: get('/api/regions', '__proto__[accessKeyId]=x'), status: 400, code: 'VALIDATION_FAILED', field: '__proto__[accessKeyId]' },
  { name: 'query: constructor', req: get('/api/instances', 'regionId=cn-beijing&constructor=1'), status: 400, code: 'VALIDATION_FAILED', field: 'constructor' },
  { name: 'query: constructor[]', req: get('/api/instances', 'regionId=cn-beijing&constructor[]=1'), status: 400, code: 'VALIDATION_FAILED', field: 'constructor[]' },
  { name: 'query: prototype', req: get('/api/regions', 'prototype=1'), status: 400, code: 'VALIDATION_FAILED', field: 'prototype' },
  // numbers and booleans, query
  { name: 'query: pageSize 101', req: get('/api/instances', 'regionId=cn-beijing&pageSize=101'), status: 400, code: 'VALIDATION_FAILED', field: 'pageSize' },
  { name: 'query: pageSize 0', req: get('/api/images', 'regionId=cn-beijing&pageSize=0'), status: 400, code: 'VALIDATION_FAILED', field: 'pageSize' },
  { name: 'query: pageNumber 1.5', req: get('/api/images', 'regionId=cn-beijing&pageNumber=1.5'), status: 400, code: 'VALIDATION_FAILED', field: 'pageNumber' },
  { name: 'query: pageNumber -1', req: get('/api/instances', 'regionId=cn-beijing&pageNumber=-1'), status: 400, code: 'VALIDATION_FAILED', field: 'pageNumber' },
  { name: 'query: pageNumber empty', req: get('/api/instances', 'regionId=cn-beijing&pageNumber='), status: 400, code: 'VALIDATION_FAILED', field: 'pageNumber' },
  { name: 'query: maxResults 1601', req: get('/api/instance-types', 'maxResults=1601'), status: 400, code: 'VALIDATION_FAILED', field: 'maxResults' },
  { name: 'query: maxResults "10abc"', req: get('/api/instance-types', 'maxResults=10abc'), status: 400, code: 'VALIDATION_FAILED', field: 'maxResults' },
  { name: 'query: maxResults 1e3', req: get('/api/instance-types', 'maxResults=1e3'), status: 400, code: 'VALIDATION_FAILED', field: 'maxResults' },
  { name: 'query: dryRun "yes"', req: get('/api/instances', 'regionId=cn-beijing&dryRun=yes'), status: 400, code: 'VALIDATION_FAILED', field: 'dryRun' },
  { name: 'query: verbose "1"', req: get('/api/zones', 'regionId=cn-beijing&verbose=1'), status: 400, code: 'VALIDATION_FAILED', field: 'verbose' },
  { name: 'query: showExpired "TRUE"', req: get('/api/images', 'regionId=cn-beijing&showExpired=TRUE'), status: 400, code: 'VALIDATION_FAILED', field: 'showExpired' },
  // lists, query
  { name: 'query: 101 instanceIds', req: get('/api/instances', `regionId=cn-beijing&instanceIds=${many(101).join(',')}`), status: 400, code: 'VALIDATION_FAILED', field: 'instanceIds' },
  { name: 'query: empty instanceIds', req: get('/api/instances', 'regionId=cn-beijing&instanceIds='), status: 400, code: 'VALIDATION_FAILED', field: 'instanceIds' },
  { name: 'query: instanceIds only commas', req: get('/api/instances', 'regionId=cn-beijing&instanceIds=,,'), status: 400, code: 'VALIDATION_FAILED', field: 'instanceIds' },
  { name: 'query: 11 instanceTypes', req: get('/api/instance-types', `instanceTypes=${many(11, 'ecs.t').join(',')}`), status: 400, code: 'VALIDATION_FAILED', field: 'instanceTypes' },
  { name: 'query: 21 tags', req: get('/api/instances', `regionId=cn-beijing&${many(21, 'k').map((k) => `tags=${k}:v`).join('&')}`), status: 400, code: 'VALIDATION_FAILED', field: 'tags' },
  { name: 'query: tag with empty key', req: get('/api/instances', 'regionId=cn-beijing&tags=:v'), status: 400, code: 'VALIDATION_FAILED', field: 'tags' },
  // strings and enums, query
  { name: 'query: array where a scalar is expected', req: get('/api/instances', 'regionId=cn-beijing&regionId=cn-hangzhou'), status: 400, code: 'VALIDATION_FAILED', field: 'regionId' },
  { name: 'query: regionId not a region', req: get('/api/zones', 'regionId=cn_beijing%2F..'), status: 400, code: 'VALIDATION_FAILED', field: 'regionId' },
  { name: 'query: status not an enum value', req: get('/api/instances', 'regionId=cn-beijing&status=Deleted'), status: 400, code: 'VALIDATION_FAILED', field: 'status' },
  { name: 'query: control character', req: get('/api/instances', 'regionId=cn-beijing&instanceName=a%0Db'), status: 400, code: 'VALIDATION_FAILED', field: 'instanceName' },
  { name: 'query: lone surrogate (%ED%A0%80)', req: get('/api/instances', 'regionId=cn-beijing&instanceName=%ED%A0%80'), status: 400, code: 'VALIDATION_FAILED', field: 'instanceName' },
  { name: 'query: broken percent-encoding', req: get('/api/images', 'regionId=cn-beijing&imageName=50%'), status: 400, code: 'VALIDATION_FAILED', field: 'imageName' },
  { name: 'query: 129-character instanceName', req: get('/api/instances', `regionId=cn-beijing&instanceName=${'x'.repeat(129)}`), status: 400, code: 'VALIDATION_FAILED', field: 'instanceName' },
  { name: 'query: endpoint is an IP (SSRF)', req: get('/api/regions', 'endpoint=169.254.169.254'), status: 400, code: 'INVALID_ENDPOINT', field: 'endpoint' },
  { name: 'query: endpoint look-alike suffix', req: get('/api/regions', 'endpoint=ecs.cn-beijing.aliyuncs.com.evil.example'), status: 400, code: 'INVALID_ENDPOINT', field: 'endpoint' },
  { name: 'query: endpoint with a port', req: get('/api/regions', 'endpoint=ecs.aliyuncs.com:8443'), status: 400, code: 'INVALID_ENDPOINT', field: 'endpoint' },
  // path
  { name: 'path: instanceId with a space', req: () => request(app.server).get(`/api/instances/i-1%20x?${new URLSearchParams({ ...CREDS, regionId: 'cn-beijing' })}`), status: 400, code: 'VALIDATION_FAILED', field: 'instanceId', location: 'params' },
  { name: 'path: instanceId with a slash', req: () => request(app.server).get(`/api/instances/i-1%2F..%2Fx?${new URLSearchParams({ ...CREDS, regionId: 'cn-beijing' })}`), status: 400, code: 'VALIDATION_FAILED', field: 'instanceId', location: 'params' },
  // conflicts
  { name: 'query: both spellings differ', req: get('/api/instances', 'regionId=cn-beijing&region_id=cn-hangzhou'), status: 400, code: 'CONFLICTING_FIELDS', field: 'regionId' },
  { name: 'query: X-Access-Key-Id header differs from the query', req: () => get('/api/regions', '')().set('X-Access-Key-Id', 'other-id'), status: 400, code: 'CONFLICTING_FIELDS', field: 'accessKeyId' },
  { name: 'body: X-Access-Key-Id header differs from the body', req: () => start({})().set('X-Access-Key-Id', 'other-id'), status: 400, code: 'CONFLICTING_FIELDS', field: 'accessKeyId' },
  { name: 'body: X-Access-Key-Secret header differs from the body', req: () => create({})().set('X-Access-Key-Secret', 'other-secret'), status: 400, code: 'CONFLICTING_FIELDS', field: 'accessKeySecret' },
  { name: 'body: X-Security-Token header differs from the body', req: () => stop({ securityToken: 'tok-a' })().set('X-Security-Token', 'tok-b'), status: 400, code: 'CONFLICTING_FIELDS', field: 'securityToken' },
  { name: 'body: instanceIds and instance_ids differ', req: start({ instance_ids: ['i-2'] }), status: 400, code: 'CONFLICTING_FIELDS', field: 'instanceIds' },
  { name: 'body: nested snapshotId and snapshot_id differ', req: create({ dataDisks: [{ snapshotId: 's-1', snapshot_id: 's-2' }] }), status: 400, code: 'CONFLICTING_FIELDS', field: 'dataDisks[0].snapshotId' },
  // unknown and prototype keys, body
  { name: 'body: unknown field', req: create({ bogus: 1 }), status: 400, code: 'VALIDATION_FAILED', field: 'bogus', location: 'body' },
  { name: 'body: smuggled wire param SecurityGroupIds.1', req: create({ 'SecurityGroupIds.1': 'sg-evil' }), status: 400, code: 'VALIDATION_FAILED', field: 'SecurityGroupIds.1' },
  { name: 'body: unknown field in a data disk', req: create({ dataDisks: [{ size: 20, iops: 5000 }] }), status: 400, code: 'VALIDATION_FAILED', field: 'dataDisks.0.iops' },
  { name: 'body: unknown field in a tag', req: create({ tags: [{ key: 'k', value: 'v', extra: 'x' }] }), status: 400, code: 'VALIDATION_FAILED', field: 'tags.0.extra' },
  { name: 'body: query-only field on a body route (tags as key:value)', req: create({ tags: 'env:prod' }), status: 400, code: 'VALIDATION_FAILED', field: 'tags' },
  { name: 'body: raw __proto__ key', req: raw('put', '/api/instances/start', `{${START_JSON},"__proto__":{"accessKeyId":"x"}}`), status: 400, code: 'MALFORMED_JSON', field: '__proto__', location: 'body' },
  { name: 'body: raw constructor.prototype', req: raw('put', '/api/instances/start', `{${START_JSON},"constructor":{"prototype":{"polluted":1}}}`), status: 400, code: 'MALFORMED_JSON', field: 'constructor.prototype', location: 'body' },
  { name: 'body: raw nested __proto__ in a data disk', req: raw('post', '/api/instances', `{${CREATE_JSON},"dataDisks":[{"__proto__":{"size":1}}]}`), status: 400, code: 'MALFORMED_JSON', field: '__proto__', location: 'body' },
  { name: 'body: constructor as a plain value', req: raw('put', '/api/instances/start', `{${START_JSON},"constructor":1}`), status: 400, code: 'VALIDATION_FAILED', field: 'constructor' },
  { name: 'body: __proto__[] key', req: raw('put', '/api/instances/start', `{${START_JSON},"__proto__[]":{"accessKeyId":"x"}}`), status: 400, code: 'VALIDATION_FAILED', field: '__proto__[]' },
  { name: 'body: prototype key in a tag', req: create({ tags: [{ key: 'k', prototype: 'x' }] }), status: 400, code: 'VALIDATION_FAILED', field: 'tags[0].prototype' },
  // body shape and content type
  { name: 'body: malformed JSON', req: raw('post', '/api/instances', `{${CREATE_JSON},`), status: 400, code: 'MALFORMED_JSON' },
  { name: 'body: empty with a JSON content type', req: raw('put', '/api/instances/reboot', ''), status: 400, code: 'MALFORMED_JSON' },
  { name: 'body: a JSON array', req: raw('put', '/api/instances/terminate', `[{${START_JSON}}]`), status: 400, code: 'VALIDATION_FAILED', field: '(root)' },
  { name: 'body: a JSON string', req: raw('put', '/api/instances/start', '"cn-beijing"'), status: 400, code: 'VALIDATION_FAILED', field: '(root)' },
  { name: 'body: a JSON number', req: raw('post', '/api/instances', '42'), status: 400, code: 'VALIDATION_FAILED', field: '(root)' },
  { name: 'body: text/plain', req: raw('put', '/api/instances/start', `{${START_JSON}}`, 'text/plain'), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'body: form-urlencoded', req: raw('post', '/api/instances', 'regionId=cn-beijing', 'application/x-www-form-urlencoded'), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'body: larger than the body limit', req: create({ description: 'x'.repeat(1_100_000) }), status: 413, code: 'PAYLOAD_TOO_LARGE' },
  // numbers and booleans, body
  { name: 'body: amount 0', req: create({ amount: 0 }), status: 400, code: 'VALIDATION_FAILED', field: 'amount' },
  { name: 'body: amount 101', req: create({ amount: 101 }), status: 400, code: 'VALIDATION_FAILED', field: 'amount' },
  { name: 'body: amount "10abc"', req: create({ amount: '10abc' }), status: 400, code: 'VALIDATION_FAILED', field: 'amount' },
  { name: 'body: amount 1.5', req: create({ amount: 1.5 }), status: 400, code: 'VALIDATION_FAILED', field: 'amount' },
  { name: 'body: amount "0x10"', req: create({ amount: '0x10' }), status: 400, code: 'VALIDATION_FAILED', field: 'amount' },
  { name: 'body: amount true', req: create({ amount: true }), status: 400, code: 'VALIDATION_FAILED', field: 'amount' },
  { name: 'body: amount as an array', req: create({ amount: [10] }), status: 400, code: 'VALIDATION_FAILED', field: 'amount' },
  { name: 'body: systemDiskSize "50GB"', req: create({ systemDiskSize: '50GB' }), status: 400, code: 'VALIDATION_FAILED', field: 'systemDiskSize' },
  { name: 'body: systemDiskSize 1e20', req: create({ systemDiskSize: 1e20 }), status: 400, code: 'VALIDATION_FAILED', field: 'systemDiskSize' },
  { name: 'body: minAmount greater than amount', req: create({ amount: 2, minAmount: 3 }), status: 400, code: 'VALIDATION_FAILED', field: 'minAmount' },
  { name: 'body: internetMaxBandwidthOut -1', req: create({ internetMaxBandwidthOut: -1 }), status: 400, code: 'VALIDATION_FAILED', field: 'internetMaxBandwidthOut' },
  { name: 'body: dryRun "yes"', req: create({ dry_run: 'yes' }), status: 400, code: 'VALIDATION_FAILED', field: 'dryRun' },
  { name: 'body: uniqueSuffix 1', req: create({ uniqueSuffix: 1 }), status: 400, code: 'VALIDATION_FAILED', field: 'uniqueSuffix' },
  { name: 'body: force "yes"', req: json('put', '/api/instances/terminate', { ...CREDS, regionId: 'cn-beijing', instanceIds: ['i-1'], force: 'yes' }), status: 400, code: 'VALIDATION_FAILED', field: 'force' },
  // lists, body
  { name: 'body: 101 instanceIds', req: start({ instanceIds: many(101) }), status: 400, code: 'VALIDATION_FAILED', field: 'instanceIds' },
  { name: 'body: empty instanceIds', req: stop({ instanceIds: [] }), status: 400, code: 'VALIDATION_FAILED', field: 'instanceIds' },
  { name: 'body: instanceIds as a string', req: start({ instanceIds: 'i-1' }), status: 400, code: 'VALIDATION_FAILED', field: 'instanceIds' },
  { name: 'body: an empty instance id', req: start({ instanceIds: ['i-1', ''] }), status: 400, code: 'VALIDATION_FAILED', field: 'instanceIds.1' },
  { name: 'body: a numeric instance id', req: start({ instanceIds: [123] }), status: 400, code: 'VALIDATION_FAILED', field: 'instanceIds.0' },
  { name: 'body: 17 securityGroupIds', req: create({ securityGroupIds: many(17, 'sg-') }), status: 400, code: 'VALIDATION_FAILED', field: 'securityGroupIds' },
  { name: 'body: 21 tags', req: create({ tags: many(21, 'k').map((key) => ({ key })) }), status: 400, code: 'VALIDATION_FAILED', field: 'tags' },
  { name: 'body: 65 dataDisks', req: create({ dataDisks: many(65).map(() => ({ size: 20 })) }), status: 400, code: 'VALIDATION_FAILED', field: 'dataDisks' },
  { name: 'body: data disk size "20G"', req: create({ dataDisks: [{ size: 20 }, { size: '20G' }] }), status: 400, code: 'VALIDATION_FAILED', field: 'dataDisks.1.size' },
  // strings and enums, body
  { name: 'body: array where a scalar is expected', req: create({ regionId: ['cn-beijing'] }), status: 400, code: 'VALIDATION_FAILED', field: 'regionId' },
  { name: 'body: object where a string is expected', req: create({ imageId: { $ne: null } }), status: 400, code: 'VALIDATION_FAILED', field: 'imageId' },
  { name: 'body: lone surrogate', req: raw('post', '/api/instances', `{${CREATE_JSON},"password":"ab\\ud800cd"}`), status: 400, code: 'VALIDATION_FAILED', field: 'password' },
  { name: 'body: lone low surrogate in a tag value', req: raw('post', '/api/instances', `{${CREATE_JSON},"tags":[{"key":"k","value":"\\udc00"}]}`), status: 400, code: 'VALIDATION_FAILED', field: 'tags.0.value' },
  { name: 'body: control character', req: create({ description: 'line1\nline2' }), status: 400, code: 'VALIDATION_FAILED', field: 'description' },
  { name: 'body: NUL character', req: create({ instanceName: 'web\u0000' }), status: 400, code: 'VALIDATION_FAILED', field: 'instanceName' },
  { name: 'body: DEL character', req: start({ regionId: 'cn-beijing', instanceIds: ['i-1\u007f'] }), status: 400, code: 'VALIDATION_FAILED', field: 'instanceIds.0' },
  { name: 'body: enormous string (900 kB)', req: create({ instanceName: 'x'.repeat(900_000) }), status: 400, code: 'VALIDATION_FAILED', field: 'instanceName' },
  { name: 'body: 31-character password', req: create({ password: 'p'.repeat(31) }), status: 400, code: 'VALIDATION_FAILED', field: 'password' },
  { name: 'body: userData not Base64', req: create({ userData: '#!/bin/sh\necho hi' }), status: 400, code: 'VALIDATION_FAILED', field: 'userData' },
  { name: 'body: non-ASCII clientToken', req: create({ clientToken: 'tök' }), status: 400, code: 'VALIDATION_FAILED', field: 'clientToken' },
  { name: 'body: stoppedMode not an enum value', req: stop({ stoppedMode: 'StopEverything' }), status: 400, code: 'VALIDATION_FAILED', field: 'stoppedMode' },
  { name: 'body: batchOptimization in the wrong case', req: start({ batchOptimization: 'allTogether' }), status: 400, code: 'VALIDATION_FAILED', field: 'batchOptimization' },
  { name: 'body: performanceLevel not an enum value', req: create({ dataDisks: [{ performanceLevel: 'PL9' }] }), status: 400, code: 'VALIDATION_FAILED', field: 'dataDisks.0.performanceLevel' },
  { name: 'body: endpoint with a scheme', req: start({ endpoint: 'http://ecs.cn-beijing.aliyuncs.com' }), status: 400, code: 'INVALID_ENDPOINT', field: 'endpoint' },
  // credentials
  { name: 'body: accessKeyId without a secret', req: json('put', '/api/instances/start', { accessKeyId: 'id', regionId: 'cn-beijing', instanceIds: ['i-1'] }), status: 401, code: 'MISSING_CREDENTIALS' },
  { name: 'body route: credentials only in the query are not read', req: () => request(app.server).put(`/api/instances/start?${new URLSearchParams(CREDS)}`).send({ regionId: 'cn-beijing', instanceIds: ['i-1'] }), status: 401, code: 'MISSING_CREDENTIALS' },
];

describe('hostile input is refused before anything is sent upstream', () => {
  it.each(CASES)('$name → $status $code', async ({ req, status, code, field, location }) => {
    const before = upstream.requests.length;
    const res = await req();
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const { error } = res.body as { error: { code: string; message: string; status: number; requestId: string; details?: { location: string; field: string; message: string }[] } };
    expect(error).toMatchObject({ code, status, requestId: res.headers['x-request-id'] });
    expect(error.message).toEqual(expect.any(String));
    expect(Object.keys(error).every((k) => ['code', 'message', 'status', 'requestId', 'details'].includes(k))).toBe(true);
    if (field === undefined) {
      expect(error.details).toBeUndefined();
    } else {
      expect(error.details?.some((d) => names(d, field)), JSON.stringify(error.details)).toBe(true);
      if (location) expect(error.details?.find((d) => names(d, field))?.location).toBe(location);
    }
    expect(upstream.requests.length).toBe(before);
  });

  it('never echoes a secret in the error', async () => {
    const res = await request(app.server).put('/api/instances/start').set('X-Access-Key-Secret', 'header-secret-value')
      .send({ ...CREDS, regionId: 'cn-beijing', instanceIds: ['i-1'] });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).not.toContain('header-secret-value');
    expect(JSON.stringify(res.body)).not.toContain(CREDS.accessKeySecret);
  });

  it('leaves no prototype pollution behind, and the next valid request still works', async () => {
    await raw('put', '/api/instances/start', `{${START_JSON},"__proto__":{"polluted":"yes"}}`)();
    await get('/api/regions', '__proto__[polluted]=yes&constructor[prototype][polluted]=yes')();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const before = upstream.requests.length;
    const res = await start({})();
    expect(res.status).toBe(200);
    expect(upstream.requests.length).toBe(before + 1);
    expect(upstream.last.params).toEqual({ RegionId: 'cn-beijing', 'InstanceId.1': 'i-1' });
  });
});
