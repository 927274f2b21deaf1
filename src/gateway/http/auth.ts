import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, GatewayError } from '../errors.js';
import { sha256, type ApiKey } from '../policy/keys.js';

/**
 * Builds an onRequest hook that requires `Authorization: Bearer <key>` with one of `keys`, and sets
 * `request.caller` to the key it matched. Keys are compared as SHA-256 digests with timingSafeEqual (the
 * gateway only ever holds the digests), and every key is checked, so neither the length nor the position
 * of a matching key shows in the timing.
 */
export function bearerAuth(keys: readonly ApiKey[]) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    let matched: ApiKey | undefined;
    if (match?.[1]) {
      const given = sha256(match[1]);
      for (const key of keys) {
        const same = timingSafeEqual(given, key.sha256);
        matched = same ? key : matched;
      }
    }
    if (!matched) {
      reply.header('www-authenticate', 'Bearer realm="ecs-gateway"');
      throw new GatewayError(401, ErrorCode.unauthorized, 'A valid gateway API key is required: send Authorization: Bearer <key>');
    }
    request.caller = matched;
  };
}
