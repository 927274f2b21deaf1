import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/gateway/config.js';

const NO_FILE = { homeDir: '/nonexistent' };

describe('GATEWAY_MAX_ITEMS, GATEWAY_FANOUT_CONCURRENCY and GATEWAY_ACTION_CONCURRENCY', () => {
  it('default to 10000, 8 and 32, and read whole numbers', () => {
    expect(loadConfig({}, NO_FILE)).toMatchObject({ maxItems: 10_000, fanoutConcurrency: 8, actionConcurrency: 32 });
    expect(loadConfig({ GATEWAY_MAX_ITEMS: '500', GATEWAY_FANOUT_CONCURRENCY: '3', GATEWAY_ACTION_CONCURRENCY: '5' }, NO_FILE))
      .toMatchObject({ maxItems: 500, fanoutConcurrency: 3, actionConcurrency: 5 });
    // Empty means unset.
    expect(loadConfig({ GATEWAY_MAX_ITEMS: '', GATEWAY_FANOUT_CONCURRENCY: '', GATEWAY_ACTION_CONCURRENCY: '' }, NO_FILE))
      .toMatchObject({ maxItems: 10_000, fanoutConcurrency: 8, actionConcurrency: 32 });
  });

  it.each([
    ['GATEWAY_MAX_ITEMS', '0'], ['GATEWAY_MAX_ITEMS', 'lots'], ['GATEWAY_MAX_ITEMS', '1000001'],
    ['GATEWAY_FANOUT_CONCURRENCY', '0'], ['GATEWAY_FANOUT_CONCURRENCY', '257'], ['GATEWAY_FANOUT_CONCURRENCY', '2.5'],
    ['GATEWAY_ACTION_CONCURRENCY', '0'], ['GATEWAY_ACTION_CONCURRENCY', '1025'], ['GATEWAY_ACTION_CONCURRENCY', 'many'],
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
