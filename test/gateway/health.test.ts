import { connect, type AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/gateway/app.js';
import { loadConfig } from '../../src/gateway/config.js';
import { CREDS, LogCapture, testGateway } from '../support/gateway.js';
import { FakeUpstream, gate } from '../support/upstream.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('health and request ids', () => {
  let upstream: FakeUpstream;
  let app: FastifyInstance;

  beforeAll(async () => {
    upstream = await new FakeUpstream().start();
    ({ app } = await testGateway(upstream.url, { GATEWAY_API_KEYS: 'health-test-key-0123456789' }));
  });
  afterAll(async () => {
    await app.close();
    await upstream.close();
  });

  it.each([
    ['/healthz', { status: 'ok' }],
    ['/readyz', { status: 'ready' }],
  ] as const)('GET %s answers 200 without credentials or API key, and never calls ECS', async (path, body) => {
    const before = upstream.requests.length;
    const res = await request(app.server).get(path);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(body);
    expect(res.headers['x-request-id']).toMatch(UUID);
    expect(upstream.requests.length).toBe(before);
  });

  it('every response gets a fresh x-request-id', async () => {
    const a = await request(app.server).get('/healthz');
    const b = await request(app.server).get('/healthz');
    expect(a.headers['x-request-id']).toMatch(UUID);
    expect(b.headers['x-request-id']).toMatch(UUID);
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });

  it.each([
    'req-123', 'abc.DEF_ghi:jkl-0', 'F6A8C2D1-0000-4000-8000-000000000001', 'x'.repeat(128),
  ])('a sane incoming x-request-id (%s) is honoured in the header and in error bodies', async (id) => {
    const ok = await request(app.server).get('/healthz').set('x-request-id', id);
    expect(ok.headers['x-request-id']).toBe(id);
    const err = await request(app.server).get('/api/regions').set('x-request-id', id);
    expect(err.status).toBe(401);
    expect(err.headers['x-request-id']).toBe(id);
    expect(err.body.error.requestId).toBe(id);
  });

  it.each([
    ['too long', 'x'.repeat(129)],
    ['spaces', 'a b'],
    ['html', '<script>alert(1)</script>'],
    ['log injection', 'id","level":60,"msg":"forged'],
    ['slash', '../../etc'],
    ['empty', ''],
    ['unicode', 'réq'],
  ])('an insane incoming x-request-id (%s) is replaced', async (_name, id) => {
    const res = await request(app.server).get('/healthz').set('x-request-id', id);
    expect(res.headers['x-request-id']).toMatch(UUID);
  });

  it('an unknown path without the API key is 401, so routes cannot be mapped without a key', async () => {
    const res = await request(app.server).get('/api/nowhere');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
  });

  it('the 404 body and header carry the same request id', async () => {
    const res = await request(app.server).get('/nowhere').set('authorization', 'Bearer health-test-key-0123456789');
    expect(res.status).toBe(404);
    expect(res.body.error.requestId).toBe(res.headers['x-request-id']);
    expect(res.headers['x-request-id']).toMatch(UUID);
  });

  it('the API docs are served without an API key', async () => {
    const res = await request(app.server).get('/docs/json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.0.3');
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/api/regions']));
  });
});

/** Sends raw pipelined HTTP/1.1 on one socket; resolves with everything the server wrote before closing it. */
interface Conversation {
  send(text: string): void;
  done: Promise<string>;
}

function open(port: number): Promise<Conversation> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (d: Buffer) => { data += d.toString('utf8'); });
    const done = new Promise<string>((res) => socket.on('close', () => res(data)));
    socket.once('error', reject);
    socket.once('connect', () => resolve({ send: (t) => socket.write(t), done }));
  });
}

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: gateway\r\n\r\n`;

/** The status line and JSON body of the n-th response in a raw HTTP/1.1 stream. */
function responseAt(raw: string, n: number): { status: number; headers: string; body: unknown } {
  const parts = raw.split(/(?=HTTP\/1\.1 \d{3} )/);
  const part = parts[n];
  if (!part) throw new Error(`no response #${n} in:\n${raw}`);
  const [head = '', body = ''] = part.split('\r\n\r\n');
  return { status: Number(head.slice(9, 12)), headers: head.toLowerCase(), body: JSON.parse(body) };
}

describe('while shutting down', () => {
  it('readyz says 503, healthz stays 200, new API requests get 503 SHUTTING_DOWN, in-flight requests finish', async () => {
    const upstream = await new FakeUpstream().start();
    const slowUpstream = gate();
    upstream.reply = { until: slowUpstream.promise, body: { RequestId: 'SLOW' } };
    // Built by hand (not testGateway) to add two probes before the app is ready: one when close() has
    // started (preClose, after the gateway's own), one when the server has parsed six requests.
    const config = loadConfig({ ECS_UPSTREAM_URL: upstream.url, ECS_TIMEOUT_MS: '5000' }, { homeDir: '/nonexistent' });
    const app = await buildApp({ config, logStream: new LogCapture() });
    const closeStarted = gate();
    app.addHook('preClose', async () => closeStarted.open());
    const sixParsed = gate();
    let parsed = 0;
    app.server.on('request', () => { if (++parsed === 6) sixParsed.open(); });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    const slow = get(`/api/regions?accessKeyId=${CREDS.accessKeyId}&accessKeySecret=${CREDS.accessKeySecret}`);
    try {
      // Keep three connections busy with a call that ECS holds, so closing does not reap them.
      const conversations = await Promise.all([open(port), open(port), open(port)]);
      for (const c of conversations) c.send(slow);
      await upstream.received(3);

      const closed = app.close();
      await closeStarted.promise;
      const [ready, live, api] = conversations as [Conversation, Conversation, Conversation];
      ready.send(get('/readyz'));
      live.send(get('/healthz'));
      api.send(get(`/api/regions?accessKeyId=${CREDS.accessKeyId}&accessKeySecret=${CREDS.accessKeySecret}`));
      // Pipelined behind the held calls: the gateway has read them before ECS answers the first ones.
      await sixParsed.promise;
      slowUpstream.open();
      await closed;
      const [readyRaw, liveRaw, apiRaw] = await Promise.all([ready.done, live.done, api.done]);

      for (const raw of [readyRaw, liveRaw, apiRaw]) {
        expect(responseAt(raw, 0).status).toBe(200);
        expect(responseAt(raw, 0).body).toMatchObject({ data: { value: { body: { RequestId: 'SLOW' } } } });
      }
      expect(responseAt(readyRaw, 1)).toMatchObject({ status: 503, body: { status: 'shutting down' } });
      expect(responseAt(liveRaw, 1)).toMatchObject({ status: 200, body: { status: 'ok' } });
      const refused = responseAt(apiRaw, 1);
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ error: { code: 'SHUTTING_DOWN', status: 503 } });
      expect(refused.headers).toMatch(/x-request-id: /);
      // The refused call never reached ECS.
      expect(upstream.requests).toHaveLength(3);
    } finally {
      slowUpstream.open();
      await app.close();
      await upstream.close();
    }
  });
});
