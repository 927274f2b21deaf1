import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CREDS, testGateway } from '../support/gateway.js';
import { FakeUpstream, gate } from '../support/upstream.js';

/** Published ECS error bodies, copied into the repo (sources in test/fixtures/README.md). */
const FIXTURES = resolve(__dirname, '../fixtures/ecs-errors');
const ERROR_KEYS = ['code', 'message', 'status', 'requestId', 'ecsRequestId', 'hostId', 'recommend', 'details'];

/** Every error leaves in the one documented shape, with the status and request id repeated. */
function expectErrorShape(res: request.Response, status: number, code?: string): Record<string, unknown> {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(Object.keys(res.body)).toEqual(['error']);
  const error = res.body.error as Record<string, unknown>;
  for (const key of Object.keys(error)) expect(ERROR_KEYS).toContain(key);
  expect(typeof error.code).toBe('string');
  expect(typeof error.message).toBe('string');
  expect(error.status).toBe(status);
  expect(error.requestId).toBe(res.headers['x-request-id']);
  if (code !== undefined) expect(error.code).toBe(code);
  return error;
}

/** A gateway-made 5xx says nothing about the inside: no stack, no upstream URL, no address. */
function expectNoInternals(res: request.Response, upstreamUrl: string): void {
  const text = res.text;
  expect(text).not.toMatch(/\bat .+\(.+:\d+:\d+\)/);
  expect(text).not.toMatch(/stack|node_modules|Error:|ECONNREFUSED|UND_ERR/i);
  expect(text).not.toContain(upstreamUrl);
  expect(text).not.toContain(new URL(upstreamUrl).port);
  expect(text).not.toMatch(/\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b/);
  expect(text).not.toMatch(/https?:\/\//);
}

/** The real ECS error fixtures: Error.<Code>[.captured].<status>.json. */
const ecsErrors = readdirSync(FIXTURES).filter((f) => f.startsWith('Error.') && f.endsWith('.json')).map((file) => {
  const status = Number(/\.(\d{3})\.json$/.exec(file)?.[1]);
  const body = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Record<string, string>;
  return [file, status, body] as const;
});

describe('gateway errors', () => {
  let upstream: FakeUpstream;
  let app: FastifyInstance;

  beforeAll(async () => {
    upstream = await new FakeUpstream().start();
    // A generous deadline: the timeout test has its own gateway, and a loaded machine must not turn these into 504s.
    ({ app } = await testGateway(upstream.url, { ECS_TIMEOUT_MS: '60000', BODY_LIMIT_BYTES: '2048', ECS_MAX_RETRIES: '0' }));
  });
  afterAll(async () => {
    await app.close();
    await upstream.close();
  });
  beforeEach(() => {
    upstream.requests.length = 0;
    upstream.reply = { body: { RequestId: 'OK-1', Instances: { Instance: [{ InstanceId: 'i-1' }] } } };
  });

  it('has real fixtures to test with', () => {
    expect(ecsErrors.length).toBeGreaterThanOrEqual(10);
  });

  it.each(ecsErrors)('ECS %s keeps its status %i, code, message and ids', async (_file, status, body) => {
    upstream.reply = { status, body };
    const res = await request(app.server).put('/api/instances/stop').send({ ...CREDS, regionId: 'cn-beijing', instanceIds: ['i-1'] });
    const error = expectErrorShape(res, status, body.Code);
    expect(error.message).toBe(body.Message);
    expect(error.ecsRequestId).toBe(body.RequestId);
    expect(error.hostId).toBe(body.HostId);
    expect(error.recommend).toBe(body.Recommend);
    expect(error.details).toBeUndefined();
    expect(upstream.requests).toHaveLength(1);
  });

  it.each([
    ['GET /api/instances/:id', 'get', '/api/instances/i-missing', 404, 'InvalidInstanceId.NotFound'],
    ['PUT /api/instances/start', 'put', '/api/instances/start', 403, 'IncorrectInstanceStatus'],
    ['GET /api/regions', 'get', '/api/regions', 400, 'Throttling'],
  ] as const)('%s passes ECS %i %s through', async (_name, method, path, status, code) => {
    upstream.reply = { status, body: { RequestId: 'ECS-REQ', HostId: 'ecs.aliyuncs.com', Code: code, Message: `${code} message` } };
    const req = method === 'get'
      ? request(app.server).get(path).query({ ...CREDS, regionId: 'cn-beijing' })
      : request(app.server).put(path).send({ ...CREDS, regionId: 'cn-beijing', instanceIds: ['i-1'] });
    const error = expectErrorShape(await req, status, code);
    expect(error).toMatchObject({ ecsRequestId: 'ECS-REQ', hostId: 'ecs.aliyuncs.com', message: `${code} message` });
  });

  it('an empty instance lookup is 404 InvalidInstanceId.NotFound with the ECS request id', async () => {
    upstream.reply = { body: { RequestId: 'EMPTY-1', Instances: { Instance: [] }, TotalCount: 0 } };
    const res = await request(app.server).get('/api/instances/i-nope').query({ ...CREDS, regionId: 'cn-beijing' });
    const error = expectErrorShape(res, 404, 'InvalidInstanceId.NotFound');
    expect(error.ecsRequestId).toBe('EMPTY-1');
    expect(error.message).toContain('i-nope');
  });

  it.each([
    ['2500', '3'], ['1000', '1'], ['200', '1'],
  ])('Throttling x-acs-retry-after %s ms becomes retry-after: %s', async (ms, seconds) => {
    upstream.reply = { status: 400, headers: { 'x-acs-retry-after': ms }, body: { Code: 'Throttling', Message: 'Request was denied due to user flow control.', RequestId: 'T-1' } };
    const res = await request(app.server).get('/api/regions').query(CREDS);
    expectErrorShape(res, 400, 'Throttling');
    expect(res.headers['retry-after']).toBe(seconds);
  });

  it('Throttling without x-acs-retry-after has no retry-after', async () => {
    upstream.reply = { status: 400, body: { Code: 'Throttling', Message: 'slow', RequestId: 'T-2' } };
    const res = await request(app.server).get('/api/regions').query(CREDS);
    expectErrorShape(res, 400, 'Throttling');
    expect(res.headers['retry-after']).toBeUndefined();
  });

  it.each([
    ['body: missing required field', () => request(app.server).put('/api/instances/start').send({ ...CREDS, instanceIds: ['i-1'] }), 'body', 'regionId'],
    ['body: wrong type', () => request(app.server).put('/api/instances/start').send({ ...CREDS, regionId: 'cn-beijing', instanceIds: 'i-1' }), 'body', 'instanceIds'],
    ['body: empty list', () => request(app.server).put('/api/instances/start').send({ ...CREDS, regionId: 'cn-beijing', instanceIds: [] }), 'body', 'instanceIds'],
    ['body: bad enum', () => request(app.server).put('/api/instances/stop').send({ ...CREDS, regionId: 'cn-beijing', instanceIds: ['i-1'], stoppedMode: 'Sleep' }), 'body', 'stoppedMode'],
    ['body: bad region id', () => request(app.server).put('/api/instances/start').send({ ...CREDS, regionId: 'CN_BEIJING', instanceIds: ['i-1'] }), 'body', 'regionId'],
    ['query: missing regionId', () => request(app.server).get('/api/instances').query(CREDS), 'querystring', 'regionId'],
    ['query: bad page size', () => request(app.server).get('/api/instances').query({ ...CREDS, regionId: 'cn-beijing', pageSize: '1000' }), 'querystring', 'pageSize'],
    ['query: not a number', () => request(app.server).get('/api/images').query({ ...CREDS, regionId: 'cn-beijing', pageNumber: 'two' }), 'querystring', 'pageNumber'],
  ] as const)('validation failure (%s) is 400 naming the field', async (_name, send, location, field) => {
    const error = expectErrorShape(await send(), 400, 'VALIDATION_FAILED');
    expect(error.details).toEqual(expect.arrayContaining([expect.objectContaining({ location, field })]));
    expect(error.message).toContain(field);
    expect(upstream.requests).toHaveLength(0);
  });

  it('an unknown field is refused, named', async () => {
    const res = await request(app.server).put('/api/instances/start').send({ ...CREDS, regionId: 'cn-beijing', instanceIds: ['i-1'], bogusField: 1 });
    const error = expectErrorShape(res, 400);
    expect(JSON.stringify(error)).toContain('bogusField');
    expect(upstream.requests).toHaveLength(0);
  });

  it('two spellings of one field with different values conflict', async () => {
    const res = await request(app.server).put('/api/instances/start').send({ ...CREDS, regionId: 'cn-beijing', region_id: 'cn-hangzhou', instanceIds: ['i-1'] });
    const error = expectErrorShape(res, 400, 'CONFLICTING_FIELDS');
    expect(JSON.stringify(error.details)).toContain('regionId');
  });

  it.each([
    ['no credentials at all', {}, /No credentials/],
    ['only the id', { accessKeyId: 'id-only' }, /accessKeySecret is missing/],
    ['only the secret', { accessKeySecret: 'secret-only' }, /accessKeyId is missing/],
  ] as const)('401 MISSING_CREDENTIALS: %s', async (_name, creds, message) => {
    const res = await request(app.server).get('/api/regions').query(creds);
    const error = expectErrorShape(res, 401, 'MISSING_CREDENTIALS');
    expect(error.message).toMatch(message);
    expect(upstream.requests).toHaveLength(0);
  });

  it('credentials in headers are enough', async () => {
    const res = await request(app.server).get('/api/regions').set('x-access-key-id', CREDS.accessKeyId).set('x-access-key-secret', CREDS.accessKeySecret);
    expect(res.status).toBe(200);
    expect(upstream.last.headers.authorization).toContain(`Credential=${CREDS.accessKeyId},`);
  });

  it('a non-JSON upstream body is 502 UPSTREAM_BAD_RESPONSE', async () => {
    upstream.reply = { status: 200, raw: '<html>captive portal at http://10.0.0.1:8080/login</html>', headers: { 'content-type': 'text/html' } };
    const res = await request(app.server).get('/api/regions').query(CREDS);
    expectErrorShape(res, 502, 'UPSTREAM_BAD_RESPONSE');
    expectNoInternals(res, upstream.url);
  });

  it('an upstream 500 with an HTML body is 502 UPSTREAM_BAD_RESPONSE', async () => {
    upstream.reply = { status: 500, raw: '<html>Internal Error</html>' };
    const res = await request(app.server).get('/api/regions').query(CREDS);
    expectErrorShape(res, 502, 'UPSTREAM_BAD_RESPONSE');
    expectNoInternals(res, upstream.url);
  });

  it('a dropped connection is 502 UPSTREAM_UNAVAILABLE', async () => {
    upstream.reply = { drop: true };
    const res = await request(app.server).get('/api/regions').query(CREDS);
    expectErrorShape(res, 502, 'UPSTREAM_UNAVAILABLE');
    expectNoInternals(res, upstream.url);
  });

  it('an upstream that has not answered by ECS_TIMEOUT_MS is 504 UPSTREAM_TIMEOUT with retry-after', async () => {
    // Its own gateway with a short ECS_TIMEOUT_MS (the value a call is armed with is checked in client.test.ts);
    // ECS holds the call until after the gateway has answered: only the gateway's deadline can end it.
    const { app: short } = await testGateway(upstream.url, { ECS_TIMEOUT_MS: '400' });
    const held = gate();
    upstream.reply = { until: held.promise, body: { RequestId: 'TOO-LATE' } };
    try {
      const res = await request(short.server).get('/api/regions').query(CREDS);
      expectErrorShape(res, 504, 'UPSTREAM_TIMEOUT');
      expect(res.headers['retry-after']).toBe('1');
      expectNoInternals(res, upstream.url);
      expect(upstream.requests).toHaveLength(1);
    } finally {
      held.open();
      await short.close();
    }
  });

  it.each([
    ['GET', '/api/nope'],
    ['GET', '/nope?accessKeySecret=x'],
  ] as const)('unknown route %s %s is 404 JSON', async (method, path) => {
    const res = await request(app.server)[method.toLowerCase() as 'get'](path);
    const error = expectErrorShape(res, 404, 'NOT_FOUND');
    expect(error.message).toContain(path.split('?')[0]);
    expect(error.message).not.toContain('accessKeySecret');
  });

  it.each([
    ['DELETE', '/api/instances', 'GET, HEAD, POST'],
    ['POST', '/api/regions', 'GET, HEAD'],
  ] as const)('a known path with the wrong method, %s %s, is 405 JSON with Allow', async (method, path, allow) => {
    const res = await request(app.server)[method.toLowerCase() as 'get'](path);
    expectErrorShape(res, 405, 'METHOD_NOT_ALLOWED');
    expect(res.headers.allow).toBe(allow);
    expect(upstream.requests).toHaveLength(0);
  });

  it('a body over BODY_LIMIT_BYTES is 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await request(app.server).put('/api/instances/start')
      .send({ ...CREDS, regionId: 'cn-beijing', instanceIds: Array.from({ length: 100 }, (_, i) => `i-${String(i).padStart(30, '0')}`) });
    expectErrorShape(res, 413, 'PAYLOAD_TOO_LARGE');
    expect(upstream.requests).toHaveLength(0);
  });

  it('a body just under BODY_LIMIT_BYTES is accepted', async () => {
    const body = JSON.stringify({ ...CREDS, regionId: 'cn-beijing', instanceIds: ['i-1'], padding: undefined });
    const res = await request(app.server).put('/api/instances/start').set('content-type', 'application/json').send(body.padEnd(2000, ' '));
    expect(res.status).toBe(200);
  });

  it.each([
    ['truncated', '{"regionId":'],
    ['not JSON', '{bad json}'],
    ['trailing comma', '{"regionId":"cn-beijing",}'],
    ['__proto__ key', '{"__proto__":{"admin":true},"regionId":"cn-beijing","instanceIds":["i-1"]}'],
    ['nested __proto__ key', '{"regionId":"cn-beijing","instanceIds":["i-1"],"tags":{"__proto__":{"x":1}}}'],
    ['constructor.prototype', '{"constructor":{"prototype":{"admin":true}},"regionId":"cn-beijing","instanceIds":["i-1"]}'],
  ] as const)('malformed JSON body (%s) is 400', async (_name, raw) => {
    const res = await request(app.server).put('/api/instances/start').set('content-type', 'application/json').send(raw);
    expectErrorShape(res, 400, 'MALFORMED_JSON');
    expect(upstream.requests).toHaveLength(0);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('an empty JSON body is 400', async () => {
    const res = await request(app.server).put('/api/instances/start').set('content-type', 'application/json').send('');
    expectErrorShape(res, 400);
  });

  it('a JSON array body is 400', async () => {
    const res = await request(app.server).put('/api/instances/start').set('content-type', 'application/json').send('[1]');
    expectErrorShape(res, 400);
    expect(upstream.requests).toHaveLength(0);
  });

  it.each(['__proto__[admin]=1', '__proto__=x', 'constructor[prototype][admin]=1'])('a prototype key in the query (%s) is 400', async (query) => {
    const res = await request(app.server).get(`/api/regions?accessKeyId=a&accessKeySecret=b&${query}`);
    expectErrorShape(res, 400);
    expect(upstream.requests).toHaveLength(0);
  });

  it('a non-JSON content type is 415', async () => {
    const res = await request(app.server).put('/api/instances/start').set('content-type', 'text/plain').send('regionId=cn-beijing');
    expectErrorShape(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('unreachable upstream', () => {
  it('is 502 UPSTREAM_UNAVAILABLE without the address in the body', async () => {
    const closed = await new FakeUpstream().start();
    const url = closed.url;
    await closed.close();
    const { app, logs } = await testGateway(url);
    try {
      const res = await request(app.server).get('/api/regions').query(CREDS);
      expectErrorShape(res, 502, 'UPSTREAM_UNAVAILABLE');
      expect(res.headers['retry-after']).toBe('1');
      expectNoInternals(res, url);
      // The log keeps the cause for the operator.
      expect(logs.text).toMatch(/ECONNREFUSED/);
    } finally {
      await app.close();
    }
  });
});
