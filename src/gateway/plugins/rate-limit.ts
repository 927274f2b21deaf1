import { createRequire } from 'node:module';
import fastifyRateLimit, { type FastifyRateLimitStore, type RateLimitPluginOptions } from '@fastify/rate-limit';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
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
interface StoreCtor { new (...args: unknown[]): FastifyRateLimitStore }

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
class FailoverStore implements FastifyRateLimitStore {
  constructor(
    private readonly local: FastifyRateLimitStore,
    private readonly shared: FastifyRateLimitStore | undefined,
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

  child(): FastifyRateLimitStore {
    return this;
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
 * Rate limits (@fastify/rate-limit): GATEWAY_RATE_LIMIT_MAX requests per GATEWAY_RATE_LIMIT_WINDOW_MS, per API
 * key, or per client address without keys; 429 RATE_LIMITED in the error shape with Retry-After and the
 * x-ratelimit-* headers (on every limited answer too with `headers: 'always'`). Register it
 * before the routes (it hooks each route as it is added) and after the key check (a route's own hooks run
 * after the app's, so the caller is known). With `redisUrl` the counters live in Redis and are shared by every
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
  const windowSeconds = Math.ceil(limit.windowMs / 1000);
  const settings: RateLimitPluginOptions = {
    max: limit.max,
    timeWindow: limit.windowMs,
    // The plugin instantiates the store itself; this one is built above.
    store: function Store() { return store; } as unknown as NonNullable<RateLimitPluginOptions['store']>,
    keyGenerator: rateLimitKey,
    // By default the x-ratelimit-* headers come with 429 answers only: on every answer they cost ~5 µs of the
    // ~250 µs a request takes (bench/README.md, "Cost of metrics and rate limiting"). `always` sends them on
    // every limited answer, for callers that pace themselves by x-ratelimit-remaining.
    addHeadersOnExceeding: limit.headers === 'always'
      ? { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': true }
      : { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    errorResponseBuilder: (_request, context) => {
      const retryAfter = String(Math.max(1, Math.ceil(context.ttl / 1000)));
      const err = new GatewayError(429, ErrorCode.rateLimited,
        `Rate limit exceeded: at most ${context.max} requests per ${windowSeconds} s; retry in ${retryAfter} s`);
      err.responseHeaders['retry-after'] = retryAfter;
      return err;
    },
  };
  // The probes, the docs and /metrics are left out route by route (`config.rateLimit: false`, which the plugin
  // reads as it hooks each route) rather than by an allowList, which would run, and be awaited, on every request.
  // This hook runs before the plugin's, which is added next.
  app.addHook('onRoute', (route) => {
    if (!isRateLimited(route.url)) route.config = { ...(route.config as object | undefined), rateLimit: false } as typeof route.config;
  });
  await app.register(fastifyRateLimit, settings);
}
