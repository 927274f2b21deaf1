/**
 * Turns a raw HTTP request into the parts the RPC endpoint works with: decoded query and
 * body pairs, the merged parameter map, lower-cased headers and the exact body bytes
 * (V3 hashes them).
 */
import type { IncomingMessage } from 'node:http';
import { parseForm, type ParamPair } from './encoding.js';
import { COMMON_PARAMS } from '../common-params.js';

/** A request to `/`, decoded but not yet authenticated. */
export interface RpcRequest {
  method: string;
  /** The raw query string (after `?`, without it). */
  rawQuery: string;
  queryPairs: ParamPair[];
  bodyPairs: ParamPair[];
  /** Query merged with form body; the body wins on a repeated key, as a form POST overrides. */
  params: Map<string, string>;
  /** Header name (lower case) → every value received, in order. */
  headers: Map<string, string[]>;
  body: Buffer;
}

/** Largest body accepted; ECS RPC calls are small, and this bounds memory per request. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Reads the whole body, rejecting with `BodyTooLargeError` beyond `MAX_BODY_BYTES`. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Thrown by `readBody` when the body exceeds `MAX_BODY_BYTES`. */
export class BodyTooLargeError extends Error {
  constructor() {
    super('request body too large');
  }
}

/** Builds an `RpcRequest` from the request line, headers and body already read. */
export function parseRpcRequest(req: IncomingMessage, body: Buffer): RpcRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  const queryPairs = parseForm(rawQuery);
  const contentType = (req.headers['content-type'] ?? '').toLowerCase();
  // Only a form body carries parameters; any other body is just hashed (V3).
  const bodyPairs = contentType.startsWith('application/x-www-form-urlencoded')
    ? parseForm(body.toString('utf8'))
    : [];
  const params = new Map<string, string>();
  for (const [k, v] of [...queryPairs, ...bodyPairs]) params.set(k, v);
  const headers = new Map<string, string[]>();
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (values) headers.set(name.toLowerCase(), values);
  }
  return { method: (req.method ?? 'GET').toUpperCase(), rawQuery, queryPairs, bodyPairs, params, headers, body };
}

/** The first value of a header, or undefined. */
export function header(request: RpcRequest, name: string): string | undefined {
  return request.headers.get(name)?.[0];
}

/** The action's own parameters: everything except the common/signature ones. */
export function actionParams(request: RpcRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of request.params) if (!COMMON_PARAMS.has(k)) out[k] = v;
  return out;
}
