import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FieldAllowlist } from '../../src/gateway/http/allowlist.js';
import { redactUrl } from '../../src/gateway/http/logging.js';
import { commonFields, idList, pageSize, regionId } from '../../src/gateway/schemas/common.js';
import { secret } from '../../src/gateway/schemas/fields.js';
import { canonicalQueryString, percentEncode, stringToSignV1 } from '../../src/gateway/ecs/signer.js';
import { testGateway, type LogCapture } from '../support/gateway.js';
import { FakeUpstream, gate, type CapturedRequest, type UpstreamReply } from '../support/upstream.js';

/** Secrets with characters that encode differently under encodeURIComponent and RFC 3986. */
const SECRET = "SECRETak/k+y=(1)!'*";
const TOKEN = 'SECRETsts+CAIS/tok=en(2)*';
const PASSWORD = "SECRETpw(3)!'A1b~";
const API_KEY = 'SECRETgatewaykey-0123456789';
const WRONG_KEY = 'not-the-key-but-also-long';
const ENV_SECRET = 'SECRETenvsecret-4567';
const ENV_TOKEN = 'SECRETenvtoken-8901';
const ID = 'LTAIvisibleid';

const SECRETS = [SECRET, TOKEN, PASSWORD, API_KEY, ENV_SECRET, ENV_TOKEN];
const encodings = (v: string) => [...new Set([v, encodeURIComponent(v), percentEncode(v), percentEncode(percentEncode(v)),
  encodeURIComponent(encodeURIComponent(v)), v.replace(/ /g, '+'), JSON.stringify(v).slice(1, -1)])];

function expectClean(text: string, where: string): void {
  for (const secret of SECRETS) {
    for (const form of encodings(secret)) expect(text, `${where} leaks ${form}`).not.toContain(form);
  }
  // Every secret starts with SECRET: no fragment of one either.
  expect(text, `${where} leaks a secret fragment`).not.toContain('SECRET');
}

/**
 * What a real ECS SignatureDoesNotMatch echoes: the server's string to sign. For V1 it is built from the
 * received form (AccessKeyId, SecurityToken and Password included, percent-encoded twice); for V3 the
 * message carries the canonical request with the raw x-acs-security-token header.
 */
function signatureMismatch(req: CapturedRequest): UpstreamReply {
  const { Signature: _sig, ...params } = req.params;
  const echo = req.body
    ? stringToSignV1('POST', params)
    : ['POST', '/', canonicalQueryString(params), `x-acs-security-token:${String(req.headers['x-acs-security-token'] ?? '')}`].join('\n');
  return {
    status: 400,
    body: {
      RequestId: 'SIG-1', HostId: 'ecs.aliyuncs.com', Code: 'SignatureDoesNotMatch',
      Message: `Specified signature is not matched with our calculation. server string to sign is:${echo}`,
      Recommend: `https://api.aliyun.com/troubleshoot?q=SignatureDoesNotMatch&token=${encodeURIComponent(String(req.headers['x-acs-security-token'] ?? params.SecurityToken ?? ''))}`,
    },
  };
}

const createBody = {
  accessKeyId: ID, accessKeySecret: SECRET, securityToken: TOKEN, regionId: 'cn-beijing',
  imageId: 'debian_10_12_x64_20G_alibase_20220328.vhd', instanceType: 'ecs.t1.xsmall', password: PASSWORD,
};

describe.each(['v3', 'v1'] as const)('no secret is logged or echoed (signature %s, LOG_LEVEL trace)', (version) => {
  let upstream: FakeUpstream;
  let app: FastifyInstance;
  let logs: LogCapture;
  const auth = `Bearer ${API_KEY}`;

  const env = { LOG_LEVEL: 'trace', ECS_SIGNATURE_VERSION: version, GATEWAY_API_KEYS: `${API_KEY},another-key-0123456789` };

  beforeAll(async () => {
    upstream = await new FakeUpstream().start();
    // A generous deadline: only the 504 test is about it (it has its own gateway), and a loaded machine
    // must not turn the others into 504s.
    ({ app, logs } = await testGateway(upstream.url, { ...env, ECS_TIMEOUT_MS: '60000' }));
  });
  afterAll(async () => {
    await app.close();
    await upstream.close();
  });
  beforeEach(() => {
    upstream.reply = { body: { RequestId: 'OK', InstanceIdSets: { InstanceIdSet: ['i-1'] } } };
    logs.lines.length = 0;
  });

  const check = (res: request.Response, status: number, log: LogCapture = logs) => {
    expect(res.status).toBe(status);
    expectClean(res.text, 'response body');
    expectClean(JSON.stringify(res.headers), 'response headers');
    expect(log.lines.length).toBeGreaterThan(0);
    expectClean(log.text, 'logs');
  };

  it('success: GET with secrets in the query string', async () => {
    const res = await request(app.server).get('/api/regions').set('authorization', auth)
      .query({ accessKeyId: ID, accessKeySecret: SECRET, securityToken: TOKEN, access_key_secret: SECRET });
    check(res, 200);
    // The secrets did reach ECS (so the test is not vacuous) ...
    const sent = JSON.stringify(upstream.last);
    expect(sent).toContain(version === 'v3' ? TOKEN : percentEncode(TOKEN));
    // ... and the log still shows the request, with the secret query values redacted.
    expect(logs.text).toContain(`accessKeyId=${ID}`);
    expect(logs.text).toContain('accessKeySecret=[REDACTED]');
  });

  it('success: GET with secrets in headers', async () => {
    const res = await request(app.server).get('/api/regions').set('authorization', auth)
      .set('x-access-key-id', ID).set('x-access-key-secret', SECRET).set('x-security-token', TOKEN);
    check(res, 200);
  });

  it('success: POST with password and secrets in the body', async () => {
    const res = await request(app.server).post('/api/instances').set('authorization', auth).send(createBody);
    check(res, 200);
    expect(upstream.last.params.Password).toBe(PASSWORD);
  });

  it.each([
    ['invalid field next to the secrets', { ...createBody, amount: 1000 }],
    ['misspelt secret field', { ...createBody, accessKeySecrett: SECRET }],
    ['secret with a control character', { ...createBody, accessKeySecret: `${SECRET}\u0001` }],
    ['over-long password', { ...createBody, password: `${PASSWORD}${'x'.repeat(40)}` }],
    ['token too long', { ...createBody, securityToken: `${TOKEN}${'y'.repeat(9000)}` }],
    ['snake_case conflicting secret', { ...createBody, access_key_secret: `${SECRET}-other` }],
  ])('4xx validation: %s', async (_name, body) => {
    const res = await request(app.server).post('/api/instances').set('authorization', auth).send(body);
    check(res, 400);
  });

  it('4xx validation: secret in the query of a failing GET', async () => {
    const res = await request(app.server).get('/api/instances').set('authorization', auth)
      .query({ accessKeyId: ID, accessKeySecret: SECRET, securityToken: TOKEN, regionId: 'bad region', secretish: SECRET });
    check(res, 400);
  });

  it('4xx: header secret conflicting with the body secret', async () => {
    const res = await request(app.server).post('/api/instances').set('authorization', auth).set('x-access-key-secret', `${SECRET}-hdr`).send(createBody);
    check(res, 400);
  });

  it('4xx: malformed JSON carrying the secrets', async () => {
    const raw = `{"accessKeySecret":"${SECRET}","password":"${PASSWORD}","securityToken":"${TOKEN}",`;
    const res = await request(app.server).post('/api/instances').set('authorization', auth).set('content-type', 'application/json').send(raw);
    check(res, 400);
  });

  it('4xx: __proto__ body carrying the secrets', async () => {
    const raw = JSON.stringify({ ...createBody }).replace('{', '{"__proto__":{"x":1},');
    const res = await request(app.server).post('/api/instances').set('authorization', auth).set('content-type', 'application/json').send(raw);
    check(res, 400);
  });

  it('401 MISSING_CREDENTIALS with a secret but no id', async () => {
    const res = await request(app.server).get('/api/regions').set('authorization', auth).query({ accessKeySecret: SECRET, securityToken: TOKEN });
    check(res, 401);
    expect(res.body.error.code).toBe('MISSING_CREDENTIALS');
  });

  it.each([
    ['wrong key', `Bearer ${WRONG_KEY}`],
    ['key with a suffix', `Bearer ${API_KEY}x`],
    ['key as Basic', `Basic ${API_KEY}`],
    ['key without scheme', API_KEY],
  ])('401 UNAUTHORIZED: %s', async (_name, header) => {
    const res = await request(app.server).get('/api/regions').set('authorization', header).query({ accessKeyId: ID, accessKeySecret: SECRET });
    check(res, 401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
    expect(logs.text).not.toContain(WRONG_KEY);
    expect(upstream.requests.filter((r) => r.headers.authorization?.includes('Bearer'))).toHaveLength(0);
  });

  it('ECS SignatureDoesNotMatch echoing the string to sign (GET)', async () => {
    upstream.reply = signatureMismatch;
    const res = await request(app.server).get('/api/regions').set('authorization', auth).query({ accessKeyId: ID, accessKeySecret: SECRET, securityToken: TOKEN });
    check(res, 400);
    expect(res.body.error).toMatchObject({ code: 'SignatureDoesNotMatch', ecsRequestId: 'SIG-1' });
    expect(res.body.error.message).toContain('server string to sign is:');
    expect(res.body.error.message).toContain('[REDACTED]');
    if (version === 'v1') expect(res.body.error.message).toContain(`AccessKeyId%3D${ID}`);
  });

  it('ECS SignatureDoesNotMatch echoing the Password of RunInstances', async () => {
    upstream.reply = signatureMismatch;
    const res = await request(app.server).post('/api/instances').set('authorization', auth).send(createBody);
    check(res, 400);
    expect(res.body.error.code).toBe('SignatureDoesNotMatch');
    expect(res.body.error.message).toContain('[REDACTED]');
  });

  it('ECS error echoing the secrets raw', async () => {
    upstream.reply = { status: 403, body: { Code: 'Forbidden.RAM', Message: `denied for ${SECRET} / ${TOKEN} / ${PASSWORD}`, RequestId: 'F-1' } };
    const res = await request(app.server).post('/api/instances').set('authorization', auth).send(createBody);
    check(res, 403);
  });

  it('502 non-JSON upstream body echoing the secrets', async () => {
    upstream.reply = { status: 400, raw: `<html>bad request ${SECRET} ${TOKEN} ${PASSWORD}</html>` };
    const res = await request(app.server).post('/api/instances').set('authorization', auth).send(createBody);
    check(res, 502);
  });

  it('502 dropped connection', async () => {
    upstream.reply = { drop: true };
    const res = await request(app.server).get('/api/regions').set('authorization', auth).query({ accessKeyId: ID, accessKeySecret: SECRET, securityToken: TOKEN });
    check(res, 502);
  });

  it('504 timeout', async () => {
    // Its own gateway, with a short deadline; ECS holds the call until the gateway has given up on it.
    const short = await testGateway(upstream.url, { ...env, ECS_TIMEOUT_MS: '300' });
    const held = gate();
    upstream.reply = { until: held.promise };
    try {
      const res = await request(short.app.server).post('/api/instances').set('authorization', auth).send(createBody);
      check(res, 504, short.logs);
    } finally {
      held.open();
      await short.app.close();
    }
  });

  it('404 unknown route with secrets in the query', async () => {
    const res = await request(app.server).get('/api/unknown').set('authorization', auth).query({ accessKeySecret: SECRET, token: TOKEN });
    check(res, 404);
  });

  it('413 body over the limit carrying the secrets', async () => {
    const res = await request(app.server).post('/api/instances').set('authorization', auth)
      .send({ ...createBody, description: 'x'.repeat(1024 * 1024 + 10) });
    check(res, 413);
  });
});

describe('server-side default credentials', () => {
  it('are used, and never logged or echoed', async () => {
    const upstream = await new FakeUpstream().start();
    upstream.reply = signatureMismatch;
    const { app, logs } = await testGateway(upstream.url, {
      LOG_LEVEL: 'trace', ECS_SIGNATURE_VERSION: 'v1', GATEWAY_API_KEYS: API_KEY,
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIenvid', ALIBABA_CLOUD_ACCESS_KEY_SECRET: ENV_SECRET, ALIBABA_CLOUD_SECURITY_TOKEN: ENV_TOKEN,
    });
    try {
      const res = await request(app.server).get('/api/regions').set('authorization', `Bearer ${API_KEY}`);
      expect(res.status).toBe(400);
      expect(upstream.last.params).toMatchObject({ AccessKeyId: 'LTAIenvid', SecurityToken: ENV_TOKEN });
      expectClean(res.text, 'response body');
      expectClean(logs.text, 'logs');
    } finally {
      await app.close();
      await upstream.close();
    }
  });
});

describe('redactUrl', () => {
  // The allowlist as the gateway derives it from a GET route's query schema (and a body route's).
  const allowlist = new FieldAllowlist();
  allowlist.add('querystring', z.strictObject({ ...commonFields, regionId: regionId().optional(), pageSize: pageSize(100), instanceIds: idList(100).optional() }));
  allowlist.add('body', z.strictObject({ ...commonFields, password: secret(z.string().optional()) }));

  it.each([
    ['/api/regions?accessKeyId=a&accessKeySecret=s3cret', '/api/regions?accessKeyId=a&accessKeySecret=[REDACTED]'],
    ['/api/regions?access_key_secret=s3cret&region_id=cn', '/api/regions?access_key_secret=[REDACTED]&region_id=cn'],
    ['/api/regions?securityToken=t&security_token=t', '/api/regions?securityToken=[REDACTED]&security_token=[REDACTED]'],
    ['/api/regions?accessKey%53ecret=s3cret', '/api/regions?accessKey%53ecret=[REDACTED]'],
    ['/api/regions?accessKeySecret[]=s3cret&instanceIds[]=i-1', '/api/regions?accessKeySecret[]=[REDACTED]&instanceIds[]=i-1'],
    // A name the routes do not know may itself be a secret typed in the wrong place: all of it goes.
    ['/api/regions?unknownKey=maybe-secret', '/api/regions?[REDACTED]'],
    ['/api/regions?s3cret', '/api/regions?[REDACTED]'],
    ['/api/instances?accessKeyId=AK&THE-SECRET&regionId=cn-beijing', '/api/instances?accessKeyId=AK&[REDACTED]&regionId=cn-beijing'],
    ['/api/regions?%E0%A4%A=bad', '/api/regions?[REDACTED]'],
    ['/api/instances?regionId=cn-beijing&pageSize=10', '/api/instances?regionId=cn-beijing&pageSize=10'],
    ['/api/regions', '/api/regions'],
    // A body field in a query string: a known name, but its value is not a query value the routes log.
    ['/api/regions?password=p&Password=p', '/api/regions?password=[REDACTED]&[REDACTED]'],
  ])('%s', (url, expected) => {
    expect(redactUrl(url, allowlist)).toBe(expected);
  });
});
