import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, DEMO_ACCESS_KEY, injectFault, startStack, type Stack } from '../support/stack.js';

/**
 * all=true through the gateway into the real emulator: 60 instances listed in one call (NextToken pages of
 * the emulator, JSON and NDJSON), the same through POST /api/ecs/DescribeInstances, and a throttled page
 * retried after the emulator's x-acs-retry-after.
 */

const REGION = 'cn-hangzhou';
const creds = { accessKeyId: DEMO_ACCESS_KEY.accessKeyId, accessKeySecret: DEMO_ACCESS_KEY.accessKeySecret };
const headers = { 'x-access-key-id': creds.accessKeyId, 'x-access-key-secret': creds.accessKeySecret };
const qs = (params: Record<string, string>) => new URLSearchParams(params).toString();

describe('all=true against the emulator', () => {
  let stack: Stack;
  let ids: string[];
  beforeAll(async () => {
    stack = await startStack('v3');
    const created = await call(stack.base, 'POST', '/api/instances', {
      ...creds, regionId: REGION, imageId: 'aliyun_2_1903_x64_20G_alibase_20220408.vhd', instanceType: 'ecs.g7.large',
      instanceName: 'fleet', uniqueSuffix: true, amount: 60,
    }, {});
    expect(created.status).toBe(200);
    ids = created.json.data.value.body.InstanceIdSets.InstanceIdSet;
    expect(ids).toHaveLength(60);
  });
  afterAll(async () => { await stack?.close(); });

  const idsOf = (list: Array<{ InstanceId: string }>) => list.map((i) => i.InstanceId).sort();

  it('GET /api/instances?all=true: 60 instances in one call (3 pages of 25), every RequestId', async () => {
    const res = await call(stack.base, 'GET', `/api/instances?${qs({ regionId: REGION, all: 'true', maxResults: '25' })}`, undefined, headers);
    expect(res.status).toBe(200);
    const body = res.json.data.value.body;
    expect(idsOf(body.Instances.Instance)).toEqual([...ids].sort());
    expect(body.TotalCount).toBe(60);
    expect(body.Truncated).toBe(false);
    expect(body.RequestIds).toHaveLength(3);
    expect(new Set(body.RequestIds).size).toBe(3);
    expect(body).not.toHaveProperty('NextToken');
  });

  it('POST /api/ecs/DescribeInstances?all=true&maxItems=50, and the default page size (one page of 60)', async () => {
    const capped = await call(stack.base, 'POST', `/api/ecs/DescribeInstances?${qs({ all: 'true', maxItems: '50' })}`, { RegionId: REGION }, headers);
    expect(capped.status).toBe(200);
    expect(capped.json.data.value.body).toMatchObject({ TotalCount: 60, Truncated: true });
    expect(capped.json.data.value.body.Instances.Instance).toHaveLength(50);
    const whole = await call(stack.base, 'POST', `/api/ecs/DescribeInstances?${qs({ all: 'true' })}`, { RegionId: REGION }, headers);
    expect(whole.json.data.value.body.Instances.Instance).toHaveLength(60);
    expect(whole.json.data.value.body.RequestIds).toHaveLength(1);
  });

  it('NDJSON: 60 lines, then the summary', async () => {
    const res = await fetch(`${stack.base}/api/instances?${qs({ regionId: REGION, all: 'true', maxResults: '10' })}`, { headers: { ...headers, accept: 'application/x-ndjson' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const lines = (await res.text()).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(61);
    expect(idsOf(lines.slice(0, 60))).toEqual([...ids].sort());
    expect(lines[60].summary).toMatchObject({ totalCount: 60, items: 60, pages: 6, truncated: false });
  });

  it('a throttled page is retried after the emulator\'s x-acs-retry-after: the job completes', async () => {
    const first = await call(stack.base, 'GET', `/api/instances?${qs({ regionId: REGION, maxResults: '30' })}`, undefined, headers);
    expect(first.status).toBe(200);
    const throttledBefore = await describeInstancesOutcome(stack, '400');
    // The next call (page 1 of the job) is throttled once, with x-acs-retry-after: 1 ms. The ECS client retries
    // it (Throttling is retried for every action, ECS_MAX_RETRIES); the job's own back-off is the layer above
    // (test/gateway/routes-all.test.ts, with client retries off).
    await injectFault(stack.emulator, { mode: 'throttle', count: 1, retryAfterMs: 1 });
    const res = await call(stack.base, 'GET', `/api/instances?${qs({ regionId: REGION, all: 'true', maxResults: '30' })}`, undefined, headers);
    expect(res.status).toBe(200);
    expect(res.json.data.value.body.Instances.Instance).toHaveLength(60);
    expect(await describeInstancesOutcome(stack, '400')).toBe(throttledBefore + 1);
  });
});

/** How many DescribeInstances calls the emulator answered with `status` so far (GET /__emulator/stats). */
async function describeInstancesOutcome(stack: Stack, status: string): Promise<number> {
  const stats = await (await fetch(`${stack.emulator.url}/__emulator/stats`)).json() as { byAction: Record<string, Record<string, number>> };
  return stats.byAction.DescribeInstances?.[status] ?? 0;
}
