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
