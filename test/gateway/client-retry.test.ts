/**
 * EcsClient retries (src/gateway/ecs/retry.ts): what is retried, with which wire parameters, for how
 * long, and what is never retried. Real undici over 127.0.0.1 to a FakeUpstream; sleep, jitter, nonce,
 * clock and deadline are injected, so nothing depends on wall-clock time.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EcsClient, type EcsClientOptions } from '../../src/gateway/ecs/client.js';
import type { UpstreamAttempt } from '../../src/gateway/ecs/events.js';
import { RetryBudget } from '../../src/gateway/ecs/retry.js';
import type { Credentials } from '../../src/gateway/ecs/signer.js';
import { GatewayError } from '../../src/gateway/errors.js';
import { businessParams, FakeUpstream, gate, type CapturedRequest, type UpstreamReply } from '../support/upstream.js';

const CREDENTIALS: Credentials = { accessKeyId: 'LTAIretryid', accessKeySecret: 'retry-secret-value' };
const OK: UpstreamReply = { body: { RequestId: 'REQ-OK', Instances: { Instance: [] } } };
const THROTTLED: UpstreamReply = { status: 400, body: { Code: 'Throttling.User', Message: 'Request was denied due to user flow control.', RequestId: 'REQ-T' } };

/** The nonce each attempt was signed with (V3: a header). */
const nonceOf = (r: CapturedRequest) => r.headers['x-acs-signature-nonce'];

/** Answers the given replies in turn, the last one for every further request. */
function inTurn(...replies: UpstreamReply[]): (req: CapturedRequest) => UpstreamReply {
  let i = 0;
  return () => replies[Math.min(i++, replies.length - 1)]!;
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

let upstream: FakeUpstream;
let waits: number[] = [];
let nonces = 0;
const clients: EcsClient[] = [];

function client(options: Partial<EcsClientOptions> = {}): EcsClient {
  const c = new EcsClient({
    signatureVersion: 'v3', upstreamUrl: upstream.url, allowedEndpoints: [], timeoutMs: 60_000,
    nonce: () => `nonce-${++nonces}`,
    sleep: async (ms) => { waits.push(ms); },
    random: () => 0.5,
    clientToken: () => 'gateway-token-1',
    ...options,
  });
  clients.push(c);
  return c;
}

/** Collects every attempt published while `run` runs. */
async function attemptsOf(run: () => Promise<unknown>): Promise<UpstreamAttempt[]> {
  const seen: UpstreamAttempt[] = [];
  const onAttempt = (event: unknown) => { seen.push(event as UpstreamAttempt); };
  subscribe('ecs-gateway:upstream-attempt', onAttempt);
  try {
    await run().catch(() => undefined);
  } finally {
    unsubscribe('ecs-gateway:upstream-attempt', onAttempt);
  }
  return seen;
}

beforeAll(async () => {
  upstream = await new FakeUpstream().start();
});
afterEach(async () => {
  upstream.requests.length = 0;
  upstream.reply = OK;
  waits = [];
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await upstream.close();
});

const describeInstances = { action: 'DescribeInstances', params: { RegionId: 'cn-hangzhou' }, credentials: CREDENTIALS };
const runInstances = { action: 'RunInstances', params: { RegionId: 'cn-hangzhou', ImageId: 'img-1', Amount: '2' }, credentials: CREDENTIALS };
const stopInstance = { action: 'StopInstance', params: { InstanceId: 'i-1' }, credentials: CREDENTIALS };

describe('retryable answers are retried, each attempt signed afresh', () => {
  const cases: Array<[string, UpstreamReply]> = [
    ['Throttling.User (400)', THROTTLED],
    ['Throttling (503)', { status: 503, body: { Code: 'Throttling', Message: 'slow down', RequestId: 'R' } }],
    ['ServiceUnavailable (503)', { status: 503, body: { Code: 'ServiceUnavailable', Message: 'try later', RequestId: 'R' } }],
    ['InternalError (500)', { status: 500, body: { Code: 'InternalError', Message: 'oops', RequestId: 'R' } }],
    ['a 502 that is not ECS JSON (a proxy)', { status: 502, raw: '<html>Bad Gateway</html>' }],
    ['a connection reset', { drop: true }],
  ];
  for (const [name, bad] of cases) {
    it(`a read (DescribeInstances) after ${name}`, async () => {
      upstream.reply = inTurn(bad, bad, OK);
      const result = await client().call(describeInstances);
      expect(result.body.RequestId).toBe('REQ-OK');
      expect(upstream.requests).toHaveLength(3);
      expect(new Set(upstream.requests.map(nonceOf)).size).toBe(3);
      expect(upstream.requests.map(businessParams)).toEqual(Array(3).fill({ RegionId: 'cn-hangzhou' }));
      // Full jitter (random 0.5) of 100 ms · 2^(n-1).
      expect(waits).toEqual([50, 100]);
    });
  }

  it('a V1 call gets a new SignatureNonce and Signature on every attempt', async () => {
    upstream.reply = inTurn(THROTTLED, OK);
    await client({ signatureVersion: 'v1' }).call(describeInstances);
    const [first, second] = upstream.requests;
    expect(first!.params.SignatureNonce).not.toBe(second!.params.SignatureNonce);
    expect(first!.params.Signature).not.toBe(second!.params.Signature);
  });

  it('gives up after ECS_MAX_RETRIES with the last answer, and publishes every attempt', async () => {
    upstream.reply = THROTTLED;
    let err: GatewayError | undefined;
    const events = await attemptsOf(async () => { err = await failure(client({ maxRetries: 2 }).call(describeInstances)); });
    expect(err!.statusCode).toBe(400);
    expect(err!.code).toBe('Throttling.User');
    expect(upstream.requests).toHaveLength(3);
    expect(events.map((e) => [e.attempt, e.code, e.throttled, e.willRetry])).toEqual([
      [1, 'Throttling.User', true, true], [2, 'Throttling.User', true, true], [3, 'Throttling.User', true, false],
    ]);
  });

  it('ECS_MAX_RETRIES=0: one attempt', async () => {
    upstream.reply = THROTTLED;
    await failure(client({ maxRetries: 0 }).call(describeInstances));
    expect(upstream.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('a client error (InvalidInstanceId.NotFound) is never retried', async () => {
    upstream.reply = { status: 404, body: { Code: 'InvalidInstanceId.NotFound', Message: 'no', RequestId: 'R' } };
    const err = await failure(client().call(describeInstances));
    expect(err.code).toBe('InvalidInstanceId.NotFound');
    expect(upstream.requests).toHaveLength(1);
  });
});

describe('ClientToken: a write is retried only with one, and it is the same on every attempt', () => {
  it('the gateway adds one ClientToken to RunInstances and sends it on every attempt', async () => {
    upstream.reply = inTurn({ status: 500, body: { Code: 'InternalError', Message: 'x', RequestId: 'R' } }, { drop: true }, OK);
    await client().call(runInstances);
    expect(upstream.requests.map(businessParams)).toEqual(Array(3).fill({
      RegionId: 'cn-hangzhou', ImageId: 'img-1', Amount: '2', ClientToken: 'gateway-token-1',
    }));
    expect(new Set(upstream.requests.map(nonceOf)).size).toBe(3);
  });

  it('a new token per call', async () => {
    let n = 0;
    const c = client({ clientToken: () => `token-${++n}` });
    await c.call(runInstances);
    await c.call(runInstances);
    expect(upstream.requests.map((r) => r.params.ClientToken)).toEqual(['token-1', 'token-2']);
  });

  it("the caller's own ClientToken wins, on every attempt", async () => {
    upstream.reply = inTurn(THROTTLED, { drop: true }, OK);
    let made = 0;
    await client({ clientToken: () => `gateway-${++made}` }).call({ ...runInstances, params: { ...runInstances.params, ClientToken: 'caller-token-7' } });
    expect(upstream.requests.map((r) => r.params.ClientToken)).toEqual(['caller-token-7', 'caller-token-7', 'caller-token-7']);
    expect(made).toBe(0);
  });

  it('an action that takes no ClientToken gets none', async () => {
    await client().call(stopInstance);
    expect(businessParams(upstream.last)).toEqual({ InstanceId: 'i-1' });
  });

  it('a write without a token is retried on Throttling (ECS ran nothing)', async () => {
    upstream.reply = inTurn(THROTTLED, OK);
    await client().call(stopInstance);
    expect(upstream.requests).toHaveLength(2);
  });

  it('a write without a token is not retried after InternalError or a 5xx', async () => {
    upstream.reply = { status: 500, body: { Code: 'InternalError', Message: 'x', RequestId: 'R' } };
    expect((await failure(client().call(stopInstance))).code).toBe('InternalError');
    upstream.reply = { status: 503, body: { Code: 'ServiceUnavailable', Message: 'x', RequestId: 'R' } };
    expect((await failure(client().call(stopInstance))).code).toBe('ServiceUnavailable');
    expect(upstream.requests).toHaveLength(2);
  });

  it('a write without a token is not retried after a reset once the request was sent', async () => {
    upstream.reply = { drop: true };
    const err = await failure(client().call(stopInstance));
    expect(err.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(upstream.requests).toHaveLength(1);
  });

  it('a write without a token is not retried after a read timeout; a read is', async () => {
    const hang = gate();
    upstream.reply = inTurn({ until: hang.promise }, OK);
    // undici's read (headers) timeout; the outcome does not depend on when it fires.
    const err = await failure(client({ readTimeoutMs: 50 }).call(stopInstance));
    expect(err.code).toBe('UPSTREAM_TIMEOUT');
    expect(upstream.requests).toHaveLength(1);

    upstream.requests.length = 0;
    upstream.reply = inTurn({ until: hang.promise }, OK);
    const result = await client({ readTimeoutMs: 50 }).call(describeInstances);
    expect(result.body.RequestId).toBe('REQ-OK');
    expect(upstream.requests).toHaveLength(2);
    hang.open();
  });

  it('a write without a token IS retried after ECONNREFUSED (nothing was sent)', async () => {
    // A port nobody listens on, until the first backoff wait starts a server there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const late = new FakeUpstream();
    try {
      const events = await attemptsOf(async () => {
        const result = await client({
          upstreamUrl: `http://127.0.0.1:${port}`,
          sleep: async (ms) => { waits.push(ms); if (waits.length === 1) await late.start(port); },
        }).call(stopInstance);
        expect(result.body.RequestId).toBeDefined();
      });
      expect(late.requests).toHaveLength(1);
      expect(businessParams(late.last)).toEqual({ InstanceId: 'i-1' });
      expect(events.map((e) => [e.attempt, e.code, e.willRetry])).toEqual([[1, 'UPSTREAM_UNAVAILABLE', true], [2, 'OK', false]]);
    } finally {
      await late.close();
    }
  });
});

describe('one deadline covers every attempt', () => {
  it('is armed once per call, whatever the number of attempts', async () => {
    const armed: number[] = [];
    upstream.reply = THROTTLED;
    await failure(client({ armDeadline: (_fire, ms) => { armed.push(ms); return () => undefined; } }).call(describeInstances));
    expect(upstream.requests).toHaveLength(4);
    expect(armed).toEqual([60_000]);
  });

  it('expiring during a backoff wait ends the call with the last answer: no further attempt', async () => {
    let expire: (() => void) | undefined;
    upstream.reply = THROTTLED;
    const c = client({
      armDeadline: (fire) => { expire = fire; return () => undefined; },
      // The first wait passes; during the second the deadline expires (and that wait would never end by itself).
      sleep: async (ms) => {
        waits.push(ms);
        if (waits.length === 1) return;
        expire!();
        await new Promise<void>(() => undefined);
      },
    });
    const err = await failure(c.call(describeInstances));
    expect(err.code).toBe('Throttling.User');
    expect(upstream.requests).toHaveLength(2);
    expect(waits).toEqual([50, 100]);
  });

  it('expiring during an attempt is a 504 and no further attempt', async () => {
    let expire: (() => void) | undefined;
    const hang = gate();
    upstream.reply = { until: hang.promise };
    const pending = client({ armDeadline: (fire) => { expire = fire; return () => undefined; } }).call(describeInstances);
    await upstream.received(1);
    expire!();
    const err = await failure(pending);
    expect(err.statusCode).toBe(504);
    expect(err.code).toBe('UPSTREAM_TIMEOUT');
    hang.open();
    expect(upstream.requests).toHaveLength(1);
  });

  it('a wait that would outlast the deadline is not taken', async () => {
    let t = 0;
    upstream.reply = THROTTLED;
    const c = client({ clock: () => t, timeoutMs: 1_000 });
    t = 0;
    const pending = c.call(describeInstances);
    // After the call started at t = 0: 960 ms later, a 50 ms wait no longer fits.
    t = 960;
    const err = await failure(pending);
    expect(err.code).toBe('Throttling.User');
    expect(upstream.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });
});

describe('x-acs-retry-after and the retry budget', () => {
  it('waits at least x-acs-retry-after (ms), and passes it on when it gives up', async () => {
    const throttled: UpstreamReply = { ...THROTTLED, headers: { 'x-acs-retry-after': '1500' } };
    upstream.reply = inTurn(throttled, throttled, OK);
    await client().call(describeInstances);
    expect(waits).toEqual([1500, 1500]);
    upstream.reply = throttled;
    const err = await failure(client({ maxRetries: 1 }).call(describeInstances));
    expect(err.responseHeaders['retry-after']).toBe('2');
  });

  it('an exhausted budget stops retrying, for every call sharing it', async () => {
    const budget = new RetryBudget(0, 2);
    upstream.reply = THROTTLED;
    const c = client({ retryBudget: budget });
    const events = await attemptsOf(() => c.call(describeInstances));
    expect(events.map((e) => e.willRetry)).toEqual([true, true, false]);
    expect(upstream.requests).toHaveLength(3);
    upstream.requests.length = 0;
    await failure(c.call(describeInstances));
    expect(upstream.requests).toHaveLength(1);
  });

  it('the budget refills with calls: ECS_RETRY_BUDGET percent of them', () => {
    const budget = new RetryBudget(0.25, 1);
    expect(budget.withdraw()).toBe(true);
    expect(budget.withdraw()).toBe(false);
    for (let i = 0; i < 3; i++) budget.deposit();
    expect(budget.withdraw()).toBe(false);
    budget.deposit();
    expect(budget.withdraw()).toBe(true);
    for (let i = 0; i < 100; i++) budget.deposit();
    expect(budget.available).toBe(1);
  });
});

describe('cancel: a client that goes away stops the call and its retries', () => {
  it('cancelling during an attempt aborts it (499) and makes no further attempt', async () => {
    let cancel: (() => void) | undefined;
    let unregistered = 0;
    const hang = gate();
    upstream.reply = { until: hang.promise };
    const pending = client().call({ ...describeInstances, cancelOn: (c) => { cancel = c; return () => { unregistered++; }; } });
    await upstream.received(1);
    cancel!();
    const err = await failure(pending);
    expect(err.statusCode).toBe(499);
    expect(err.code).toBe('CLIENT_CLOSED_REQUEST');
    expect(unregistered).toBe(1);
    hang.open();
    expect(upstream.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('cancelling during a backoff wait makes no further attempt', async () => {
    let cancel: (() => void) | undefined;
    upstream.reply = THROTTLED;
    const pending = client({ sleep: (ms) => { waits.push(ms); cancel!(); return new Promise<void>(() => undefined); } })
      .call({ ...describeInstances, cancelOn: (c) => { cancel = c; return undefined; } });
    const err = await failure(pending);
    expect(err.code).toBe('CLIENT_CLOSED_REQUEST');
    expect(upstream.requests).toHaveLength(1);
  });
});

describe('response headers are an allowlist', () => {
  it("passes on ECS's own headers and nothing a proxy added", async () => {
    upstream.reply = {
      body: { RequestId: 'R-H' },
      headers: {
        'set-cookie': 'tracker=1', via: '1.1 squid', 'x-cache': 'MISS', 'proxy-connection': 'keep-alive', 'x-powered-by': 'box',
        date: 'Fri, 29 Apr 2022 07:02:12 GMT', vary: 'Accept-Encoding', 'access-control-max-age': '172800', 'x-acs-retry-after': '10',
      },
    };
    const result = await client().call(describeInstances);
    expect(Object.keys(result.headers).sort()).toEqual([
      'access-control-allow-origin', 'access-control-max-age', 'connection', 'content-type', 'date', 'vary', 'x-acs-request-id', 'x-acs-trace-id',
    ]);
  });
});
