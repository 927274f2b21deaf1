import type { FastifyInstance } from 'fastify';
import { ErrorCode, GatewayError } from '../errors.js';

const forbidden = (field: string) => new GatewayError(400, ErrorCode.malformedJson, `Request body contains the forbidden key ${field}`,
  { details: [{ location: 'body', field, message: 'prototype keys are not accepted' }] });

/** Throws on the keys that prototype-pollution payloads use, naming the key. */
function refusePrototypeKeys(key: string, value: unknown): unknown {
  if (key === '__proto__') throw forbidden('__proto__');
  if (key === 'constructor' && typeof value === 'object' && value !== null && Object.hasOwn(value, 'prototype')) {
    throw forbidden('constructor.prototype');
  }
  return value;
}

/** Parses a JSON body; prototype keys are refused by name. */
export function parseJsonBody(text: string): unknown {
  if (text.length === 0) throw new GatewayError(400, ErrorCode.malformedJson, 'Request body is empty but Content-Type is application/json');
  // The reviver costs a walk of the whole document, so only bodies that could hold such a key pay it.
  const suspicious = text.includes('__proto__') || text.includes('constructor') || text.includes('\\u');
  try {
    return suspicious ? JSON.parse(text, refusePrototypeKeys) : JSON.parse(text);
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    // Not the parser's message: on Node 20 it quotes a piece of the body, which may hold a secret.
    throw new GatewayError(400, ErrorCode.malformedJson, 'Request body is not valid JSON');
  }
}

/**
 * Bodies are JSON only: replaces Fastify's JSON parser, which hides why a body was refused, with
 * parseJsonBody, and drops its text/plain parser, so a text body is the documented 415.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('text/plain');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
