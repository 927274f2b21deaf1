import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { upstreamAttempts } from '../../src/gateway/ecs/events.js';
import { CREDS, testGateway, type LogCapture } from '../support/gateway.js';
import { FakeUpstream } from '../support/upstream.js';
import { startRedis } from '../support/redis.js';

const KEY = 'metrics-test-key-0123456789';
const ECS_REQUEST_ID = 'F6A8C2D1-0000-4000-8000-00000000ABCD';

/** The value of one sample line of the Prometheus text, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

let upstream: FakeUpstream;
let app: FastifyInstance;
let logs: LogCapture;
beforeAll(async () => {
  upstream = await new FakeUpstream().start();
  ({ app, logs } = await testGateway(upstream.url, { LOG_LEVEL: 'info' }));
});
afterAll(async () => { await app.close(); await upstream.close(); });

const metrics = async (target: FastifyInstance = app) => {
  const res = await request(target.server).get('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text;
};

describe('GET /metrics', () => {
  it('counts requests by route pattern and status, with a latency histogram', async () => {
    upstream.reply = { body: { RequestId: ECS_REQUEST_ID, Instances: { Instance: [] }, TotalCount: 0 } };
    const before = await metrics();
    await request(app.server).get('/api/regions').query(CREDS).expect(200);
    await request(app.server).get('/api/regions').query(CREDS).expect(200);
    const after = await metrics();
    const series = 'gateway_http_request_duration_seconds_count{method="GET",route="/api/regions",status_code="200"}';
    expect(sample(after, series)! - (sample(before, series) ?? 0)).toBe(2);
    expect(after).toContain('gateway_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/regions",status_code="200"}');
    // The process metrics of prom-client.
    expect(after).toMatch(/^process_cpu_user_seconds_total /m);
    expect(after).toMatch(/^nodejs_heap_size_used_bytes /m);
  });

  it('labels a request with its route pattern, never the raw URL (cardinality)', async () => {
    await request(app.server).get('/api/instances/i-metricsraw0001').query({ ...CREDS, regionId: 'cn-hangzhou' });
    await request(app.server).get('/no/such/path-metricsraw0002').expect(404);
    const text = await metrics();
    expect(text).not.toContain('metricsraw');
    expect(text).toMatch(/gateway_http_request_duration_seconds_count\{method="GET",route="\/api\/instances\/:instanceId",status_code="\d+"\} [1-9]/);
    expect(sample(text, 'gateway_http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"}')).toBeGreaterThanOrEqual(1);
  });

  it('counts ECS attempts by action and code; throttles by action', async () => {
    upstream.reply = { body: { RequestId: ECS_REQUEST_ID, Regions: { Region: [] } } };
    await request(app.server).get('/api/regions').query(CREDS).expect(200);
    upstream.reply = { status: 400, body: { RequestId: ECS_REQUEST_ID, Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' } };
    const refused = await request(app.server).get('/api/regions').query(CREDS);
    expect(refused.body.error.code).toBe('Throttling.User');
    const text = await metrics();
    expect(sample(text, 'gateway_upstream_request_duration_seconds_count{action="DescribeRegions",code="OK"}')).toBeGreaterThanOrEqual(1);
    // At least one throttled attempt (more if the client retries a throttled read), every one of them counted.
    const throttled = sample(text, 'gateway_upstream_request_duration_seconds_count{action="DescribeRegions",code="Throttling.User"}');
    expect(throttled).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'gateway_upstream_throttles_total{action="DescribeRegions"}')).toBe(throttled);
  });

  it('counts retries: attempts after the first, from the attempts channel', async () => {
    const series = { retries: 'gateway_upstream_retries_total{action="DescribeRegions"}', unavailable: 'gateway_upstream_request_duration_seconds_count{action="DescribeRegions",code="ServiceUnavailable"}' };
    const before = await metrics();
    // Two 503s, then an answer: a read is retried (ecs/retry.ts).
    let calls = 0;
    upstream.reply = () => (++calls <= 2
      ? { status: 503, body: { RequestId: ECS_REQUEST_ID, Code: 'ServiceUnavailable', Message: 'The request has failed due to a temporary failure of the server.' } }
      : { body: { RequestId: ECS_REQUEST_ID, Regions: { Region: [] } } });
    await request(app.server).get('/api/regions').query(CREDS).expect(200);
    expect(calls).toBe(3);
    const text = await metrics();
    expect(sample(text, series.retries)! - (sample(before, series.retries) ?? 0)).toBe(2);
    expect(sample(text, series.unavailable)! - (sample(before, series.unavailable) ?? 0)).toBe(2);
  });

  it('an app counts the ECS attempts of its own client only, though the channel is process-wide', async () => {
    const other = await testGateway(upstream.url, { GATEWAY_METRICS: 'off' });
    try {
      upstream.reply = { body: { RequestId: ECS_REQUEST_ID, Regions: { Region: [] } } };
      const series = 'gateway_upstream_request_duration_seconds_count{action="DescribeRegions",code="OK"}';
      const before = sample(await metrics(), series) ?? 0;
      await request(other.app.server).get('/api/regions').query(CREDS).expect(200);
      await request(other.app.server).get('/api/regions').query(CREDS).expect(200);
      expect(upstream.requests.length).toBeGreaterThanOrEqual(2);
      expect(sample(await metrics(), series) ?? 0).toBe(before);
      await request(app.server).get('/api/regions').query(CREDS).expect(200);
      expect(sample(await metrics(), series)).toBe(before + 1);
    } finally {
      await other.app.close();
    }
  });

  it('counts every answer exactly, over many batches of observations and a partial one', async () => {
    const own = await testGateway(upstream.url);
    try {
      // 700: more than two full batches of observations (observe/metrics.ts, OBSERVE_BATCH: 256) and a partial one.
      for (let i = 0; i < 700; i++) expect((await own.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      const text = await metrics(own.app);
      const labels = 'method="GET",route="/healthz",status_code="200"';
      expect(sample(text, `gateway_http_request_duration_seconds_count{${labels}}`)).toBe(700);
      expect(sample(text, `gateway_http_request_duration_seconds_bucket{le="+Inf",${labels}}`)).toBe(700);
      expect(sample(text, `gateway_http_request_duration_seconds_sum{${labels}}`)).toBeGreaterThan(0);
      // Nothing is counted twice by a second scrape.
      expect(sample(await metrics(own.app), `gateway_http_request_duration_seconds_count{${labels}}`)).toBe(700);
    } finally {
      await own.app.close();
    }
  });

  it('counts an answer the router gave before any route ran (a malformed path) as unmatched', async () => {
    const own = await testGateway(upstream.url);
    try {
      const bad = await own.app.inject({ method: 'GET', url: '/api/instances/%E0%A4%A' });
      expect(bad.statusCode).toBe(400);
      const missing = await own.app.inject({ method: 'GET', url: '/no/such/route' });
      expect(missing.statusCode).toBe(404);
      const text = await metrics(own.app);
      expect(sample(text, 'gateway_http_request_duration_seconds_count{method="GET",route="unmatched",status_code="400"}')).toBe(1);
      expect(sample(text, 'gateway_http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"}')).toBe(1);
      expect(text).not.toContain('%E0');
    } finally {
      await own.app.close();
    }
  });

  it('counts the docs, the probes and HEAD requests under their own route patterns', async () => {
    // /readyz: the next test counts /healthz from zero.
    await request(app.server).get('/readyz').expect(200);
    await request(app.server).head('/readyz').expect(200);
    await request(app.server).get('/docs/json').expect(200);
    const text = await metrics();
    expect(sample(text, 'gateway_http_request_duration_seconds_count{method="GET",route="/readyz",status_code="200"}')).toBe(1);
    expect(sample(text, 'gateway_http_request_duration_seconds_count{method="HEAD",route="/readyz",status_code="200"}')).toBe(1);
    expect(sample(text, 'gateway_http_request_duration_seconds_count{method="GET",route="/docs/json",status_code="200"}')).toBe(1);
  });

  it('every app has its own registry: two apps in one process, each counts only its own requests', async () => {
    const other = await testGateway(upstream.url);
    try {
      await request(other.app.server).get('/healthz').expect(200);
      await request(other.app.server).get('/healthz').expect(200);
      await request(other.app.server).get('/healthz').expect(200);
      const series = 'gateway_http_request_duration_seconds_count{method="GET",route="/healthz",status_code="200"}';
      expect(sample(await metrics(other.app), series)).toBe(3);
      expect(sample(await metrics(app), series)).toBeUndefined();
    } finally {
      await other.app.close();
    }
  });

  it('stops listening to the attempts channel when the app closes', async () => {
    const own = await testGateway(upstream.url);
    // This file's app and `own` both listen.
    expect(upstreamAttempts.hasSubscribers).toBe(true);
    await own.app.close();
    await app.close();
    expect(upstreamAttempts.hasSubscribers).toBe(false);
    ({ app, logs } = await testGateway(upstream.url, { LOG_LEVEL: 'info' }));
  });

  it('is behind the gateway key when keys are set', async () => {
    const keyed = await testGateway(upstream.url, { GATEWAY_API_KEYS: KEY });
    try {
      const refused = await request(keyed.app.server).get('/metrics');
      expect(refused.status).toBe(401);
      expect(refused.body.error).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
      const ok = await request(keyed.app.server).get('/metrics').set('authorization', `Bearer ${KEY}`);
      expect(ok.status).toBe(200);
      expect(ok.text).toContain('gateway_http_request_duration_seconds');
      expect(ok.text).not.toContain(KEY);
    } finally {
      await keyed.app.close();
    }
  });

  it('reports the rate limiter\'s Redis: 1 connected, 0 once it is unreachable; absent without REDIS_URL', async () => {
    expect(await metrics()).not.toContain('gateway_rate_limit_redis_up');
    const redis = await startRedis();
    const limited = await testGateway(upstream.url, { GATEWAY_RATE_LIMIT_MAX: '1000', REDIS_URL: redis.url });
    try {
      // Synchronised on the gateway's own view of Redis, not on time.
      const until = async (state: string) => {
        for (let i = 0; i < 1000 && limited.app.rateLimitBackend().redis !== state; i++) await new Promise((r) => setTimeout(r, 20));
        expect(limited.app.rateLimitBackend().redis).toBe(state);
      };
      await until('ok');
      expect(sample(await metrics(limited.app), 'gateway_rate_limit_redis_up')).toBe(1);
      await redis.kill();
      await until('down');
      expect(sample(await metrics(limited.app), 'gateway_rate_limit_redis_up')).toBe(0);
    } finally {
      await limited.app.close();
      await redis.stop();
    }
  });

  it('GATEWAY_METRICS=off: no /metrics and nothing listens to the attempts channel', async () => {
    await app.close();
    const off = await testGateway(upstream.url, { GATEWAY_METRICS: 'off' });
    try {
      expect(upstreamAttempts.hasSubscribers).toBe(false);
      const res = await request(off.app.server).get('/metrics');
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    } finally {
      await off.app.close();
      ({ app, logs } = await testGateway(upstream.url, { LOG_LEVEL: 'info' }));
    }
  });
});

type LogLine = { msg: string; reqId?: string; ecsRequestId?: string; res?: { statusCode: number } };
const completion = (reqId: string) => logs.lines.map((l) => JSON.parse(l) as LogLine).filter((l) => l.reqId === reqId && l.msg === 'request completed');

describe('x-request-id and the ECS RequestId', () => {
  it('echoes a valid incoming x-request-id and logs it with the ECS RequestId on the completion line', async () => {
    upstream.reply = { body: { RequestId: ECS_REQUEST_ID, Regions: { Region: [] } } };
    const res = await request(app.server).get('/api/regions').query(CREDS).set('x-request-id', 'caller-trace.42:abc_DEF-9');
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('caller-trace.42:abc_DEF-9');
    expect(completion('caller-trace.42:abc_DEF-9')).toEqual([expect.objectContaining({ ecsRequestId: ECS_REQUEST_ID, res: { statusCode: 200 } })]);
  });

  it('logs the ECS RequestId of an ECS error too', async () => {
    upstream.reply = { status: 404, body: { RequestId: 'ERR-REQUEST-ID-0001', Code: 'InvalidInstanceId.NotFound', Message: 'The specified InstanceId does not exist.' } };
    const res = await request(app.server).get('/api/instances/i-notthere0001').query({ ...CREDS, regionId: 'cn-hangzhou' });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('InvalidInstanceId.NotFound');
    const id = res.headers['x-request-id'] as string;
    expect(completion(id)).toEqual([expect.objectContaining({ ecsRequestId: 'ERR-REQUEST-ID-0001', res: { statusCode: 404 } })]);
  });

  it('a request that did not reach ECS logs no ecsRequestId', async () => {
    const res = await request(app.server).get('/healthz');
    const res2 = await request(app.server).get('/api/zones').query(CREDS);
    expect(res2.status).toBe(400);
    for (const id of [res.headers['x-request-id'] as string, res2.headers['x-request-id'] as string]) {
      for (const line of logs.lines.map((l) => JSON.parse(l) as LogLine).filter((l) => l.reqId === id)) expect(line).not.toHaveProperty('ecsRequestId');
    }
  });

  it.each([
    ['a newline (log injection)', 'abc\n{"level":60,"msg":"forged"}'],
    ['quotes and spaces', 'a" b'],
    ['too long', 'x'.repeat(129)],
    ['empty', ''],
  ])('replaces an invalid incoming x-request-id (%s) with its own, and never logs it', async (_what, bad) => {
    logs.lines.length = 0;
    // Node refuses to send a header with a newline; inject does not check. /api/zones without regionId is a
    // 400, logged at info.
    const res = await app.inject({ method: 'GET', url: `/api/zones?accessKeyId=${CREDS.accessKeyId}`, headers: { 'x-request-id': bad } });
    expect(res.statusCode).toBe(400);
    expect(logs.lines.length).toBeGreaterThan(0);
    const id = res.headers['x-request-id'] as string;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    if (bad !== '') expect(logs.text).not.toContain(bad);
    expect(logs.text).not.toContain('forged');
  });
});
