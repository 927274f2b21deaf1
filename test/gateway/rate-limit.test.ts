/**
 * Rate limits (src/gateway/plugins/rate-limit.ts): per API key or per client address, 429 RATE_LIMITED in the
 * error shape with Retry-After, shared by every replica through a real Redis, and a gateway that keeps serving
 * (counting per process) while Redis is away.
 */
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDS, testGateway, type LogCapture } from '../support/gateway.js';
import { freePort, startRedis, type RedisServer } from '../support/redis.js';
import { FakeUpstream } from '../support/upstream.js';

const KEY_A = 'rate-limit-key-aaaaaaaaaaaa-0001';
const KEY_B = 'rate-limit-key-bbbbbbbbbbbb-0002';
const REGIONS = `/api/regions?${new URLSearchParams(CREDS)}`;
/** A window no test outlasts: the counters cannot reset during a test. */
const LONG_WINDOW = '3600000';

const get = (app: FastifyInstance, url: string, key?: string) =>
  app.inject({ method: 'GET', url, headers: key ? { authorization: `Bearer ${key}` } : {} });

/** Waits until `check` holds (the gateway saw Redis come or go), failing after a generous bound. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

let upstream: FakeUpstream;
const apps: FastifyInstance[] = [];
async function gateway(env: Record<string, string>): Promise<{ app: FastifyInstance; logs: LogCapture }> {
  const built = await testGateway(upstream.url, env);
  apps.push(built.app);
  return built;
}

beforeAll(async () => { upstream = await new FakeUpstream().start(); });
afterAll(async () => {
  for (const app of apps) await app.close();
  await upstream.close();
});

describe('without GATEWAY_RATE_LIMIT_MAX', () => {
  it('does not limit, and /readyz has no details', async () => {
    const { app } = await gateway({});
    for (let i = 0; i < 5; i++) {
      const res = await get(app, REGIONS);
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
    const ready = await get(app, '/readyz');
    expect(ready.json()).toEqual({ status: 'ready' });
    expect(app.rateLimitBackend()).toEqual({ enabled: false, store: 'memory', redis: 'off' });
  });
});

describe('per process (no REDIS_URL)', () => {
  it('by default, sends the x-ratelimit-* headers with the 429 only', async () => {
    const { app } = await gateway({ GATEWAY_RATE_LIMIT_MAX: '2', GATEWAY_RATE_LIMIT_WINDOW_MS: LONG_WINDOW });
    for (let i = 0; i < 2; i++) {
      const res = await get(app, REGIONS);
      expect(res.statusCode).toBe(200);
      expect(Object.keys(res.headers).filter((h) => h.startsWith('x-ratelimit-'))).toEqual([]);
    }
    const refused = await get(app, REGIONS);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['x-ratelimit-limit']).toBe('2');
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
    expect(Number(refused.headers['x-ratelimit-reset'])).toBeGreaterThan(3000);
    expect(refused.headers['retry-after']).toBe(refused.headers['x-ratelimit-reset']);
  });

  it('refuses an unknown GATEWAY_RATE_LIMIT_HEADERS at startup', async () => {
    await expect(gateway({ GATEWAY_RATE_LIMIT_MAX: '2', GATEWAY_RATE_LIMIT_HEADERS: 'sometimes' })).rejects.toThrow(/GATEWAY_RATE_LIMIT_HEADERS.*must be exceeded or always/);
  });

  it('without keys, limits each client address and answers 429 RATE_LIMITED with Retry-After (headers always)', async () => {
    const { app } = await gateway({ GATEWAY_RATE_LIMIT_MAX: '3', GATEWAY_RATE_LIMIT_WINDOW_MS: LONG_WINDOW, GATEWAY_RATE_LIMIT_HEADERS: 'always' });
    const before = upstream.requests.length;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await get(app, REGIONS);
      statuses.push(res.statusCode);
      expect(res.headers['x-ratelimit-limit']).toBe('3');
      expect(res.headers['x-ratelimit-remaining']).toBe(String(2 - i));
    }
    expect(statuses).toEqual([200, 200, 200]);
    const refused = await get(app, REGIONS);
    expect(refused.statusCode).toBe(429);
    const body = refused.json();
    expect(body.error).toMatchObject({ code: 'RATE_LIMITED', status: 429, requestId: refused.headers['x-request-id'] });
    expect(body.error.message).toMatch(/^Rate limit exceeded: at most 3 requests per 3600 s; retry in \d+ s$/);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(3000);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(body.error.message).toContain(`retry in ${retryAfter} s`);
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
    // Another address has its own count.
    const other = await app.inject({ method: 'GET', url: REGIONS, remoteAddress: '10.1.2.3' });
    expect(other.statusCode).toBe(200);
    // The refused call never reached ECS: 3 + 1 calls did.
    expect(upstream.requests.length - before).toBe(4);
  });

  it('counts a HEAD request once, a 404 and a 405 not at all, and keeps counting over many requests', async () => {
    const { app } = await gateway({ GATEWAY_RATE_LIMIT_MAX: '300', GATEWAY_RATE_LIMIT_WINDOW_MS: LONG_WINDOW, GATEWAY_RATE_LIMIT_HEADERS: 'always' });
    const head = await app.inject({ method: 'HEAD', url: REGIONS });
    expect(head.statusCode).toBe(200);
    expect(head.headers['x-ratelimit-remaining']).toBe('299');
    // Neither matched a rate-limited route.
    expect((await get(app, '/no/such/route')).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: REGIONS })).statusCode).toBe(405);
    for (let i = 0; i < 298; i++) expect((await get(app, REGIONS)).statusCode).toBe(200);
    const last = await get(app, REGIONS);
    expect(last.statusCode).toBe(200);
    expect(last.headers['x-ratelimit-remaining']).toBe('0');
    expect((await get(app, REGIONS)).statusCode).toBe(429);
  });

  it('exempts the probes and the docs', async () => {
    const { app } = await gateway({ GATEWAY_RATE_LIMIT_MAX: '1', GATEWAY_RATE_LIMIT_WINDOW_MS: LONG_WINDOW, GATEWAY_RATE_LIMIT_HEADERS: 'always' });
    for (let i = 0; i < 3; i++) {
      for (const url of ['/healthz', '/readyz', '/docs/json']) {
        const res = await get(app, url);
        expect(res.statusCode, url).toBe(200);
        expect(res.headers['x-ratelimit-limit'], url).toBeUndefined();
      }
    }
    expect((await get(app, '/readyz')).json().details).toEqual({ rateLimit: { enabled: true, store: 'memory', redis: 'off' } });
    expect((await get(app, REGIONS)).statusCode).toBe(200);
    expect((await get(app, REGIONS)).statusCode).toBe(429);
  });

  it('with keys, limits each key on its own, after the key check, and never logs a key', async () => {
    const { app, logs } = await gateway({ GATEWAY_API_KEYS: `${KEY_A},${KEY_B}`, GATEWAY_RATE_LIMIT_MAX: '2', GATEWAY_RATE_LIMIT_WINDOW_MS: LONG_WINDOW });
    expect((await get(app, REGIONS, KEY_A)).statusCode).toBe(200);
    expect((await get(app, REGIONS, KEY_A)).statusCode).toBe(200);
    const refused = await get(app, REGIONS, KEY_A);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('RATE_LIMITED');
    // Key B is not held back by key A, even from the same address.
    expect((await get(app, REGIONS, KEY_B)).statusCode).toBe(200);
    // No key: 401 before any count.
    for (let i = 0; i < 3; i++) expect((await get(app, REGIONS)).statusCode).toBe(401);
    expect(logs.text).toContain('"code":"RATE_LIMITED"');
    expect(logs.text).not.toContain(KEY_A);
    expect(logs.text).not.toContain(KEY_B);
  });
});

describe('shared through a real Redis (REDIS_URL)', () => {
  let redis: RedisServer;
  let client: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    client.on('error', () => {});
  });
  afterAll(async () => {
    client.disconnect();
    await redis.stop();
  });

  it('two replicas hold one limit per key, counted under the key name (never the key)', async () => {
    const env = { GATEWAY_API_KEYS: `${KEY_A},${KEY_B}`, GATEWAY_RATE_LIMIT_MAX: '5', GATEWAY_RATE_LIMIT_WINDOW_MS: LONG_WINDOW, REDIS_URL: redis.url };
    const replicas = [(await gateway(env)).app, (await gateway(env)).app];
    await until(() => replicas.every((a) => a.rateLimitBackend().redis === 'ok'), 'both replicas connected to Redis');
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await get(replicas[i % 2]!, REGIONS, KEY_A)).statusCode);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    await client.connect();
    const keys = await client.keys('*');
    expect(keys).toEqual(['ecs-gateway:rate-limit:key:key-1']);
    expect(await client.get('ecs-gateway:rate-limit:key:key-1')).toBe('10');
    expect((await get(replicas[0]!, '/readyz')).json()).toEqual({ status: 'ready', details: { rateLimit: { enabled: true, store: 'redis', redis: 'ok' } } });
  });

  it('keeps answering when Redis dies mid-run (per process), reports it, and shares again once it is back', async () => {
    await client.flushall();
    const env = { GATEWAY_API_KEYS: `${KEY_B}`, GATEWAY_RATE_LIMIT_MAX: '3', GATEWAY_RATE_LIMIT_WINDOW_MS: LONG_WINDOW, REDIS_URL: redis.url };
    const first = await gateway(env);
    const second = await gateway(env);
    const replicas = [first.app, second.app];
    await until(() => replicas.every((a) => a.rateLimitBackend().redis === 'ok'), 'both replicas connected to Redis');
    expect((await get(first.app, REGIONS, KEY_B)).statusCode).toBe(200);

    await redis.kill();
    // Right away (whether or not the gateway has noticed yet): answered, never a 5xx.
    for (let i = 0; i < 4; i++) expect([200, 429]).toContain((await get(replicas[i % 2]!, REGIONS, KEY_B)).statusCode);
    await until(() => replicas.every((a) => a.rateLimitBackend().redis === 'down'), 'both replicas to see Redis down');
    const ready = await get(first.app, '/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().details).toEqual({ rateLimit: { enabled: true, store: 'memory', redis: 'down' } });
    expect(first.logs.text).toContain('rate limits: Redis is unreachable; each process counts on its own until it is back');
    expect(first.logs.text).not.toContain(redis.url);
    // Per process now: each replica holds the limit of 3 on its own, whatever was counted before.
    const perProcess = async (app: FastifyInstance) => {
      const s: number[] = [];
      for (let i = 0; i < 5; i++) s.push((await get(app, REGIONS, KEY_B)).statusCode);
      return s;
    };
    for (const app of replicas) {
      const s = await perProcess(app);
      expect(s.every((x) => x === 200 || x === 429)).toBe(true);
      expect(s.at(-1)).toBe(429);
    }

    await redis.restart();
    await until(() => replicas.every((a) => a.rateLimitBackend().redis === 'ok'), 'both replicas to reconnect');
    expect(first.logs.text.split('\n').filter((l) => l.includes('Redis connected')).length).toBeGreaterThanOrEqual(2);
    // The restarted Redis is empty: one shared count of 3 again, across both replicas.
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await get(replicas[i % 2]!, REGIONS, KEY_B)).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
  });

  it('starts without waiting for an unreachable Redis, and serves with per-process limits', async () => {
    const nobody = await freePort();
    const { app, logs } = await gateway({ GATEWAY_RATE_LIMIT_MAX: '2', GATEWAY_RATE_LIMIT_WINDOW_MS: LONG_WINDOW, REDIS_URL: `redis://:hunter2-redis-password@127.0.0.1:${nobody}` });
    expect([(await get(app, REGIONS)).statusCode, (await get(app, REGIONS)).statusCode, (await get(app, REGIONS)).statusCode]).toEqual([200, 200, 429]);
    await until(() => logs.text.includes('Redis is unreachable'), 'the warning');
    expect((await get(app, '/readyz')).json().details).toEqual({ rateLimit: { enabled: true, store: 'memory', redis: 'down' } });
    expect(logs.text).not.toContain('hunter2');
  });
});
