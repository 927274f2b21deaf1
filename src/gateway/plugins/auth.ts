import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bearerAuth } from '../http/auth.js';
import { installPolicy } from '../policy/index.js';
import type { ApiKey } from '../policy/keys.js';
import { isPublicPath } from './docs.js';

/** The key check, as a function of a request; undefined when the gateway runs without API keys. */
export type KeyCheck = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** Builds the key check from the configured API keys (GATEWAY_API_KEYS and the access policy file's). */
export function keyCheck(apiKeys: readonly ApiKey[]): KeyCheck | undefined {
  return apiKeys.length > 0 ? bearerAuth(apiKeys) : undefined;
}

/**
 * Auth and policy. Deny by default: everything but health and docs needs the key, unknown paths included,
 * so that a caller without a key cannot even map which routes exist. The key check sets `request.caller`,
 * which the routes' authorizeCall and auditCall read (src/gateway/policy/); without keys it stays null,
 * the anonymous caller, allowed everything.
 */
export function registerAuth(app: FastifyInstance, requireKey: KeyCheck | undefined): void {
  installPolicy(app);
  if (!requireKey) return;
  app.addHook('onRequest', async (request, reply) => {
    if (!isPublicPath(request.url)) await requireKey(request, reply);
  });
}
