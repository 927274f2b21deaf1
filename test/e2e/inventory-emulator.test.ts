import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, DEMO_ACCESS_KEY, startStack, type Stack } from '../support/stack.js';
import { INVENTORY_KINDS } from '../../src/gateway/jobs/inventory.js';

/**
 * GET /api/inventory/:kind against the real emulator, for every kind, as README shows it: counts, JSON items
 * and CSV. Each kind's paging goes through the emulator's own checks (a disks inventory once sent PageSize=500,
 * which ECS and the emulator refuse: DescribeDisks takes MaxResults up to 500 but PageSize up to 100).
 */

const K = `accessKeyId=${DEMO_ACCESS_KEY.accessKeyId}&accessKeySecret=${DEMO_ACCESS_KEY.accessKeySecret}`;
const REGIONS = 'cn-beijing,cn-hangzhou';

describe('inventory against the emulator', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('v3');
    const created = await call(stack.base, 'POST', '/api/instances', {
      accessKeyId: DEMO_ACCESS_KEY.accessKeyId, accessKeySecret: DEMO_ACCESS_KEY.accessKeySecret, regionId: 'cn-hangzhou',
      imageId: 'aliyun_2_1903_x64_20G_alibase_20220408.vhd', instanceType: 'ecs.g7.large', instanceName: 'inv', uniqueSuffix: true, amount: 3,
    }, {});
    expect(created.status, JSON.stringify(created.json)).toBe(200);
  });
  afterAll(async () => { await stack?.close(); });

  it.each(INVENTORY_KINDS)('%s: counts, JSON items and CSV, every region answering', async (kind) => {
    const counts = await call(stack.base, 'GET', `/api/inventory/${kind}?${K}&regions=${REGIONS}&groupBy=region&items=false`);
    expect(counts.status, JSON.stringify(counts.json)).toBe(200);
    expect(counts.json.regions).toEqual({ ok: ['cn-beijing', 'cn-hangzhou'], failed: [] });
    const json = await call(stack.base, 'GET', `/api/inventory/${kind}?${K}&regions=${REGIONS}`);
    expect(json.status, JSON.stringify(json.json)).toBe(200);
    expect(json.json.items).toHaveLength(counts.json.total);
    const csv = await fetch(`${stack.base}/api/inventory/${kind}?${K}&regions=${REGIONS}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    // A header line, then one line per item.
    expect((await csv.text()).trimEnd().split('\n')).toHaveLength(counts.json.total + 1);
  });

  it('the instances and their system disks are counted', async () => {
    const instances = await call(stack.base, 'GET', `/api/inventory/instances?${K}&regions=cn-hangzhou&items=false`);
    expect(instances.json.total).toBeGreaterThanOrEqual(3);
    const disks = await call(stack.base, 'GET', `/api/inventory/disks?${K}&regions=cn-hangzhou&items=false`);
    expect(disks.status, JSON.stringify(disks.json)).toBe(200);
    expect(disks.json.total).toBeGreaterThanOrEqual(3);
  });
});
