import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, GatewayError } from '../errors.js';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Builds an onRequest hook that requires `Authorization: Bearer <key>` with one of `keys`.
 * Keys are compared as SHA-256 digests with timingSafeEqual, and every key is checked, so neither
 * the length nor the position of a matching key shows in the timing.
 */
export function bearerAuth(keys: readonly string[]) {
  const expected = keys.map(digest);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    let ok = false;
    if (match?.[1]) {
      const given = digest(match[1]);
      for (const key of expected) ok = timingSafeEqual(given, key) || ok;
    }
    if (!ok) {
      reply.header('www-authenticate', 'Bearer realm="ecs-gateway"');
      throw new GatewayError(401, ErrorCode.unauthorized, 'A valid gateway API key is required: send Authorization: Bearer <key>');
    }
  };
}
