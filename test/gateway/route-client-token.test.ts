/**
 * Retries through a route never duplicate a write: the gateway adds one ClientToken per incoming request to an
 * action that takes one, and sends that same token on every attempt (each signed afresh), while two requests get
 * two tokens. A write without a token (the action takes none) is not retried after ECS may have run it.
 * The real token source (no injected token); sleep and randomness injected, so the back-off takes no time.
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/gateway/app.js';
import { loadConfig } from '../../src/gateway/config.js';
import { CREDS } from '../support/gateway.js';
import { FakeUpstream, type CapturedRequest, type UpstreamReply } from '../support/upstream.js';

let upstream: FakeUpstream;
let app: FastifyInstance;
const slept: number[] = [];

beforeAll(async () => {
  upstream = await new FakeUpstream().start();
  const config = loadConfig({ ECS_UPSTREAM_URL: upstream.url, LOG_LEVEL: 'silent', ECS_TIMEOUT_MS: '60000', ECS_MAX_RETRIES: '3' }, { homeDir: '/nonexistent' });
  app = await buildApp({
    config, logStream: new Writable({ write: (_c, _e, done) => done() }),
    sleep: async (ms) => { slept.push(ms); }, random: () => 0.5,
  });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await upstream.close();
});
beforeEach(() => {
  slept.length = 0;
  upstream.requests.length = 0;
});

/** Fails the first `failures` calls of `action` with InternalError (ECS may have run them), then succeeds. */
function failingFirst(action: string, failures: number, ok: Record<string, unknown>): (req: CapturedRequest) => UpstreamReply {
  let seen = 0;
  return (req) => {
    if (req.action !== action) return { body: { RequestId: 'other' } };
    seen += 1;
    if (seen <= failures) return { status: 500, body: { Code: 'InternalError', Message: 'The request processing has failed due to some unknown error.', RequestId: `fail-${seen}` } };
    return { body: { RequestId: 'ok', ...ok } };
  };
}

describe('a write retried through a route', () => {
  it('POST /api/instances (RunInstances): the same gateway-made ClientToken on every attempt, a fresh nonce each time', async () => {
    upstream.reply = failingFirst('RunInstances', 2, { InstanceIdSets: { InstanceIdSet: ['i-new'] } });
    const res = await request(app.server).post('/api/instances').send({ ...CREDS, regionId: 'cn-hangzhou', imageId: 'ubuntu_22_04_x64_20G_alibase_20240101.vhd', instanceType: 'ecs.g7.large', amount: 1 });
    expect(res.status).toBe(200);
    const runs = upstream.requests.filter((r) => r.action === 'RunInstances');
    expect(runs).toHaveLength(3);
    const tokens = runs.map((r) => r.params.ClientToken);
    expect(tokens[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(tokens).size).toBe(1);
    expect(new Set(runs.map((r) => r.params.SignatureNonce ?? r.headers['x-acs-signature-nonce'])).size).toBe(3);
    expect(slept).toHaveLength(2);
  });

  it('two requests get two tokens; a caller\'s own clientToken is sent on every attempt instead', async () => {
    upstream.reply = { body: { RequestId: 'ok', InstanceIdSets: { InstanceIdSet: ['i-new'] } } };
    const body = { ...CREDS, regionId: 'cn-hangzhou', imageId: 'ubuntu_22_04_x64_20G_alibase_20240101.vhd', instanceType: 'ecs.g7.large', amount: 1 };
    await request(app.server).post('/api/instances').send(body).expect(200);
    await request(app.server).post('/api/instances').send(body).expect(200);
    const [a, b] = upstream.requests.filter((r) => r.action === 'RunInstances').map((r) => r.params.ClientToken);
    expect(a).not.toBe(b);

    upstream.requests.length = 0;
    upstream.reply = failingFirst('RunInstances', 1, { InstanceIdSets: { InstanceIdSet: ['i-new'] } });
    await request(app.server).post('/api/instances').send({ ...body, clientToken: 'caller-token-1' }).expect(200);
    expect(upstream.requests.filter((r) => r.action === 'RunInstances').map((r) => r.params.ClientToken)).toEqual(['caller-token-1', 'caller-token-1']);
  });

  it('a write whose action takes no ClientToken (StopInstances) is not retried after InternalError: the error is the answer', async () => {
    upstream.reply = failingFirst('StopInstances', 1, {});
    const res = await request(app.server).put('/api/instances/stop').send({ ...CREDS, regionId: 'cn-hangzhou', instanceIds: ['i-bp67acfmxazb4p0001'] });
    expect(res.status).toBe(500);
    expect(res.body.error).toMatchObject({ code: 'InternalError', ecsRequestId: 'fail-1' });
    expect(upstream.requests.filter((r) => r.action === 'StopInstances')).toHaveLength(1);
    expect(upstream.requests[0]!.params.ClientToken).toBeUndefined();
  });
});
