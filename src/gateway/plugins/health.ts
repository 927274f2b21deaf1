import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorCode, GatewayError } from '../errors.js';

/**
 * Liveness and readiness, and the drain on close. Neither probe touches ECS, so an ECS outage does not
 * restart the gateway.
 */
export function registerHealth(app: FastifyInstance): void {
  const status = z.object({ status: z.string() });
  let closing = false;
  app.addHook('preClose', async () => { closing = true; });
  // While draining, in-flight requests finish; new ones (except the probes) get a 503 in the one error shape.
  app.addHook('onRequest', (request, reply, done) => {
    if (!closing || request.routeOptions.url === '/healthz' || request.routeOptions.url === '/readyz') return done();
    reply.header('connection', 'close');
    done(new GatewayError(503, ErrorCode.shuttingDown, 'The gateway is shutting down; retry the request'));
  });
  // Close() reaps the connections idle at that moment; one that was busy goes idle after its answer and
  // would hold the server (and the process) open until its keep-alive timeout, so reap again after each
  // answer. A request already pipelined on the socket keeps it busy and is still answered.
  app.addHook('onResponse', (_request, _reply, done) => {
    if (closing) setImmediate(() => app.server.closeIdleConnections());
    done();
  });
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get('/healthz', {
    schema: { tags: ['Health'], summary: 'Liveness', security: [], response: { 200: status.meta({ example: { status: 'ok' } }) } },
  }, async () => ({ status: 'ok' }));
  // Details that do not make the replica unready: the rate limiter's store (memory while Redis is down), when limits are on.
  const details = z.object({
    rateLimit: z.object({ enabled: z.boolean(), store: z.enum(['memory', 'redis']), redis: z.enum(['ok', 'down', 'off']) }),
  }).optional();
  const ready = status.extend({ details });
  const readyDetails = () => {
    const rateLimit = app.hasDecorator('rateLimitBackend') ? app.rateLimitBackend() : undefined;
    return rateLimit?.enabled ? { rateLimit } : undefined;
  };
  typed.get('/readyz', {
    schema: { tags: ['Health'], summary: 'Readiness: 503 while shutting down', security: [], response: { 200: ready.meta({ example: { status: 'ready', details: { rateLimit: { enabled: true, store: 'redis', redis: 'ok' } } } }), 503: ready } },
  }, async (_request, reply) => (closing ? reply.code(503).send({ status: 'shutting down', details: readyDetails() }) : { status: 'ready', details: readyDetails() }));
}
