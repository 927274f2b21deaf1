import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/gateway/config.js';

const NO_FILE = { homeDir: '/nonexistent' };

describe('GATEWAY_MAX_ITEMS and GATEWAY_FANOUT_CONCURRENCY', () => {
  it('default to 10000 and 8, and read whole numbers', () => {
    expect(loadConfig({}, NO_FILE)).toMatchObject({ maxItems: 10_000, fanoutConcurrency: 8 });
    expect(loadConfig({ GATEWAY_MAX_ITEMS: '500', GATEWAY_FANOUT_CONCURRENCY: '3' }, NO_FILE)).toMatchObject({ maxItems: 500, fanoutConcurrency: 3 });
    // Empty means unset.
    expect(loadConfig({ GATEWAY_MAX_ITEMS: '', GATEWAY_FANOUT_CONCURRENCY: '' }, NO_FILE)).toMatchObject({ maxItems: 10_000, fanoutConcurrency: 8 });
  });

  it.each([
    ['GATEWAY_MAX_ITEMS', '0'], ['GATEWAY_MAX_ITEMS', 'lots'], ['GATEWAY_MAX_ITEMS', '1000001'],
    ['GATEWAY_FANOUT_CONCURRENCY', '0'], ['GATEWAY_FANOUT_CONCURRENCY', '257'], ['GATEWAY_FANOUT_CONCURRENCY', '2.5'],
  ])('%s=%s is refused, naming the variable', (name, value) => {
    let err: unknown;
    try {
      loadConfig({ [name]: value }, NO_FILE);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.some((p) => p.startsWith(`${name}:`))).toBe(true);
  });
});
