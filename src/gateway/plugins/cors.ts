import fastifyCors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

/** The request headers a browser may send cross-origin: the gateway key, the AccessKey headers, JSON, the request id. */
export const CORS_ALLOWED_HEADERS = ['authorization', 'content-type', 'x-access-key-id', 'x-access-key-secret', 'x-security-token', 'x-request-id'];

/** The answer headers a cross-origin script may read: the request id, and what a limited or shed caller needs. */
export const CORS_EXPOSED_HEADERS = ['x-request-id', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'allow'];

/** The methods of the gateway's routes. */
export const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * CORS (@fastify/cors) for the origins of GATEWAY_CORS_ORIGINS; nothing is registered when there are none (the
 * default). A request from another origin, or with no Origin, gets no CORS headers at all and goes on as usual
 * (a preflight from a refused origin is then the route's 401/404/405), so the browser refuses to show it the
 * answer. Register before the key check: a browser sends a preflight without the Authorization header.
 * No credentials mode: the gateway authenticates by headers, never by cookies.
 */
export async function registerCors(app: FastifyInstance, origins: readonly string[]): Promise<void> {
  if (origins.length === 0) return;
  const allowed = new Set(origins);
  await app.register(fastifyCors, {
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
    methods: CORS_METHODS,
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: 600,
    // A preflight from an allowed origin without Access-Control-Request-Method is answered like any other
    // (the plugin would answer it 400 in plain text, outside the gateway's error shape).
    strictPreflight: false,
  });
}
