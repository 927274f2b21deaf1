import type { FastifyInstance } from 'fastify';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDS, testGateway } from '../support/gateway.js';
import { FakeUpstream } from '../support/upstream.js';

const API_KEY = 'edge-test-api-key-0123456789';
let upstream: FakeUpstream;
let app: FastifyInstance;
beforeAll(async () => {
  upstream = await new FakeUpstream().start();
  ({ app } = await testGateway(upstream.url, {
    GATEWAY_API_KEYS: API_KEY,
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'server-key-id',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'server-key-secret',
  }));
});
afterAll(async () => { await app.close(); await upstream.close(); });

const auth = { authorization: `Bearer ${API_KEY}` };

describe('input edges', () => {
  it('a JSON null body is 400 "expected a JSON object", not treated as {}', async () => {
    const before = upstream.requests.length;
    const res = await request(app.server).put('/api/instances/stop').set(auth).set('content-type', 'application/json').send('null');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details).toEqual([{ location: 'body', field: '(root)', message: 'expected a JSON object' }]);
    expect(upstream.requests.length).toBe(before);
  });

  it('`[]` is query-string list syntax only: a JSON key "instanceIds[]" is an unknown field', async () => {
    const res = await request(app.server).put('/api/instances/stop').set(auth)
      .send({ ...CREDS, regionId: 'cn-hangzhou', 'instanceIds[]': ['i-1'] });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error)).toContain('instanceIds[]');
  });

  it('a security token without its key pair is 401, never combined with the server\'s pair', async () => {
    const before = upstream.requests.length;
    const res = await request(app.server).get('/api/regions').set(auth).set('x-security-token', 'lonely-token-value');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('MISSING_CREDENTIALS');
    expect(upstream.requests.length).toBe(before);
  });

  it('without request credentials the server\'s pair signs the call', async () => {
    const res = await request(app.server).get('/api/regions').set(auth);
    expect(res.status).toBe(200);
    expect(upstream.last.headers.authorization).toMatch(/^ACS3-HMAC-SHA256 Credential=server-key-id,/);
  });

  it('a raw __proto__ key in a JSON body is refused naming the key', async () => {
    const res = await request(app.server).put('/api/instances/stop').set(auth).set('content-type', 'application/json')
      .send('{"regionId":"cn-hangzhou","instanceIds":["i-1"],"__proto__":{"accessKeyId":"x"}}');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'MALFORMED_JSON', details: [{ location: 'body', field: '__proto__', message: 'prototype keys are not accepted' }] });
  });

  it('headers too large for the HTTP parser get the gateway error shape (431), not node\'s', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(`GET /api/regions?accessKeySecret=${'s'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
      });
      let data = '';
      socket.on('data', (chunk) => { data += chunk.toString('utf8'); });
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    expect(raw.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { error: { code: string; status: number } };
    expect(body.error).toMatchObject({ code: 'HEADERS_TOO_LARGE', status: 431 });
    expect(raw).not.toContain('sssssssss');
  });

  it('a unicode-escaped __proto__ key is caught too', async () => {
    const res = await request(app.server).put('/api/instances/stop').set(auth).set('content-type', 'application/json')
      .send('{"regionId":"cn-hangzhou","\\u005f_proto__":{"x":1}}');
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ location: 'body', field: '__proto__', message: 'prototype keys are not accepted' }]);
  });

  it('malformed JSON is refused without quoting the body (which may hold a secret)', async () => {
    const res = await request(app.server).put('/api/instances/stop').set(auth).set('content-type', 'application/json')
      .send('{"accessKeySecret":"leaky-secret-xyz" "regionId":1}');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'MALFORMED_JSON', message: "Request body is not valid JSON: expected ',' or '}' after a property value at line 1, column 39" });
    expect(JSON.stringify(res.body)).not.toContain('leaky');
  });
});
