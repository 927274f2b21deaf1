import type { FastifyInstance, onResponseHookHandler } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { upstreamAttempts, type UpstreamAttempt } from '../ecs/events.js';
import { addRouteHook } from '../http/route-hooks.js';
import type { UnroutedObservers } from '../plugins/errors.js';

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

/** How many observations a histogram child holds before it hands them to prom-client. */
const OBSERVE_BATCH = 256;

/**
 * One histogram child (one label set) whose observations reach prom-client in batches: when OBSERVE_BATCH are
 * held, and before every scrape (the histogram's `collect`), so /metrics is always exact. prom-client's
 * observe() builds a label key and looks up the bucket by its bound on every call: ~3 µs a call in the request
 * path, a fraction of that in a loop (bench/README.md, "Cost of metrics and rate limiting"). Bucketing,
 * sums and the text format stay prom-client's.
 */
class BufferedChild {
  private readonly values = new Float64Array(OBSERVE_BATCH);
  private held = 0;
  constructor(private readonly child: Histogram.Internal<string>) {}
  observe(value: number): void {
    // prom-client refuses a non-finite value (it throws); never hold one for a later flush to throw on.
    if (!Number.isFinite(value)) return;
    this.values[this.held++] = value;
    if (this.held === OBSERVE_BATCH) this.flush();
  }
  flush(): void {
    const n = this.held;
    this.held = 0;
    for (let i = 0; i < n; i++) this.child.observe(this.values[i]!);
  }
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
 *   (`/api/instances/:instanceId`, never the raw URL; `unmatched` for an answer no route gave: 404, 405, a
 *   malformed path);
 *   its `_count` is the number of requests.
 * - `gateway_upstream_request_duration_seconds{action,code}`: every ECS attempt, by action and ECS code
 *   (`OK`, `Throttling.User`, `UPSTREAM_TIMEOUT` …), from the attempts channel (ecs/events.ts);
 * - `gateway_upstream_retries_total{action}` (attempts after the first) and
 *   `gateway_upstream_throttles_total{action}` (attempts ECS throttled);
 * - `gateway_rate_limit_redis_up`: 1 while the rate-limit counters are shared over Redis, 0 while Redis is
 *   unreachable (per-process counting); absent without REDIS_URL;
 * - the default process metrics (`process_*`, `nodejs_*`).
 * The attempts channel is process-wide; an app counts the attempts of its own ECS client (`options.client`, the
 * client's id) and unsubscribes when it closes. Register it before the routes: each route gets its own hook.
 */
export function registerMetrics(app: FastifyInstance, options: { client: number; unrouted?: UnroutedObservers | undefined }): GatewayMetrics {
  const registry = new Registry();
  // Every buffered child of the two histograms, flushed into prom-client before each scrape.
  const buffered: BufferedChild[] = [];
  const flushAll = () => { for (const child of buffered) child.flush(); };
  const requests = new Histogram({
    name: 'gateway_http_request_duration_seconds',
    help: 'Time to answer a request, by method, route pattern and HTTP status; _count is the number of requests',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: BUCKETS,
    registers: [registry],
    collect: flushAll,
  });
  const upstream = new Histogram({
    name: 'gateway_upstream_request_duration_seconds',
    help: 'Time of one ECS attempt, by ECS action and outcome code (OK, the ECS error code, or the gateway code of a transport failure)',
    labelNames: ['action', 'code'] as const,
    buckets: BUCKETS,
    registers: [registry],
    collect: flushAll,
  });
  const bufferedChild = (child: Histogram.Internal<string>): BufferedChild => {
    const b = new BufferedChild(child);
    buffered.push(b);
    return b;
  };
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

  // Each route observes its own answers, with a hook of its own (added as the route is), so that the hot path
  // neither builds `request.routeOptions` (a new object on every read) nor a label key: a route of one method
  // keeps its children by status code; the unmatched answers and a route of several methods, by method and status.
  // Routes registered after this call are covered, so register it before the routes.
  const observeAnswers = (route: string, method: string | undefined): onResponseHookHandler => {
    const children = new Map<number | string, BufferedChild>();
    return (request, reply, done) => {
      const status = reply.statusCode;
      const key = method === undefined ? `${request.method} ${status}` : status;
      let child = children.get(key);
      if (!child) children.set(key, child = bufferedChild(requests.labels(method ?? request.method, route, String(status))));
      child.observe(reply.elapsedTime / 1000);
      done();
    };
  };
  app.addHook('onRoute', (route) => {
    const hook = observeAnswers(route.url, typeof route.method === 'string' ? route.method : undefined);
    addRouteHook(route, 'onResponse', hook);
  });
  // A request that matched no route (404, or 405 from the method check) has no route hooks of its own.
  const unmatched = observeAnswers(UNMATCHED_ROUTE, undefined);
  app.addHook('onResponse', (request, reply, done) => {
    if (request.is404) return unmatched.call(app, request, reply, done);
    done();
  });
  // Nor has an answer the router gave before any route or hook ran (a malformed path): counted as unmatched too.
  options.unrouted?.push((request, reply) => { unmatched.call(app, request, reply, () => {}); });

  // The attempts of this app's own client (the channel is process-wide), kept by action, then code.
  const byAction = new Map<string, { codes: Map<string, BufferedChild>; retries: Counter.Internal; throttles: Counter.Internal }>();
  const onAttempt = (message: unknown): void => {
    const event = message as UpstreamAttempt;
    if (event.client !== options.client) return;
    let action = byAction.get(event.action);
    if (!action) byAction.set(event.action, action = { codes: new Map(), retries: retries.labels(event.action), throttles: throttles.labels(event.action) });
    let child = action.codes.get(event.code);
    if (!child) action.codes.set(event.code, child = bufferedChild(upstream.labels(event.action, event.code)));
    child.observe(event.durationMs / 1000);
    if (event.attempt > 1) action.retries.inc();
    if (event.throttled) action.throttles.inc();
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
