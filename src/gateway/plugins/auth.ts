import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bearerAuth } from '../http/auth.js';
import { isPublicPath } from './docs.js';

/** The key check, as a function of a request; undefined when the gateway runs without API keys. */
export type KeyCheck = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** Builds the key check from the configured API keys. */
export function keyCheck(apiKeys: readonly string[]): KeyCheck | undefined {
  return apiKeys.length > 0 ? bearerAuth(apiKeys) : undefined;
}

/**
 * Deny by default: everything but health and docs needs the key, unknown paths included, so that a
 * caller without a key cannot even map which routes exist.
 */
export function registerAuth(app: FastifyInstance, requireKey: KeyCheck | undefined): void {
  if (!requireKey) return;
  app.addHook('onRequest', async (request, reply) => {
    if (!isPublicPath(request.url)) await requireKey(request, reply);
  });
}
