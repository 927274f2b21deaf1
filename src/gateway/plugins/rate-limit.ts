import { createRequire } from 'node:module';
import type { FastifyRateLimitStore } from '@fastify/rate-limit';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import { addRouteHook } from '../http/route-hooks.js';
import { Redis } from 'ioredis';
import { ErrorCode, GatewayError } from '../errors.js';
import { isPublicPath } from './docs.js';

/** Which store counts the requests right now, for /readyz and the metrics. */
export interface RateLimitBackend {
  /** False when GATEWAY_RATE_LIMIT_MAX is unset (no limit). */
  enabled: boolean;
  /** `redis`: shared by every replica; `memory`: this process only (no REDIS_URL, or Redis is down). */
  store: 'memory' | 'redis';
  /** `off`: no REDIS_URL (or no limit); `ok`: connected; `down`: configured but unreachable. */
  redis: 'ok' | 'down' | 'off';
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The rate limiter's store and the state of its Redis connection (see plugins/rate-limit.ts). */
    rateLimitBackend(): RateLimitBackend;
  }
}

/** Redis keys start with this; the rest is `key:<API key name>` or `ip:<client address>`, never a key itself. */
export const REDIS_KEY_PREFIX = 'ecs-gateway:rate-limit:';

/**
 * How long a Redis command may take before the request is counted in memory instead. Generous: a busy process
 * reads a prompt answer late, and a timed-out count may have been made in Redis as well (counted twice). A Redis
 * that hangs without closing the connection delays each limited request by this much.
 */
const REDIS_COMMAND_TIMEOUT_MS = 5000;

type StoreCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;
/** What the hook needs of a store: @fastify/rate-limit's `incr` (its `child()` serves the plugin's per-route options, unused here). */
type CountStore = Pick<FastifyRateLimitStore, 'incr'>;
interface StoreCtor { new (...args: unknown[]): CountStore }

// The plugin's own stores (same window semantics), used as they are; the package exports them only by path.
const require = createRequire(import.meta.url);
const LocalStore = require('@fastify/rate-limit/store/LocalStore.js') as StoreCtor;
const RedisStore = require('@fastify/rate-limit/store/RedisStore.js') as StoreCtor;

/** Paths the limit does not apply to: the probes (a kubelet must never get 429), the docs and /metrics. */
export function isRateLimited(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return !isPublicPath(path) && path !== '/metrics';
}

/** Whose requests are counted together: the API key by its configured name, or the client address without keys. */
export function rateLimitKey(request: FastifyRequest): string {
  return request.caller ? `key:${request.caller.name}` : `ip:${request.ip}`;
}

/**
 * Counts in Redis while it is connected and in this process's memory otherwise, so that a Redis outage
 * neither stops the gateway nor lifts the limit: each replica then holds the limit on its own.
 */
class FailoverStore implements CountStore {
  constructor(
    private readonly local: CountStore,
    private readonly shared: CountStore | undefined,
    private readonly redis: Redis | undefined,
    private readonly redisState: { failed: (err: Error) => void; answered: () => void },
  ) {}

  incr(key: string, callback: StoreCallback, timeWindow: number, max: number): void {
    if (!this.shared || this.redis?.status !== 'ready') return this.local.incr(key, callback, timeWindow, max);
    this.shared.incr(key, (err, result) => {
      if (!err) {
        this.redisState.answered();
        return callback(null, result);
      }
      this.redisState.failed(err);
      this.local.incr(key, callback, timeWindow, max);
    }, timeWindow, max);
  }

}

interface RedisState { up: () => boolean; failed: (err: Error) => void; answered: () => void }

/** Follows the Redis connection and logs each change of state once (ioredis retries, and errors, every few ms). */
function watchRedis(redis: Redis, log: FastifyBaseLogger): RedisState {
  let up = false;
  let reported: 'ok' | 'down' | undefined;
  const report = (state: 'ok' | 'down', err?: Error) => {
    up = state === 'ok';
    if (reported === state) return;
    reported = state;
    if (up) log.info({ rateLimitStore: 'redis' }, 'rate limits: Redis connected; limits are shared by every replica');
    // The error's code and message only: the URL (which may hold a password) is never logged.
    else log.warn({ rateLimitStore: 'memory', redisError: err ? { code: (err as NodeJS.ErrnoException).code, message: err.message } : undefined },
      'rate limits: Redis is unreachable; each process counts on its own until it is back');
  };
  redis.on('ready', () => report('ok'));
  redis.on('error', (err: Error) => report('down', err));
  redis.on('close', () => { if (reported === 'ok') report('down'); });
  return {
    up: () => up && redis.status === 'ready',
    failed: (err) => report('down', err),
    // A command that failed on a live connection (a timeout) says down until the next one succeeds.
    answered: () => { if (!up) report('ok'); },
  };
}

/**
 * Rate limits, counted by @fastify/rate-limit's stores: GATEWAY_RATE_LIMIT_MAX requests per
 * GATEWAY_RATE_LIMIT_WINDOW_MS, per API key, or per client address without keys; 429 RATE_LIMITED in the error
 * shape with Retry-After and the x-ratelimit-* headers (on every limited answer too with `headers: 'always'`).
 * Register it before the routes (it hooks each route as it is added) and after the key check (a route's own
 * hooks run after the app's, so the caller is known). With `redisUrl` the counters live in Redis and are shared by every
 * replica; startup never waits for Redis. Decorates the app with `rateLimitBackend()` in every case.
 */
export async function registerRateLimit(app: FastifyInstance, options: { limit: { max: number; windowMs: number; headers?: 'exceeded' | 'always' | undefined } | undefined; redisUrl: string | undefined }): Promise<void> {
  const { limit } = options;
  if (!limit) {
    app.decorate('rateLimitBackend', (): RateLimitBackend => ({ enabled: false, store: 'memory', redis: 'off' }));
    return;
  }
  let redis: Redis | undefined;
  let state: RedisState = { up: () => false, failed: () => {}, answered: () => {} };
  if (options.redisUrl) {
    redis = new Redis(options.redisUrl, {
      // Fail fast rather than queue: a request is counted in memory while Redis is away.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
      connectTimeout: REDIS_COMMAND_TIMEOUT_MS,
      // Reconnect for ever, at most every 2 s.
      retryStrategy: (times) => Math.min(100 * times, 2000),
    });
    state = watchRedis(redis, app.log);
    const client = redis;
    app.addHook('onClose', async () => { client.disconnect(); });
  }
  const local = new LocalStore(false, false, 10_000);
  const shared = redis ? new RedisStore(false, false, redis, REDIS_KEY_PREFIX) : undefined;
  const store = new FailoverStore(local, shared, redis, { failed: (err) => state.failed(err), answered: () => state.answered() });
  app.decorate('rateLimitBackend', (): RateLimitBackend => {
    if (!redis) return { enabled: true, store: 'memory', redis: 'off' };
    return state.up() ? { enabled: true, store: 'redis', redis: 'ok' } : { enabled: true, store: 'memory', redis: 'down' };
  });
  const { max, windowMs } = limit;
  const windowSeconds = Math.ceil(windowMs / 1000);
  // By default the x-ratelimit-* headers come with 429 answers only: on every answer they cost ~5 µs (measured
  // with the plugin's hook) of the ~250 µs a request takes (bench/README.md, "Cost of metrics and rate
  // limiting"). `always` sends them on every limited answer, for callers that pace themselves by them.
  const always = limit.headers === 'always';
  // The count is @fastify/rate-limit's (its stores: the window, the LRU, the Redis script); the hook is this
  // callback, not the plugin's async one, which cost ~4 µs a request more in the same-run A/B (bench/README.md).
  const hook: onRequestHookHandler = (request, reply, done) => {
    store.incr(rateLimitKey(request), (err, result) => {
      // FailoverStore answers from memory when Redis fails, so an error here is not expected; serve rather than 500.
      if (err || !result) {
        request.log.warn({ rateLimitError: err?.message }, 'rate limits: the count failed; the request is served');
        return done();
      }
      if (result.current <= max) {
        if (always) {
          reply.header('x-ratelimit-limit', max);
          reply.header('x-ratelimit-remaining', max - result.current);
          reply.header('x-ratelimit-reset', Math.ceil(result.ttl / 1000));
        }
        return done();
      }
      const retryAfter = String(Math.max(1, Math.ceil(result.ttl / 1000)));
      const refused = new GatewayError(429, ErrorCode.rateLimited,
        `Rate limit exceeded: at most ${max} requests per ${windowSeconds} s; retry in ${retryAfter} s`);
      refused.responseHeaders['x-ratelimit-limit'] = String(max);
      refused.responseHeaders['x-ratelimit-remaining'] = '0';
      refused.responseHeaders['x-ratelimit-reset'] = retryAfter;
      refused.responseHeaders['retry-after'] = retryAfter;
      done(refused);
    }, windowMs, max);
  };
  // Every route but the probes, the docs and /metrics, each with a hook of its own (so nothing runs, or is
  // checked, on the routes left out). Runs after the app's onRequest hooks: the caller is known by then.
  app.addHook('onRoute', (route) => {
    if (isRateLimited(route.url)) addRouteHook(route, 'onRequest', hook);
  });
}
