/**
 * The official SDKs are the oracle: what they send is re-signed with our functions, and what we
 * send is verified with their own signing code. A loopback server captures the raw requests.
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Ecs, { DescribeInstancesRequest, DescribeRegionsRequest, StopInstancesRequest } from '@alicloud/ecs20140526';
import { OpenApiUtil, $OpenApiUtil } from '@alicloud/openapi-core';
import OpenApiUtilLegacy from '@alicloud/openapi-util';
import RPCClient from '@alicloud/pop-core';
import {
  authorizationV3, canonicalHeadersV3, percentEncode, sha256Hex, signV1, signV3, signV3WithHeaders, signatureV1, stringToSignV1,
  canonicalQueryString, type Credentials, type SignedRequest,
} from '../../src/gateway/ecs/signer.js';

/** CJS `exports.default`: vitest hands us the class, tsc (NodeNext) types the import as the module object. */
function cjsDefault<T>(mod: { default: T }): T {
  return (typeof mod === 'function' ? mod : mod.default) as T;
}
const EcsClient = cjsDefault(Ecs);
const legacyUtil = cjsDefault(OpenApiUtilLegacy);

interface Captured { method: string; path: string; query: string; headers: Record<string, string>; body: string }

const VERSION = '2014-05-26';
const KEY: Credentials = { accessKeyId: 'testid', accessKeySecret: 'testsecret' };
const STS: Credentials = { ...KEY, securityToken: 'STS.tok/+=' };
const TRICKY = "web 1*~'()!+&=/%中文😀";
const ELEVEN_IDS = Array.from({ length: 11 }, (_, i) => `i-${i + 1}`);
const V1_COMMON = ['AccessKeyId', 'Action', 'Format', 'SignatureMethod', 'SignatureNonce', 'SignatureVersion', 'Timestamp', 'Version', 'SecurityToken', 'Signature'];

let server: http.Server;
let port = 0;
const captured: Captured[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const [path = '', query = ''] = (req.url ?? '').split('?');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v ?? '']));
      captured.push({ method: req.method ?? '', path, query, headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json;charset=utf-8' });
      res.end('{"RequestId":"x","Regions":{"Region":[]}}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => { captured.length = 0; });

/** The single request captured by the call just made. */
function only(): Captured {
  expect(captured).toHaveLength(1);
  return captured[0] as Captured;
}

/** Strict query/form decoding: `+` stays `+` (URLSearchParams would turn it into a space). */
function parseForm(query: string): Record<string, string> {
  return Object.fromEntries(query.split('&').filter(Boolean).map((pair) => {
    const [k = '', v = ''] = pair.split('=');
    return [decodeURIComponent(k), decodeURIComponent(v)];
  }));
}

function withoutCommonV1(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).filter(([k]) => !V1_COMMON.includes(k)));
}

/** Sends one of our signed requests to the capture server exactly as signed. */
async function send(signed: SignedRequest): Promise<Captured> {
  await new Promise<void>((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, method: signed.method, path: '/', headers: signed.headers,
    }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', reject);
    req.end(signed.body);
  });
  return only();
}

function ecs(credentials: Credentials, signatureAlgorithm?: string): InstanceType<typeof EcsClient> {
  return new EcsClient(new $OpenApiUtil.Config({
    ...credentials, endpoint: `127.0.0.1:${port}`, protocol: 'http', regionId: 'cn-hangzhou',
    ...(signatureAlgorithm ? { signatureAlgorithm } : {}),
  }));
}

/** Headers our signer sends and signs; the SDK signs a few more, which the re-signing passes as extras. */
const OUR_V3_HEADERS = ['host', 'content-type', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256', 'x-acs-security-token'];

/** The headers the SDK signed beyond ours (it labels the credential source, and repeats the AK id with STS). */
function sdkExtraHeaders(h: Record<string, string>, credentials: Credentials): Record<string, string> {
  const signedNames = h.authorization?.match(/SignedHeaders=([^,]+)/)?.[1]?.split(';') ?? [];
  const extra = Object.fromEntries(signedNames.filter((n) => !OUR_V3_HEADERS.includes(n)).map((n) => [n, h[n] ?? '']));
  expect(Object.keys(extra).sort()).toEqual(credentials.securityToken ? ['x-acs-accesskey-id', 'x-acs-credentials-provider'] : ['x-acs-credentials-provider']);
  return extra;
}

/** Sorted keys: the SDK serialises a form body in insertion order, we in canonical order. */
function sorted(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(params).sort().map((k) => [k, params[k] ?? '']));
}

/**
 * An RPC call through openapi-core's generic callApi with the parameters in a form body: the
 * request shape the SDK produces for an OpenApiRequest with `body` (what signV3 sends).
 */
async function sdkFormCall(credentials: Credentials, action: string, body: Record<string, string>): Promise<void> {
  const client = ecs(credentials);
  const params = new $OpenApiUtil.Params({
    action, version: VERSION, protocol: 'HTTPS', pathname: '/', method: 'POST', authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json',
  });
  await client.callApi(params, new $OpenApiUtil.OpenApiRequest({ body: sorted(body) }), {} as Parameters<typeof client.callApi>[2]);
}

// Node's querystring (the SDK's form serialiser) leaves !'()* literal where RFC 3986 encodes them,
// so the byte-for-byte cases avoid exactly those five; the other direction below covers them.
const FORM_TRICKY = 'web 1~+&=/%中文😀 $#;,?@[]';
const PASSWORD = 'Pa$$w0rd+/=&?';
const USER_DATA_16K = Buffer.alloc(12 * 1024, 'echo hi; #!/bin/sh\n+/=').toString('base64');

describe('V3 form body against openapi-core callApi (RPC, reqBodyType formData)', () => {
  const calls: Array<[string, Credentials, string, Record<string, string>]> = [
    ['DescribeRegions', KEY, 'DescribeRegions', { AcceptLanguage: 'zh-CN' }],
    ['DescribeInstances with reserved and non-ASCII characters', KEY, 'DescribeInstances', { RegionId: 'cn-hangzhou', InstanceName: FORM_TRICKY, InstanceIds: '["i-1","i-2"]', PageSize: '10' }],
    ['StopInstances with 11 ids, STS credentials', STS, 'StopInstances', { RegionId: 'cn-hangzhou', ...Object.fromEntries(ELEVEN_IDS.map((id, i) => [`InstanceId.${i + 1}`, id])) }],
    ['RunInstances with a password and 16 KB of user data', KEY, 'RunInstances', { RegionId: 'cn-hangzhou', ImageId: 'img-1', Password: PASSWORD, UserData: USER_DATA_16K }],
  ];

  for (const [name, credentials, action, business] of calls) {
    it(`signV3 reproduces the SDK's body, headers and Authorization: ${name}`, async () => {
      await sdkFormCall(credentials, action, business);
      const req = only();
      const h = req.headers;
      expect(req.method).toBe('POST');
      expect(req.path).toBe('/');
      expect(req.query).toBe('');
      expect(parseForm(req.body)).toEqual(business);

      const signed = signV3WithHeaders({
        action: h['x-acs-action'] ?? '', version: h['x-acs-version'] ?? '', params: parseForm(req.body), credentials,
        host: h.host ?? '', date: new Date(h['x-acs-date'] ?? ''), nonce: h['x-acs-signature-nonce'] ?? '',
      }, sdkExtraHeaders(h, credentials));
      expect(signed.body).toBe(req.body);
      expect(signed.headers.authorization).toBe(h.authorization);
      for (const [k, v] of Object.entries(signed.headers)) expect(h[k], k).toBe(v);
    });
  }
});

describe('V3 canonical query against @alicloud/ecs20140526 (which sends everything in the query)', () => {
  // The ECS SDK's generated methods put every parameter, Password and UserData included, in the URL;
  // we do not (see above), but our canonical query encoding must still match its: V1 signs it.
  const calls: Array<[string, Credentials, (c: InstanceType<typeof EcsClient>) => Promise<unknown>]> = [
    ['DescribeRegions', KEY, (c) => c.describeRegions(new DescribeRegionsRequest({ acceptLanguage: 'zh-CN' }))],
    ['DescribeInstances with reserved and non-ASCII characters', KEY, (c) => c.describeInstances(new DescribeInstancesRequest({
      regionId: 'cn-hangzhou', instanceName: TRICKY, instanceIds: '["i-1","i-2"]', pageSize: 10,
    }))],
    ['StopInstances with 11 ids, STS credentials', STS, (c) => c.stopInstances(new StopInstancesRequest({ regionId: 'cn-hangzhou', instanceId: ELEVEN_IDS }))],
  ];

  for (const [name, credentials, call] of calls) {
    it(`our V3 helpers reproduce the SDK's query-form Authorization: ${name}`, async () => {
      await call(ecs(credentials));
      const req = only();
      const h = req.headers;
      const params = parseForm(req.query);
      const signedNames = h.authorization?.match(/SignedHeaders=([^,]+)/)?.[1]?.split(';') ?? [];
      const headers = canonicalHeadersV3(Object.fromEntries(signedNames.map((n) => [n, h[n] ?? ''])));
      const ours = authorizationV3({ method: req.method, path: req.path, params, headers, payloadHash: h['x-acs-content-sha256'] ?? '' }, credentials);
      expect(ours).toBe(h.authorization);
    });
  }

  it('the tricky calls really carried tricky values (so the checks above are not vacuous)', async () => {
    await ecs(KEY).describeInstances(new DescribeInstancesRequest({ regionId: 'cn-hangzhou', instanceName: TRICKY }));
    expect(parseForm(only().query).InstanceName).toBe(TRICKY);
    captured.length = 0;
    await ecs(STS).stopInstances(new StopInstancesRequest({ regionId: 'cn-hangzhou', instanceId: ELEVEN_IDS }));
    const req = only();
    expect(parseForm(req.query)['InstanceId.11']).toBe('i-11');
    expect(req.headers['x-acs-security-token']).toBe(STS.securityToken);
  });
});

describe('V3: our signed request verified with the SDKs\' getAuthorization', () => {
  const params = {
    RegionId: 'cn-hangzhou', InstanceName: TRICKY, Password: PASSWORD, UserData: USER_DATA_16K,
    ...Object.fromEntries(ELEVEN_IDS.map((id, i) => [`InstanceId.${i + 1}`, id])),
  };
  const utils = [['openapi-core', OpenApiUtil], ['openapi-util', legacyUtil]] as const;

  for (const credentials of [KEY, STS]) {
    for (const [utilName, util] of utils) {
      it(`${utilName} accepts our Authorization, parameters in the body only (${credentials.securityToken ? 'STS' : 'AK'})`, async () => {
        const signed = signV3({
          action: 'RunInstances', version: VERSION, params, credentials, host: `127.0.0.1:${port}`,
          date: new Date('2026-11-22T13:17:43.250Z'), nonce: 'b352babc722cfb7f24c918aefd90e59c',
        });
        const req = await send(signed);
        expect(req.path).toBe('/');
        expect(req.query).toBe('');
        expect(parseForm(req.body)).toEqual(params);
        expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
        expect(sha256Hex(req.body)).toBe(req.headers['x-acs-content-sha256']);
        const asSeen = { method: req.method, pathname: req.path, query: {}, headers: req.headers };
        const expected = util.getAuthorization(asSeen as unknown as Parameters<typeof util.getAuthorization>[0], 'ACS3-HMAC-SHA256',
          req.headers['x-acs-content-sha256'] ?? '', credentials.accessKeyId, credentials.accessKeySecret);
        expect(req.headers.authorization).toBe(expected);
      });
    }
  }

  it('a call without parameters sends an empty body with the empty payload hash', async () => {
    const req = await send(signV3({
      action: 'DescribeRegions', version: VERSION, params: {}, credentials: KEY, host: `127.0.0.1:${port}`,
      date: new Date('2026-11-22T13:17:43Z'), nonce: 'n1',
    }));
    expect(req.body).toBe('');
    expect(req.headers['content-type']).toBeUndefined();
    expect(req.headers['x-acs-content-sha256']).toBe(sha256Hex(''));
    const asSeen = { method: req.method, pathname: req.path, query: {}, headers: req.headers };
    expect(req.headers.authorization).toBe(OpenApiUtil.getAuthorization(asSeen as unknown as Parameters<typeof OpenApiUtil.getAuthorization>[0],
      'ACS3-HMAC-SHA256', sha256Hex(''), KEY.accessKeyId, KEY.accessKeySecret));
  });
});

describe('V1 against @alicloud/pop-core', () => {
  function pop(credentials: Credentials): RPCClient {
    return new RPCClient({ endpoint: `http://127.0.0.1:${port}`, apiVersion: VERSION, ...credentials });
  }
  const calls: Array<[string, Credentials, string, Record<string, string>]> = [
    ['DescribeRegions', KEY, 'DescribeRegions', { RegionId: 'cn-hangzhou' }],
    ['DescribeInstances with reserved and non-ASCII characters', KEY, 'DescribeInstances', { RegionId: 'cn-hangzhou', InstanceName: TRICKY, 'Tag.1.Value': 'a b' }],
    ['StopInstances with 11 ids, STS credentials', STS, 'StopInstances', { RegionId: 'cn-hangzhou', ...Object.fromEntries(ELEVEN_IDS.map((id, i) => [`InstanceId.${i + 1}`, id])) }],
  ];

  for (const [name, credentials, action, business] of calls) {
    it(`signV1 reproduces pop-core's POST body byte for byte: ${name}`, async () => {
      await pop(credentials).request(action, business, { method: 'POST' });
      const req = only();
      const sent = parseForm(req.body);
      expect(withoutCommonV1(sent)).toEqual(business);
      const ours = signV1({
        action, version: VERSION, params: business, credentials, host: '127.0.0.1',
        date: new Date(sent.Timestamp ?? ''), nonce: sent.SignatureNonce ?? '',
      });
      expect(ours.body).toBe(req.body);
      expect(req.headers['content-type']).toBe(ours.headers['content-type']);
      expect(req.query).toBe('');
    });

    it(`our V1 helpers reproduce pop-core's GET signature and query: ${name}`, async () => {
      await pop(credentials).request(action, business, { method: 'GET' });
      const { Signature, ...signedParams } = parseForm(only().query);
      const signature = signatureV1(stringToSignV1('GET', signedParams), credentials.accessKeySecret);
      expect(signature).toBe(Signature);
      expect(only().query).toBe(`${canonicalQueryString(signedParams)}&Signature=${percentEncode(signature)}`);
    });
  }
});

describe('V1: our signed request verified with the SDKs\' getRPCSignature', () => {
  for (const credentials of [KEY, STS]) {
    it(`openapi-core and openapi-util agree with our Signature (${credentials.securityToken ? 'STS' : 'AK'})`, async () => {
      const req = await send(signV1({
        action: 'DescribeInstances', version: VERSION, params: { RegionId: 'cn-hangzhou', InstanceName: TRICKY, 'InstanceId.10': 'i-10', 'InstanceId.2': 'i-2' },
        credentials, host: '127.0.0.1', date: new Date('2026-11-22T13:17:43Z'), nonce: 'ee19baf0ec4c7f21',
      }));
      const { Signature, ...params } = parseForm(req.body);
      expect(params.InstanceName).toBe(TRICKY);
      expect(params.SecurityToken).toBe(credentials.securityToken);
      expect(Signature).toBe(OpenApiUtil.getRPCSignature(params, 'POST', credentials.accessKeySecret));
      expect(Signature).toBe(legacyUtil.getRPCSignature(params, 'POST', credentials.accessKeySecret));
    });
  }

  it('openapi-core with signatureAlgorithm v2 (V1 in the query, Format=json) is reproduced too', async () => {
    await ecs(STS, 'v2').stopInstances(new StopInstancesRequest({ regionId: 'cn-hangzhou', instanceId: ELEVEN_IDS }));
    const { Signature, ...params } = parseForm(only().query);
    expect(params['InstanceId.11']).toBe('i-11');
    expect(params.SecurityToken).toBe(STS.securityToken);
    expect(signatureV1(stringToSignV1('POST', params), STS.accessKeySecret)).toBe(Signature);
  });
});
