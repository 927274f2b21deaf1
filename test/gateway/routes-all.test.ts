import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/gateway/app.js';
import { loadConfig } from '../../src/gateway/config.js';
import { CREDS, FIXED_DATE, FIXED_NONCE, LogCapture } from '../support/gateway.js';
import { businessParams, FakeUpstream, gate, qs, type CapturedRequest, type UpstreamReply } from '../support/upstream.js';

/**
 * all=true and maxItems on the list routes and on POST /api/ecs/{Action} (query string), JSON and NDJSON:
 * the exact wire params of every page, the answer's shape, the caps, the 400s, throttling back-off with an
 * injected sleep, a mid-stream error line, and a client that disconnects stopping the paging.
 */

const instances = (n: number) => Array.from({ length: n }, (_, i) => ({ InstanceId: `i-${String(i + 1).padStart(4, '0')}`, Status: 'Running' }));
const keyPairs = (n: number) => Array.from({ length: n }, (_, i) => ({ KeyPairName: `kp-${i + 1}` }));

/** An upstream with `count` instances (NextToken: offset tokens) and key pairs (PageNumber); `hook` may answer first. */
function ecsLike(data: { instances: number; keyPairs: number }, hook?: (req: CapturedRequest, n: number) => UpstreamReply | undefined) {
  let n = 0;
  const all = { instances: instances(data.instances), keyPairs: keyPairs(data.keyPairs) };
  return (req: CapturedRequest): UpstreamReply => {
    n++;
    const early = hook?.(req, n);
    if (early) return early;
    const p = req.params;
    const RequestId = `req-${n}`;
    if (req.action === 'DescribeInstances') {
      const size = Number(p.MaxResults ?? 10);
      const offset = p.NextToken ? Number(p.NextToken.replace('tok-', '')) : 0;
      const end = offset + size;
      return { headers: { 'x-acs-trace-id': `trace-page-${n}` }, body: { RequestId, Instances: { Instance: all.instances.slice(offset, end) }, NextToken: end < all.instances.length ? `tok-${end}` : '', TotalCount: all.instances.length, MaxResults: size } };
    }
    if (req.action === 'DescribeKeyPairs') {
      const size = Number(p.PageSize ?? 10);
      const page = Number(p.PageNumber ?? 1);
      return { body: { RequestId, KeyPairs: { KeyPair: all.keyPairs.slice((page - 1) * size, page * size) }, PageNumber: page, PageSize: size, TotalCount: all.keyPairs.length } };
    }
    return { status: 400, body: { Code: 'InvalidAction', Message: 'no', RequestId } };
  };
}

const HEADERS = { 'x-access-key-id': CREDS.accessKeyId, 'x-access-key-secret': CREDS.accessKeySecret };
const bodyOf = (res: request.Response) => res.body.data.value.body as Record<string, unknown>;
const wire = (sent: CapturedRequest[]) => sent.map(businessParams);

let upstream: FakeUpstream;
let app: FastifyInstance;
let logs: LogCapture;
const sleeps: number[] = [];
let clock = 0;

async function gateway(env: Record<string, string> = {}) {
  const capture = new LogCapture();
  // ECS_MAX_RETRIES=0: the job's own limiter is under test here, not the client's retries of one call.
  const config = loadConfig({ ECS_UPSTREAM_URL: upstream.url, LOG_LEVEL: 'debug', ECS_TIMEOUT_MS: '60000', ECS_MAX_RETRIES: '0', ...env }, { homeDir: '/nonexistent' });
  const built = await buildApp({
    config, logStream: capture, now: () => FIXED_DATE, nonce: () => FIXED_NONCE,
    // A fake clock that the injected sleep advances: no test waits on wall-clock time.
    jobs: { sleep: async (ms) => { sleeps.push(ms); clock += ms; }, now: () => clock, random: () => 0 },
  });
  await built.ready();
  return { app: built, logs: capture };
}

beforeAll(async () => {
  upstream = await new FakeUpstream().start();
  ({ app, logs } = await gateway({ GATEWAY_MAX_ITEMS: '1000', GATEWAY_FANOUT_CONCURRENCY: '4' }));
});
afterAll(async () => {
  await app?.close();
  await upstream?.close();
});
beforeEach(() => {
  sleeps.length = 0;
});

describe('all=true, JSON', () => {
  it('GET /api/instances?all=true follows NextToken at MaxResults=100: every item, TotalCount, every RequestId, the last page\'s headers', async () => {
    upstream.reply = ecsLike({ instances: 250, keyPairs: 0 });
    const { res, sent } = await upstream.exchange(request(app.server).get(`/api/instances?${qs({ regionId: 'cn-hangzhou', status: 'Running', all: 'true' })}`).set(HEADERS));
    expect(res.status).toBe(200);
    expect(wire(sent)).toEqual([
      { RegionId: 'cn-hangzhou', Status: 'Running', MaxResults: '100' },
      { RegionId: 'cn-hangzhou', Status: 'Running', MaxResults: '100', NextToken: 'tok-100' },
      { RegionId: 'cn-hangzhou', Status: 'Running', MaxResults: '100', NextToken: 'tok-200' },
    ]);
    const body = bodyOf(res);
    expect(body).toEqual({
      RequestId: 'req-1', Instances: { Instance: instances(250) }, TotalCount: 250, RequestIds: ['req-1', 'req-2', 'req-3'], Truncated: false,
    });
    // The envelope's headers are the last page's.
    expect(res.body.data.value.headers['x-acs-trace-id']).toBe('trace-page-3');
  });

  it('maxItems stops the job: the list is cut, Truncated is true, no page after it is fetched; the caller\'s maxResults is the page size', async () => {
    upstream.reply = ecsLike({ instances: 250, keyPairs: 0 });
    const { res, sent } = await upstream.exchange(request(app.server).get(`/api/instances?${qs({ regionId: 'cn-hangzhou', all: 'true', maxItems: '45', maxResults: '20' })}`).set(HEADERS));
    expect(res.status).toBe(200);
    expect(wire(sent).map((p) => [p.MaxResults, p.NextToken])).toEqual([['20', undefined], ['20', 'tok-20'], ['20', 'tok-40']]);
    expect(bodyOf(res)).toMatchObject({ Instances: { Instance: instances(45) }, TotalCount: 250, Truncated: true, RequestIds: ['req-1', 'req-2', 'req-3'] });
  });

  it('GATEWAY_MAX_ITEMS is the default cap (1000 here) and the upper limit of maxItems', async () => {
    upstream.reply = ecsLike({ instances: 1500, keyPairs: 0 });
    const { res, sent } = await upstream.exchange(request(app.server).get(`/api/instances?${qs({ regionId: 'cn-hangzhou', all: 'true' })}`).set(HEADERS));
    expect(sent).toHaveLength(10);
    expect(bodyOf(res)).toMatchObject({ TotalCount: 1500, Truncated: true });
    expect((bodyOf(res).Instances as { Instance: unknown[] }).Instance).toHaveLength(1000);
    const { res: over, sent: none } = await upstream.exchange(request(app.server).get(`/api/instances?${qs({ regionId: 'cn-hangzhou', all: 'true', maxItems: '1001' })}`).set(HEADERS));
    expect(over.status).toBe(400);
    expect(over.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ location: 'querystring', field: 'maxItems', message: 'must be at most 1000 (GATEWAY_MAX_ITEMS)' }] });
    expect(none).toEqual([]);
  });

  it('PageNumber actions: page 1, then the other pages in parallel at PageSize=50, in order', async () => {
    upstream.reply = ecsLike({ instances: 0, keyPairs: 120 });
    const { res, sent } = await upstream.exchange(request(app.server).get(`/api/key-pairs?${qs({ regionId: 'cn-beijing', all: 'true' })}`).set(HEADERS));
    expect(res.status).toBe(200);
    expect(wire(sent)[0]).toEqual({ RegionId: 'cn-beijing', PageSize: '50', PageNumber: '1' });
    expect(wire(sent).slice(1).sort((a, b) => Number(a.PageNumber) - Number(b.PageNumber))).toEqual([
      { RegionId: 'cn-beijing', PageSize: '50', PageNumber: '2' },
      { RegionId: 'cn-beijing', PageSize: '50', PageNumber: '3' },
    ]);
    const body = bodyOf(res);
    expect(body.KeyPairs).toEqual({ KeyPair: keyPairs(120) });
    expect(body).toMatchObject({ TotalCount: 120, Truncated: false });
    expect(body).not.toHaveProperty('PageNumber');
    expect((body.RequestIds as string[])).toHaveLength(3);
  });

  it('PageNumber pages are fetched at once: pages 2 and 3 both reach ECS before either answers', async () => {
    const g = gate();
    upstream.reply = ecsLike({ instances: 0, keyPairs: 150 }, (req) => (req.params.PageNumber !== '1' ? { ...ecsLike({ instances: 0, keyPairs: 150 })(req), until: g.promise } : undefined));
    const before = upstream.requests.length;
    const pending = request(app.server).get(`/api/key-pairs?${qs({ regionId: 'cn-hangzhou', all: 'true' })}`).set(HEADERS).then((r) => r);
    await upstream.received(before + 3);
    expect(upstream.requests.slice(before).map((r) => r.params.PageNumber).sort()).toEqual(['1', '2', '3']);
    g.open();
    const res = await pending;
    expect((bodyOf(res).KeyPairs as { KeyPair: unknown[] }).KeyPair).toEqual(keyPairs(150));
  });

  it('POST /api/ecs/DescribeInstances?all=true&maxItems=150: the options in the query string, the ECS parameters in the body', async () => {
    upstream.reply = ecsLike({ instances: 300, keyPairs: 0 });
    const { res, sent } = await upstream.exchange(request(app.server).post('/api/ecs/DescribeInstances?all=true&maxItems=150').set(HEADERS)
      .send({ RegionId: 'cn-hangzhou', InstanceChargeType: 'PostPaid' }));
    expect(res.status).toBe(200);
    expect(wire(sent)).toEqual([
      { RegionId: 'cn-hangzhou', InstanceChargeType: 'PostPaid', MaxResults: '100' },
      { RegionId: 'cn-hangzhou', InstanceChargeType: 'PostPaid', MaxResults: '100', NextToken: 'tok-100' },
    ]);
    expect(bodyOf(res)).toMatchObject({ Instances: { Instance: instances(150) }, TotalCount: 300, Truncated: true, RequestIds: ['req-1', 'req-2'] });
  });

  it('without all=true the routes call once, as before', async () => {
    upstream.reply = ecsLike({ instances: 250, keyPairs: 0 });
    const { res, sent } = await upstream.exchange(request(app.server).post('/api/ecs/DescribeInstances?all=false').set(HEADERS).send({ RegionId: 'cn-hangzhou' }));
    expect(res.status).toBe(200);
    expect(wire(sent)).toEqual([{ RegionId: 'cn-hangzhou' }]);
  });
});

describe('all=true: the 400s', () => {
  const cases: Array<[string, () => request.Test, string, string]> = [
    ['an action that changes things', () => request(app.server).post('/api/ecs/StopInstances?all=true').set(HEADERS).send({ RegionId: 'cn-hangzhou', InstanceId: ['i-1'] }), 'VALIDATION_FAILED', 'all=true applies to read-only actions with paging'],
    ['a read-only action without paging', () => request(app.server).post('/api/ecs/DescribeRegions?all=true').set(HEADERS).send({}), 'VALIDATION_FAILED', 'DescribeRegions is not one'],
    ['maxItems without all=true', () => request(app.server).post('/api/ecs/DescribeInstances?maxItems=5').set(HEADERS).send({ RegionId: 'cn-hangzhou' }), 'VALIDATION_FAILED', 'querystring.maxItems: applies only with all=true'],
    ['all=maybe', () => request(app.server).post('/api/ecs/DescribeInstances?all=maybe').set(HEADERS).send({ RegionId: 'cn-hangzhou' }), 'VALIDATION_FAILED', 'querystring.all'],
    ['maxItems=0', () => request(app.server).get(`/api/instances?${qs({ regionId: 'cn-hangzhou', all: 'true', maxItems: '0' })}`).set(HEADERS), 'VALIDATION_FAILED', 'maxItems'],
    ['all=true with nextToken', () => request(app.server).get(`/api/instances?${qs({ regionId: 'cn-hangzhou', all: 'true', nextToken: 'tok-100' })}`).set(HEADERS), 'CONFLICTING_FIELDS', 'leave out nextToken'],
    ['all=true with PageNumber (generic)', () => request(app.server).post('/api/ecs/DescribeKeyPairs?all=true').set(HEADERS).send({ RegionId: 'cn-hangzhou', PageNumber: 2 }), 'CONFLICTING_FIELDS', 'leave out pageNumber'],
    ['all on a route that does not list (a lookup)', () => request(app.server).get(`/api/instances/i-1?${qs({ regionId: 'cn-hangzhou', all: 'true' })}`).set(HEADERS), 'VALIDATION_FAILED', 'all'],
  ];
  it.each(cases)('%s: 400, nothing sent upstream', async (_name, send, code, message) => {
    const { res, sent } = await upstream.exchange(send());
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toContain(message);
    expect(typeof res.body.error.requestId).toBe('string');
    expect(sent).toEqual([]);
  });
});

describe('all=true within ECS limits', () => {
  it('Throttling.User on a page: the job waits x-acs-retry-after (injected sleep), retries the same page, and completes', async () => {
    let throttled = 0;
    upstream.reply = ecsLike({ instances: 250, keyPairs: 0 }, (req) => {
      if (req.params.NextToken === 'tok-100' && throttled < 2) {
        throttled++;
        return { status: 400, headers: { 'x-acs-retry-after': '1500' }, body: { Code: 'Throttling.User', Message: 'Request was denied due to user flow control.', RequestId: `thr-${throttled}` } };
      }
      return undefined;
    });
    const { res, sent } = await upstream.exchange(request(app.server).get(`/api/instances?${qs({ regionId: 'cn-hangzhou', all: 'true' })}`).set(HEADERS));
    expect(res.status).toBe(200);
    expect(wire(sent).map((p) => p.NextToken)).toEqual([undefined, 'tok-100', 'tok-100', 'tok-100', 'tok-200']);
    // ECS's x-acs-retry-after, to the millisecond (the caller-facing retry-after header would round it up to 2 s).
    expect(sleeps).toEqual([1500, 1500]);
    expect(logs.lines.filter((l) => l.includes('all=true: throttled by ECS; backing off') && l.includes('"delayMs":1500'))).toHaveLength(2);
    expect((bodyOf(res).Instances as { Instance: unknown[] }).Instance).toHaveLength(250);
  });

  it('an ECS error on a later page is the answer (JSON): its status and code, no partial list', async () => {
    upstream.reply = ecsLike({ instances: 250, keyPairs: 0 }, (req) => (req.params.NextToken === 'tok-200'
      ? { status: 403, body: { Code: 'Forbidden.RAM', Message: 'User not authorized', RequestId: 'err-1' } } : undefined));
    const res = await request(app.server).get(`/api/instances?${qs({ regionId: 'cn-hangzhou', all: 'true' })}`).set(HEADERS);
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'Forbidden.RAM', ecsRequestId: 'err-1' });
  });
});

/** Reads an NDJSON answer to its end. */
async function ndjson(path: string, method: 'GET' | 'POST' = 'GET', body?: unknown) {
  let req = (method === 'GET' ? request(app.server).get(path) : request(app.server).post(path).send(body as object))
    .set(HEADERS).set('accept', 'application/x-ndjson').buffer(true).parse((res, done) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => done(null, text));
    });
  req = req.ok(() => true);
  const res = await req;
  const lines = (res.body as string).split('\n');
  expect(lines.at(-1)).toBe('');
  return { res, lines: lines.slice(0, -1).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('all=true with Accept: application/x-ndjson', () => {
  it('one item per line, then the summary line', async () => {
    upstream.reply = ecsLike({ instances: 230, keyPairs: 0 });
    const { res, lines } = await ndjson(`/api/instances?${qs({ regionId: 'cn-hangzhou', all: 'true' })}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(lines.slice(0, -1)).toEqual(instances(230));
    expect(lines.at(-1)).toEqual({ summary: { totalCount: 230, items: 230, pages: 3, truncated: false, requestIds: ['req-1', 'req-2', 'req-3'] } });
  });

  it('maxItems on the generic route, as a stream', async () => {
    upstream.reply = ecsLike({ instances: 0, keyPairs: 140 });
    const { lines } = await ndjson('/api/ecs/DescribeKeyPairs?all=true&maxItems=60', 'POST', { RegionId: 'cn-hangzhou' });
    expect(lines.slice(0, -1)).toEqual(keyPairs(60));
    expect(lines.at(-1)).toMatchObject({ summary: { totalCount: 140, items: 60, pages: 2, truncated: true } });
  });

  it('a failure mid-stream ends the stream with one error line in the gateway shape (the 200 was already sent), logged', async () => {
    upstream.reply = ecsLike({ instances: 250, keyPairs: 0 }, (req) => (req.params.NextToken === 'tok-200'
      ? { status: 403, body: { Code: 'Forbidden.RAM', Message: 'User not authorized', RequestId: 'err-2' } } : undefined));
    const { res, lines } = await ndjson(`/api/instances?${qs({ regionId: 'cn-hangzhou', all: 'true' })}`);
    expect(res.status).toBe(200);
    expect(lines).toHaveLength(201);
    expect(lines.slice(0, 200)).toEqual(instances(200));
    expect(lines[200]).toEqual({ error: { code: 'Forbidden.RAM', message: 'User not authorized', status: 403, requestId: res.headers['x-request-id'], ecsRequestId: 'err-2' } });
    expect(logs.lines.some((l) => l.includes('"all=true: the stream ended with an error line"') && l.includes('Forbidden.RAM'))).toBe(true);
  });

  it('a failure on the first page is an ordinary error answer, not a stream', async () => {
    upstream.reply = { status: 403, body: { Code: 'Forbidden.RAM', Message: 'User not authorized', RequestId: 'err-3' } };
    const res = await request(app.server).get(`/api/instances?${qs({ regionId: 'cn-hangzhou', all: 'true' })}`).set(HEADERS).set('accept', 'application/x-ndjson');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('Forbidden.RAM');
  });

  it('a client that disconnects stops the paging: no upstream call after it', async () => {
    const g = gate();
    upstream.reply = ecsLike({ instances: 1000, keyPairs: 0 }, (req) => (req.params.NextToken === 'tok-100'
      ? { ...ecsLike({ instances: 1000, keyPairs: 0 })({ ...req, params: { ...req.params } } as CapturedRequest), until: g.promise } : undefined));
    const before = upstream.requests.length;
    if (!app.server.listening) await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const firstLine = await new Promise<string>((resolve, reject) => {
      const req = http.get({ port, host: '127.0.0.1', path: `/api/instances?${qs({ regionId: 'cn-hangzhou', all: 'true' })}`, headers: { ...HEADERS, accept: 'application/x-ndjson' } }, (res) => {
        res.setEncoding('utf8');
        res.once('data', (chunk: string) => {
          resolve(chunk.split('\n')[0]!);
          req.destroy();
        });
      });
      req.on('error', () => undefined);
      req.on('timeout', reject);
    });
    expect(JSON.parse(firstLine)).toEqual(instances(1)[0]);
    // The gateway saw the disconnect (an event it logs), then page 2 answers: page 3 must never be asked for.
    await vi.waitFor(() => expect(logs.text).toContain('the client closed the connection; paging stopped'), { timeout: 10_000, interval: 5 });
    g.open();
    await vi.waitFor(() => expect(logs.lines.filter((l) => l.includes('all=true: job ended')).length).toBeGreaterThan(0), { timeout: 10_000, interval: 5 });
    expect(upstream.requests.slice(before).map((r) => r.params.NextToken)).toEqual([undefined, 'tok-100']);
  });
});

describe('secrets', () => {
  it('never logs the access key secret of a paged job', async () => {
    upstream.reply = ecsLike({ instances: 250, keyPairs: 0 });
    const res = await request(app.server).get(`/api/instances?${qs({ regionId: 'cn-hangzhou', all: 'true', accessKeyId: CREDS.accessKeyId, accessKeySecret: CREDS.accessKeySecret })}`);
    expect(res.status).toBe(200);
    await ndjson(`/api/instances?${qs({ regionId: 'cn-hangzhou', all: 'true' })}`);
    expect(logs.text).not.toContain(CREDS.accessKeySecret);
  });
});
