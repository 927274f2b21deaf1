/**
 * CORS (plugins/cors.ts), security headers on the docs pages and load shedding (plugins/protection.ts), and the
 * configuration of the three and of the rate limits (config.ts).
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/gateway/app.js';
import { ConfigError, loadConfig } from '../../src/gateway/config.js';
import { CREDS, LogCapture, testGateway } from '../support/gateway.js';
import { FakeUpstream } from '../support/upstream.js';

const KEY = 'protection-test-key-0123456789';
const APP_ORIGIN = 'https://app.example.com';
const REGIONS = `/api/regions?${new URLSearchParams(CREDS)}`;
const EXPECTED_CSP_PREFIX = "default-src 'self';base-uri 'self';connect-src 'self';font-src 'self' data:;form-action 'self';frame-ancestors 'self';"
  + "img-src 'self' data:;object-src 'none';script-src 'self' 'sha256-";

let upstream: FakeUpstream;
const apps: FastifyInstance[] = [];
async function gateway(env: Record<string, string>): Promise<FastifyInstance> {
  const { app } = await testGateway(upstream.url, env);
  apps.push(app);
  return app;
}
beforeAll(async () => { upstream = await new FakeUpstream().start(); });
afterAll(async () => {
  for (const app of apps) await app.close();
  await upstream.close();
});

const preflight = (app: FastifyInstance, origin: string, url = '/api/instances/i-123/start') => app.inject({
  method: 'OPTIONS', url,
  headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-access-key-id,x-access-key-secret,x-security-token' },
});

describe('CORS', () => {
  it('is off by default: no CORS headers, a preflight is an ordinary refused request', async () => {
    const app = await gateway({ GATEWAY_API_KEYS: KEY });
    const pre = await preflight(app, APP_ORIGIN);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    expect(pre.statusCode).toBe(401);
    expect(pre.json().error.code).toBe('UNAUTHORIZED');
    const res = await app.inject({ method: 'GET', url: REGIONS, headers: { origin: APP_ORIGIN, authorization: `Bearer ${KEY}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  describe('with GATEWAY_CORS_ORIGINS and API keys', () => {
    let app: FastifyInstance;
    beforeAll(async () => { app = await gateway({ GATEWAY_API_KEYS: KEY, GATEWAY_CORS_ORIGINS: `${APP_ORIGIN}, http://localhost:5173` }); });

    it('answers the preflight of an allowed origin before the key check, allowing the credential headers', async () => {
      const pre = await preflight(app, APP_ORIGIN);
      expect(pre.statusCode).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
      expect(pre.headers['access-control-allow-credentials']).toBeUndefined();
      expect(String(pre.headers['access-control-allow-methods']).split(', ')).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']));
      expect(String(pre.headers['access-control-allow-headers']).split(', ')).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-access-key-id', 'x-access-key-secret', 'x-security-token']));
      expect(pre.headers.vary).toContain('Origin');
      expect((await preflight(app, 'http://localhost:5173')).headers['access-control-allow-origin']).toBe('http://localhost:5173');
    });

    it('lets an allowed origin read the answer and its headers', async () => {
      const res = await app.inject({ method: 'GET', url: REGIONS, headers: { origin: APP_ORIGIN, authorization: `Bearer ${KEY}` } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
      expect(String(res.headers['access-control-expose-headers'])).toContain('x-request-id');
      expect(String(res.headers['access-control-expose-headers'])).toContain('retry-after');
    });

    it('gives a refused origin no CORS headers: its preflight is the ordinary 401, its calls are unreadable to its scripts', async () => {
      for (const origin of ['https://evil.example.com', 'https://app.example.com.evil.example', 'http://app.example.com', 'null']) {
        const pre = await preflight(app, origin);
        expect(pre.headers['access-control-allow-origin'], origin).toBeUndefined();
        expect(pre.statusCode, origin).toBe(401);
        expect(pre.json().error).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
      }
      const res = await app.inject({ method: 'GET', url: REGIONS, headers: { origin: 'https://evil.example.com', authorization: `Bearer ${KEY}` } });
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('changes nothing for callers without an Origin, and unknown paths stay 404', async () => {
      const res = await app.inject({ method: 'GET', url: REGIONS, headers: { authorization: `Bearer ${KEY}` } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const missing = await app.inject({ method: 'GET', url: '/api/nothing-here', headers: { authorization: `Bearer ${KEY}` } });
      expect(missing.statusCode).toBe(404);
      expect(missing.json().error.code).toBe('NOT_FOUND');
      const wrongMethod = await app.inject({ method: 'DELETE', url: '/api/regions', headers: { authorization: `Bearer ${KEY}` } });
      expect(wrongMethod.statusCode).toBe(405);
    });
  });
});

describe('security headers on the docs pages', () => {
  let app: FastifyInstance;
  beforeAll(async () => { app = await gateway({}); });

  it.each(['/docs', '/docs/', '/docs/ecs', '/docs/json', '/docs/ecs/json', '/docs/static/swagger-ui-bundle.js'])('%s carries helmet\'s headers and the docs CSP', async (url) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toMatch(new RegExp(`^${EXPECTED_CSP_PREFIX.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[A-Za-z0-9+/]+=';script-src-attr 'none';style-src 'self' 'unsafe-inline'$`));
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('allows exactly the inline script the /docs/ecs page has (by its hash); /docs has none', async () => {
    const ecs = await app.inject({ method: 'GET', url: '/docs/ecs' });
    const inline = [...ecs.body.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(inline).toHaveLength(1);
    const hash = createHash('sha256').update(inline[0]!, 'utf8').digest('base64');
    expect(ecs.headers['content-security-policy']).toContain(`script-src 'self' 'sha256-${hash}';`);
    const main = await app.inject({ method: 'GET', url: '/docs/' });
    expect(main.body).not.toMatch(/<script>/);
    expect(main.body).toMatch(/<script src=/);
  });

  it('leaves the API answers alone', async () => {
    for (const url of [REGIONS, '/healthz']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-security-policy']).toBeUndefined();
      expect(res.headers['x-frame-options']).toBeUndefined();
    }
  });
});

describe('load shedding', () => {
  const build = async (pressureCheck: () => Promise<boolean>) => {
    const logs = new LogCapture();
    const config = loadConfig({ ECS_UPSTREAM_URL: upstream.url, LOG_LEVEL: 'debug' }, { homeDir: '/nonexistent' });
    const app = await buildApp({ config, logStream: logs, pressureCheck });
    apps.push(app);
    await app.ready();
    return { app, logs };
  };

  it('answers 503 OVERLOADED with Retry-After under pressure, before calling ECS; the probes still answer', async () => {
    const { app, logs } = await build(async () => false);
    const before = upstream.requests.length;
    const res = await app.inject({ method: 'GET', url: REGIONS });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toEqual({ error: { code: 'OVERLOADED', message: 'The gateway is overloaded; retry in 5 s', status: 503, requestId: res.headers['x-request-id'] } });
    expect(upstream.requests.length).toBe(before);
    expect(logs.text).toContain('"code":"OVERLOADED"');
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('serves normally without pressure', async () => {
    const { app } = await build(async () => true);
    expect((await app.inject({ method: 'GET', url: REGIONS })).statusCode).toBe(200);
  });
});

describe('configuration', () => {
  const load = (env: Record<string, string>) => loadConfig({ ...env }, { homeDir: '/nonexistent' });
  const problems = (env: Record<string, string>): string => {
    try {
      load(env);
    } catch (err) {
      if (err instanceof ConfigError) return err.message;
      throw err;
    }
    throw new Error('expected a ConfigError');
  };

  it('defaults: no rate limit, no Redis, no CORS, no shedding', () => {
    const config = load({});
    expect(config.rateLimit).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.corsOrigins).toEqual([]);
    expect(config.overload).toEqual({ maxEventLoopDelayMs: 0, maxEventLoopUtilization: 0 });
  });

  it('reads every variable', () => {
    const config = load({
      GATEWAY_RATE_LIMIT_MAX: '100', GATEWAY_RATE_LIMIT_WINDOW_MS: '30000', GATEWAY_RATE_LIMIT_HEADERS: 'always', REDIS_URL: 'redis://redis:6379/0',
      GATEWAY_CORS_ORIGINS: 'https://App.example.com,http://localhost:3000', GATEWAY_MAX_EVENT_LOOP_DELAY_MS: '1000', GATEWAY_MAX_EVENT_LOOP_UTILIZATION: '0.98',
    });
    expect(config.rateLimit).toEqual({ max: 100, windowMs: 30000, headers: 'always' });
    expect(config.redisUrl).toBe('redis://redis:6379/0');
    expect(config.corsOrigins).toEqual(['https://app.example.com', 'http://localhost:3000']);
    expect(config.overload).toEqual({ maxEventLoopDelayMs: 1000, maxEventLoopUtilization: 0.98 });
    expect(load({ GATEWAY_RATE_LIMIT_MAX: '5' }).rateLimit).toEqual({ max: 5, windowMs: 60000, headers: 'exceeded' });
  });

  it.each([
    ['GATEWAY_RATE_LIMIT_MAX', '0'],
    ['GATEWAY_RATE_LIMIT_MAX', 'lots'],
    ['GATEWAY_RATE_LIMIT_WINDOW_MS', '10'],
    ['GATEWAY_RATE_LIMIT_HEADERS', 'sometimes'],
    ['REDIS_URL', 'http://redis:6379'],
    ['REDIS_URL', 'redis-host:6379'],
    ['GATEWAY_CORS_ORIGINS', '*'],
    ['GATEWAY_CORS_ORIGINS', 'https://app.example.com/'],
    ['GATEWAY_CORS_ORIGINS', 'https://app.example.com/path'],
    ['GATEWAY_CORS_ORIGINS', 'app.example.com'],
    ['GATEWAY_CORS_ORIGINS', 'ftp://app.example.com'],
    ['GATEWAY_MAX_EVENT_LOOP_DELAY_MS', '-1'],
    ['GATEWAY_MAX_EVENT_LOOP_UTILIZATION', '1.5'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(problems({ [name]: value })).toContain(name);
  });

  it('never repeats a REDIS_URL, which may hold a password', () => {
    expect(problems({ REDIS_URL: 'http://:s3cret-redis-pass@redis:6379' })).not.toContain('s3cret-redis-pass');
  });
});
