/**
 * Shared helpers of the emulator tests: a raw HTTP client (exact headers, custom Host)
 * and a way to build an RpcRequest from captured request parts.
 */
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseRpcRequest, type RpcRequest } from '../../src/emulator/protocol/request.js';

/** A raw HTTP answer. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends exactly the given request line, headers and body to `baseUrl` (Host may be overridden). */
export function rawRequest(
  baseUrl: string,
  opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: opts.method ?? 'GET',
        path: opts.path ?? '/',
        headers: opts.headers ?? {},
        setHost: !Object.keys(opts.headers ?? {}).some((h) => h.toLowerCase() === 'host'),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body ?? '');
  });
}

/** Builds the RpcRequest the server would see for a captured request. */
export function fakeRpcRequest(opts: {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}): RpcRequest {
  const headersDistinct: Record<string, string[]> = {};
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.headers)) {
    (headersDistinct[k.toLowerCase()] ??= []).push(v);
    headers[k.toLowerCase()] = v;
  }
  const req = { method: opts.method, url: opts.url, headers, headersDistinct } as unknown as IncomingMessage;
  return parseRpcRequest(req, Buffer.from(opts.body ?? '', 'utf8'));
}

/** Parses an ECS JSON error body. */
export function errorBody(res: RawResponse): { Code: string; Message: string; RequestId: string; HostId: string } {
  return JSON.parse(res.body) as { Code: string; Message: string; RequestId: string; HostId: string };
}

/** Key pair used by the SDK-driven tests. */
export const TEST_KEY = { accessKeyId: 'test-key-id', accessKeySecret: 'test-key-secret' } as const;
/** An STS key pair: the token is required with it. */
export const STS_KEY = { accessKeyId: 'STS.test-id', accessKeySecret: 'sts-secret', securityToken: 'CAIS-token/+=' } as const;

/** A request exactly as an SDK sent it. */
export interface CapturedRequest { method: string; path: string; headers: Record<string, string>; body: string }

/**
 * Runs `send` against a throw-away server that records the request and answers `{}`, and
 * returns what the SDK sent (hop-by-hop headers dropped), ready to replay with rawRequest.
 */
export async function captureRequest(send: (url: string) => Promise<unknown>): Promise<CapturedRequest> {
  let seen: CapturedRequest | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = { ...(req.headers as Record<string, string>) };
      delete headers.connection;
      delete headers['content-length'];
      seen = { method: req.method ?? 'GET', path: req.url ?? '/', headers, body: Buffer.concat(chunks).toString('utf8') };
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"RequestId":"X"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await send(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.close();
  }
  if (!seen) throw new Error('nothing captured');
  return seen;
}
