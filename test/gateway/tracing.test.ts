import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/gateway/app.js';
import { ConfigError, loadConfig } from '../../src/gateway/config.js';
import { CREDS, FIXED_DATE, FIXED_NONCE, LogCapture, testGateway } from '../support/gateway.js';
import { FakeUpstream } from '../support/upstream.js';

const ECS_REQUEST_ID = 'A1B2C3D4-0000-4000-8000-0000000000EE';
const SECRET_HEADER = 'header-secret-never-traced-1234';

let upstream: FakeUpstream;
let app: FastifyInstance;
const exporter = new InMemorySpanExporter();

async function tracedGateway(spanExporter: InMemorySpanExporter, env: Record<string, string> = {}): Promise<FastifyInstance> {
  const config = loadConfig({ ECS_UPSTREAM_URL: upstream.url, LOG_LEVEL: 'silent', ECS_TIMEOUT_MS: '60000', ...env }, { homeDir: '/nonexistent' });
  const built = await buildApp({ config, logStream: new LogCapture(), now: () => FIXED_DATE, nonce: () => FIXED_NONCE, spanExporter });
  await built.ready();
  return built;
}

beforeAll(async () => {
  upstream = await new FakeUpstream().start();
  app = await tracedGateway(exporter);
});
afterAll(async () => { await app.close(); await upstream.close(); });

/** The spans of one trace, once the request span (the last to end) is exported. */
function traceOf(traceId: string): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
}
const requestSpan = (spans: ReadableSpan[]) => spans.find((s) => s.name === 'request')!;
const attemptSpans = (spans: ReadableSpan[]) => spans.filter((s) => s.name.startsWith('ECS '));

describe('tracing (in-memory exporter)', () => {
  it('a request span for the route, and a child CLIENT span per ECS attempt with its action, attempt, code and RequestId', async () => {
    exporter.reset();
    upstream.reply = { body: { RequestId: ECS_REQUEST_ID, Regions: { Region: [] } } };
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const res = await request(app.server).get('/api/regions')
      .set('traceparent', `00-${traceId}-b7ad6b7169203331-01`)
      .set('x-access-key-id', CREDS.accessKeyId).set('x-access-key-secret', SECRET_HEADER);
    expect(res.status).toBe(200);
    const spans = traceOf(traceId);
    const root = requestSpan(spans);
    expect(root.attributes).toMatchObject({
      'http.route': '/api/regions', 'http.request.method': 'GET', 'http.response.status_code': 200,
      'url.path': '/api/regions', 'ecs.request_id': ECS_REQUEST_ID, 'gateway.request_id': res.headers['x-request-id'],
    });
    // The incoming traceparent is the parent of the request span.
    expect(root.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    const [attempt, ...more] = attemptSpans(spans);
    expect(more).toEqual([]);
    expect(attempt!.name).toBe('ECS DescribeRegions');
    expect(attempt!.kind).toBe(2); // SpanKind.CLIENT
    expect(attempt!.attributes).toMatchObject({
      'ecs.action': 'DescribeRegions', 'ecs.attempt': 1, 'ecs.code': 'OK', 'ecs.request_id': ECS_REQUEST_ID,
      'ecs.throttled': false, 'ecs.will_retry': false, 'http.response.status_code': 200,
    });
    // A descendant of the request span, within the same trace.
    const ids = new Set(spans.map((s) => s.spanContext().spanId));
    expect(ids.has(attempt!.parentSpanContext!.spanId)).toBe(true);
    expect(JSON.stringify(spans.map((s) => [s.name, s.attributes, s.status, s.events]))).not.toContain(SECRET_HEADER);
  });

  it('an ECS error: the attempt span has the ECS code and status ERROR; no secret anywhere in the trace', async () => {
    exporter.reset();
    upstream.reply = { status: 404, body: { RequestId: 'ERR-0000-TRACE', Code: 'InvalidInstanceId.NotFound', Message: 'The specified InstanceId does not exist.' } };
    const res = await request(app.server).get('/api/instances/i-traced00001').query({ ...CREDS, regionId: 'cn-hangzhou', extraSecretLookingName: 'x' });
    expect(res.status).toBe(400);
    const res2 = await request(app.server).get('/api/instances/i-traced00001').query({ ...CREDS, regionId: 'cn-hangzhou' });
    expect(res2.status).toBe(404);
    const spans = exporter.getFinishedSpans();
    const attempt = attemptSpans(spans).find((s) => s.attributes['ecs.code'] === 'InvalidInstanceId.NotFound')!;
    expect(attempt.attributes).toMatchObject({ 'ecs.action': 'DescribeInstances', 'ecs.request_id': 'ERR-0000-TRACE', 'ecs.region_id': 'cn-hangzhou', 'http.response.status_code': 404 });
    expect(attempt.status.code).toBe(2); // SpanStatusCode.ERROR
    const text = JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes, status: s.status, events: s.events, resource: s.resource.attributes })));
    expect(text).not.toContain(CREDS.accessKeySecret);
    expect(text).not.toContain(CREDS.accessKeyId);
    expect(text).not.toContain('extraSecretLookingName');
    expect(text).not.toContain('?');
  });

  it('requests that make no ECS call have a request span and no attempt span', async () => {
    exporter.reset();
    await request(app.server).get('/healthz').expect(200);
    const spans = exporter.getFinishedSpans();
    expect(requestSpan(spans).attributes['http.route']).toBe('/healthz');
    expect(attemptSpans(spans)).toEqual([]);
  });

  it('two traced apps in one process: each traces only its own ECS attempts', async () => {
    const otherExporter = new InMemorySpanExporter();
    const other = await tracedGateway(otherExporter);
    try {
      exporter.reset();
      upstream.reply = { body: { RequestId: 'OTHER-APP-REQ', Regions: { Region: [] } } };
      await request(other.server).get('/api/regions').query(CREDS).expect(200);
      expect(attemptSpans(otherExporter.getFinishedSpans()).map((s) => s.attributes['ecs.request_id'])).toEqual(['OTHER-APP-REQ']);
      expect(exporter.getFinishedSpans()).toEqual([]);
    } finally {
      await other.close();
    }
  });
});

describe('tracing configuration (OTEL_* variables)', () => {
  const cfg = (env: Record<string, string>) => loadConfig({ ...env }, { homeDir: '/nonexistent' }).tracing;
  it('is off unless configured', () => {
    expect(cfg({}).exporter).toBe('off');
    expect(cfg({ OTEL_SERVICE_NAME: 'x' }).exporter).toBe('off');
  });
  it('an OTLP endpoint turns OTLP export on; OTEL_TRACES_EXPORTER and OTEL_SDK_DISABLED decide first', () => {
    expect(cfg({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toEqual({ exporter: 'otlp', serviceName: 'ecs-gateway', otlpUrl: 'http://collector:4318/v1/traces' });
    expect(cfg({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/custom', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://other:1' }).otlpUrl).toBe('http://c:4318/custom');
    expect(cfg({ OTEL_TRACES_EXPORTER: 'console' }).exporter).toBe('console');
    expect(cfg({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SERVICE_NAME: 'gw-eu' })).toEqual({ exporter: 'otlp', serviceName: 'gw-eu', otlpUrl: undefined });
    expect(cfg({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).exporter).toBe('off');
    expect(cfg({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).exporter).toBe('off');
  });
  it('refuses an unknown exporter or a malformed endpoint', () => {
    expect(() => cfg({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(ConfigError);
    expect(() => cfg({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/OTEL_TRACES_EXPORTER: must be otlp, console or none/);
    expect(() => cfg({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/must be an http:\/\/ or https:\/\/ URL/);
    expect(() => cfg({ OTEL_SDK_DISABLED: 'yes' })).toThrow(/OTEL_SDK_DISABLED/);
  });
});

describe('OTLP/HTTP export', () => {
  let collector: Server;
  const received: { url: string; contentType: string; body: Buffer }[] = [];
  beforeAll(async () => {
    collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ url: req.url ?? '', contentType: String(req.headers['content-type']), body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => { await new Promise((resolve) => collector.close(resolve)); });

  it('sends the spans to OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces (flushed when the app closes)', async () => {
    const { port } = collector.address() as AddressInfo;
    const { app: exporting } = await testGateway(upstream.url, { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_SERVICE_NAME: 'gw-under-test' });
    upstream.reply = { body: { RequestId: 'OTLP-EXPORTED-REQ', Regions: { Region: [] } } };
    await request(exporting.server).get('/api/regions').query(CREDS).expect(200);
    await exporting.close();
    expect(received.length).toBeGreaterThanOrEqual(1);
    expect(received[0]!.url).toBe('/v1/traces');
    expect(received[0]!.contentType).toBe('application/json');
    const body = received.map((r) => r.body.toString('utf8')).join('\n');
    expect(JSON.parse(received[0]!.body.toString('utf8'))).toHaveProperty('resourceSpans');
    for (const expected of ['gw-under-test', 'ECS DescribeRegions', 'OTLP-EXPORTED-REQ', '/api/regions']) expect(body).toContain(expected);
    expect(body).not.toContain(CREDS.accessKeySecret);
  });
});
