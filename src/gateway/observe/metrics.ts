import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { upstreamAttempts, type UpstreamAttempt } from '../ecs/events.js';

/** Latency buckets (seconds) for the gateway's answers and ECS attempts: 5 ms to 30 s. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The route label of a request that matched no route: never the raw URL (unbounded cardinality). */
export const UNMATCHED_ROUTE = 'unmatched';

let processRegistry: Registry | undefined;

/**
 * The process metrics (CPU, memory, event-loop lag, GC, handles …), in a registry of their own created
 * once per process: prom-client's collectors install a GC observer and an event-loop monitor each time
 * they are collected into a registry, and never remove them, so one per app would leak in a process that
 * builds many apps (the tests). Not prom-client's global default registry either.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** The metrics of one app instance, in a registry of its own. */
export interface GatewayMetrics {
  registry: Registry;
  /** The Prometheus text: the process metrics, then the app's. */
  render(): Promise<string>;
}

/**
 * GET /metrics in the Prometheus text format (prom-client), behind the gateway key like every route that is
 * neither a probe nor the docs (plugins/auth.ts). Metrics:
 * - `gateway_http_request_duration_seconds{method,route,status_code}`: every answer, by route pattern
 *   (`/api/instances/:instanceId`, never the raw URL; `unmatched` for a 404 that matched no route);
 *   its `_count` is the number of requests.
 * - `gateway_upstream_request_duration_seconds{action,code}`: every ECS attempt, by action and ECS code
 *   (`OK`, `Throttling.User`, `UPSTREAM_TIMEOUT` …), from the attempts channel (ecs/events.ts);
 * - `gateway_upstream_retries_total{action}` (attempts after the first) and
 *   `gateway_upstream_throttles_total{action}` (attempts ECS throttled);
 * - `gateway_rate_limit_redis_up`: 1 while the rate-limit counters are shared over Redis, 0 while Redis is
 *   unreachable (per-process counting); absent without REDIS_URL;
 * - the default process metrics (`process_*`, `nodejs_*`).
 * The attempts channel is process-wide: an app counts every ECS attempt made in its process (one gateway
 * per process in production). It unsubscribes when the app closes.
 */
export function registerMetrics(app: FastifyInstance): GatewayMetrics {
  const registry = new Registry();
  const requests = new Histogram({
    name: 'gateway_http_request_duration_seconds',
    help: 'Time to answer a request, by method, route pattern and HTTP status; _count is the number of requests',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: BUCKETS,
    registers: [registry],
  });
  const upstream = new Histogram({
    name: 'gateway_upstream_request_duration_seconds',
    help: 'Time of one ECS attempt, by ECS action and outcome code (OK, the ECS error code, or the gateway code of a transport failure)',
    labelNames: ['action', 'code'] as const,
    buckets: BUCKETS,
    registers: [registry],
  });
  const retries = new Counter({
    name: 'gateway_upstream_retries_total',
    help: 'ECS attempts that were retries (attempt 2 and later), by ECS action',
    labelNames: ['action'] as const,
    registers: [registry],
  });
  const throttles = new Counter({
    name: 'gateway_upstream_throttles_total',
    help: 'ECS attempts that ECS throttled (Throttling*), by ECS action',
    labelNames: ['action'] as const,
    registers: [registry],
  });

  // The rate limiter's Redis, read at scrape time (plugins/rate-limit.ts decorates the app before this runs).
  const backend = typeof app.rateLimitBackend === 'function' ? app.rateLimitBackend.bind(app) : undefined;
  if (backend && backend().enabled && backend().redis !== 'off') {
    new Gauge({
      name: 'gateway_rate_limit_redis_up',
      help: 'Rate limiting over Redis (REDIS_URL): 1 connected, limits shared by every replica; 0 unreachable, each process counts on its own',
      registers: [registry],
      collect() {
        this.set(backend().redis === 'ok' ? 1 : 0);
      },
    });
  }

  // Children by label values, so the hot path does not hash a label object on every answer.
  const requestChildren = new Map<string, Histogram.Internal<'method' | 'route' | 'status_code'>>();
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    const status = reply.statusCode;
    const key = `${request.method} ${status} ${route}`;
    let child = requestChildren.get(key);
    if (!child) {
      child = requests.labels(request.method, route, String(status));
      requestChildren.set(key, child);
    }
    child.observe(reply.elapsedTime / 1000);
    done();
  });

  const upstreamChildren = new Map<string, Histogram.Internal<'action' | 'code'>>();
  const onAttempt = (message: unknown): void => {
    const event = message as UpstreamAttempt;
    const key = `${event.action} ${event.code}`;
    let child = upstreamChildren.get(key);
    if (!child) {
      child = upstream.labels(event.action, event.code);
      upstreamChildren.set(key, child);
    }
    child.observe(event.durationMs / 1000);
    if (event.attempt > 1) retries.labels(event.action).inc();
    if (event.throttled) throttles.labels(event.action).inc();
  };
  upstreamAttempts.subscribe(onAttempt);
  app.addHook('onClose', (_app, done) => {
    upstreamAttempts.unsubscribe(onAttempt);
    done();
  });

  const render = async () => `${await processMetrics().metrics()}\n${await registry.metrics()}`;
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const text = await render();
    return reply.type(registry.contentType).send(text);
  });
  return { registry, render };
}
