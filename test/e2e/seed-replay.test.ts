import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, DEMO_ACCESS_KEY, startStack, type Stack } from '../support/stack.js';

/**
 * One curl example of the original service's README (the seed contract), as structured data in
 * test/fixtures/seed-examples.json: method, path, query or JSON body with the README's placeholders,
 * the body keys its sample response shows, and what replaying it against the emulator must answer.
 */
interface SeedExample {
  title: string;
  method: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Record<string, unknown>;
  asWritten: string;
  documentedBodyKeys: string[];
  expected: { status: number; bodyKey?: string; code?: string; why?: string };
}

const fixture = JSON.parse(readFileSync(resolve(__dirname, '../fixtures/seed-examples.json'), 'utf8')) as { examples: SeedExample[] };
const examples = fixture.examples;

/** The README's placeholders, pointed at the emulator's demo key pair. */
const fill = (s: string) => s
  .replaceAll('{{yourAccessKeyId}}', DEMO_ACCESS_KEY.accessKeyId)
  .replaceAll('{{yourAccessKeySecret}}', DEMO_ACCESS_KEY.accessKeySecret);

const byTitle = (title: string): SeedExample => {
  const found = examples.find((c) => c.title === title);
  if (!found) throw new Error(`no seed example titled ${title}`);
  return found;
};

describe('the seed examples fixture', () => {
  it('holds all nine examples, in the README\'s order', () => {
    expect(examples.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /api/regions', 'GET /api/images', 'GET /api/instance-types', 'POST /api/instances', 'GET /api/instances',
      'PUT /api/instances/start', 'PUT /api/instances/stop', 'PUT /api/instances/reboot', 'PUT /api/instances/terminate',
    ]);
  });

  it.each(examples.map((c) => [c.title, c] as const))('%s: path, query and body agree with the curl line as written', (_t, c) => {
    const url = new URL(c.asWritten);
    expect(url.pathname).toBe(c.path);
    expect(Object.fromEntries(new URLSearchParams(url.search))).toEqual(c.query ?? {});
    // Bodies are JSON sent with the README's Content-Type; GETs carry neither.
    if (c.method === 'GET') expect(c.body).toBeUndefined();
    else expect(c.headers).toEqual({ 'Content-Type': 'application/json' });
  });
});

describe.each(['v3', 'v1'] as const)('the seed README\'s curl examples, replayed as written (%s)', (version) => {
  let stack: Stack;
  beforeAll(async () => { stack = await startStack(version); });
  afterAll(async () => { await stack.close(); });

  const replay = (c: SeedExample) => {
    const query = c.query === undefined ? '' : `?${new URLSearchParams(Object.entries(c.query).map(([k, v]): [string, string] => [fill(k), fill(v)]))}`;
    // The README's headers (Content-Type), lower-cased so they replace rather than repeat call()'s default.
    const headers = Object.fromEntries(Object.entries(c.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    return call(stack.base, c.method, c.path + query, c.body === undefined ? undefined : fill(JSON.stringify(c.body)), headers);
  };

  it.each(examples.filter((c) => c.expected.status === 200).map((c) => [c.title, c] as const))(
    '%s answers the envelope with the body keys the README shows',
    async (_title, c) => {
      const res = await replay(c);
      expect(res.status).toBe(200);
      expect(res.json.data['@type']).toBe('type.googleapis.com/google.protobuf.Struct');
      expect(res.json.data.value.body).toHaveProperty(c.expected.bodyKey!);
      for (const key of c.documentedBodyKeys) expect(res.json.data.value.body).toHaveProperty(key);
      expect(res.json.data.value.body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
      expect(res.json.data.value.headers['x-acs-request-id']).toBe(res.json.data.value.body.RequestId);
      expect(res.json.data.value.headers['content-type']).toBe('application/json;charset=utf-8');
    },
  );

  it('the list examples are the three the README answers with 200', () => {
    expect(examples.filter((c) => c.expected.status === 200).map((c) => c.expected.bodyKey)).toEqual(['Regions', 'Images', 'InstanceTypes']);
  });

  it('CreateInstances (dry_run: true) reaches ECS, whose dry run refuses the README\'s 4-character password', async () => {
    const c = byTitle('CreateInstances');
    expect(c.expected).toMatchObject({ status: 400, code: 'InvalidPassword.Malformed' });
    const res = await replay(c);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'InvalidPassword.Malformed', status: 400 });
    expect(res.json.error.ecsRequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(c.body).toMatchObject({ password: 'test', dry_run: true });
    const valid = await replay({ ...c, body: { ...c.body, password: 'Test-Passw0rd' } });
    expect(valid.status).toBe(400);
    expect(valid.json.error).toMatchObject({ code: 'DryRunOperation', status: 400 });
    const list = await call(stack.base, 'GET', `/api/instances?${new URLSearchParams({ ...DEMO_ACCESS_KEY, regionId: 'cn-beijing' })}`);
    expect(list.json.data.value.body.TotalCount).toBe(0);
  });

  it('ListInstances as written (its query lacks "accessKeyId=") is refused with 400 naming the stray parameter', async () => {
    const c = byTitle('ListInstances');
    expect(c.expected).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(c.asWritten).toContain('?{{yourAccessKeyId}}&');
    const res = await replay(c);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(res.json.error.details)).toContain(DEMO_ACCESS_KEY.accessKeyId);
  });

  it('ListInstances with the missing "accessKeyId=" restored answers the envelope (region_id spelling)', async () => {
    const c = byTitle('ListInstances');
    const { '{{yourAccessKeyId}}': stray, ...rest } = c.query!;
    expect(stray).toBe('');
    expect(rest).toHaveProperty('region_id', 'cn-beijing');
    const res = await replay({ ...c, query: { accessKeyId: '{{yourAccessKeyId}}', ...rest } });
    expect(res.status).toBe(200);
    expect(res.json.data.value.body).toMatchObject({ Instances: { Instance: [] }, TotalCount: 0 });
    for (const key of c.documentedBodyKeys) expect(res.json.data.value.body).toHaveProperty(key);
  });

  it.each(['StartInstances', 'StopInstances', 'RebootInstances', 'TerminateInstances'])(
    '%s on the README\'s masked instance id reaches ECS and propagates 404 InvalidInstanceId.NotFound',
    async (title) => {
      const c = byTitle(title);
      expect(c.expected).toMatchObject({ status: 404, code: 'InvalidInstanceId.NotFound' });
      expect(c.body).toMatchObject({ instanceIds: ['i-bp67acfmxazb4p****'] });
      const res = await replay(c);
      expect(res.status).toBe(404);
      expect(res.json.error).toMatchObject({ code: 'InvalidInstanceId.NotFound', status: 404 });
      expect(res.json.error.ecsRequestId).toMatch(/^[0-9A-F-]{36}$/);
    },
  );
});
