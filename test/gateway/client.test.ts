import { Dispatcher, errors, MockAgent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DeadlineSweeper, EcsClient, type EcsClientOptions } from '../../src/gateway/ecs/client.js';
import { percentEncode, sha256Hex, type Credentials } from '../../src/gateway/ecs/signer.js';
import { GatewayError } from '../../src/gateway/errors.js';
import { FIXED_DATE, FIXED_NONCE } from '../support/gateway.js';
import { FakeUpstream, gate, parseParams } from '../support/upstream.js';

const CREDENTIALS: Credentials = { accessKeyId: 'LTAItestid', accessKeySecret: 'client-secret-value' };
const STS: Credentials = { ...CREDENTIALS, securityToken: 'sts-token-value-123' };

/** A dispatcher that records the origin, path, method, headers and body of every request, then lets the MockAgent answer. */
class RecordingDispatcher extends Dispatcher {
  readonly calls: Array<{ origin: string; path: string; method: string; headers: Record<string, string>; body: string }> = [];
  constructor(readonly inner: MockAgent) {
    super();
  }
  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const headers: Record<string, string> = {};
    const raw = options.headers;
    if (Array.isArray(raw)) for (let i = 0; i < raw.length; i += 2) headers[String(raw[i]).toLowerCase()] = String(raw[i + 1]);
    else if (raw) for (const [k, v] of Object.entries(raw as Record<string, string>)) headers[k.toLowerCase()] = String(v);
    this.calls.push({
      origin: String(options.origin), path: options.path, method: options.method, headers,
      body: typeof options.body === 'string' ? options.body : '',
    });
    return this.inner.dispatch(options, handler);
  }
  override async close(): Promise<void> {
    await this.inner.close();
  }
}

function mocked(origin: string, reply: { status?: number; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) {
  const agent = new MockAgent();
  agent.disableNetConnect();
  agent.get(origin).intercept({ path: () => true, method: 'POST' }).reply(
    reply.status ?? 200,
    reply.raw ?? JSON.stringify(reply.body ?? { RequestId: 'REQ-1' }),
    { headers: { 'content-type': 'application/json', ...reply.headers } },
  ).persist();
  return new RecordingDispatcher(agent);
}

function client(dispatcher: Dispatcher, options: Partial<EcsClientOptions> = {}): EcsClient {
  return new EcsClient({
    // Generous: these tests are not about timeouts, and a loaded machine must not turn them into 504s.
    signatureVersion: 'v3', allowedEndpoints: [], timeoutMs: 60_000, dispatcher,
    now: () => FIXED_DATE, nonce: () => FIXED_NONCE, ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return err as GatewayError;
  }
  throw new Error('the call succeeded');
}

describe('EcsClient origin and signing', () => {
  it.each([
    ['regional endpoint from regionId', { regionId: 'cn-beijing' }, 'https://ecs.cn-beijing.aliyuncs.com'],
    ['explicit endpoint', { endpoint: 'ecs-vpc.cn-shanghai.aliyuncs.com', regionId: 'cn-beijing' }, 'https://ecs-vpc.cn-shanghai.aliyuncs.com'],
    ['central endpoint', {}, 'https://ecs.aliyuncs.com'],
  ] as const)('without ECS_UPSTREAM_URL calls https: %s', async (_name, where, origin) => {
    const dispatcher = mocked(origin);
    const result = await client(dispatcher).call({ action: 'DescribeRegions', params: {}, credentials: CREDENTIALS, ...where });
    expect(result.body).toEqual({ RequestId: 'REQ-1' });
    expect(dispatcher.calls).toHaveLength(1);
    expect(dispatcher.calls[0]?.origin).toBe(origin);
    expect(dispatcher.calls[0]?.headers.host).toBe(new URL(origin).host);
  });

  it('with an upstream URL sends every call there, with the real endpoint as host', async () => {
    const dispatcher = mocked('http://emulator.local:9000');
    await client(dispatcher, { upstreamUrl: 'http://emulator.local:9000' })
      .call({ action: 'DescribeInstances', params: { RegionId: 'cn-hangzhou' }, credentials: CREDENTIALS, regionId: 'cn-hangzhou' });
    expect(dispatcher.calls[0]?.origin).toBe('http://emulator.local:9000');
    expect(dispatcher.calls[0]?.headers.host).toBe('ecs.cn-hangzhou.aliyuncs.com');
  });

  it('an upstream URL with a path sends every call to that path', async () => {
    const dispatcher = mocked('http://proxy.local:8080');
    await client(dispatcher, { upstreamUrl: 'http://proxy.local:8080/ecs/v1' })
      .call({ action: 'DescribeRegions', params: {}, credentials: CREDENTIALS, regionId: 'cn-hangzhou' });
    expect(dispatcher.calls[0]).toMatchObject({ origin: 'http://proxy.local:8080', path: '/ecs/v1/' });
  });

  it('V3 puts parameters in a form body (nothing in the URL), signs with ACS3-HMAC-SHA256 and passes the STS token as x-acs-security-token', async () => {
    const dispatcher = mocked('https://ecs.cn-beijing.aliyuncs.com');
    await client(dispatcher).call({ action: 'StartInstances', params: { RegionId: 'cn-beijing', 'InstanceId.1': 'i-1' }, credentials: STS, regionId: 'cn-beijing' });
    const sent = dispatcher.calls[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/');
    expect(parseParams(sent.body)).toEqual({ RegionId: 'cn-beijing', 'InstanceId.1': 'i-1' });
    expect(sent.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(sent.headers['x-acs-content-sha256']).toBe(sha256Hex(sent.body));
    expect(sent.headers['x-acs-action']).toBe('StartInstances');
    expect(sent.headers['x-acs-version']).toBe('2014-05-26');
    expect(sent.headers['x-acs-security-token']).toBe('sts-token-value-123');
    expect(sent.headers.authorization).toMatch(/^ACS3-HMAC-SHA256 Credential=LTAItestid,SignedHeaders=[^,]*x-acs-security-token/);
  });

  it('V1 sends a signed form with SecurityToken, nothing in the URL', async () => {
    const dispatcher = mocked('https://ecs.cn-beijing.aliyuncs.com');
    await client(dispatcher, { signatureVersion: 'v1' })
      .call({ action: 'StopInstances', params: { RegionId: 'cn-beijing' }, credentials: STS, regionId: 'cn-beijing' });
    const sent = dispatcher.calls[0]!;
    expect(sent.path).toBe('/');
    expect(sent.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(sent.headers['x-acs-security-token']).toBeUndefined();
    const form = parseParams(sent.body);
    expect(form).toMatchObject({
      Action: 'StopInstances', Version: '2014-05-26', AccessKeyId: 'LTAItestid', SecurityToken: 'sts-token-value-123',
      SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0', SignatureNonce: FIXED_NONCE, Timestamp: '2026-11-23T10:00:00Z', RegionId: 'cn-beijing',
    });
    expect(form.Signature).toMatch(/^[A-Za-z0-9+/]{27}=$/);
  });

  it('without a token neither V3 nor V1 sends one', async () => {
    const v3 = mocked('https://ecs.aliyuncs.com');
    await client(v3).call({ action: 'DescribeRegions', params: {}, credentials: CREDENTIALS });
    expect(v3.calls[0]?.headers['x-acs-security-token']).toBeUndefined();
    const v1 = mocked('https://ecs.aliyuncs.com');
    await client(v1, { signatureVersion: 'v1' }).call({ action: 'DescribeRegions', params: {}, credentials: CREDENTIALS });
    expect(parseParams(v1.calls[0]!.body).SecurityToken).toBeUndefined();
  });

  it('refuses a bad endpoint before dispatching anything', async () => {
    const dispatcher = mocked('https://127.0.0.1');
    const err = await failure(client(dispatcher).call({ action: 'DescribeRegions', params: {}, credentials: CREDENTIALS, endpoint: '127.0.0.1' }));
    expect(err).toMatchObject({ statusCode: 400, code: 'INVALID_ENDPOINT' });
    expect(dispatcher.calls).toHaveLength(0);
  });

  it('resolveHost validates without calling', () => {
    const dispatcher = mocked('https://ecs.aliyuncs.com');
    const c = client(dispatcher, { allowedEndpoints: ['ecs.proxy.example.com'] });
    expect(c.resolveHost({ endpoint: 'ecs.proxy.example.com' })).toBe('ecs.proxy.example.com');
    expect(() => c.resolveHost({ endpoint: 'ecs.proxy.example.com:80' })).toThrow(GatewayError);
    expect(dispatcher.calls).toHaveLength(0);
  });

  it('returns the upstream headers flattened to strings', async () => {
    const dispatcher = mocked('https://ecs.aliyuncs.com', { headers: { 'x-acs-request-id': 'REQ-H' } });
    const result = await client(dispatcher).call({ action: 'DescribeRegions', params: {}, credentials: CREDENTIALS });
    expect(result.status).toBe(200);
    expect(result.headers['x-acs-request-id']).toBe('REQ-H');
  });
});

describe('EcsClient answers', () => {
  const call = (reply: Parameters<typeof mocked>[1]) =>
    client(mocked('https://ecs.aliyuncs.com', reply)).call({ action: 'DescribeRegions', params: {}, credentials: STS });

  it.each([
    ['InvalidInstanceId.NotFound', 404, { RequestId: 'R-404', HostId: 'ecs.aliyuncs.com', Code: 'InvalidInstanceId.NotFound', Message: 'The specified InstanceId does not exist.' }],
    ['IncorrectInstanceStatus', 403, { RequestId: 'R-403', HostId: 'ecs.aliyuncs.com', Code: 'IncorrectInstanceStatus', Message: 'bad status', Recommend: 'https://error-center.aliyun.com/x' }],
    ['Throttling', 400, { RequestId: 'R-400', Code: 'Throttling', Message: 'Request was denied due to user flow control.' }],
    ['ServiceUnavailable', 503, { RequestId: 'R-503', HostId: 'ecs.aliyuncs.com', Code: 'ServiceUnavailable', Message: 'temporary failure' }],
  ] as const)('an ECS %s keeps status %i, code and ids', async (code, status, body) => {
    const err = await failure(call({ status, body }));
    expect(err.statusCode).toBe(status);
    expect(err.code).toBe(code);
    expect(err.message).toBe(body.Message);
    expect(err.extra).toMatchObject({
      ecsRequestId: body.RequestId,
      hostId: 'HostId' in body ? body.HostId : undefined,
      recommend: 'Recommend' in body ? body.Recommend : undefined,
    });
  });

  it.each([
    ['1500', '2'], ['1000', '1'], ['1', '1'], ['60000', '60'],
  ])('x-acs-retry-after %s ms becomes retry-after %s s', async (ms, seconds) => {
    const err = await failure(call({ status: 400, body: { Code: 'Throttling', Message: 'slow down' }, headers: { 'x-acs-retry-after': ms } }));
    expect(err.responseHeaders['retry-after']).toBe(seconds);
  });

  it.each(['0', '-5', 'soon', ''])('no retry-after for x-acs-retry-after %j', async (ms) => {
    const err = await failure(call({ status: 400, body: { Code: 'Throttling', Message: 'slow down' }, headers: { 'x-acs-retry-after': ms } }));
    expect(err.responseHeaders['retry-after']).toBeUndefined();
  });

  it.each([
    ['HTML on 200', 200, '<html>hi</html>'],
    ['JSON array on 200', 200, '[1,2]'],
    ['JSON null on 200', 200, 'null'],
    ['empty 200', 200, ''],
    ['HTML on 502', 502, '<html>Bad Gateway</html>'],
    ['4xx JSON without Code', 400, '{"Message":"no code"}'],
    ['redirect', 302, '{"Code":"Moved"}'],
    ['4xx with non-string Code', 400, '{"Code":5}'],
  ] as const)('%s is a 502 UPSTREAM_BAD_RESPONSE', async (_name, status, raw) => {
    const err = await failure(call({ status, raw }));
    expect(err).toMatchObject({ statusCode: 502, code: 'UPSTREAM_BAD_RESPONSE' });
  });

  it('reads the body as UTF-8 without a byte-order mark, keeping the text as ECS sent it', async () => {
    const result = await call({ raw: '\uFEFF{"RequestId":"BOM-1","LocalName":"华北 1"}' });
    expect(result.body).toEqual({ RequestId: 'BOM-1', LocalName: '华北 1' });
    expect(result.bodyText).toBe('{"RequestId":"BOM-1","LocalName":"华北 1"}');
  });

  it('a body-less ECS error still gets a message', async () => {
    const err = await failure(call({ status: 400, body: { Code: 'Weird' } }));
    expect(err).toMatchObject({ statusCode: 400, code: 'Weird', message: 'ECS returned an error' });
  });
});

describe('EcsClient scrubs secrets echoed by ECS', () => {
  const password = "Pa(ss)w0rd!*'~ é";
  const secret = 'se/cr+et=(x)!';
  const token = 'CAIS+token/with=chars*';
  const creds: Credentials = { accessKeyId: 'LTAIid', accessKeySecret: secret, securityToken: token };
  const forms = (v: string) => [v, encodeURIComponent(v), percentEncode(v), percentEncode(percentEncode(v)), encodeURIComponent(encodeURIComponent(v))];

  it('removes the secret, token and Password in every encoding from Message and Recommend', async () => {
    const echoed = [secret, token, password].flatMap(forms).join('|');
    const dispatcher = mocked('https://ecs.aliyuncs.com', {
      status: 400,
      body: { RequestId: 'R', HostId: 'ecs.aliyuncs.com', Code: 'SignatureDoesNotMatch', Message: `server string to sign is:POST&%2F&${echoed}`, Recommend: `https://x/?q=${percentEncode(token)}` },
    });
    const err = await failure(client(dispatcher, { signatureVersion: 'v1' })
      .call({ action: 'RunInstances', params: { RegionId: 'cn-beijing', Password: password }, credentials: creds }));
    expect(err.code).toBe('SignatureDoesNotMatch');
    const rendered = JSON.stringify({ message: err.message, extra: err.extra });
    for (const form of [secret, token, password].flatMap(forms)) expect(rendered).not.toContain(form);
    expect(err.message).toContain('[REDACTED]');
    expect(err.message).toMatch(/^server string to sign is:POST&%2F&/);
  });

  it('leaves non-secret parameters such as PasswordInherit alone', async () => {
    const dispatcher = mocked('https://ecs.aliyuncs.com', { status: 400, body: { Code: 'InvalidParameter', Message: 'PasswordInherit true is invalid' } });
    const err = await failure(client(dispatcher).call({ action: 'RunInstances', params: { PasswordInherit: 'true' }, credentials: CREDENTIALS }));
    expect(err.message).toBe('PasswordInherit true is invalid');
  });

  it('scrubs the values the caller marks secret (secretValues) in every encoding', async () => {
    const userData = 'I2Nsb3VkLWNvbmZpZw==+/x';
    const dispatcher = mocked('https://ecs.aliyuncs.com', {
      status: 400, body: { Code: 'SignatureDoesNotMatch', Message: `string to sign: ${forms(userData).join('|')}` },
    });
    const err = await failure(client(dispatcher, { signatureVersion: 'v1' })
      .call({ action: 'RunInstances', params: { UserData: userData }, credentials: CREDENTIALS, secretValues: [userData] }));
    for (const form of forms(userData)) expect(err.message).not.toContain(form);
    expect(err.message).toBe(`string to sign: ${forms(userData).map(() => '[REDACTED]').join('|')}`);
  });
});

describe('EcsClient transport failures (real sockets)', () => {
  let upstream: FakeUpstream;
  beforeAll(async () => {
    upstream = await new FakeUpstream().start();
    upstream.reply = { body: { RequestId: 'ok' } };
  });
  afterAll(async () => {
    await upstream.close();
  });
  afterEach(() => {
    upstream.reply = { body: { RequestId: 'ok' } };
  });
  // A generous deadline unless a test is about the deadline: a loaded machine must not turn the others into 504s.
  const real = (options: Partial<EcsClientOptions> = {}) => new EcsClient({
    signatureVersion: 'v3', allowedEndpoints: [], timeoutMs: 60_000, upstreamUrl: upstream.url, ...options,
  });

  it('answers through its own Agent and closes it (idempotently): later calls fail without reaching ECS', async () => {
    const c = real();
    await expect(c.call({ action: 'DescribeRegions', params: {}, credentials: CREDENTIALS })).resolves.toMatchObject({ body: { RequestId: 'ok' } });
    const reached = upstream.requests.length;
    await c.close();
    await c.close();
    const err = await failure(c.call({ action: 'DescribeRegions', params: {}, credentials: CREDENTIALS }));
    expect(err).toMatchObject({ statusCode: 502, code: 'UPSTREAM_UNAVAILABLE' });
    // undici: a closed Agent is destroyed once close() resolves; dispatching on it throws this.
    expect(err.cause).toBeInstanceOf(errors.ClientDestroyedError);
    expect(upstream.requests).toHaveLength(reached);
  });

  /** A deadline the test expires by hand, recording the value it was armed with and whether it was cancelled. */
  function manualDeadline() {
    const armed: Array<{ ms: number; expire: () => void; cancelled: boolean }> = [];
    const armDeadline = (onExpiry: () => void, ms: number) => {
      const entry = { ms, expire: onExpiry, cancelled: false };
      armed.push(entry);
      return () => { entry.cancelled = true; };
    };
    return { armed, armDeadline };
  }

  it('arms one deadline of timeoutMs per call and cancels it once ECS has answered', async () => {
    const { armed, armDeadline } = manualDeadline();
    const c = real({ timeoutMs: 1234, armDeadline });
    await c.call({ action: 'DescribeRegions', params: {}, credentials: CREDENTIALS });
    await c.call({ action: 'DescribeRegions', params: {}, credentials: CREDENTIALS });
    expect(armed.map(({ ms, cancelled }) => ({ ms, cancelled }))).toEqual([{ ms: 1234, cancelled: true }, { ms: 1234, cancelled: true }]);
    await c.close();
  });

  it('a call ECS has not answered when the deadline expires is a 504 UPSTREAM_TIMEOUT with retry-after', async () => {
    const held = gate();
    upstream.reply = { until: held.promise, body: { RequestId: 'too-late' } };
    const { armed, armDeadline } = manualDeadline();
    const c = real({ armDeadline });
    const before = upstream.requests.length;
    const pending = failure(c.call({ action: 'DescribeRegions', params: {}, credentials: CREDENTIALS }));
    await upstream.received(before + 1);
    expect(armed).toHaveLength(1);
    armed[0]!.expire();
    const err = await pending;
    expect(err).toMatchObject({ statusCode: 504, code: 'UPSTREAM_TIMEOUT' });
    expect(err.responseHeaders['retry-after']).toBe('1');
    held.open();
    await c.close();
  });

  it('a deadline that expires before the call reached a connection still ends it: 504, at once', async () => {
    // A dispatcher that never connects and never answers (a black-holed address).
    class Stalled extends Dispatcher {
      dispatched = 0;
      override dispatch(): boolean { this.dispatched++; return true; }
      override async close(): Promise<void> {}
    }
    const stalled = new Stalled();
    const { armed, armDeadline } = manualDeadline();
    const c = client(stalled, { armDeadline, timeoutMs: 777 });
    const pending = failure(c.call({ action: 'DescribeRegions', params: {}, credentials: CREDENTIALS }));
    expect(stalled.dispatched).toBe(1);
    expect(armed.map((a) => a.ms)).toEqual([777]);
    armed[0]!.expire();
    const err = await pending;
    expect(err).toMatchObject({ statusCode: 504, code: 'UPSTREAM_TIMEOUT' });
    expect(armed[0]!.cancelled).toBe(true);
  });

  it('without an injected deadline, a call ECS never answers still ends in a 504 UPSTREAM_TIMEOUT', async () => {
    const held = gate();
    upstream.reply = { until: held.promise };
    const c = real({ timeoutMs: 200 });
    const err = await failure(c.call({ action: 'DescribeRegions', params: {}, credentials: CREDENTIALS }));
    expect(err).toMatchObject({ statusCode: 504, code: 'UPSTREAM_TIMEOUT' });
    held.open();
    await c.close();
  });

  it('a dropped connection is a 502 UPSTREAM_UNAVAILABLE', async () => {
    upstream.reply = { drop: true };
    const c = real();
    const err = await failure(c.call({ action: 'DescribeRegions', params: {}, credentials: CREDENTIALS }));
    expect(err).toMatchObject({ statusCode: 502, code: 'UPSTREAM_UNAVAILABLE' });
    expect(err.message).not.toContain('127.0.0.1');
    await c.close();
  });

  it('a refused connection is a 502 UPSTREAM_UNAVAILABLE whose message has no address', async () => {
    const c = real({ upstreamUrl: 'http://127.0.0.1:1' });
    const err = await failure(c.call({ action: 'DescribeRegions', params: {}, credentials: CREDENTIALS }));
    expect(err).toMatchObject({ statusCode: 502, code: 'UPSTREAM_UNAVAILABLE' });
    expect(err.message).not.toMatch(/127\.0\.0\.1|:1\b/);
    await c.close();
  });

  it('an injected dispatcher is not closed by the client', async () => {
    const dispatcher = mocked('https://ecs.aliyuncs.com');
    const c = client(dispatcher);
    await c.close();
    await expect(c.call({ action: 'DescribeRegions', params: {}, credentials: CREDENTIALS })).resolves.toMatchObject({ status: 200 });
    await dispatcher.close();
  });
});

describe('DeadlineSweeper (fake clock)', () => {
  afterEach(() => { vi.useRealTimers(); });

  it('fires a deadline once, no earlier than armed and within one tick after; a cancelled one never fires', () => {
    vi.useFakeTimers();
    const sweeper = new DeadlineSweeper(50);
    const fired: string[] = [];
    sweeper.arm(() => fired.push('a'), 1000);
    const cancelB = sweeper.arm(() => fired.push('b'), 1000);
    vi.advanceTimersByTime(500);
    sweeper.arm(() => fired.push('c'), 1000);
    cancelB();
    vi.advanceTimersByTime(499);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(51);
    expect(fired).toEqual(['a']);
    vi.advanceTimersByTime(500);
    expect(fired).toEqual(['a', 'c']);
    vi.advanceTimersByTime(5000);
    expect(fired).toEqual(['a', 'c']);
  });

  it('runs one interval only while deadlines are armed', () => {
    vi.useFakeTimers();
    const sweeper = new DeadlineSweeper(10);
    expect(vi.getTimerCount()).toBe(0);
    const cancels = [sweeper.arm(() => {}, 100), sweeper.arm(() => {}, 100), sweeper.arm(() => {}, 100)];
    expect(vi.getTimerCount()).toBe(1);
    for (const cancel of cancels) cancel();
    vi.advanceTimersByTime(10);
    expect(vi.getTimerCount()).toBe(0);
    sweeper.arm(() => {}, 100);
    expect(vi.getTimerCount()).toBe(1);
    sweeper.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each([[10_000, 250], [2000, 100], [200, 10], [30, 5]])('a deadline of %i ms is swept every %i ms', (ms, tick) => {
    expect(DeadlineSweeper.tickFor(ms)).toBe(tick);
  });
});
