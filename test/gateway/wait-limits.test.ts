/**
 * GATEWAY_MAX_WAIT_MS: validated at start-up; the server's timeouts and the shutdown grace follow it, so a
 * wait under way is never cut off by the gateway's own limits.
 */
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/gateway/app.js';
import { ConfigError, loadConfig } from '../../src/gateway/config.js';
import { Waiter } from '../../src/gateway/jobs/wait.js';
import { longestRequestMs, serverTimeoutMs, shutdownGraceMs } from '../../src/gateway/jobs/wait-limits.js';

const load = (env: Record<string, string>) => loadConfig({ ECS_UPSTREAM_URL: 'http://127.0.0.1:9', ...env }, { homeDir: '/nonexistent' });

describe('GATEWAY_MAX_WAIT_MS', () => {
  it('defaults to 120000 and takes a whole number of ms up to an hour', () => {
    expect(load({}).maxWaitMs).toBe(120_000);
    expect(load({ GATEWAY_MAX_WAIT_MS: '300000' }).maxWaitMs).toBe(300_000);
    expect(load({ GATEWAY_MAX_WAIT_MS: '' }).maxWaitMs).toBe(120_000);
  });

  it.each(['-1', '2m', '3600001'])('refuses %s, naming the variable', (value) => {
    expect(() => load({ GATEWAY_MAX_WAIT_MS: value })).toThrow(ConfigError);
    expect(() => load({ GATEWAY_MAX_WAIT_MS: value })).toThrow(/GATEWAY_MAX_WAIT_MS/);
  });
});

describe('limits that follow it', () => {
  it('a request with waitFor lasts at most the call, the wait and one last look', () => {
    const c = { timeoutMs: 10_000, maxWaitMs: 120_000 };
    expect(longestRequestMs(c)).toBe(140_000);
    expect(serverTimeoutMs(c)).toBeGreaterThan(longestRequestMs(c));
    expect(shutdownGraceMs(c)).toBeGreaterThan(longestRequestMs(c));
    // Never below the 25 s the gateway always allowed.
    expect(shutdownGraceMs({ timeoutMs: 1000, maxWaitMs: 0 })).toBe(25_000);
  });

  it('the listening server idles and reads requests for longer than the longest wait', async () => {
    const config = load({ GATEWAY_MAX_WAIT_MS: '300000', ECS_TIMEOUT_MS: '10000' });
    const app = await buildApp({ config });
    try {
      expect(app.server.timeout).toBe(serverTimeoutMs(config));
      expect(app.server.requestTimeout).toBe(serverTimeoutMs(config));
      expect(app.server.timeout).toBeGreaterThan(300_000 + 10_000);
    } finally {
      await app.close();
    }
  });
});

describe('back-off', () => {
  it('doubles from 1 s up to 10 s, half of it fixed and half random', () => {
    const at = (random: number) => new Waiter({ maxWaitMs: 1000, random: () => random });
    expect([0, 1, 2, 3, 4, 5].map((n) => at(0).delay(n))).toEqual([500, 1000, 2000, 4000, 5000, 5000]);
    expect([0, 1, 2, 3, 4, 5].map((n) => at(1).delay(n))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(at(0.5).delay(60)).toBe(7500);
  });
});
