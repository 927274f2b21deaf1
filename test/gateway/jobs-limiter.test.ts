import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/gateway/errors.js';
import { readAnswer } from '../../src/gateway/ecs/errors.js';
import { FanoutLimiter, isThrottling, retryAfterMs } from '../../src/gateway/jobs/limiter.js';

/** A promise per call that the test settles by hand. */
function deferred<T = string>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

function throttle(code = 'Throttling.User', retryAfterSeconds?: number): GatewayError {
  const err = new GatewayError(400, code, 'Request was denied due to user flow control.');
  if (retryAfterSeconds !== undefined) err.responseHeaders['retry-after'] = String(retryAfterSeconds);
  return err;
}

describe('FanoutLimiter', () => {
  it('keeps at most `concurrency` calls in flight per account and action; other lanes are independent', async () => {
    const limiter = new FanoutLimiter({ concurrency: 2 });
    let inFlight = 0;
    let peak = 0;
    const gates = Array.from({ length: 5 }, () => deferred());
    const runs = gates.map((g, i) => limiter.run({ accountId: 'AK1', action: 'DescribeInstances' }, async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      const v = await g.promise;
      inFlight--;
      return `${v}${i}`;
    }));
    const other = deferred();
    const otherRun = limiter.run({ accountId: 'AK2', action: 'DescribeInstances' }, () => other.promise);
    await tick();
    expect(inFlight).toBe(2);
    expect(limiter.state({ accountId: 'AK1', action: 'DescribeInstances' })).toMatchObject({ limit: 2, active: 2, queued: 3 });
    expect(limiter.state({ accountId: 'AK2', action: 'DescribeInstances' })).toMatchObject({ active: 1, queued: 0 });
    for (const g of gates) g.resolve('v');
    other.resolve('o');
    expect(await Promise.all(runs)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
    expect(await otherRun).toBe('o');
    expect(peak).toBe(2);
  });

  it('on Throttling: halves the lane, waits retry-after (ms from seconds), retries, and recovers by one per success round', async () => {
    const sleeps: number[] = [];
    let clock = 1000;
    const limiter = new FanoutLimiter({ concurrency: 8, sleep: async (ms) => { sleeps.push(ms); clock += ms; }, now: () => clock, random: () => 0.5 });
    const key = { accountId: 'AK1', action: 'DescribeDisks' };
    let n = 0;
    const value = await limiter.run(key, async () => {
      n++;
      if (n === 1) throw throttle('Throttling.User', 3);
      return 'ok';
    });
    expect(value).toBe('ok');
    expect(n).toBe(2);
    expect(sleeps).toEqual([3000]);
    expect(limiter.state(key)?.limit).toBe(4);
    // Four successes at limit 4 grow it to 5.
    for (let i = 0; i < 4; i++) await limiter.run(key, async () => 'x');
    expect(limiter.state(key)?.limit).toBe(5);
  });

  it('without retry-after backs off exponentially with the injected jitter', async () => {
    const sleeps: number[] = [];
    let clock = 0;
    const limiter = new FanoutLimiter({ concurrency: 4, sleep: async (ms) => { sleeps.push(ms); clock += ms; }, now: () => clock, random: () => 0.5, baseDelayMs: 100 });
    let n = 0;
    await limiter.run({ accountId: 'A', action: 'X' }, async () => {
      if (++n <= 3) throw throttle('Throttling');
      return 1;
    });
    expect(sleeps).toEqual([50, 100, 200]);
  });

  it('gives up with the throttling error when the back-off would pass the deadline, or after maxAttempts', async () => {
    const clock = 0;
    const sleeps: number[] = [];
    const limiter = new FanoutLimiter({ concurrency: 4, sleep: async (ms) => { sleeps.push(ms); }, now: () => clock, random: () => 0, maxAttempts: 3 });
    const err = await limiter.run({ accountId: 'A', action: 'X' }, async () => { throw throttle('Throttling.User', 5); }, { deadline: 4000 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'Throttling.User' });
    expect(sleeps).toEqual([]);
    let calls = 0;
    const err2 = await limiter.run({ accountId: 'B', action: 'X' }, async () => { calls++; throw throttle(); }).catch((e: unknown) => e);
    expect(err2).toMatchObject({ code: 'Throttling.User' });
    expect(calls).toBe(3);
  });

  it('passes other errors on at once, without retry', async () => {
    const limiter = new FanoutLimiter({ concurrency: 2, sleep: async () => { throw new Error('must not sleep'); } });
    let calls = 0;
    const err = await limiter.run({ accountId: 'A', action: 'X' }, async () => { calls++; throw new GatewayError(403, 'Forbidden.RAM', 'no'); }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'Forbidden.RAM' });
    expect(calls).toBe(1);
  });

  it('a caller waiting for a slot is released by its abort signal and never runs', async () => {
    const limiter = new FanoutLimiter({ concurrency: 1 });
    const g = deferred();
    const first = limiter.run({ accountId: 'A', action: 'X' }, () => g.promise);
    const controller = new AbortController();
    let ran = false;
    const second = limiter.run({ accountId: 'A', action: 'X' }, async () => { ran = true; return 'no'; }, { signal: controller.signal });
    controller.abort(new Error('gone'));
    await expect(second).rejects.toThrow('gone');
    g.resolve('yes');
    expect(await first).toBe('yes');
    expect(ran).toBe(false);
  });

  it('isThrottling and retryAfterMs read GatewayErrors', () => {
    expect(isThrottling(throttle('Throttling'))).toBe(true);
    expect(isThrottling(throttle('Throttling.User'))).toBe(true);
    expect(isThrottling(new GatewayError(400, 'ThrottlingX', 'x'))).toBe(false);
    expect(isThrottling(undefined)).toBe(false);
    expect(retryAfterMs(throttle('Throttling', 2))).toBe(2000);
    expect(retryAfterMs(throttle('Throttling'))).toBeUndefined();
  });

  it('retryAfterMs takes ECS\'s x-acs-retry-after exactly, not the whole seconds of the retry-after header', () => {
    let err: unknown;
    try {
      readAnswer(400, { 'x-acs-retry-after': '200' }, JSON.stringify({ Code: 'Throttling.User', Message: 'Request was denied due to user flow control.', RequestId: 'R' }), 'DescribeInstances', () => []);
    } catch (e) {
      err = e;
    }
    expect((err as GatewayError).responseHeaders['retry-after']).toBe('1');
    expect(retryAfterMs(err)).toBe(200);
  });
});
