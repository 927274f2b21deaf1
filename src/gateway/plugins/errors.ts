import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { installErrorHandling, refuseShadowedMethods, sendError } from '../http/error-handler.js';
import { installJsonBodyParser } from '../http/json-body.js';
import { logCompletion } from '../http/logging.js';
import type { RouteTable } from '../http/methods.js';
import type { KeyCheck } from './auth.js';
import { isPublicPath } from './docs.js';

/**
 * Told of each answer the router gave before any route or hook ran (see frameworkErrorHandler), once it is
 * sent: the metrics count these under the `unmatched` route. Filled after the app is built, read per answer.
 */
export type UnroutedObservers = ((request: FastifyRequest, reply: FastifyReply) => void)[];

/** How many times the body limit the gateway reads and discards of a refused body, so its client reads the answer. */
export const DRAIN_FACTOR = 4;

/**
 * Errors the router raises before any route or hook runs (a path segment over 100 characters,
 * malformed percent-encoding in the path): the same shape, key check, header and log as the rest.
 */
export function frameworkErrorHandler(requireKey: KeyCheck | undefined, drainLimitBytes: number, unrouted: UnroutedObservers = []) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    // No route runs, so neither do the hooks that log and count a request's answer: log it, and tell the observers.
    reply.raw.once('finish', () => {
      logCompletion(null, request, reply);
      for (const observe of unrouted) observe(request, reply);
    });
    reply.header('x-request-id', request.id);
    const checked = requireKey && !isPublicPath(request.url) ? requireKey(request, reply) : Promise.resolve();
    checked.then(() => err, (authErr: unknown) => authErr)
      .then((e) => sendError(e, request, reply, drainLimitBytes))
      .catch((e: unknown) => request.log.error({ err: e }, 'request failed'));
  };
}

/** The one error handler, the 404 handler and the JSON body parser. */
export function registerErrorHandling(app: FastifyInstance, options: { drainLimitBytes: number; routes: RouteTable }): void {
  installErrorHandling(app, options);
  installJsonBodyParser(app);
}

/** 405 with Allow for a known path and the wrong method; register after the key check, so it reveals nothing without a key. */
export function registerMethodCheck(app: FastifyInstance, routes: RouteTable): void {
  refuseShadowedMethods(app, routes);
}
