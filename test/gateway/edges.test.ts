import { readFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ErrorCode, GatewayError, validationError } from '../../src/gateway/errors.js';
import { FieldAllowlist } from '../../src/gateway/http/allowlist.js';
import { errorForLog } from '../../src/gateway/http/logging.js';
import { regionId } from '../../src/gateway/schemas/common.js';
import { CREDS, useGatewayWithUpstream, type LogCapture } from '../support/gateway.js';
import { FakeUpstream, qs } from '../support/upstream.js';

/**
 * The edges a new user hit (issue 7): caller-chosen names in log lines, wrong verbs, framework errors
 * outside the error shape, and messages nobody could act on.
 */

const README = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
/** The codes of README's error table (its `code` column). */
const DOCUMENTED_CODES = new Set([...README.slice(README.indexOf('## Errors')).matchAll(/^\| [^|]+ \| `([^`]+)` \|/gm)].map((m) => m[1]));

let upstream: FakeUpstream;
let app: FastifyInstance;
let logs: LogCapture;
useGatewayWithUpstream((ctx) => ({ upstream, app, logs } = ctx), { LOG_LEVEL: 'info' });
beforeEach(() => { logs.lines.length = 0; });

interface ErrorAnswer { code: string; message: string; status: number; requestId: string; details?: { location: string; field: string; message: string }[] }

/** The documented shape, a code from README's table, the request id of the header, and the request's log lines. */
function expectGatewayError(res: { status: number; headers: Record<string, string | string[] | undefined>; body: unknown }, status: number, code: string): ErrorAnswer {
  expect(res.status).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
  expect(Object.keys(res.body as object)).toEqual(['error']);
  const error = (res.body as { error: ErrorAnswer }).error;
  expect(error).toMatchObject({ code, status, requestId: res.headers['x-request-id'] });
  expect(DOCUMENTED_CODES).toContain(error.code);
  const lines = logsOf(error.requestId);
  expect(lines.map((l) => l.msg)).toEqual(['request refused', 'request completed']);
  expect(lines[0]).toMatchObject({ code, statusCode: status });
  expect(lines[1]).toMatchObject({ res: { statusCode: status } });
  return error;
}

type LogLine = { msg: string; reqId?: string; code?: string; statusCode?: number; res?: { statusCode: number }; req?: { url: string }; err?: { message: string } };
const logsOf = (reqId: string): LogLine[] => logs.lines.map((l) => JSON.parse(l) as LogLine).filter((l) => l.reqId === reqId);

describe('a caller-chosen name or value reaches no log line unless the route schemas know it', () => {
  it('a value-less parameter whose NAME is the secret: the caller is told, the log is not', async () => {
    const res = await request(app.server).get('/api/instances?accessKeyId=AK&THE-SECRET&regionId=cn-beijing');
    const error = expectGatewayError(res, 400, 'VALIDATION_FAILED');
    // The caller may see their own input named ...
    expect(error.details).toEqual([{ location: 'querystring', field: 'THE-SECRET', message: 'unknown field' }]);
    // ... no log line may.
    expect(logs.text).not.toContain('THE-SECRET');
    const [refused, completed] = logsOf(error.requestId);
    expect(refused!.err!.message).toBe('Invalid request: querystring.[REDACTED]: unknown field');
    expect(completed!.req!.url).toBe('/api/instances?accessKeyId=AK&[REDACTED]&regionId=cn-beijing');
  });

  it('an unknown query field with a value: neither name nor value is logged, and the answer does not echo the value', async () => {
    const res = await request(app.server).get(`/api/regions?${qs({ ...CREDS, 'secret-name': 'SECRET-VALUE-1' })}`);
    const error = expectGatewayError(res, 400, 'VALIDATION_FAILED');
    expect(error.details).toEqual([{ location: 'querystring', field: 'secret-name', message: 'unknown field' }]);
    expect(res.text).not.toContain('SECRET-VALUE-1');
    expect(logs.text).not.toMatch(/secret-name|SECRET-VALUE-1/);
  });

  it('an unknown body field: named to the caller without its value, never logged', async () => {
    const res = await request(app.server).put('/api/instances/start').send({ ...CREDS, regionId: 'cn-beijing', instanceIds: ['i-1'], myPassw0rd: 'SECRET-VALUE-2', dataDisk: { x: 'SECRET-VALUE-3' } });
    const error = expectGatewayError(res, 400, 'VALIDATION_FAILED');
    expect(error.details?.map((d) => d.field).sort()).toEqual(['dataDisk', 'myPassw0rd']);
    expect(res.text).not.toMatch(/SECRET-VALUE/);
    expect(logs.text).not.toMatch(/myPassw0rd|dataDisk\b|SECRET-VALUE/);
  });

  it('an unknown field nested in a known one: the known path is logged, the unknown key is not', async () => {
    const res = await request(app.server).post('/api/instances').send({
      ...CREDS, regionId: 'cn-beijing', imageId: 'img', instanceType: 't', dataDisks: [{ size: 20, 'THE-SECRET-2': 1 }],
    });
    const error = expectGatewayError(res, 400, 'VALIDATION_FAILED');
    expect(error.details).toEqual([{ location: 'body', field: 'dataDisks.0.THE-SECRET-2', message: 'unknown field' }]);
    expect(logs.text).not.toContain('THE-SECRET-2');
    expect(logsOf(error.requestId)[0]!.err!.message).toBe('Invalid request: body.dataDisks.0.[REDACTED]: unknown field');
  });

  it('two spellings of an unknown name that conflict: CONFLICTING_FIELDS, the name is not logged', async () => {
    const res = await request(app.server).get(`/api/regions?${qs({ ...CREDS, the_secret_3: 'a', theSecret3: 'b' })}`);
    const error = expectGatewayError(res, 400, 'CONFLICTING_FIELDS');
    expect(error.details).toEqual([{ location: 'request', field: 'theSecret3', message: 'given twice with different values' }]);
    expect(logs.text).not.toMatch(/secret_3|Secret3/i);
  });

  it('a prototype key carrying a made-up name: refused, the made-up part is not logged', async () => {
    const res = await request(app.server).get(`/api/regions?${qs(CREDS)}&__proto__[THE-SECRET-4]=x`);
    expectGatewayError(res, 400, 'VALIDATION_FAILED');
    expect(logs.text).not.toContain('THE-SECRET-4');
  });

  it('the allowlist comes from the route schemas: every known query field is logged with its value, in either spelling', async () => {
    const fields = { region_id: 'cn-beijing', imageId: 'img-1', image_name: 'web', imageOwnerAlias: 'system', os_type: 'linux', architecture: 'x86_64', status: 'Available', instanceType: 'ecs.t1.xsmall', show_expired: 'true', pageNumber: '2', page_size: '5', endpoint: 'ecs.cn-beijing.aliyuncs.com' };
    const res = await request(app.server).get(`/api/images?${qs({ ...CREDS, ...fields })}`);
    expect(res.status).toBe(200);
    const url = logsOf(res.headers['x-request-id'] as string)[0]!.req!.url;
    expect(url).toBe(`/api/images?accessKeyId=${CREDS.accessKeyId}&accessKeySecret=[REDACTED]&${qs(fields)}`);
  });

  it('every log line renders errors the same way ("request errored" included): unknown names redacted, known ones kept', () => {
    const allowlist = new FieldAllowlist();
    allowlist.add('body', z.strictObject({ regionId: regionId(), dataDisks: z.array(z.strictObject({ size: z.number() })) }));
    const err = validationError([
      { location: 'body', field: 'regionId', message: 'required' },
      { location: 'body', field: 'dataDisks.0.THE-SECRET', message: 'unknown field' },
      { location: 'body', field: 'THE-SECRET[0].size', message: 'unknown field' },
    ]);
    expect(errorForLog(err, allowlist)).toEqual({
      type: 'GatewayError', code: 'VALIDATION_FAILED', statusCode: 400, stack: '',
      message: 'Invalid request: body.regionId: required; body.dataDisks.0.[REDACTED]: unknown field; body.[REDACTED].size: unknown field',
    });
    const conflict = new GatewayError(400, 'CONFLICTING_FIELDS', 'Conflicting values for THE-SECRET', { details: [{ location: 'request', field: 'THE-SECRET', message: 'x' }] }, { logMessage: 'Conflicting values' });
    expect(errorForLog(conflict, allowlist).message).toBe('Conflicting values: request.[REDACTED]: x');
  });

  it('fields marked secret() are logged by name only, in every spelling and list form', async () => {
    const res = await request(app.server).get('/api/regions?accessKeyId=AK&access_key_secret=S1&security_token=T1&securityToken[]=T2&password=P1');
    expect(res.status).toBe(400);
    expect(logs.text).not.toMatch(/S1|T1|T2|P1/);
    expect(logsOf(res.body.error.requestId)[1]!.req!.url)
      .toBe('/api/regions?accessKeyId=AK&access_key_secret=[REDACTED]&security_token=[REDACTED]&securityToken[]=[REDACTED]&password=[REDACTED]');
  });
});

describe('a known path with the wrong method is 405 with Allow, never a 404 or an upstream call', () => {
  it.each([
    ['post', '/api/instances/stop', 'PUT'],
    ['get', '/api/instances/stop', 'PUT'],
    ['get', '/api/instances/terminate', 'PUT'],
    ['delete', '/api/instances', 'GET, HEAD, POST'],
    ['post', '/api/regions', 'GET, HEAD'],
    ['put', '/api/instances/i-bp67acfmxazb4p0001', 'GET, HEAD, PATCH'],
  ] as const)('%s %s → 405, Allow: %s', async (method, path, allow) => {
    const { res, sent } = await upstream.exchange(request(app.server)[method](`${path}?${qs({ ...CREDS, regionId: 'cn-beijing' })}`));
    const error = expectGatewayError(res, 405, 'METHOD_NOT_ALLOWED');
    expect(res.headers.allow).toBe(allow);
    expect(error.message).toContain(allow.split(', ')[0]);
    expect(sent).toHaveLength(0);
  });

  it('HEAD on an action path is 405 too', async () => {
    const res = await request(app.server).head('/api/instances/stop');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('PUT');
  });

  it('an unknown path is still 404 NOT_FOUND', async () => {
    expectGatewayError(await request(app.server).post('/api/nowhere'), 404, 'NOT_FOUND');
  });
});

describe('instance ids in paths look like ECS ids', () => {
  it.each(['not-an-id', 'i-', 'I-BP1ABC', 'i-bp1_abc', 'i-bp1.abc', `i-${'a'.repeat(63)}`, 'start1'])('%s → 400 VALIDATION_FAILED naming instanceId, nothing sent', async (id) => {
    const { res, sent } = await upstream.exchange(request(app.server).get(`/api/instances/${id}?${qs({ ...CREDS, regionId: 'cn-beijing' })}`));
    const error = expectGatewayError(res, 400, 'VALIDATION_FAILED');
    expect(error.details).toEqual([expect.objectContaining({ location: 'params', field: 'instanceId' })]);
    expect(sent).toHaveLength(0);
  });

  it.each(['i-bp1g6zv0ce8oghu7k1a2', 'i-2zeh2dcxsbkqk6vdq1px', 'i-23abcdefg', 'i-bp67acfmxazb4p****'])('%s (real, emulator-made or docs-masked) is looked up', async (id) => {
    upstream.reply = { body: { RequestId: 'R', Instances: { Instance: [{ InstanceId: id }] } } };
    const { res, sent } = await upstream.exchange(request(app.server).get(`/api/instances/${id}?${qs({ ...CREDS, regionId: 'cn-beijing' })}`));
    expect(res.status).toBe(200);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.params.InstanceIds).toBe(JSON.stringify([id]));
  });
});

describe('framework errors leave in the error shape, with a gateway code, and are logged', () => {
  it('a path segment over 100 characters: 414 URI_TOO_LONG', async () => {
    expectGatewayError(await request(app.server).get(`/api/instances/${'a'.repeat(120)}`), 414, 'URI_TOO_LONG');
  });

  it('malformed percent-encoding in the path: 400 MALFORMED_REQUEST', async () => {
    expectGatewayError(await request(app.server).get('/api/instances/%E0%A4%A'), 400, 'MALFORMED_REQUEST');
  });

  it('a body shorter than its Content-Length: 400 MALFORMED_REQUEST', async () => {
    const res = await app.inject({ method: 'PUT', url: '/api/instances/start', headers: { 'content-type': 'application/json', 'content-length': '100' }, payload: '{}' });
    expectGatewayError({ status: res.statusCode, headers: res.headers as Record<string, string>, body: res.json() }, 400, 'MALFORMED_REQUEST');
    expect(res.body).not.toContain('FST_');
  });

  it.each(['/', ';;;', 'application/json/x'])('an unparseable Content-Type %j: 415 UNSUPPORTED_MEDIA_TYPE', async (type) => {
    const res = await app.inject({ method: 'PUT', url: '/api/instances/start', headers: { 'content-type': type }, payload: '{}' });
    expectGatewayError({ status: res.statusCode, headers: res.headers as Record<string, string>, body: res.json() }, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('an empty body with Content-Type application/json: 400 MALFORMED_JSON', async () => {
    const res = await request(app.server).put('/api/instances/start').set('content-type', 'application/json').send('');
    expectGatewayError(res, 400, 'MALFORMED_JSON');
  });

  it('garbage the HTTP parser refuses: 400 MALFORMED_REQUEST in the shape, with its request id, and logged', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const raw = await new Promise<string>((done, fail) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('GET /api/regions?THE-SECRET-5 HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'));
      let data = '';
      socket.on('data', (chunk: Buffer) => { data += chunk.toString('utf8'); });
      socket.on('close', () => done(data));
      socket.on('error', fail);
    });
    expect(raw.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { error: ErrorAnswer };
    expect(body.error).toMatchObject({ code: 'MALFORMED_REQUEST', status: 400 });
    expect(raw).toContain(`X-Request-Id: ${body.error.requestId}`);
    expect(logsOf(body.error.requestId)).toEqual([expect.objectContaining({ msg: 'request refused', code: 'MALFORMED_REQUEST', statusCode: 400 })]);
    expect(logs.text).not.toContain('THE-SECRET-5');
  });

  it('every code the gateway has is in README\'s error table', () => {
    for (const code of Object.values(ErrorCode)) expect(DOCUMENTED_CODES, code).toContain(code);
  });
});

describe('messages a person can act on', () => {
  it('a missing field says "required"', async () => {
    const res = await request(app.server).post('/api/instances').send({ ...CREDS, regionId: 'cn-beijing', instanceType: 't', tags: [{ value: 'v' }] });
    const error = expectGatewayError(res, 400, 'VALIDATION_FAILED');
    expect(error.details).toEqual([
      { location: 'body', field: 'imageId', message: 'required' },
      { location: 'body', field: 'tags.0.key', message: 'required' },
    ]);
    expect(error.message).not.toContain('undefined');
  });

  it('a missing query field says "required"', async () => {
    const error = expectGatewayError(await request(app.server).get(`/api/zones?${qs(CREDS)}`), 400, 'VALIDATION_FAILED');
    expect(error.details).toEqual([{ location: 'querystring', field: 'regionId', message: 'required' }]);
  });

  it.each([
    ['get', '/api/instances', 'RegionId', 'regionId'],
    ['get', '/api/instances', 'pagesize', 'pageSize'],
    ['get', '/api/instances', 'Page_Size', 'pageSize'],
    ['get', '/api/instances', 'INSTANCEIDS', 'instanceIds'],
    ['put', '/api/instances/stop', 'ForceStop', 'forceStop'],
    ['put', '/api/instances/stop', 'accesskeysecret', 'accessKeySecret'],
  ] as const)('%s %s with %s: "did you mean %s?"', async (method, path, wrong, meant) => {
    const fields = { ...CREDS, regionId: 'cn-beijing', [wrong]: 'cn-beijing' };
    const req = method === 'get'
      ? request(app.server).get(`${path}?${qs(fields)}`)
      : request(app.server).put(path).send({ ...fields, instanceIds: ['i-1'] });
    const error = expectGatewayError(await req, 400, 'VALIDATION_FAILED');
    expect(error.details).toContainEqual({ location: method === 'get' ? 'querystring' : 'body', field: wrong, message: `unknown field; did you mean ${meant}?` });
  });

  it('"did you mean" looks at the object the key is in', async () => {
    const res = await request(app.server).post('/api/instances').send({ ...CREDS, regionId: 'cn-beijing', imageId: 'i', instanceType: 't', dataDisks: [{ Size: 20 }] });
    const error = expectGatewayError(res, 400, 'VALIDATION_FAILED');
    expect(error.details).toEqual([{ location: 'body', field: 'dataDisks.0.Size', message: 'unknown field; did you mean size?' }]);
  });

  it('a value of the right type but the wrong form says what is wrong, not "Invalid input"', async () => {
    const error = expectGatewayError(await request(app.server).get(`/api/instances?${qs({ ...CREDS, regionId: 'cn-beijing', pageSize: '5x' })}`), 400, 'VALIDATION_FAILED');
    expect(error.details).toEqual([{ location: 'querystring', field: 'pageSize', message: 'must be a whole number' }]);
  });

  it('malformed JSON names the line and column, without quoting the body', async () => {
    const body = '{\n  "regionId": "cn-beijing",\n  "accessKeySecret": "SECRET-6" "instanceIds": ["i-1"]\n}';
    const res = await request(app.server).put('/api/instances/start').set('content-type', 'application/json').send(body);
    const error = expectGatewayError(res, 400, 'MALFORMED_JSON');
    expect(error.message).toBe("Request body is not valid JSON: expected ',' or '}' after a property value at line 3, column 33");
    expect(res.text).not.toContain('SECRET-6');
  });
});
