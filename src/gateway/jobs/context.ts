/**
 * What paging and fan-out jobs share in one gateway process: the FanoutLimiter (one per app, so every
 * `all=true` and inventory job of the process shares the per-account, per-action limit,
 * GATEWAY_ACTION_CONCURRENCY), the item cap (GATEWAY_MAX_ITEMS) and the fan-out of one job (regions of an
 * inventory and pages of a job at once, GATEWAY_FANOUT_CONCURRENCY). Built once by buildApp and handed
 * to the routes as `RouteDeps.jobs`; `sleep`, `now` and `random` are injectable (AppOptions.jobs) for tests.
 */
import type { Config } from '../config.js';
import { FanoutLimiter, type Sleep } from './limiter.js';

export interface JobDeps {
  limiter: FanoutLimiter;
  /** The default and the cap of `maxItems` (GATEWAY_MAX_ITEMS). */
  maxItems: number;
  /** Regions one inventory lists at once, and pages one job fetches at once (GATEWAY_FANOUT_CONCURRENCY). */
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
export function createJobDeps(config: Pick<Config, 'maxItems' | 'fanoutConcurrency' | 'actionConcurrency'>, inject: JobInjection = {}): JobDeps {
  const now = inject.now ?? Date.now;
  const limiter = new FanoutLimiter({
    concurrency: config.actionConcurrency,
    now,
    ...(inject.sleep ? { sleep: inject.sleep } : {}),
    ...(inject.random ? { random: inject.random } : {}),
  });
  return { limiter, maxItems: config.maxItems, concurrency: config.fanoutConcurrency, now };
}

/** The defaults, for route sets built without an app (RouteDeps.jobs absent). */
let fallback: JobDeps | undefined;
export function defaultJobDeps(): JobDeps {
  fallback ??= createJobDeps({ maxItems: 10_000, fanoutConcurrency: 8, actionConcurrency: 32 });
  return fallback;
}
