/**
 * What the emulator refuses, with ECS's codes and statuses, as the official SDKs see it
 * (and as raw requests see it where an SDK cannot produce the fault).
 */
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { captureRequest, errorBody, rawRequest, STS_KEY, TEST_KEY } from './helpers.js';
import { $Ecs, v1Client, v3Client, type SdkKey } from './sdk-clients.js';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, transitionMs: 0, accessKeys: [TEST_KEY, STS_KEY] });
});
afterAll(() => emu.close());

const v3Regions = (key: SdkKey, url = emu.url) => v3Client(url, key).describeRegions(new $Ecs.DescribeRegionsRequest({}));

/** Runs a pop-core call that must fail; returns code, HTTP status and message. */
async function v1Failure(key: SdkKey, action: string, params: Record<string, unknown> = {}, method = 'GET', url = emu.url) {
  const client = v1Client(url, key);
  const err = (await client.request(action, params, { method }).then(
    () => expect.fail('expected the call to fail'),
    (e: unknown) => e,
  )) as { code: string; data: { Message: string }; entry: { response: { statusCode: number } } };
  return { code: err.code, status: err.entry.response.statusCode, message: err.data.Message };
}

describe('signature and key errors', () => {
  it('refuses a wrong secret with SignatureDoesNotMatch 400 (V3 and V1) and shows its string to sign', async () => {
    const bad = { ...TEST_KEY, accessKeySecret: 'wrong' };
    await expect(v3Regions(bad)).rejects.toMatchObject({ code: 'SignatureDoesNotMatch', statusCode: 400 });
    for (const method of ['GET', 'POST']) {
      const f = await v1Failure(bad, 'DescribeRegions', {}, method);
      expect([f.code, f.status]).toEqual(['SignatureDoesNotMatch', 400]);
      expect(f.message).toMatch(new RegExp(`^Specified signature is not matched with our calculation\\. server string to sign is:${method}&%2F&AccessKeyId%3Dtest-key-id%26Action%3DDescribeRegions`));
    }
  });

  it('refuses an unknown key id with InvalidAccessKeyId.NotFound 404', async () => {
    const unknown = { accessKeyId: 'nobody', accessKeySecret: 'x' };
    await expect(v3Regions(unknown)).rejects.toMatchObject({ code: 'InvalidAccessKeyId.NotFound', statusCode: 404 });
    expect(await v1Failure(unknown, 'DescribeRegions')).toMatchObject({ code: 'InvalidAccessKeyId.NotFound', status: 404 });
  });

  it('accepts an STS pair only with its token', async () => {
    expect((await v3Regions(STS_KEY)).statusCode).toBe(200);
    expect((await v1Client(emu.url, STS_KEY).request<{ RequestId: string }>('DescribeRegions', {})).RequestId).toBeTruthy();
    const { securityToken: _omit, ...noToken } = STS_KEY;
    await expect(v3Regions(noToken)).rejects.toMatchObject({ code: 'InvalidSecurityToken.Malformed', statusCode: 400 });
    expect((await v1Failure(noToken, 'DescribeRegions')).code).toBe('InvalidSecurityToken.Malformed');
    const wrong = { ...STS_KEY, securityToken: 'other' };
    await expect(v3Regions(wrong)).rejects.toMatchObject({ code: 'InvalidSecurityToken.MismatchWithAccessKey' });
    expect((await v1Failure(wrong, 'DescribeRegions', {}, 'POST')).code).toBe('InvalidSecurityToken.MismatchWithAccessKey');
    // A token sent with a plain key pair is refused too.
    await expect(v3Regions({ ...TEST_KEY, securityToken: 'x' })).rejects.toMatchObject({ code: 'InvalidSecurityToken.MismatchWithAccessKey' });
  });
});

describe('timestamps', () => {
  it.each([
    ['16 minutes behind', -16],
    ['16 minutes ahead', 16],
  ])('refuses a client clock %s with InvalidTimeStamp.Expired 400', async (_label, minutes) => {
    const skewed = await startEmulator({ port: 0, accessKeys: [TEST_KEY], now: () => Date.now() - minutes * 60_000 });
    try {
      await expect(v3Regions(TEST_KEY, skewed.url)).rejects.toMatchObject({ code: 'InvalidTimeStamp.Expired', statusCode: 400 });
      expect(await v1Failure(TEST_KEY, 'DescribeRegions', {}, 'GET', skewed.url)).toMatchObject({ code: 'InvalidTimeStamp.Expired', status: 400 });
    } finally {
      await skewed.close();
    }
  });

  it('accepts 14 minutes of skew, and refuses a malformed Timestamp', async () => {
    const skewed = await startEmulator({ port: 0, accessKeys: [TEST_KEY], now: () => Date.now() + 14 * 60_000 });
    try {
      expect((await v3Regions(TEST_KEY, skewed.url)).statusCode).toBe(200);
    } finally {
      await skewed.close();
    }
    expect(await v1Failure(TEST_KEY, 'DescribeRegions', { Timestamp: '2024-01-01 00:00:00' })).toMatchObject({
      code: 'InvalidTimeStamp.Format',
      status: 400,
    });
  });
});

describe('nonce replay', () => {
  it('refuses a replayed V1 GET (captured signed URL) with SignatureNonceUsed 400', async () => {
    const client = new (v1Client(emu.url, TEST_KEY).constructor as never as new (c: object, v: boolean) => {
      request(a: string, p: object): Promise<[unknown, { url: string }]>;
    })({ ...TEST_KEY, endpoint: emu.url, apiVersion: '2014-05-26' }, true);
    const [, entry] = await client.request('DescribeRegions', {});
    const path = entry.url.slice(emu.url.length);
    const replay = await rawRequest(emu.url, { path });
    expect(replay.status).toBe(400);
    expect(errorBody(replay).Code).toBe('SignatureNonceUsed');
  });

  it('refuses a replayed V3 request captured from the SDK, but only after it was once accepted', async () => {
    const captured = await captureV3Request();
    const first = await rawRequest(emu.url, captured);
    expect(first.status).toBe(200);
    const second = await rawRequest(emu.url, captured);
    expect([second.status, errorBody(second).Code]).toEqual([400, 'SignatureNonceUsed']);
  });

  it('refuses unsigned x-acs-* headers and a body that does not match x-acs-content-sha256', async () => {
    const captured = await captureV3Request();
    const extra = await rawRequest(emu.url, { ...captured, headers: { ...captured.headers, 'x-acs-extra': '1' } });
    expect([extra.status, errorBody(extra).Code]).toEqual([400, 'IncompleteSignature']);
    const body = await rawRequest(emu.url, { ...captured, body: 'RegionId=cn-beijing', headers: { ...captured.headers, 'content-type': 'application/x-www-form-urlencoded' } });
    expect([body.status, errorBody(body).Code]).toEqual([400, 'IncompleteSignature']);
    const garbled = await rawRequest(emu.url, { ...captured, headers: { ...captured.headers, authorization: 'ACS3-HMAC-SHA256 nonsense' } });
    expect([garbled.status, errorBody(garbled).Code]).toEqual([400, 'IncompleteSignature']);
  });
});

describe('Action and Version', () => {
  it.each([
    ['/?Version=2014-05-26', 400, 'MissingParameter', 'Action'],
    ['/?Action=DescribeRegions', 400, 'MissingParameter', 'Version'],
    ['/?Action=DescribeRegions&Version=2016-01-01', 400, 'InvalidVersion', 'Version'],
  ])('%s → %i %s', async (path, status, code, mention) => {
    const res = await rawRequest(emu.url, { path });
    expect([res.status, errorBody(res).Code]).toEqual([status, code]);
    expect(errorBody(res).Message).toContain(mention);
    expect(errorBody(res).HostId).toBe('ecs.aliyuncs.com');
  });

  it('refuses an unknown action with InvalidAction.NotFound 404 (V1 and V3)', async () => {
    expect(await v1Failure(TEST_KEY, 'NoSuchAction')).toMatchObject({ code: 'InvalidAction.NotFound', status: 404 });
    const params = new $OpenApiUtil.Params({
      action: 'NoSuchAction', version: '2014-05-26', protocol: 'HTTP', pathname: '/', method: 'POST',
      authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json',
    });
    const client = v3Client(emu.url, TEST_KEY);
    const runtime = {} as Parameters<typeof client.callApi>[2]; // plain options: no retries
    const call = client.callApi(params, new $OpenApiUtil.OpenApiRequest({ query: {} }), runtime);
    await expect(call).rejects.toMatchObject({ code: 'InvalidAction.NotFound', statusCode: 404 });
  });
});

/** The exact signed request the V3 SDK sends for DescribeRegions. */
function captureV3Request() {
  return captureRequest((url) => v3Regions(TEST_KEY, url));
}
