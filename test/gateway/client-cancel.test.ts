/**
 * A client that disconnects cancels its upstream call and its retries: the route hands the ECS client a
 * cancel registration on the request's socket (src/gateway/http/client-gone.ts), and the client aborts
 * through undici's controller. Synchronised on the published attempts, never on time.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import type { UpstreamAttempt } from '../../src/gateway/ecs/events.js';
import { CREDS, type LogCapture, useGatewayWithUpstream } from '../support/gateway.js';
import { FakeUpstream, gate, type UpstreamReply } from '../support/upstream.js';

let upstream: FakeUpstream;
let app: FastifyInstance;
let logs: LogCapture;
let port: number;

useGatewayWithUpstream((ctx) => ({ upstream, app, logs } = ctx), { ECS_MAX_RETRIES: '3' });
// After the helper's own beforeAll: the gateway on a real port (its afterAll closes it).
beforeAll(async () => {
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
});

/** Resolves with the first published attempt that `match` accepts. */
function nextAttempt(match: (e: UpstreamAttempt) => boolean): Promise<UpstreamAttempt> {
  return new Promise((resolve) => {
    const on = (event: unknown) => {
      if (!match(event as UpstreamAttempt)) return;
      unsubscribe('ecs-gateway:upstream-attempt', on);
      resolve(event as UpstreamAttempt);
    };
    subscribe('ecs-gateway:upstream-attempt', on);
  });
}

/** Sends a generic DescribeInstances call and returns the client request (to destroy it). */
function send(): ReturnType<typeof httpRequest> {
  const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/api/ecs/DescribeInstances', headers: { 'content-type': 'application/json' } });
  req.on('error', () => undefined);
  req.end(JSON.stringify({ ...CREDS, regionId: 'cn-hangzhou' }));
  return req;
}

describe('a client that disconnects', () => {
  it('cancels the attempt in flight, and no retry follows', async () => {
    const hang = gate();
    upstream.requests.length = 0;
    upstream.reply = { until: hang.promise, body: { RequestId: 'late' } } satisfies UpstreamReply;
    const cancelled = nextAttempt((e) => e.code === 'CLIENT_CLOSED_REQUEST');
    const req = send();
    await upstream.received(1);
    req.destroy();
    const event = await cancelled;
    expect(event).toMatchObject({ action: 'DescribeInstances', attempt: 1, willRetry: false, throttled: false });
    hang.open();
    expect(upstream.requests).toHaveLength(1);
  });

  it('during a backoff wait: no further attempt', async () => {
    upstream.requests.length = 0;
    // Throttled with a long x-acs-retry-after: the gateway waits (a real timer here), and the client leaves meanwhile.
    upstream.reply = { status: 400, headers: { 'x-acs-retry-after': '30000' }, body: { Code: 'Throttling.User', Message: 'slow', RequestId: 'T' } };
    const waiting = nextAttempt((e) => e.code === 'Throttling.User' && e.willRetry);
    const req = send();
    await waiting;
    const logged = logs.lines.length;
    req.destroy();
    // Cancelling a wait publishes no attempt: the call ends at once (not after the 30 s wait); its log line says why.
    await new Promise<void>((resolve) => {
      const check = () => (logs.lines.slice(logged).some((l) => l.includes('CLIENT_CLOSED_REQUEST')) ? resolve() : setTimeout(check, 2));
      check();
    });
    expect(upstream.requests).toHaveLength(1);
  });
});
