import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';

/** One request as it arrived at the fake upstream, with its parameters decoded. */
export interface CapturedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Query and form parameters merged, decoded (`+` is not a space: ECS encodes spaces as %20). */
  params: Record<string, string>;
  action: string | undefined;
}

/** What the fake upstream answers; a function can decide per request. */
export interface UpstreamReply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Raw text instead of JSON. */
  raw?: string;
  /** Answer only once this settles: the test decides when the upstream finishes (see `gate()`). */
  until?: PromiseLike<unknown>;
  /** Destroy the socket instead of answering. */
  drop?: boolean;
}

export const ECS_HEADERS: Record<string, string> = {
  'content-type': 'application/json;charset=utf-8',
  'access-control-allow-origin': '*',
  'x-acs-request-id': 'F6A8C2D1-0000-4000-8000-000000000001',
  'x-acs-trace-id': 'trace-0001',
};

const decode = (s: string) => decodeURIComponent(s);

/** Parses `a=1&b=%20` without turning `+` into a space. */
export function parseParams(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    out[decode(eq < 0 ? pair : pair.slice(0, eq))] = eq < 0 ? '' : decode(pair.slice(eq + 1));
  }
  return out;
}

/** The ECS parameters a request carried, without the V1 signature/common parameters. */
export function businessParams(req: CapturedRequest): Record<string, string> {
  const common = new Set(['AccessKeyId', 'Action', 'Format', 'SignatureMethod', 'SignatureNonce', 'SignatureVersion', 'Timestamp', 'Version', 'Signature', 'SecurityToken']);
  return Object.fromEntries(Object.entries(req.params).filter(([k]) => !common.has(k)));
}

/**
 * Asserts the wire shape of every signed call (V1 and V3): a POST to `/` with nothing in the URL
 * (proxies log URLs, servers cap their length), the parameters in a form body and, for V3, that
 * body's SHA-256 as the signed `x-acs-content-sha256`.
 */
export function expectParamsInBodyOnly(call: CapturedRequest): void {
  expect(call.method).toBe('POST');
  expect(call.url).toBe('/');
  if (call.body) expect(call.headers['content-type']).toBe('application/x-www-form-urlencoded');
  const hash = call.headers['x-acs-content-sha256'];
  if (hash !== undefined) expect(hash).toBe(createHash('sha256').update(call.body, 'utf8').digest('hex'));
}

/** A local HTTP server that records requests and answers like ECS. */
export class FakeUpstream {
  readonly requests: CapturedRequest[] = [];
  reply: UpstreamReply | ((req: CapturedRequest) => UpstreamReply) = { body: { RequestId: 'F6A8C2D1-0000-4000-8000-000000000001' } };
  private server: Server | undefined;
  private waiters: Array<{ count: number; resolve: () => void }> = [];
  url = '';

  /** Listens on 127.0.0.1, on `port` (default: any free one). */
  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  get last(): CapturedRequest {
    const last = this.requests.at(-1);
    if (!last) throw new Error('no request reached the upstream');
    return last;
  }

  /** Resolves once `count` requests in all have reached this upstream (an event, not a poll). */
  received(count: number): Promise<void> {
    if (this.requests.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  /** Awaits a request to the gateway; returns its answer and what reached this upstream because of it. */
  async exchange<T>(pending: PromiseLike<T>): Promise<{ res: T; sent: CapturedRequest[] }> {
    const before = this.requests.length;
    const res = await pending;
    return { res, sent: this.requests.slice(before) };
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const query = (req.url ?? '').split('?')[1] ?? '';
    const params = { ...parseParams(query), ...(body ? parseParams(body) : {}) };
    const captured: CapturedRequest = {
      method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, params,
      action: params.Action ?? (req.headers['x-acs-action'] as string | undefined),
    };
    this.requests.push(captured);
    this.waiters = this.waiters.filter((w) => (w.count <= this.requests.length ? (w.resolve(), false) : true));
    const reply = typeof this.reply === 'function' ? this.reply(captured) : this.reply;
    if (reply.until) await reply.until;
    if (reply.drop) {
      req.socket.destroy();
      return;
    }
    res.writeHead(reply.status ?? 200, { ...ECS_HEADERS, ...reply.headers });
    res.end(reply.raw ?? JSON.stringify(reply.body ?? {}));
  }
}

/** A promise the test resolves by hand: `upstream.reply = { until: g.promise }`, then `g.open()`. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => { open = resolve; });
  return { promise, open };
}

/**
 * Makes the upstream answer `body` with fixed extra headers (e.g. a date); returns the headers the
 * gateway's envelope must then carry: ECS's own (the allowlist, src/gateway/ecs/headers.ts), so not
 * Node's `keep-alive: timeout=1`.
 */
export function answerWith(up: FakeUpstream, body: Record<string, unknown>, extra: Record<string, string>): Record<string, string> {
  const headers = { ...extra, 'content-length': String(Buffer.byteLength(JSON.stringify(body))) };
  up.reply = { body, headers };
  return { ...ECS_HEADERS, ...headers, connection: 'keep-alive' };
}

/** `a=1&b=2&b=3`, values percent-encoded. */
export function qs(fields: Record<string, string | readonly string[]>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const item of typeof v === 'string' ? [v] : v) params.append(k, item);
  return params.toString();
}
