/**
 * Egress: calls to ECS go through HTTP(S)_PROXY (a real local CONNECT proxy), NO_PROXY goes direct, the
 * timeouts are checked against the deadline, and the envelope carries ECS's own response headers only.
 */
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/gateway/config.js';
import { CREDS, testGateway } from '../support/gateway.js';
import { ConnectProxy } from '../support/connect-proxy.js';
import { ECS_HEADERS, FakeUpstream } from '../support/upstream.js';

const NO_FILE = { homeDir: '/nonexistent' };
const REGIONS = { Regions: { Region: [{ RegionId: 'cn-hangzhou' }] }, RequestId: 'R-EGRESS' };

let upstream: FakeUpstream;
let proxy: ConnectProxy;
const apps: Array<{ close: () => Promise<unknown> }> = [];

beforeAll(async () => {
  upstream = await new FakeUpstream().start();
  proxy = await new ConnectProxy().start();
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
  upstream.requests.length = 0;
  proxy.tunnels.length = 0;
  upstream.reply = { body: REGIONS };
});
afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

async function gateway(env: Record<string, string>) {
  const { app } = await testGateway(upstream.url, env);
  apps.push(app);
  return app;
}

const upstreamHost = () => new URL(upstream.url).host;

describe('HTTP_PROXY / HTTPS_PROXY / NO_PROXY', () => {
  it('HTTP_PROXY: the call to ECS is tunnelled through the proxy (CONNECT to the upstream)', async () => {
    upstream.reply = { body: REGIONS };
    const app = await gateway({ HTTP_PROXY: proxy.url });
    const res = await request(app.server).get('/api/regions').query(CREDS);
    expect(res.status).toBe(200);
    expect(res.body.data.value.body).toEqual(REGIONS);
    expect(proxy.tunnels).toEqual([upstreamHost()]);
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.last.action).toBe('DescribeRegions');
  });

  it('the lower-case spelling (http_proxy) works too', async () => {
    const app = await gateway({ http_proxy: proxy.url });
    const res = await request(app.server).get('/api/regions').query(CREDS);
    expect(res.status).toBe(200);
    expect(proxy.tunnels).toEqual([upstreamHost()]);
  });

  it('NO_PROXY naming the upstream host: the call goes direct, the proxy sees nothing', async () => {
    const app = await gateway({ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' });
    const res = await request(app.server).get('/api/regions').query(CREDS);
    expect(res.status).toBe(200);
    expect(proxy.tunnels).toEqual([]);
    expect(upstream.requests).toHaveLength(1);
  });

  it('HTTPS_PROXY alone does not proxy an http:// upstream', async () => {
    const app = await gateway({ HTTPS_PROXY: proxy.url });
    const res = await request(app.server).get('/api/regions').query(CREDS);
    expect(res.status).toBe(200);
    expect(proxy.tunnels).toEqual([]);
  });

  it('no proxy variable: direct', async () => {
    const app = await gateway({});
    expect((await request(app.server).get('/api/regions').query(CREDS)).status).toBe(200);
    expect(proxy.tunnels).toEqual([]);
  });

  it('a proxy that cannot be reached is 502 UPSTREAM_UNAVAILABLE; nothing reached ECS', async () => {
    const closed = await new ConnectProxy().start();
    const url = closed.url;
    await closed.close();
    const app = await gateway({ HTTP_PROXY: url, ECS_MAX_RETRIES: '0' });
    const res = await request(app.server).get('/api/regions').query(CREDS);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(res.body.error.message).not.toContain(url);
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('egress configuration', () => {
  it('reads the proxy variables, the lower-case spelling first', () => {
    const config = loadConfig({ HTTPS_PROXY: 'http://upper:3128', https_proxy: 'http://lower:3128', HTTP_PROXY: 'http://p:8080', no_proxy: '.internal' }, NO_FILE);
    expect(config.proxy).toEqual({ httpsProxy: 'http://lower:3128', httpProxy: 'http://p:8080', noProxy: '.internal' });
  });

  it('refuses a proxy that is not an http(s) URL, without echoing it (it may carry a password)', () => {
    let problems: string[] = [];
    try {
      loadConfig({ HTTPS_PROXY: 'socks5://user:hunter2-secret@proxy:1080' }, NO_FILE);
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^HTTPS_PROXY: /);
    expect(problems.join('\n')).not.toContain('hunter2-secret');
  });

  it('separate connect and read timeouts, each within ECS_TIMEOUT_MS', () => {
    expect(loadConfig({ ECS_TIMEOUT_MS: '8000', ECS_CONNECT_TIMEOUT_MS: '1000', ECS_READ_TIMEOUT_MS: '3000' }, NO_FILE))
      .toMatchObject({ timeoutMs: 8000, connectTimeoutMs: 1000, readTimeoutMs: 3000 });
    expect(loadConfig({ ECS_TIMEOUT_MS: '2000' }, NO_FILE)).toMatchObject({ connectTimeoutMs: 2000, readTimeoutMs: 2000 });
    expect(() => loadConfig({ ECS_TIMEOUT_MS: '2000', ECS_READ_TIMEOUT_MS: '5000' }, NO_FILE)).toThrow(/ECS_READ_TIMEOUT_MS: must not exceed ECS_TIMEOUT_MS/);
    expect(() => loadConfig({ ECS_TIMEOUT_MS: '2000', ECS_CONNECT_TIMEOUT_MS: '2001' }, NO_FILE)).toThrow(/ECS_CONNECT_TIMEOUT_MS: must not exceed ECS_TIMEOUT_MS/);
  });

  it('ECS_MAX_RETRIES and ECS_RETRY_BUDGET are read and range-checked', () => {
    expect(loadConfig({ ECS_MAX_RETRIES: '0', ECS_RETRY_BUDGET: '10' }, NO_FILE)).toMatchObject({ maxRetries: 0, retryBudgetPercent: 10 });
    expect(() => loadConfig({ ECS_MAX_RETRIES: '11' }, NO_FILE)).toThrow(/ECS_MAX_RETRIES/);
    expect(() => loadConfig({ ECS_RETRY_BUDGET: '101' }, NO_FILE)).toThrow(/ECS_RETRY_BUDGET/);
  });
});

describe('upstream response headers are an allowlist', () => {
  it("the envelope carries ECS's own headers, not what a middlebox added; none reach the HTTP answer", async () => {
    upstream.reply = {
      body: REGIONS,
      headers: {
        'set-cookie': 'SERVERID=abc; Path=/', via: '1.1 corp-proxy', 'x-cache': 'MISS from corp-proxy', 'x-powered-by': 'middlebox',
        'strict-transport-security': 'max-age=1', server: 'Tengine', date: 'Fri, 29 Apr 2022 07:02:12 GMT', vary: 'Accept-Encoding',
        'access-control-allow-methods': 'POST, GET, OPTIONS, PUT, DELETE', 'access-control-max-age': '172800',
        'content-length': String(Buffer.byteLength(JSON.stringify(REGIONS))),
      },
    };
    const app = await gateway({});
    const res = await request(app.server).get('/api/regions').query(CREDS);
    expect(res.status).toBe(200);
    expect(res.body.data.value.headers).toEqual({
      ...ECS_HEADERS, connection: 'keep-alive', date: 'Fri, 29 Apr 2022 07:02:12 GMT', vary: 'Accept-Encoding',
      'access-control-allow-methods': 'POST, GET, OPTIONS, PUT, DELETE', 'access-control-max-age': '172800',
      'content-length': String(Buffer.byteLength(JSON.stringify(REGIONS))),
    });
    for (const name of ['set-cookie', 'via', 'x-cache', 'x-powered-by', 'server']) expect(res.headers[name]).toBeUndefined();
  });
});
