/**
 * Server limits that follow GATEWAY_MAX_WAIT_MS. A request with waitFor lasts at most: the lifecycle call
 * (ECS_TIMEOUT_MS), the wait (up to GATEWAY_MAX_WAIT_MS), and the last observation started at the deadline
 * (ECS_TIMEOUT_MS). The socket is idle all that time, so Fastify's connectionTimeout (and requestTimeout) must
 * outlast it, and so must the drain after SIGTERM, or a wait under way would be cut off.
 */

/** The pieces of the config the limits follow. */
export interface WaitLimitsConfig {
  timeoutMs: number;
  maxWaitMs: number;
}

/** The longest a request with waitFor can take. */
export const longestRequestMs = (c: WaitLimitsConfig): number => c.maxWaitMs + 2 * c.timeoutMs;

/** Fastify's connectionTimeout and requestTimeout: the longest request plus 30 s of slack. */
export const serverTimeoutMs = (c: WaitLimitsConfig): number => longestRequestMs(c) + 30_000;

/** How long in-flight requests get after SIGTERM: at least 25 s, and longer than the longest request. */
export const shutdownGraceMs = (c: WaitLimitsConfig): number => Math.max(25_000, longestRequestMs(c) + 5_000);
