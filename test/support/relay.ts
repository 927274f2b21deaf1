import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startStack, type Stack } from './stack.js';

/** One request as it passed the relay. */
export interface Relayed { method: string; url: string; headers: IncomingHttpHeaders; body: string }

/** An HTTP relay that records every request and forwards it unchanged (host header included) to `target`. */
export class RecordingRelay {
  readonly requests: Relayed[] = [];
  target = '';
  url = '';
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: body.toString('utf8') });
      const target = new URL(this.target);
      const out = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      out.on('error', () => res.destroy());
      out.end(body);
    });
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/**
 * Registers, in the calling describe block, a gateway (signing `version`) whose ECS calls pass through a
 * recording relay to a real emulator; before each test the emulator's state and the recorded requests are
 * cleared. The returned object is filled in by beforeAll.
 */
export function useRelayedStack(version: 'v3' | 'v1'): { relay: RecordingRelay; stack: Stack } {
  const ctx = {} as { relay: RecordingRelay; stack: Stack };
  beforeAll(async () => {
    ctx.relay = await new RecordingRelay().start();
    ctx.stack = await startStack(version, { ECS_UPSTREAM_URL: ctx.relay.url });
    ctx.relay.target = ctx.stack.emulator.url;
  });
  afterAll(async () => {
    await ctx.stack.close();
    await ctx.relay.close();
  });
  beforeEach(async () => {
    await fetch(`${ctx.stack.emulator.url}/__emulator/reset`, { method: 'POST' });
    ctx.relay.requests.length = 0;
  });
  return ctx;
}
