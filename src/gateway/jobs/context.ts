/**
 * What paging and fan-out jobs share in one gateway process: the FanoutLimiter (one per app, so every
 * `all=true` and inventory job of the process shares the per-account, per-action limit), the item cap
 * (GATEWAY_MAX_ITEMS) and the concurrency (GATEWAY_FANOUT_CONCURRENCY). Built once by buildApp and handed
 * to the routes as `RouteDeps.jobs`; `sleep`, `now` and `random` are injectable (AppOptions.jobs) for tests.
 */
import type { Config } from '../config.js';
import { FanoutLimiter, type Sleep } from './limiter.js';

export interface JobDeps {
  limiter: FanoutLimiter;
  /** The default and the cap of `maxItems` (GATEWAY_MAX_ITEMS). */
  maxItems: number;
  /** Calls in flight per account and action, and pages fetched at once by one job (GATEWAY_FANOUT_CONCURRENCY). */
  concurrency: number;
  /** The limiter's clock (ms): deadlines are in it. */
  now: () => number;
}

/** What tests may inject into the jobs of an app. */
export interface JobInjection {
  sleep?: Sleep;
  now?: () => number;
  random?: () => number;
}

/** The jobs context of an app, from its configuration. */
export function createJobDeps(config: Pick<Config, 'maxItems' | 'fanoutConcurrency'>, inject: JobInjection = {}): JobDeps {
  const now = inject.now ?? Date.now;
  const limiter = new FanoutLimiter({
    concurrency: config.fanoutConcurrency,
    now,
    ...(inject.sleep ? { sleep: inject.sleep } : {}),
    ...(inject.random ? { random: inject.random } : {}),
  });
  return { limiter, maxItems: config.maxItems, concurrency: config.fanoutConcurrency, now };
}

/** The defaults, for route sets built without an app (RouteDeps.jobs absent). */
let fallback: JobDeps | undefined;
export function defaultJobDeps(): JobDeps {
  fallback ??= createJobDeps({ maxItems: 10_000, fanoutConcurrency: 8 });
  return fallback;
}
