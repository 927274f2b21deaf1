import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { CREDS, useGatewayWithUpstream, type LogCapture } from '../support/gateway.js';

let app: FastifyInstance;
let logs: LogCapture;
useGatewayWithUpstream((ctx) => ({ app, logs } = ctx), { LOG_LEVEL: 'info' });

const parsed = () => logs.lines.map((l) => JSON.parse(l) as { level: number; msg: string; reqId?: string; req?: { url: string }; res?: { statusCode: number }; responseTime?: number });

describe('request logging', () => {
  it('logs each request once, on completion, with the redacted URL, status and time', async () => {
    logs.lines.length = 0;
    const res = await request(app.server).get('/api/regions').query({ ...CREDS, acceptLanguage: 'en-US' });
    expect(res.status).toBe(200);
    const lines = parsed().filter((l) => l.reqId === res.headers['x-request-id']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30, msg: 'request completed', res: { statusCode: 200 },
      req: { url: `/api/regions?accessKeyId=${CREDS.accessKeyId}&accessKeySecret=[REDACTED]&acceptLanguage=en-US` },
    });
    // A duration in ms; its size depends on the machine, so only its kind is checked.
    expect(lines[0]!.responseTime).toEqual(expect.any(Number));
    expect(lines[0]!.responseTime).toBeGreaterThanOrEqual(0);
  });

  it('a refused request logs the refusal and its completion', async () => {
    logs.lines.length = 0;
    const res = await request(app.server).get('/api/zones').query({ ...CREDS });
    expect(res.status).toBe(400);
    const msgs = parsed().filter((l) => l.reqId === res.headers['x-request-id']).map((l) => l.msg);
    expect(msgs).toEqual(['request refused', 'request completed']);
  });

  it('health probes are not logged at info', async () => {
    logs.lines.length = 0;
    await request(app.server).get('/healthz').expect(200);
    await request(app.server).get('/readyz').expect(200);
    expect(parsed().filter((l) => l.level >= 30)).toEqual([]);
  });
});
