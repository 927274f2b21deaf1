/**
 * The wire surface beyond signatures: ECS's response headers, Format=XML, CORS preflight,
 * unknown paths and methods, and the health route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { captureRequest, errorBody, rawRequest, TEST_KEY } from './helpers.js';
import { $Ecs, v1Client, v3Client, type SdkKey } from './sdk-clients.js';

let emu: RunningEmulator;
const lines: string[] = [];
beforeAll(async () => {
  emu = await startEmulator({ port: 0, transitionMs: 0, accessKeys: [TEST_KEY], logger: (l) => lines.push(l) });
});
afterAll(() => emu.close());

/** A V1 request signed by pop-core (GET or POST), replayable against the emulator. */
const popCoreRequest = (action: string, params: Record<string, unknown>, method = 'GET', key: SdkKey = TEST_KEY) =>
  captureRequest((url) => v1Client(url, key).request(action, params, { method }));

describe('response headers', () => {
  it('carries ECS headers on success, and the RequestId in body and header agree', async () => {
    const res = await v3Client(emu.url, TEST_KEY).describeRegions(new $Ecs.DescribeRegionsRequest({}));
    const h = res.headers ?? {};
    expect(h).toMatchObject({
      'content-type': 'application/json;charset=utf-8',
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'POST, GET, OPTIONS, PUT, DELETE',
      'access-control-allow-headers':
        'X-Requested-With, X-Sequence, _aop_secret, _aop_signature, x-acs-action, x-acs-version, x-acs-date, Content-Type',
      'access-control-max-age': '172800',
      vary: 'Accept-Encoding',
      connection: 'keep-alive',
    });
    expect(h['x-acs-request-id']).toBe(res.body?.requestId);
    expect(h['x-acs-trace-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(new Date(h.date ?? '').getTime()).toBeGreaterThan(0);
  });

  it('carries them on errors too, with the same RequestId in body and header', async () => {
    const res = await rawRequest(emu.url, { path: '/?Action=DescribeRegions' });
    expect(res.headers['content-type']).toBe('application/json;charset=utf-8');
    expect(res.headers['x-acs-request-id']).toBe(errorBody(res).RequestId);
    expect(Object.keys(JSON.parse(res.body))).toEqual(['RequestId', 'HostId', 'Code', 'Message', 'Recommend']);
  });
});

describe('Format=XML', () => {
  it('answers <DescribeRegionsResponse> as text/xml for GET and POST', async () => {
    for (const method of ['GET', 'POST']) {
      const res = await rawRequest(emu.url, await popCoreRequest('DescribeRegions', { Format: 'XML' }, method));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/xml;charset=utf-8');
      expect(res.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><DescribeRegionsResponse><RequestId>[0-9A-F-]{36}<\/RequestId><Regions><Region>/);
      expect(res.body).toContain('<RegionId>cn-hangzhou</RegionId>');
      expect(res.body.endsWith('</Regions></DescribeRegionsResponse>')).toBe(true);
    }
  });

  it('answers errors as <Error> in XML', async () => {
    const req = await popCoreRequest('DescribeRegions', { Format: 'XML' }, 'GET', { ...TEST_KEY, accessKeySecret: 'bad' });
    const res = await rawRequest(emu.url, req);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('text/xml;charset=utf-8');
    expect(res.body).toMatch(/<Error><RequestId>[0-9A-F-]{36}<\/RequestId><HostId>ecs.aliyuncs.com<\/HostId><Code>SignatureDoesNotMatch<\/Code><Message>Specified signature is not matched/);
  });
});

describe('routing', () => {
  it('answers a CORS preflight with 200 and the CORS headers', async () => {
    const res = await rawRequest(emu.url, { method: 'OPTIONS', path: '/' });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-methods']).toBe('POST, GET, OPTIONS, PUT, DELETE');
  });

  it('refuses other methods with UnsupportedHTTPMethod 403 and other paths with InvalidAction.NotFound 404', async () => {
    const put = await rawRequest(emu.url, { method: 'PUT', path: '/?Action=DescribeRegions&Version=2014-05-26' });
    expect([put.status, errorBody(put).Code]).toEqual([403, 'UnsupportedHTTPMethod']);
    const other = await rawRequest(emu.url, { path: '/v1/regions' });
    expect([other.status, errorBody(other).Code]).toEqual([404, 'InvalidAction.NotFound']);
  });

  it('serves /__emulator/health always, and hides the control routes unless faults are enabled', async () => {
    expect(JSON.parse((await rawRequest(emu.url, { path: '/__emulator/health' })).body)).toEqual({ status: 'ok' });
    expect((await rawRequest(emu.url, { method: 'POST', path: '/__emulator/faults', body: '{"mode":"drop"}' })).status).toBe(404);
    expect((await rawRequest(emu.url, { method: 'POST', path: '/__emulator/reset' })).status).toBe(404);
  });

  it('logs one line per call without secrets or signatures', async () => {
    const req = await popCoreRequest('DescribeRegions', {});
    await rawRequest(emu.url, req);
    const signature = new URLSearchParams(req.path.slice(2)).get('Signature') ?? '';
    expect(lines.some((l) => /^GET DescribeRegions 200 \d+ms requestId=[0-9A-F-]{36}$/.test(l))).toBe(true);
    expect(lines.join('\n')).not.toContain(TEST_KEY.accessKeySecret);
    expect(lines.join('\n')).not.toContain(signature);
  });
});
