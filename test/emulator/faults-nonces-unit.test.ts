import { describe, expect, it } from 'vitest';
import { FaultInjector, parseFaultRule } from '../../src/emulator/faults.js';
import { NONCE_TTL_MS, NonceStore } from '../../src/emulator/protocol/nonces.js';

describe('parseFaultRule', () => {
  it('defaults to one call when neither count nor rate is given', () => {
    expect(parseFaultRule({ mode: 'drop' })).toEqual({ mode: 'drop', count: 1 });
    expect(parseFaultRule({ mode: 'throttle', rate: 0.3 })).toEqual({ mode: 'throttle', rate: 0.3 });
  });
  it('reports every problem', () => {
    expect(parseFaultRule({ mode: 'x', count: -1, latencyMs: 1.5 })).toEqual({
      problems: [
        'mode must be one of throttle, unavailable, internal, latency, drop, reset-after',
        'count must be a non-negative integer',
        'latencyMs must be a non-negative integer',
      ],
    });
    expect(parseFaultRule([])).toEqual({ problems: ['rule must be an object'] });
  });
});

describe('FaultInjector', () => {
  it('affects exactly the next `count` calls, then nothing', () => {
    const f = new FaultInjector();
    f.add({ mode: 'unavailable', count: 2 });
    const codes = [f.next(), f.next(), f.next()].map((o) => (o?.kind === 'error' ? o.error.code : o?.kind));
    expect(codes).toEqual(['ServiceUnavailable', 'ServiceUnavailable', undefined]);
    expect(f.list()).toEqual([]);
  });

  it('throttles with Throttling.User 400 and x-acs-retry-after', () => {
    const f = new FaultInjector();
    f.add({ mode: 'throttle', count: 1, retryAfterMs: 250 });
    const o = f.next();
    expect(o?.kind === 'error' && [o.error.status, o.error.code, o.error.headers]).toEqual([
      400,
      'Throttling.User',
      { 'x-acs-retry-after': '250' },
    ]);
  });

  it('applies `rate` using the injected randomness', () => {
    const draws = [0.1, 0.9, 0.49, 0.5];
    const f = new FaultInjector(() => draws.shift() ?? 1);
    f.add({ mode: 'internal', rate: 0.5 });
    const hits = [f.next(), f.next(), f.next(), f.next()].map((o) => o !== undefined);
    expect(hits).toEqual([true, false, true, false]);
  });

  it('takes the first matching rule and clears', () => {
    const f = new FaultInjector();
    f.add({ mode: 'latency', count: 1, latencyMs: 5 });
    f.add({ mode: 'drop', count: 1 });
    expect(f.next()).toEqual({ kind: 'latency', ms: 5 });
    f.clear();
    expect(f.next()).toBeUndefined();
  });
});

describe('NonceStore', () => {
  it('refuses a nonce within its TTL per key, forgets it after, and stays bounded', () => {
    const store = new NonceStore(3);
    expect(store.use('k', 'n1', 0)).toBe(true);
    expect(store.use('k', 'n1', 1000)).toBe(false);
    expect(store.use('other', 'n1', 1000)).toBe(true);
    expect(store.use('k', 'n1', NONCE_TTL_MS + 1)).toBe(true);
    for (let i = 0; i < 10; i++) store.use('k', `x${i}`, NONCE_TTL_MS + 2);
    expect(store.size).toBeLessThanOrEqual(3);
  });
});
