/**
 * GET /api/inventory/{kind} over HTTP, in front of a fake ECS that serves a small fleet region by region:
 * the JSON answer, the groupBy variants, zero-count regions, partial and total failure, CSV, the regions
 * list, a policy-limited key, and the exact wire parameters sent. Secrets never reach the log.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CREDS, type LogCapture, testGateway } from '../support/gateway.js';
import { businessParams, FakeUpstream, gate, type CapturedRequest, type UpstreamReply } from '../support/upstream.js';

type Item = Record<string, unknown>;
/** Per region: its instances, or the ECS error it answers with. */
type Fleet = Record<string, Item[] | { status: number; code: string; message: string }>;

const vm = (id: string, regionId: string, extra: Item = {}): Item => ({
  InstanceId: id, RegionId: regionId, ZoneId: `${regionId}-a`, InstanceName: `name-${id}`, Status: 'Running', InstanceType: 'ecs.g7.large',
  VpcAttributes: { VpcId: 'vpc-1', PrivateIpAddress: { IpAddress: ['172.16.0.1'] } }, PublicIpAddress: { IpAddress: [] },
  CreationTime: '2026-11-01T00:00Z', ...extra,
});

/** A fake ECS answering DescribeRegions and DescribeInstances (PageNumber/PageSize) from `fleet`. */
function ecs(fleet: Fleet) {
  return (req: CapturedRequest): UpstreamReply => {
    const p = req.params;
    if (req.action === 'DescribeRegions') {
      return { body: { RequestId: 'R-REGIONS', Regions: { Region: Object.keys(fleet).map((RegionId) => ({ RegionId, LocalName: RegionId })) } } };
    }
    const region = fleet[p.RegionId ?? ''];
    if (region === undefined) return { status: 400, body: { RequestId: 'R-X', Code: 'InvalidRegionId.NotFound', Message: 'The specified region does not exist.' } };
    if (!Array.isArray(region)) return { status: region.status, body: { RequestId: 'R-ERR', HostId: 'ecs.aliyuncs.com', Code: region.code, Message: region.message } };
    const size = Number(p.PageSize ?? 10);
    const page = Number(p.PageNumber ?? 1);
    const list = region.slice((page - 1) * size, page * size);
    const key = req.action === 'DescribeDisks' ? ['Disks', 'Disk'] : ['Instances', 'Instance'];
    return { body: { RequestId: `R-${p.RegionId}-${page}`, [key[0]!]: { [key[1]!]: list }, TotalCount: region.length, PageNumber: page, PageSize: size } };
  };
}

const HANGZHOU: Item[] = [
    vm('i-1', 'cn-hangzhou'),
    vm('i-2', 'cn-hangzhou', { Status: 'Stopped', Tags: { Tag: [{ TagKey: 'env', TagValue: 'prod' }] } }),
    vm('i-3', 'cn-hangzhou', { InstanceType: 'ecs.t6-c1m1.large' }),
];
const BEIJING: Item[] = [vm('i-4', 'cn-beijing', { Tags: { Tag: [{ TagKey: 'env', TagValue: 'dev' }] }, VpcAttributes: { VpcId: 'vpc-2' } })];
const FLEET: Fleet = { 'cn-hangzhou': HANGZHOU, 'cn-qingdao': [], 'cn-beijing': BEIJING };

const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');
const API_KEYS = { beijing: 'beijing-key-0123456789abcdef', all: 'all-regions-key-0123456789ab', disksOnly: 'disks-only-key-0123456789ab' } as const;

let app: FastifyInstance;
let logs: LogCapture;
let upstream: FakeUpstream;
let dir = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'routes-inventory-'));
  writeFileSync(join(dir, 'policy.json'), JSON.stringify({
    keys: [
      { name: 'beijing', sha256: sha256(API_KEYS.beijing), allow: ['Describe*'], regions: ['cn-beijing', 'cn-qingdao'] },
      { name: 'all', sha256: sha256(API_KEYS.all), allow: ['*'] },
      { name: 'disks-only', sha256: sha256(API_KEYS.disksOnly), allow: ['DescribeRegions', 'DescribeDisks'] },
    ],
  }));
  upstream = await new FakeUpstream().start();
  ({ app, logs } = await testGateway(upstream.url, { GATEWAY_ACCESS_POLICY_FILE: join(dir, 'policy.json') }));
});
afterAll(async () => {
  await app.close();
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  upstream.reply = ecs(FLEET);
});

const get = (path: string, key: string = API_KEYS.all) =>
  request(app.server).get(path).set('authorization', `Bearer ${key}`)
    .set('x-access-key-id', CREDS.accessKeyId).set('x-access-key-secret', CREDS.accessKeySecret);

describe('GET /api/inventory/instances', () => {
  it('lists every region (DescribeRegions), every page, and counts by region: zeros included, items in region order', async () => {
    const { res, sent } = await upstream.exchange(get('/api/inventory/instances'));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      kind: 'instances', total: 4, groupBy: 'region',
      groups: { 'cn-hangzhou': 3, 'cn-qingdao': 0, 'cn-beijing': 1 },
      regions: { ok: ['cn-hangzhou', 'cn-qingdao', 'cn-beijing'], failed: [] },
      items: [...HANGZHOU, ...BEIJING],
    });
    // DescribeRegions first, then one DescribeInstances per region at the largest page size, PageNumber paging.
    expect(sent[0]!.action).toBe('DescribeRegions');
    expect(businessParams(sent[0]!)).toEqual({});
    const pages: Array<Record<string, string | undefined>> = sent.slice(1).map((r) => ({ action: r.action, ...businessParams(r) }));
    expect(pages.sort((a, b) => String(a.RegionId).localeCompare(String(b.RegionId)))).toEqual([
      { action: 'DescribeInstances', RegionId: 'cn-beijing', PageNumber: '1', PageSize: '100' },
      { action: 'DescribeInstances', RegionId: 'cn-hangzhou', PageNumber: '1', PageSize: '100' },
      { action: 'DescribeInstances', RegionId: 'cn-qingdao', PageNumber: '1', PageSize: '100' },
    ]);
  });

  it('answers non-ASCII ECS text intact, items of several pages and regions in order, with the byte length as Content-Length', async () => {
    const many = Array.from({ length: 130 }, (_, i) => vm(`i-${i}`, 'cn-shanghai', { OSName: 'Alibaba Cloud Linux 3 64位', InstanceName: `web-${i}-é` }));
    upstream.reply = ecs({ 'cn-shanghai': many, 'cn-qingdao': [], 'cn-beijing': BEIJING });
    const res = await get('/api/inventory/instances');
    expect(res.status).toBe(200);
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
    expect(res.body.items).toEqual([...many, ...BEIJING]);
    expect(res.body).toMatchObject({ total: 131, groups: { 'cn-shanghai': 130, 'cn-qingdao': 0, 'cn-beijing': 1 } });
    expect(Object.keys(res.body)).toEqual(['kind', 'total', 'groupBy', 'groups', 'regions', 'items']);
  });

  it('fetches every page of a region holding more than one', async () => {
    const many = Array.from({ length: 230 }, (_, i) => vm(`i-${i}`, 'cn-shanghai'));
    upstream.reply = ecs({ 'cn-shanghai': many, 'cn-qingdao': [] });
    const { res, sent } = await upstream.exchange(get('/api/inventory/instances?items=false'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      kind: 'instances', total: 230, groupBy: 'region', groups: { 'cn-shanghai': 230, 'cn-qingdao': 0 },
      regions: { ok: ['cn-shanghai', 'cn-qingdao'], failed: [] },
    });
    const shanghai = sent.filter((r) => r.params.RegionId === 'cn-shanghai').map((r) => r.params.PageNumber).sort();
    expect(shanghai).toEqual(['1', '2', '3']);
  });

  it.each([
    ['status', { Running: 3, Stopped: 1 }],
    ['instanceType', { 'ecs.g7.large': 3, 'ecs.t6-c1m1.large': 1 }],
    ['zoneId', { 'cn-hangzhou-a': 3, 'cn-beijing-a': 1 }],
    ['vpcId', { 'vpc-1': 3, 'vpc-2': 1 }],
    ['tag:env', { '(none)': 2, prod: 1, dev: 1 }],
  ])('groupBy=%s', async (groupBy, groups) => {
    const res = await get(`/api/inventory/instances?groupBy=${encodeURIComponent(groupBy)}&items=false`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ kind: 'instances', total: 4, groupBy, groups, regions: { ok: ['cn-hangzhou', 'cn-qingdao', 'cn-beijing'], failed: [] } });
  });

  it('refuses a groupBy the kind cannot be counted by, naming the ones it can, before calling ECS', async () => {
    const { res, sent } = await upstream.exchange(get('/api/inventory/disks?groupBy=instanceType'));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'VALIDATION_FAILED', status: 400,
      details: [{ location: 'querystring', field: 'groupBy', message: 'disks can be counted by region, status, zoneId, tag:<key>, not "instanceType"' }],
    });
    expect(sent).toEqual([]);
    expect((await get('/api/inventory/security-groups?groupBy=status')).status).toBe(400);
    expect((await get('/api/inventory/snapshots?groupBy=vpcId')).status).toBe(400);
    expect((await get('/api/inventory/instances?groupBy=tag:')).status).toBe(400);
  });

  it('refuses an unknown kind, format or field', async () => {
    expect((await get('/api/inventory/images')).body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ location: 'params', field: 'kind' })] });
    expect((await get('/api/inventory/instances?format=xml')).body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'format' })] });
    expect((await get('/api/inventory/instances?color=blue')).status).toBe(400);
  });

  it('reports a region that fails with its ECS code, and answers with the others', async () => {
    upstream.reply = ecs({ ...FLEET, 'me-east-1': { status: 403, code: 'Forbidden.RAM', message: 'User not authorized to operate on the specified resource.' } });
    const res = await get('/api/inventory/instances?items=false');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      kind: 'instances', total: 4, groupBy: 'region', groups: { 'cn-hangzhou': 3, 'cn-qingdao': 0, 'cn-beijing': 1 },
      regions: {
        ok: ['cn-hangzhou', 'cn-qingdao', 'cn-beijing'],
        failed: [{ regionId: 'me-east-1', code: 'Forbidden.RAM', message: 'User not authorized to operate on the specified resource.' }],
      },
    });
  });

  it('fails when no region answers: their common ECS error, or 502 INVENTORY_FAILED when they differ; every failure listed', async () => {
    const ram = { status: 403, code: 'Forbidden.RAM', message: 'not authorized' };
    upstream.reply = ecs({ 'cn-hangzhou': ram, 'cn-qingdao': ram });
    const same = await get('/api/inventory/instances');
    expect(same.status).toBe(403);
    expect(same.body.error).toMatchObject({
      code: 'Forbidden.RAM', status: 403, message: 'No region answered the instances inventory (2 failed): not authorized',
      failed: [{ regionId: 'cn-hangzhou', code: 'Forbidden.RAM', message: 'not authorized' }, { regionId: 'cn-qingdao', code: 'Forbidden.RAM', message: 'not authorized' }],
    });
    upstream.reply = ecs({ 'cn-hangzhou': ram, 'cn-qingdao': { status: 503, code: 'ServiceUnavailable', message: 'try later' } });
    const mixed = await get('/api/inventory/instances');
    expect(mixed.status).toBe(502);
    expect(mixed.body.error).toMatchObject({
      code: 'INVENTORY_FAILED', status: 502,
      failed: [{ regionId: 'cn-hangzhou', code: 'Forbidden.RAM' }, { regionId: 'cn-qingdao', code: 'ServiceUnavailable' }],
    });
  });

  it('passes a DescribeRegions failure on as it is', async () => {
    upstream.reply = { status: 404, body: { RequestId: 'R-AK', Code: 'InvalidAccessKeyId.NotFound', Message: 'Specified access key is not found.' } };
    const res = await get('/api/inventory/instances');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'InvalidAccessKeyId.NotFound' });
  });

  it('lists only the regions named, without DescribeRegions; validates the list', async () => {
    const { res, sent } = await upstream.exchange(get('/api/inventory/instances?regions=cn-beijing,cn-qingdao,cn-beijing&items=false'));
    expect(res.status).toBe(200);
    expect(res.body.groups).toEqual({ 'cn-beijing': 1, 'cn-qingdao': 0 });
    expect(sent.map((r) => r.action)).toEqual(['DescribeInstances', 'DescribeInstances']);
    const bad = await get('/api/inventory/instances?regions=cn-beijing,not a region');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([expect.objectContaining({ location: 'querystring', field: 'regions' })]);
    expect((await get('/api/inventory/instances?regions=')).status).toBe(400);
    expect((await get(`/api/inventory/instances?regions=${Array.from({ length: 65 }, (_, i) => `cn-r${i}`).join(',')}`)).status).toBe(400);
    // A region ECS does not know fails on its own.
    const unknown = await get('/api/inventory/instances?regions=cn-beijing,xx-nowhere-1&items=false');
    expect(unknown.body.regions.failed).toEqual([{ regionId: 'xx-nowhere-1', code: 'InvalidRegionId.NotFound', message: 'The specified region does not exist.' }]);
  });

  it('CSV: a header row, then one row per item; with items=false one row per group', async () => {
    const res = await get('/api/inventory/instances?format=csv&regions=cn-hangzhou');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = res.text.trimEnd().split('\n');
    expect(lines[0]).toBe('RegionId,ZoneId,InstanceId,InstanceName,Status,InstanceType,VpcId,PrivateIpAddress,PublicIpAddress,CreationTime,Tags');
    expect(lines.slice(1)).toEqual([
      'cn-hangzhou,cn-hangzhou-a,i-1,name-i-1,Running,ecs.g7.large,vpc-1,172.16.0.1,,2026-11-01T00:00Z,',
      'cn-hangzhou,cn-hangzhou-a,i-2,name-i-2,Stopped,ecs.g7.large,vpc-1,172.16.0.1,,2026-11-01T00:00Z,env=prod',
      'cn-hangzhou,cn-hangzhou-a,i-3,name-i-3,Running,ecs.t6-c1m1.large,vpc-1,172.16.0.1,,2026-11-01T00:00Z,',
    ]);
    const groups = await get('/api/inventory/instances?format=csv&items=false&groupBy=status');
    expect(groups.text).toBe('status,count\nRunning,3\nStopped,1\n');
  });

  it('CSV quotes what needs quoting', async () => {
    upstream.reply = ecs({ 'cn-hangzhou': [vm('i-q', 'cn-hangzhou', { InstanceName: 'a, "b"\nc' })] });
    const res = await get('/api/inventory/instances?format=csv');
    expect(res.text.split('\n').slice(1).join('\n')).toContain('"a, ""b""\nc"');
  });
});

describe('access policies', () => {
  it('regions=all with a key limited to regions lists those regions only, and calls no other', async () => {
    const { res, sent } = await upstream.exchange(get('/api/inventory/instances?items=false', API_KEYS.beijing));
    expect(res.status).toBe(200);
    expect(res.body.regions).toEqual({ ok: ['cn-qingdao', 'cn-beijing'], failed: [] });
    expect(res.body.groups).toEqual({ 'cn-qingdao': 0, 'cn-beijing': 1 });
    expect(sent.filter((r) => r.action === 'DescribeInstances').map((r) => r.params.RegionId).sort()).toEqual(['cn-beijing', 'cn-qingdao']);
  });

  it('a region named in regions that the key may not call is reported as REGION_FORBIDDEN, and nothing is sent for it', async () => {
    const { res, sent } = await upstream.exchange(get('/api/inventory/instances?regions=cn-hangzhou,cn-beijing&items=false', API_KEYS.beijing));
    expect(res.status).toBe(200);
    expect(res.body.regions.ok).toEqual(['cn-beijing']);
    expect(res.body.regions.failed).toEqual([{ regionId: 'cn-hangzhou', code: 'REGION_FORBIDDEN', message: expect.stringContaining('may not call DescribeInstances in region cn-hangzhou') }]);
    expect(sent.map((r) => r.params.RegionId)).toEqual(['cn-beijing']);
    const none = await get('/api/inventory/instances?regions=cn-hangzhou', API_KEYS.beijing);
    expect(none.status).toBe(403);
    expect(none.body.error).toMatchObject({ code: 'REGION_FORBIDDEN', failed: [expect.objectContaining({ regionId: 'cn-hangzhou', code: 'REGION_FORBIDDEN' })] });
  });

  it('a key that may not call the kind\'s action gets 403 ACTION_FORBIDDEN, and ECS is not asked for any region', async () => {
    const { res, sent } = await upstream.exchange(get('/api/inventory/instances', API_KEYS.disksOnly));
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'ACTION_FORBIDDEN', message: expect.stringContaining('DescribeInstances') });
    expect(sent.filter((r) => r.action === 'DescribeInstances')).toEqual([]);
  });
});

describe('a client that disconnects', () => {
  it('stops the inventory: no region that had not started is asked for, and the log says CLIENT_CLOSED_REQUEST', async () => {
    // 12 regions, the first answers of which are held: 8 (GATEWAY_FANOUT_CONCURRENCY) start, 4 wait their turn.
    const fleet: Fleet = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`region-${i + 1}`, [vm(`i-${i + 1}`, `region-${i + 1}`)]]));
    const held = gate();
    const answer = ecs(fleet);
    upstream.reply = (req) => (req.action === 'DescribeInstances' ? { ...answer(req), until: held.promise } : answer(req));
    const before = upstream.requests.length;
    if (!app.server.listening) await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const serverSockets: Socket[] = [];
    const onConnection = (socket: Socket) => { serverSockets.push(socket); };
    app.server.on('connection', onConnection);
    const req = http.get({ port, host: '127.0.0.1', path: '/api/inventory/instances',
      headers: { authorization: `Bearer ${API_KEYS.all}`, 'x-access-key-id': CREDS.accessKeyId, 'x-access-key-secret': CREDS.accessKeySecret } });
    req.on('error', () => undefined);
    await vi.waitFor(() => expect(upstream.requests.slice(before).filter((r) => r.action === 'DescribeInstances')).toHaveLength(8), { timeout: 10_000, interval: 5 });
    const closed = new Promise((resolve) => serverSockets[serverSockets.length - 1]!.once('close', resolve));
    req.destroy();
    await closed;
    app.server.off('connection', onConnection);
    held.open();
    await vi.waitFor(() => expect(logs.text).toContain('CLIENT_CLOSED_REQUEST'), { timeout: 10_000, interval: 5 });
    const regionsAsked = upstream.requests.slice(before).filter((r) => r.action === 'DescribeInstances').map((r) => r.params.RegionId);
    expect(regionsAsked).toEqual(Array.from({ length: 8 }, (_, i) => `region-${i + 1}`));
  });
});

describe('secrets', () => {
  it('never logs the AccessKey secret, sent as a header or in the query string', async () => {
    const secretValue = 'inventory-secret-value-9f8e7d';
    const before = logs.text.length;
    await request(app.server).get(`/api/inventory/instances?accessKeyId=ak-1&accessKeySecret=${secretValue}&items=false`)
      .set('authorization', `Bearer ${API_KEYS.all}`).expect(200);
    await request(app.server).get('/api/inventory/instances?items=false').set('authorization', `Bearer ${API_KEYS.all}`)
      .set('x-access-key-id', 'ak-2').set('x-access-key-secret', secretValue).expect(200);
    const written = logs.text.slice(before);
    expect(written).toContain('/api/inventory/instances');
    expect(written).not.toContain(secretValue);
  });

  it('without credentials: 401 MISSING_CREDENTIALS, nothing sent', async () => {
    const { res, sent } = await upstream.exchange(request(app.server).get('/api/inventory/instances').set('authorization', `Bearer ${API_KEYS.all}`));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('MISSING_CREDENTIALS');
    expect(sent).toEqual([]);
  });
});
