import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, DEMO_ACCESS_KEY, startStack, type Stack } from '../support/stack.js';

/** One curl command of the original service's README, as written there. */
interface SeedCall { title: string; method: string; url: string; body: string | undefined }

/** Extracts every curl example of the seed README (method, URL, --data-raw body). */
function seedCalls(): SeedCall[] {
  const text = readFileSync(resolve(__dirname, '../../../shared/seeds/003_1ebf47989382d727.txt'), 'utf8');
  const calls: SeedCall[] = [];
  const re = /^## (.+)$|curl --location --request (\w+) '([^']+)'((?:\s*\\\s*\n\s*--header '[^']*')*)(?:\s*\\\s*\n\s*--data-raw '([^']*)')?/gm;
  let title = '';
  for (const m of text.matchAll(re)) {
    if (m[1]) title = m[1];
    else calls.push({ title, method: m[2]!, url: m[3]!, body: m[5] });
  }
  return calls;
}

/** The README's placeholders and host, pointed at the demo key pair and our gateway. */
const fill = (s: string, base: string) => s
  .replaceAll('{{yourAccessKeyId}}', DEMO_ACCESS_KEY.accessKeyId)
  .replaceAll('{{yourAccessKeySecret}}', DEMO_ACCESS_KEY.accessKeySecret)
  .replace('http://127.0.0.1:8000', base);

const calls = seedCalls();

describe.each(['v3', 'v1'] as const)('the seed README\'s curl examples, replayed as written (%s)', (version) => {
  let stack: Stack;
  beforeAll(async () => { stack = await startStack(version); });
  afterAll(async () => { await stack.close(); });

  const replay = (c: SeedCall) => {
    const url = new URL(fill(c.url, stack.base));
    return call(stack.base, c.method, url.pathname + url.search, c.body === undefined ? undefined : fill(c.body, stack.base));
  };
  const byTitle = (title: string) => {
    const found = calls.find((c) => c.title === title);
    if (!found) throw new Error(`no seed example titled ${title}`);
    return found;
  };

  it('finds all nine examples in the seed', () => {
    expect(calls.map((c) => `${c.method} ${new URL(c.url).pathname}`)).toEqual([
      'GET /api/regions', 'GET /api/images', 'GET /api/instance-types', 'POST /api/instances', 'GET /api/instances',
      'PUT /api/instances/start', 'PUT /api/instances/stop', 'PUT /api/instances/reboot', 'PUT /api/instances/terminate',
    ]);
  });

  it.each([
    ['List all regions', 'Regions'],
    ['List all images', 'Images'],
    ['List all instance types', 'InstanceTypes'],
  ])('%s answers the envelope with %s', async (title, key) => {
    const res = await replay(byTitle(title));
    expect(res.status).toBe(200);
    expect(res.json.data['@type']).toBe('type.googleapis.com/google.protobuf.Struct');
    expect(res.json.data.value.body).toHaveProperty(key);
    expect(res.json.data.value.body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(res.json.data.value.headers['x-acs-request-id']).toBe(res.json.data.value.body.RequestId);
    expect(res.json.data.value.headers['content-type']).toBe('application/json;charset=utf-8');
  });

  it('CreateInstances (dry_run: true) reaches ECS, whose dry run refuses the README\'s 4-character password', async () => {
    const res = await replay(byTitle('CreateInstances'));
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'InvalidPassword.Malformed', status: 400 });
    expect(res.json.error.ecsRequestId).toMatch(/^[0-9A-F-]{36}$/);
    const c = byTitle('CreateInstances');
    const valid = await replay({ ...c, body: c.body!.replace('"password": "test"', '"password": "Test-Passw0rd"') });
    expect(valid.status).toBe(400);
    expect(valid.json.error).toMatchObject({ code: 'DryRunOperation', status: 400 });
    const list = await call(stack.base, 'GET', `/api/instances?${new URLSearchParams({ ...DEMO_ACCESS_KEY, regionId: 'cn-beijing' })}`);
    expect(list.json.data.value.body.TotalCount).toBe(0);
  });

  it('ListInstances as written (its query lacks "accessKeyId=") is refused with 400 naming the stray parameter', async () => {
    const res = await replay(byTitle('ListInstances'));
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(res.json.error.details)).toContain(DEMO_ACCESS_KEY.accessKeyId);
  });

  it('ListInstances with the missing "accessKeyId=" restored answers the envelope (region_id spelling)', async () => {
    const c = byTitle('ListInstances');
    const res = await replay({ ...c, url: c.url.replace('?{{yourAccessKeyId}}', '?accessKeyId={{yourAccessKeyId}}') });
    expect(res.status).toBe(200);
    expect(res.json.data.value.body).toMatchObject({ Instances: { Instance: [] }, TotalCount: 0 });
  });

  it.each(['StartInstances', 'StopInstances', 'RebootInstances', 'TerminateInstances'])(
    '%s on the README\'s masked instance id reaches ECS and propagates 404 InvalidInstanceId.NotFound',
    async (title) => {
      const res = await replay(byTitle(title));
      expect(res.status).toBe(404);
      expect(res.json.error).toMatchObject({ code: 'InvalidInstanceId.NotFound', status: 404 });
      expect(res.json.error.ecsRequestId).toMatch(/^[0-9A-F-]{36}$/);
    },
  );
});
