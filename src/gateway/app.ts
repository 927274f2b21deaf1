import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import type { Config } from './config.js';
import { DEFAULT_RETRY_BURST, EcsClient } from './ecs/client.js';
import { RetryBudget } from './ecs/retry.js';
import { FieldAllowlist } from './http/allowlist.js';
import { clientErrorHandler } from './http/client-error.js';
import { loggingOptions } from './http/logging.js';
import { RouteTable } from './http/methods.js';
import { keyCheck, registerAuth } from './plugins/auth.js';
import { registerDocs } from './plugins/docs.js';
import { DRAIN_FACTOR, frameworkErrorHandler, registerErrorHandling, registerMethodCheck, type UnroutedObservers } from './plugins/errors.js';
import { registerHealth } from './plugins/health.js';
import { registerCors } from './plugins/cors.js';
import { registerProtection } from './plugins/protection.js';
import { registerRateLimit } from './plugins/rate-limit.js';
import { registerRoutes } from './plugins/routes.js';
import { Waiter, type WaitClock } from './jobs/wait.js';
import { serverTimeoutMs } from './jobs/wait-limits.js';
import { createJobDeps, type JobInjection } from './jobs/context.js';
import { registerMetrics } from './observe/metrics.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

/** Everything buildApp needs; only `config` is required, the rest is injected by tests. */
export interface AppOptions {
  config: Config;
  dispatcher?: Dispatcher;
  now?: () => Date;
  nonce?: () => string;
  /** The ECS client's waits between attempts and their jitter (tests inject them; default: timers, Math.random). */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Makes the ClientToken the gateway adds to actions that take one (tests fix it; default: a random UUID). */
  clientToken?: () => string;
  /** Where logs go (default stdout); tests capture them here. */
  logStream?: NodeJS.WritableStream;
  /** Build /docs/json from the registered routes instead of serving the generated file (`npm run openapi`). */
  openapiFromRoutes?: boolean;
  /** The waiter's sleep, clock and randomness (`waitFor`); tests inject them. */
  wait?: Partial<WaitClock>;
  /** Paging and fan-out jobs: injected sleep, clock and jitter (tests). */
  jobs?: JobInjection;
  /** Turns tracing on with this exporter instead of the configured one (tests: an InMemorySpanExporter). */
  spanExporter?: SpanExporter;
  /** An extra load-shedding check for tests: resolving false means "overloaded" (see plugins/protection.ts). */
  pressureCheck?: () => Promise<boolean>;
}

/**
 * Builds the gateway app, not listening. Call `close()` to release the upstream Agent. It only composes
 * the plugins (src/gateway/plugins/); the order of registration is the order of the hooks.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config } = options;
  // Both are filled from the routes as they are registered (onRoute below).
  const allowlist = new FieldAllowlist();
  const routes = new RouteTable();
  const drainLimitBytes = DRAIN_FACTOR * config.bodyLimitBytes;
  const requireKey = keyCheck(config.apiKeys);
  const unrouted: UnroutedObservers = [];
  const app: FastifyInstance = Fastify({
    ...loggingOptions(config.logLevel, allowlist, options.logStream),
    bodyLimit: config.bodyLimitBytes,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Fastify's own 503 while closing is not the documented error shape and never reaches /readyz; see plugins/health.
    return503OnClosing: false,
    // Slowloris bounds; an upstream call may take up to timeoutMs, a request with waitFor up to maxWaitMs more (jobs/wait-limits.ts).
    connectionTimeout: serverTimeoutMs(config),
    requestTimeout: serverTimeoutMs(config),
    keepAliveTimeout: 72_000,
    clientErrorHandler,
    frameworkErrors: frameworkErrorHandler(requireKey, drainLimitBytes, unrouted),
  });
  app.addHook('onRoute', (route) => {
    routes.add(route.method, route.url);
    for (const location of ['querystring', 'body', 'params'] as const) {
      const schema = (route.schema as Record<string, unknown> | undefined)?.[location];
      if (schema instanceof z.ZodType) allowlist.add(location, schema);
    }
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Tracing first, so its request span covers every hook. Imported only when on: no OpenTelemetry code otherwise.
  if (config.tracing.exporter !== 'off' || options.spanExporter) {
    const { registerTracing } = await import('./observe/tracing.js');
    await registerTracing(app, config.tracing, options.spanExporter ? { exporter: options.spanExporter } : {});
  }
  app.decorateRequest('ecsRequestId', null);
  // First hook of all, so every answer carries it (auth refusals and 503s included). Callback style:
  // this runs on every request, and an async hook costs a promise each time.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  registerErrorHandling(app, { drainLimitBytes, routes });
  await registerProtection(app, { overload: config.overload, pressureCheck: options.pressureCheck });
  await registerCors(app, config.corsOrigins ?? []);
  registerAuth(app, requireKey);
  registerMethodCheck(app, routes);
  await registerRateLimit(app, { limit: config.rateLimit, redisUrl: config.redisUrl });

  const client = new EcsClient({
    signatureVersion: config.signatureVersion,
    upstreamUrl: config.upstreamUrl,
    allowedEndpoints: config.allowedEndpoints,
    timeoutMs: config.timeoutMs,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.nonce ? { nonce: options.nonce } : {}),
    maxRetries: config.maxRetries,
    retryBudget: new RetryBudget(config.retryBudgetPercent / 100, DEFAULT_RETRY_BURST),
    connectTimeoutMs: config.connectTimeoutMs,
    readTimeoutMs: config.readTimeoutMs,
    proxy: config.proxy,
    sleep: options.sleep,
    random: options.random,
    clientToken: options.clientToken,
  });
  app.addHook('onClose', async () => client.close());

  // Before every route it counts (the docs, the probes, the API): it hooks each route as it is added.
  if (config.metrics) registerMetrics(app, { client: client.id, unrouted });
  await registerDocs(app, { fromRoutes: options.openapiFromRoutes ?? false });
  registerHealth(app);
  const waiter = new Waiter({ maxWaitMs: config.maxWaitMs, ...options.wait });
  await registerRoutes(app, { client, defaultCredentials: config.defaultCredentials, waiter, jobs: createJobDeps(config, options.jobs) });
  return app;
}
