import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isValidHostname, isValidRegionId, resolveEndpoint } from '../../src/gateway/ecs/endpoint.js';
import { GatewayError } from '../../src/gateway/errors.js';
import { CREDS, testGateway } from '../support/gateway.js';
import { FakeUpstream } from '../support/upstream.js';

const ALLOWED = ['ecs.internal.example.com'];

/** Endpoints that must be refused: each one is an SSRF vector or a look-alike. */
const REFUSED: ReadonlyArray<readonly [string, string]> = [
  ['IPv4 loopback', '127.0.0.1'],
  ['IPv4 metadata service', '100.100.100.200'],
  ['IPv4 link-local metadata', '169.254.169.254'],
  ['IPv6 loopback', '::1'],
  ['IPv6 bracketed', '[::1]'],
  ['IPv6 mapped IPv4', '[::ffff:127.0.0.1]'],
  ['decimal IPv4', '2130706433'],
  ['hex IPv4', '0x7f000001'],
  ['dotted hex IPv4', '0x7f.0x0.0x0.0x1'],
  ['octal IPv4', '0177.0.0.1'],
  ['short IPv4', '127.1'],
  ['localhost', 'localhost'],
  ['localhost with domain', 'localhost.localdomain'],
  ['user info', 'user@ecs.cn-beijing.aliyuncs.com'],
  ['user info before attacker', 'ecs.cn-beijing.aliyuncs.com@evil.com'],
  ['port', 'ecs.cn-beijing.aliyuncs.com:8080'],
  ['port 443', 'ecs.cn-beijing.aliyuncs.com:443'],
  ['path', 'ecs.cn-beijing.aliyuncs.com/path'],
  ['query', 'ecs.cn-beijing.aliyuncs.com?x=1'],
  ['fragment', 'ecs.cn-beijing.aliyuncs.com#x'],
  ['https scheme', 'https://ecs.cn-beijing.aliyuncs.com'],
  ['http scheme', 'http://ecs.cn-beijing.aliyuncs.com'],
  ['protocol-relative', '//ecs.cn-beijing.aliyuncs.com'],
  ['attacker suffix', 'ecs.cn-beijing.aliyuncs.com.evil.com'],
  ['attacker prefix without dot', 'evilaliyuncs.com'],
  ['ecs prefix without dot', 'ecs.cn-beijing.evilaliyuncs.com'],
  ['trailing dot', 'ecs.cn-beijing.aliyuncs.com.'],
  ['leading dot', '.ecs.cn-beijing.aliyuncs.com'],
  ['other product', 'sts.aliyuncs.com'],
  ['other product regional', 'vpc.cn-beijing.aliyuncs.com'],
  ['bare aliyuncs.com', 'aliyuncs.com'],
  ['extra label', 'x.ecs.cn-beijing.aliyuncs.com'],
  ['uppercase', 'ECS.CN-BEIJING.ALIYUNCS.COM'],
  ['mixed case', 'Ecs.cn-beijing.aliyuncs.com'],
  ['uppercase central', 'ECS.aliyuncs.com'],
  ['uppercase allowlisted', 'ECS.INTERNAL.EXAMPLE.COM'],
  ['leading space', ' ecs.cn-beijing.aliyuncs.com'],
  ['trailing space', 'ecs.cn-beijing.aliyuncs.com '],
  ['inner space', 'ecs.cn-beijing .aliyuncs.com'],
  ['percent-encoded dot', 'ecs%2Ecn-beijing.aliyuncs.com'],
  ['percent-encoded host', '%65cs.cn-beijing.aliyuncs.com'],
  ['ideographic full stop', 'ecs\u3002cn-beijing\u3002aliyuncs\u3002com'],
  ['fullwidth full stop', 'ecs\uff0ecn-beijing.aliyuncs.com'],
  ['halfwidth ideographic full stop', 'ecs.cn-beijing\uff61aliyuncs.com'],
  ['fullwidth letters', '\uff45\uff43\uff53.cn-beijing.aliyuncs.com'],
  ['backslash', 'ecs.cn-beijing.aliyuncs.com\\evil.com'],
  ['allowlist suffix', 'ecs.internal.example.com.evil.com'],
  ['allowlist subdomain', 'x.ecs.internal.example.com'],
];

/** Control characters are refused too (by the schema or the allowlist), never passed on. */
const CONTROL: ReadonlyArray<readonly [string, string]> = [
  ['tab', 'ecs.cn-beijing.aliyuncs.com\t'],
  ['newline', 'ecs.cn-beijing.aliyuncs.com\n'],
  ['CRLF header injection', 'ecs.cn-beijing.aliyuncs.com\r\nx-evil: 1'],
  ['NUL', 'ecs.cn-beijing.aliyuncs.com\u0000.evil.com'],
];

const ACCEPTED: ReadonlyArray<readonly [string, string]> = [
  ['regional', 'ecs.cn-beijing.aliyuncs.com'],
  ['regional with number', 'ecs.ap-southeast-1.aliyuncs.com'],
  ['VPC regional', 'ecs-vpc.cn-hangzhou.aliyuncs.com'],
  ['central', 'ecs.aliyuncs.com'],
  ['allowlisted', 'ecs.internal.example.com'],
];

describe('resolveEndpoint', () => {
  it.each(REFUSED)('refuses %s (%j) with 400 INVALID_ENDPOINT', (_name, endpoint) => {
    let caught: unknown;
    try {
      resolveEndpoint(endpoint, 'cn-beijing', ALLOWED);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect(caught).toMatchObject({ statusCode: 400, code: 'INVALID_ENDPOINT' });
  });

  it.each(CONTROL)('refuses control characters: %s', (_name, endpoint) => {
    expect(() => resolveEndpoint(endpoint, undefined, ALLOWED)).toThrow(GatewayError);
  });

  it.each(ACCEPTED)('accepts %s (%s) unchanged', (_name, endpoint) => {
    expect(resolveEndpoint(endpoint, 'cn-beijing', ALLOWED)).toBe(endpoint);
  });

  it('does not accept an allowlisted host unless it is in the allowlist', () => {
    expect(() => resolveEndpoint('ecs.internal.example.com', undefined, [])).toThrow(GatewayError);
  });

  it.each([
    ['endpoint wins over regionId', 'ecs-vpc.cn-shanghai.aliyuncs.com', 'cn-beijing', 'ecs-vpc.cn-shanghai.aliyuncs.com'],
    ['regionId when no endpoint', undefined, 'cn-beijing', 'ecs.cn-beijing.aliyuncs.com'],
    ['regionId when endpoint is empty', '', 'ap-southeast-1', 'ecs.ap-southeast-1.aliyuncs.com'],
    ['central when neither', undefined, undefined, 'ecs.aliyuncs.com'],
    ['central when both empty', '', '', 'ecs.aliyuncs.com'],
  ] as const)('%s', (_name, endpoint, regionId, expected) => {
    expect(resolveEndpoint(endpoint, regionId, [])).toBe(expected);
  });

  it.each(['cn-beijing.evil.com', 'CN-BEIJING', '127.0.0.1', 'cn-beijing/..', 'cn beijing', 'a'])(
    'refuses a regionId that would build a foreign host: %j',
    (regionId) => {
      expect(() => resolveEndpoint(undefined, regionId, [])).toThrow(expect.objectContaining({ statusCode: 400 }));
    },
  );
});

describe('isValidHostname / isValidRegionId', () => {
  it.each([
    ['ecs.internal.example.com', true],
    ['proxy-1.corp', true],
    ['127.0.0.1', false],
    ['0x7f.1', false],
    ['localhost', false],
    ['a..b', false],
    ['-a.com', false],
    ['a.com.', false],
    ['host:80.com', false],
    ['a_b.com', false],
    [`${'a'.repeat(64)}.com`, false],
  ] as const)('isValidHostname(%j) is %s', (host, ok) => {
    expect(isValidHostname(host)).toBe(ok);
  });

  it.each([
    ['cn-hangzhou', true],
    ['ap-southeast-1', true],
    ['us-west-1', true],
    ['cn', false],
    ['cn-hangzhou.evil', false],
    ['Cn-hangzhou', false],
  ] as const)('isValidRegionId(%j) is %s', (region, ok) => {
    expect(isValidRegionId(region)).toBe(ok);
  });
});

describe('endpoint over HTTP', () => {
  let upstream: FakeUpstream;
  let app: FastifyInstance;

  beforeAll(async () => {
    upstream = await new FakeUpstream().start();
    ({ app } = await testGateway(upstream.url, { ECS_ALLOWED_ENDPOINTS: 'ecs.internal.example.com' }));
  });
  afterAll(async () => {
    await app.close();
    await upstream.close();
  });
  beforeEach(() => {
    upstream.requests.length = 0;
  });

  it.each(REFUSED)('GET query: refuses %s before any connection', async (_name, endpoint) => {
    const res = await request(app.server).get('/api/regions').query({ ...CREDS, endpoint });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_ENDPOINT', status: 400 });
    expect(upstream.requests).toHaveLength(0);
  });

  it.each(REFUSED)('JSON body: refuses %s before any connection', async (_name, endpoint) => {
    const res = await request(app.server).put('/api/instances/start')
      .send({ ...CREDS, regionId: 'cn-beijing', instanceIds: ['i-1'], endpoint });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_ENDPOINT');
    expect(upstream.requests).toHaveLength(0);
  });

  it.each(CONTROL)('JSON body: refuses control characters (%s) before any connection', async (_name, endpoint) => {
    const res = await request(app.server).put('/api/instances/start')
      .send({ ...CREDS, regionId: 'cn-beijing', instanceIds: ['i-1'], endpoint });
    expect(res.status).toBe(400);
    expect(['INVALID_ENDPOINT', 'VALIDATION_FAILED']).toContain(res.body.error.code);
    expect(JSON.stringify(res.body.error.details)).toContain('endpoint');
    expect(upstream.requests).toHaveLength(0);
  });

  it('the refusal names the endpoint field', async () => {
    const res = await request(app.server).get('/api/regions').query({ ...CREDS, endpoint: '127.0.0.1' });
    expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'endpoint' })]);
    expect(res.body.error.message).not.toContain('127.0.0.1');
  });

  it.each([
    ['explicit endpoint', { endpoint: 'ecs-vpc.cn-shanghai.aliyuncs.com', regionId: 'cn-beijing' }, 'ecs-vpc.cn-shanghai.aliyuncs.com'],
    ['allowlisted endpoint', { endpoint: 'ecs.internal.example.com' }, 'ecs.internal.example.com'],
    ['region endpoint', { regionId: 'cn-beijing' }, 'ecs.cn-beijing.aliyuncs.com'],
    ['snake_case region', { region_id: 'eu-central-1' }, 'ecs.eu-central-1.aliyuncs.com'],
    ['central endpoint', {}, 'ecs.aliyuncs.com'],
  ] as const)('%s: the host header upstream is %s', async (_name, query, host) => {
    const res = await request(app.server).get('/api/regions').query({ ...CREDS, ...query });
    expect(res.status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.last.headers.host).toBe(host);
  });

  it('the host header is the endpoint on V3 body routes too', async () => {
    const res = await request(app.server).put('/api/instances/stop')
      .send({ ...CREDS, regionId: 'cn-qingdao', instanceIds: ['i-1'] });
    expect(res.status).toBe(200);
    expect(upstream.last.headers.host).toBe('ecs.cn-qingdao.aliyuncs.com');
  });
});
