import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CREDS, testGateway } from '../support/gateway.js';
import { FakeUpstream } from '../support/upstream.js';

const KEY_A = 'gateway-key-aaaaaaaaaaaa';
const KEY_B = 'gateway-key-bbbbbbbbbbbb';

/** Every /api route with a request that would otherwise succeed. */
const ROUTES: ReadonlyArray<readonly [string, 'get' | 'post' | 'put', string, Record<string, unknown>]> = [
  ['regions', 'get', '/api/regions', {}],
  ['zones', 'get', '/api/zones', { regionId: 'cn-beijing' }],
  ['images', 'get', '/api/images', { regionId: 'cn-beijing' }],
  ['instance types', 'get', '/api/instance-types', {}],
  ['list instances', 'get', '/api/instances', { regionId: 'cn-beijing' }],
  ['get instance', 'get', '/api/instances/i-1', { regionId: 'cn-beijing' }],
  ['create instances', 'post', '/api/instances', { regionId: 'cn-beijing', imageId: 'img-1', instanceType: 'ecs.t1.xsmall' }],
  ['start', 'put', '/api/instances/start', { regionId: 'cn-beijing', instanceIds: ['i-1'] }],
  ['stop', 'put', '/api/instances/stop', { regionId: 'cn-beijing', instanceIds: ['i-1'] }],
  ['reboot', 'put', '/api/instances/reboot', { regionId: 'cn-beijing', instanceIds: ['i-1'] }],
  ['terminate', 'put', '/api/instances/terminate', { regionId: 'cn-beijing', instanceIds: ['i-1'] }],
];

const OK_BODY = { RequestId: 'OK', Instances: { Instance: [{ InstanceId: 'i-1' }] } };

function send(app: FastifyInstance, method: 'get' | 'post' | 'put', path: string, input: Record<string, unknown>, authorization?: string) {
  const req = request(app.server)[method](path);
  if (authorization !== undefined) req.set('authorization', authorization);
  return method === 'get' ? req.query({ ...CREDS, ...input }) : req.send({ ...CREDS, ...input });
}

describe('with GATEWAY_API_KEYS', () => {
  let upstream: FakeUpstream;
  let app: FastifyInstance;

  beforeAll(async () => {
    upstream = await new FakeUpstream().start();
    ({ app } = await testGateway(upstream.url, { GATEWAY_API_KEYS: `${KEY_A}, ${KEY_B}` }));
  });
  afterAll(async () => {
    await app.close();
    await upstream.close();
  });
  beforeEach(() => {
    upstream.requests.length = 0;
    upstream.reply = { body: OK_BODY };
  });

  it.each(ROUTES)('%s without a key is 401 UNAUTHORIZED with www-authenticate, ECS untouched', async (_name, method, path, input) => {
    const res = await send(app, method, path, input);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="ecs-gateway"');
    expect(res.body.error).toMatchObject({ code: 'UNAUTHORIZED', status: 401, requestId: res.headers['x-request-id'] });
    expect(upstream.requests).toHaveLength(0);
  });

  it.each(ROUTES)('%s with a valid key passes', async (_name, method, path, input) => {
    const res = await send(app, method, path, input, `Bearer ${KEY_A}`);
    expect(res.status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
    // The gateway key is not forwarded to ECS.
    expect(JSON.stringify(upstream.last)).not.toContain(KEY_A);
  });

  it.each([
    ['first key', `Bearer ${KEY_A}`, 200],
    ['second key', `Bearer ${KEY_B}`, 200],
    ['lower-case scheme', `bearer ${KEY_B}`, 200],
    ['extra spaces', `Bearer   ${KEY_A}  `, 200],
    ['wrong key', 'Bearer gateway-key-cccccccccccc', 401],
    ['key prefix', `Bearer ${KEY_A.slice(0, -1)}`, 401],
    ['key with suffix', `Bearer ${KEY_A}x`, 401],
    ['both keys joined', `Bearer ${KEY_A},${KEY_B}`, 401],
    ['two tokens', `Bearer ${KEY_A} ${KEY_B}`, 401],
    ['Basic scheme', `Basic ${KEY_A}`, 401],
    ['no scheme', KEY_A, 401],
    ['scheme only', 'Bearer', 401],
    ['empty', '', 401],
    ['upper-cased key', `Bearer ${KEY_A.toUpperCase()}`, 401],
  ] as const)('Authorization with %s → %i', async (_name, header, status) => {
    const res = await request(app.server).get('/api/regions').set('authorization', header).query(CREDS);
    expect(res.status).toBe(status);
    if (status === 401) {
      expect(res.body.error.code).toBe('UNAUTHORIZED');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
      expect(upstream.requests).toHaveLength(0);
    }
  });

  it('the key is checked before the body is parsed or validated', async () => {
    const malformed = await request(app.server).put('/api/instances/start').set('content-type', 'application/json').send('{oops');
    expect(malformed.status).toBe(401);
    const invalid = await request(app.server).put('/api/instances/start').send({ instanceIds: [] });
    expect(invalid.status).toBe(401);
    const tooLarge = await request(app.server).put('/api/instances/start').send({ pad: 'x'.repeat(2 * 1024 * 1024) });
    expect(tooLarge.status).toBe(401);
  });

  it('with a key, the request is then validated as usual', async () => {
    const res = await request(app.server).put('/api/instances/start').set('authorization', `Bearer ${KEY_A}`).send({ ...CREDS, instanceIds: [] });
    expect(res.status).toBe(400);
  });

  it.each(['/healthz', '/readyz', '/docs', '/docs/json'])('%s needs no key', async (path) => {
    const res = await request(app.server).get(path).redirects(1);
    expect(res.status).toBe(200);
  });
});

describe('without GATEWAY_API_KEYS', () => {
  let upstream: FakeUpstream;
  let app: FastifyInstance;

  beforeAll(async () => {
    upstream = await new FakeUpstream().start();
    upstream.reply = { body: OK_BODY };
    ({ app } = await testGateway(upstream.url));
  });
  afterAll(async () => {
    await app.close();
    await upstream.close();
  });

  it.each(ROUTES)('%s needs no Authorization', async (_name, method, path, input) => {
    const res = await send(app, method, path, input);
    expect(res.status).toBe(200);
    expect(res.headers['www-authenticate']).toBeUndefined();
  });

  it('an Authorization header is ignored', async () => {
    const res = await send(app, 'get', '/api/regions', {}, 'Bearer whatever');
    expect(res.status).toBe(200);
  });
});

describe('server-side credentials (only with GATEWAY_API_KEYS)', () => {
  let upstream: FakeUpstream;
  let app: FastifyInstance;
  const env = {
    GATEWAY_API_KEYS: KEY_A,
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIserverid', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'server-secret-1', ALIBABA_CLOUD_SECURITY_TOKEN: 'server-token-1',
  };

  beforeAll(async () => {
    upstream = await new FakeUpstream().start();
    upstream.reply = { body: OK_BODY };
    ({ app } = await testGateway(upstream.url, env));
  });
  afterAll(async () => {
    await app.close();
    await upstream.close();
  });

  it('refuses to start with server credentials but no API keys', async () => {
    const { GATEWAY_API_KEYS: _k, ...withoutKeys } = env;
    await expect(testGateway(upstream.url, withoutKeys)).rejects.toMatchObject({ name: 'ConfigError' });
  });

  it('a request without credentials uses the server credentials and token', async () => {
    const res = await request(app.server).get('/api/regions').set('authorization', `Bearer ${KEY_A}`);
    expect(res.status).toBe(200);
    expect(upstream.last.headers.authorization).toContain('Credential=LTAIserverid,');
    expect(upstream.last.headers['x-acs-security-token']).toBe('server-token-1');
  });

  it('per-request credentials win over the server credentials', async () => {
    const res = await request(app.server).get('/api/regions').set('authorization', `Bearer ${KEY_A}`).query(CREDS);
    expect(res.status).toBe(200);
    expect(upstream.last.headers.authorization).toContain(`Credential=${CREDS.accessKeyId},`);
    expect(upstream.last.headers['x-acs-security-token']).toBeUndefined();
  });

  it('per-request credential headers win too', async () => {
    const res = await request(app.server).put('/api/instances/start').set('authorization', `Bearer ${KEY_A}`)
      .set('x-access-key-id', 'LTAIheaderid').set('x-access-key-secret', 'header-secret').set('x-security-token', 'header-token')
      .send({ regionId: 'cn-beijing', instanceIds: ['i-1'] });
    expect(res.status).toBe(200);
    expect(upstream.last.headers.authorization).toContain('Credential=LTAIheaderid,');
    expect(upstream.last.headers['x-acs-security-token']).toBe('header-token');
  });

  it('half a per-request key pair is 401, not silently completed with the server secret', async () => {
    const before = upstream.requests.length;
    const res = await request(app.server).get('/api/regions').set('authorization', `Bearer ${KEY_A}`).query({ accessKeyId: 'LTAIother' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('MISSING_CREDENTIALS');
    expect(upstream.requests.length).toBe(before);
  });

  it('the server credentials still need the API key', async () => {
    const before = upstream.requests.length;
    const res = await request(app.server).get('/api/regions');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
    expect(upstream.requests.length).toBe(before);
  });
});

describe('STS token on the wire', () => {
  it.each([
    ['v3', (r: FakeUpstream) => r.last.headers['x-acs-security-token'], (r: FakeUpstream) => r.last.params.SecurityToken],
    ['v1', (r: FakeUpstream) => r.last.params.SecurityToken, (r: FakeUpstream) => r.last.headers['x-acs-security-token']],
  ] as const)('%s passes the token where that signature version expects it', async (version, where, notThere) => {
    const upstream = await new FakeUpstream().start();
    const { app } = await testGateway(upstream.url, { ECS_SIGNATURE_VERSION: version });
    try {
      const res = await request(app.server).get('/api/regions').query({ ...CREDS, securityToken: 'sts-token-xyz' });
      expect(res.status).toBe(200);
      expect(where(upstream)).toBe('sts-token-xyz');
      expect(notThere(upstream)).toBeUndefined();
      if (version === 'v1') expect(upstream.last.url).toBe('/');
    } finally {
      await app.close();
      await upstream.close();
    }
  });
});
