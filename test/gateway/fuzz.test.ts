import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { CREDS, useGatewayWithUpstream } from '../support/gateway.js';
import type { FakeUpstream } from '../support/upstream.js';

/**
 * Seeded random input against every route: whatever arrives, the gateway answers 200 (it reached the
 * upstream, which always says yes here) or a 4xx in the documented error shape. Never a 5xx: the
 * upstream never fails in this test, so a 5xx would be a gateway bug.
 */

let upstream: FakeUpstream;
let app: FastifyInstance;
useGatewayWithUpstream((ctx) => ({ upstream, app } = ctx));

/** mulberry32: a small deterministic PRNG, so a failure replays exactly. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIELDS = ['regionId', 'region_id', 'instanceIds', 'instance_ids', 'imageId', 'instanceType', 'systemDiskSize', 'amount',
  'minAmount', 'dryRun', 'dry_run', 'uniqueSuffix', 'password', 'tags', 'dataDisks', 'pageSize', 'pageNumber', 'maxResults',
  'nextToken', 'status', 'endpoint', 'force', 'forceStop', 'stoppedMode', 'batchOptimization', 'acceptLanguage', 'osType',
  'instanceTypes', 'securityGroupIds', 'userData', 'clientToken', '__proto__', 'constructor', 'toString', 'Action', 'x'];
const STRINGS = ['', ' ', 'cn-hangzhou', 'i-1', 'true', 'false', '10', '-1', '1e3', '0x10', 'NaN', '中文', '\u0000', '\ud800',
  '%', '%ZZ', '&a=b', '../..', 'ecs.cn-beijing.aliyuncs.com', '127.0.0.1', 'x'.repeat(300), '{"a":1}', '[]', 'a:b', 'null'];

function value(rand: () => number, depth = 0): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  switch (Math.floor(rand() * (depth > 1 ? 5 : 7))) {
    case 0: return pick(STRINGS);
    case 1: return pick([0, 1, -1, 100, 101, 1.5, 2 ** 53, -0, 1e308]);
    case 2: return rand() < 0.5;
    case 3: return null;
    case 4: return pick(STRINGS) + pick(STRINGS);
    case 5: return Array.from({ length: Math.floor(rand() * 4) }, () => value(rand, depth + 1));
    default: return Object.fromEntries(Array.from({ length: Math.floor(rand() * 3) }, () => [pick(FIELDS), value(rand, depth + 1)]));
  }
}

function randomFields(rand: () => number, base: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...CREDS, regionId: 'cn-hangzhou', ...base };
  for (let i = Math.floor(rand() * 5); i > 0; i--) out[FIELDS[Math.floor(rand() * FIELDS.length)]!] = value(rand);
  return out;
}

/** Query strings carry strings only (lists as repeated keys). */
function toQuery(fields: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const item of [v].flat()) q.append(k, typeof item === 'string' ? item : JSON.stringify(item));
  return q.toString();
}

const CREATE = { imageId: 'img-1', instanceType: 'ecs.g7.large' };
const TARGETS = { instanceIds: ['i-1'] };
const ROUTES = [
  ['get', '/api/regions', {}], ['get', '/api/zones', {}], ['get', '/api/images', {}], ['get', '/api/instance-types', {}],
  ['get', '/api/instances', {}], ['get', '/api/instances/i-1', {}], ['post', '/api/instances', CREATE],
  ['put', '/api/instances/start', TARGETS], ['put', '/api/instances/stop', TARGETS], ['put', '/api/instances/reboot', TARGETS],
  ['put', '/api/instances/terminate', TARGETS],
] as const;

describe('fuzz: no input makes the gateway fail', () => {
  it.each(ROUTES)('%s %s: 150 random requests, each 200 or a documented 4xx', async (method, path, base) => {
    const seen = new Set<number>();
    const rand = prng(path.length * 7919 + method.length);
    upstream.reply = { body: { RequestId: 'FUZZ', Instances: { Instance: [{ InstanceId: 'i-1' }] } } };
    for (let i = 0; i < 150; i++) {
      const fields = randomFields(rand, base);
      const res = method === 'get'
        ? await request(app.server).get(`${path}?${toQuery(fields)}`)
        : await request(app.server)[method](path).set('content-type', 'application/json').send(JSON.stringify(fields));
      seen.add(res.status);
      const context = `${method} ${path} ${JSON.stringify(fields)} → ${res.status} ${res.text.slice(0, 300)}`;
      expect(res.status === 200 || (res.status >= 400 && res.status < 500), context).toBe(true);
      if (res.status !== 200) {
        expect(res.body.error, context).toMatchObject({ code: expect.any(String), message: expect.any(String), status: res.status });
      }
    }
    // Both outcomes happen, so the generator really explores valid and invalid input.
    expect(seen.has(200), [...seen].join(',')).toBe(true);
    expect([...seen].some((st) => st >= 400), [...seen].join(',')).toBe(true);
  }, 60_000);
});

/** The generic route: every spelling of real parameters, nested and JSON-valued ones, and junk. */
const GENERIC_FIELDS = ['regionId', 'region_id', 'RegionId', 'instanceId', 'instance_id', 'InstanceId', 'instanceIds', 'InstanceIds',
  'systemDisk', 'SystemDisk', 'system_disk', 'dataDisk', 'tag', 'Tag', 'networkInterface', 'securityGroupIds', 'permissions',
  'timePeriod', 'parameters', 'Parameters', 'commandContent', 'password', 'userData', 'amount', 'dryRun', 'forceStop', 'ownerId',
  'OwnerId', 'resourceOwnerAccount', 'endpoint', 'accessKeyId', 'access_key_secret', '__proto__', 'constructor', 'x', 'Size', 'key'];

function genericValue(rand: () => number, depth = 0): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  if (depth < 2 && rand() < 0.35) {
    return rand() < 0.5
      ? Array.from({ length: Math.floor(rand() * 3) }, () => genericValue(rand, depth + 1))
      : Object.fromEntries(Array.from({ length: Math.floor(rand() * 3) }, () => [pick(GENERIC_FIELDS), genericValue(rand, depth + 1)]));
  }
  return value(rand, 2);
}

const GENERIC = [
  ['StopInstances', { regionId: 'cn-hangzhou', instanceId: ['i-1'] }],
  ['RunInstances', { regionId: 'cn-hangzhou', systemDisk: { size: 40 }, tag: [{ key: 'k' }] }],
  ['DescribeInstances', { regionId: 'cn-hangzhou', instanceIds: ['i-1'] }],
  ['RunCommand', { regionId: 'cn-hangzhou', type: 'RunShellScript', commandContent: 'ZWNobw==', parameters: { a: 1 } }],
  ['AuthorizeSecurityGroup', { regionId: 'cn-hangzhou', securityGroupId: 'sg-1', permissions: [{ ipProtocol: 'TCP', portRange: '22/22' }] }],
  ['CreatePlanMaintenanceWindow', { regionId: 'cn-hangzhou', planWindowName: 'w', enable: true, supportMaintenanceAction: 'Stop', targetResource: { scope: 'All' }, timePeriod: { periodUnit: 'Day', rangeList: [{ startTime: '01:00', endTime: '02:00' }] } }],
] as const;

describe('fuzz: the generic route POST /api/ecs/{Action}', () => {
  it.each(GENERIC)('%s: 150 random bodies, each 200 or a documented 4xx', async (action, base) => {
    const seen = new Set<number>();
    const rand = prng(action.length * 104729);
    upstream.reply = { body: { RequestId: 'FUZZ' } };
    for (let i = 0; i < 150; i++) {
      const fields: Record<string, unknown> = { ...CREDS, ...base };
      for (let n = Math.floor(rand() * 4); n > 0; n--) fields[GENERIC_FIELDS[Math.floor(rand() * GENERIC_FIELDS.length)]!] = genericValue(rand);
      const res = await request(app.server).post(`/api/ecs/${action}`).set('content-type', 'application/json').send(JSON.stringify(fields));
      seen.add(res.status);
      const context = `${action} ${JSON.stringify(fields)} → ${res.status} ${res.text.slice(0, 300)}`;
      expect(res.status === 200 || (res.status >= 400 && res.status < 500), context).toBe(true);
      if (res.status !== 200) expect(res.body.error, context).toMatchObject({ code: expect.any(String), message: expect.any(String), status: res.status });
    }
    expect(seen.has(200), [...seen].join(',')).toBe(true);
    expect([...seen].some((st) => st >= 400), [...seen].join(',')).toBe(true);
  }, 60_000);

  it('random action names and path segments: 404 UNKNOWN_ACTION, 405, 414 or 400, never a 5xx', async () => {
    const rand = prng(4242);
    // (A lone surrogate cannot be put in a URL at all: left out.)
    const names = [...STRINGS, 'DescribeInstance', 'describeinstances', 'Run Instances', 'RunInstances/x', '..', '%2e%2e', 'A'.repeat(120), '😀', '%00']
      .filter((n) => !/[\uD800-\uDFFF]/.test(n) || /[\uD800-\uDBFF][\uDC00-\uDFFF]/.test(n));
    for (let i = 0; i < 150; i++) {
      const name = names[Math.floor(rand() * names.length)]! + (rand() < 0.3 ? names[Math.floor(rand() * names.length)]! : '');
      const path = `/api/ecs/${rand() < 0.5 ? encodeURIComponent(name) : name.replace(/[#?]/g, '')}`;
      const method = rand() < 0.7 ? 'post' : 'get';
      const res = await request(app.server)[method](path).set('content-type', 'application/json').send(JSON.stringify({ ...CREDS, regionId: 'cn-hangzhou' }));
      const context = `${method} ${path} → ${res.status} ${res.text.slice(0, 300)}`;
      expect(res.status >= 200 && res.status < 500, context).toBe(true);
      if (res.status >= 400) expect(res.body.error, context).toMatchObject({ code: expect.any(String), status: res.status });
    }
  }, 60_000);
});
