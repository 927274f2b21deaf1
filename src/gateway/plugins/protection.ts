import { createHash } from 'node:crypto';
import fastifyHelmet from '@fastify/helmet';
import fastifyUnderPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import { ErrorCode, GatewayError } from '../errors.js';
import { ECS_UI_HTML } from './docs.js';

/** Seconds a shed caller is told to wait (Retry-After of 503 OVERLOADED). */
export const OVERLOAD_RETRY_AFTER_S = 5;

/** The SHA-256 CSP sources of the inline scripts of `html`. */
function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)]
    .map((m) => `'sha256-${createHash('sha256').update(m[1] ?? '', 'utf8').digest('base64')}'`);
}

/**
 * The Content-Security-Policy of the docs pages (/docs, /docs/ecs and their assets). Swagger UI loads its
 * scripts and styles from /docs/static (self); the /docs/ecs page has one inline script, allowed by its hash;
 * Swagger UI sets inline style attributes and uses data: images, and "Try it out" fetches the same origin.
 */
export const DOCS_CSP_DIRECTIVES: Record<string, string[]> = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'", 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'", ...inlineScriptHashes(ECS_UI_HTML)],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", "'unsafe-inline'"],
};

/** True for the docs pages and their assets, which get the security headers. */
const isDocsRoute = (url: string): boolean => url === '/docs' || url.startsWith('/docs/');

/**
 * Security headers (@fastify/helmet) on the docs pages only: the API answers JSON to programs, the docs are
 * what a browser renders. No HSTS: TLS is terminated in front of the gateway, which decides that for the host.
 */
async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  // Routes opt in through their config (see @fastify/helmet's route options); the docs routes are added by
  // @fastify/swagger-ui and registerEcsDocs, after this hook is in place.
  app.addHook('onRoute', (route) => {
    if (isDocsRoute(route.url)) route.config = { ...(route.config as object | undefined), helmet: {} } as typeof route.config;
  });
  await app.register(fastifyHelmet, {
    global: false,
    contentSecurityPolicy: { useDefaults: false, directives: DOCS_CSP_DIRECTIVES },
    strictTransportSecurity: false,
  });
}

/** Load-shedding thresholds; 0 turns a check off. */
export interface OverloadOptions {
  maxEventLoopDelayMs: number;
  maxEventLoopUtilization: number;
}

/**
 * Load shedding (@fastify/under-pressure): while the event loop is slower than the thresholds, every request but
 * the probes gets 503 OVERLOADED in the error shape with Retry-After, before any work is done for it. Off when
 * every threshold is 0 (the default). `healthCheck`, for tests, stands for an extra check: false is "overloaded".
 */
async function registerLoadShedding(app: FastifyInstance, overload: OverloadOptions, healthCheck?: () => Promise<boolean>): Promise<void> {
  if (overload.maxEventLoopDelayMs <= 0 && overload.maxEventLoopUtilization <= 0 && !healthCheck) return;
  await app.register(fastifyUnderPressure, {
    maxEventLoopDelay: overload.maxEventLoopDelayMs,
    maxEventLoopUtilization: overload.maxEventLoopUtilization,
    retryAfter: OVERLOAD_RETRY_AFTER_S,
    ...(healthCheck ? { healthCheck: async () => healthCheck(), healthCheckInterval: 60_000 } : {}),
    pressureHandler: async (request, _reply, type) => {
      // A liveness or readiness probe answered 503 would restart or unlist the replica: they always pass.
      const url = request.routeOptions.url;
      if (url === '/healthz' || url === '/readyz') return;
      const err = new GatewayError(503, ErrorCode.overloaded, `The gateway is overloaded; retry in ${OVERLOAD_RETRY_AFTER_S} s`, {},
        { logMessage: `The gateway is overloaded (${type})` });
      err.responseHeaders['retry-after'] = String(OVERLOAD_RETRY_AFTER_S);
      throw err;
    },
  });
}

/** Security headers on the docs pages, and load shedding. Register before the key check, so shedding costs nothing. */
export async function registerProtection(app: FastifyInstance, options: { overload: OverloadOptions | undefined; pressureCheck?: (() => Promise<boolean>) | undefined }): Promise<void> {
  await registerSecurityHeaders(app);
  await registerLoadShedding(app, options.overload ?? { maxEventLoopDelayMs: 0, maxEventLoopUtilization: 0 }, options.pressureCheck);
}
