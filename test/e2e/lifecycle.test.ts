import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call, DEMO_ACCESS_KEY, injectFault, startStack, type Stack } from '../support/stack.js';

const REGION = 'cn-hangzhou';
const creds = { accessKeyId: DEMO_ACCESS_KEY.accessKeyId, accessKeySecret: DEMO_ACCESS_KEY.accessKeySecret };
const qs = (params: Record<string, string | string[]>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...creds, ...params })) for (const item of [v].flat()) q.append(k, item);
  return q.toString();
};

describe.each(['v3', 'v1'] as const)('every route through the gateway into the emulator (%s)', (version) => {
  let stack: Stack;
  // No retries here: these cases show how each emulator fault is mapped (retries: test/gateway/client-retry.test.ts).
  beforeAll(async () => { stack = await startStack(version, { ECS_MAX_RETRIES: '0' }); });
  afterAll(async () => { await stack.close(); });
  beforeEach(async () => { await fetch(`${stack.emulator.url}/__emulator/reset`, { method: 'POST' }); });

  const body = (res: { json: any }) => res.json.data.value.body;
  const act = (verb: string, ids: string[], extra: Record<string, unknown> = {}) =>
    call(stack.base, 'PUT', `/api/instances/${verb}`, { ...creds, regionId: REGION, instanceIds: ids, ...extra });
  const get = (id: string) => call(stack.base, 'GET', `/api/instances/${id}?${qs({ regionId: REGION })}`);

  it('catalog routes: regions (en-US), zones, images with filters and paging, instance types with nextToken', async () => {
    const regions = await call(stack.base, 'GET', `/api/regions?${qs({ acceptLanguage: 'en-US' })}`);
    expect(regions.status).toBe(200);
    const hz = body(regions).Regions.Region.find((r: { RegionId: string }) => r.RegionId === 'cn-hangzhou');
    expect(hz).toMatchObject({ RegionEndpoint: 'ecs.aliyuncs.com' });

    const zones = await call(stack.base, 'GET', `/api/zones?${qs({ region_id: REGION })}`);
    expect(zones.status).toBe(200);
    expect(body(zones).Zones.Zone.length).toBeGreaterThan(0);
    expect(body(zones).Zones.Zone.every((z: { ZoneId: string }) => z.ZoneId.startsWith(REGION))).toBe(true);

    const images = await call(stack.base, 'GET', `/api/images?${qs({ regionId: REGION, osType: 'windows', pageSize: '1', page_number: '1' })}`);
    expect(images.status).toBe(200);
    expect(body(images)).toMatchObject({ PageNumber: 1, PageSize: 1 });
    expect(body(images).Images.Image).toHaveLength(1);
    expect(body(images).Images.Image[0].OSType).toBe('windows');
    expect(body(images).TotalCount).toBeGreaterThan(1);

    const page1 = await call(stack.base, 'GET', `/api/instance-types?${qs({ maxResults: '2' })}`);
    expect(page1.status).toBe(200);
    expect(body(page1).InstanceTypes.InstanceType).toHaveLength(2);
    const token = body(page1).NextToken as string;
    expect(token).not.toBe('');
    const page2 = await call(stack.base, 'GET', `/api/instance-types?${qs({ maxResults: '2', next_token: token })}`);
    expect(body(page2).InstanceTypes.InstanceType[0].InstanceTypeId).not.toBe(body(page1).InstanceTypes.InstanceType[0].InstanceTypeId);

    const family = await call(stack.base, 'GET', `/api/instance-types?${qs({ instanceTypes: ['ecs.g7.large', 'ecs.c7.large'] })}`);
    expect(body(family).InstanceTypes.InstanceType.map((t: { InstanceTypeId: string }) => t.InstanceTypeId).sort()).toEqual(['ecs.c7.large', 'ecs.g7.large']);
  });

  it('create → list/get → stop → start → reboot → terminate, with the ECS state rules enforced', async () => {
    const created = await call(stack.base, 'POST', '/api/instances', {
      ...creds, regionId: REGION, imageId: 'aliyun_2_1903_x64_20G_alibase_20220408.vhd', instanceType: 'ecs.g7.large',
      system_disk_size: '40', instanceName: 'web', uniqueSuffix: true, amount: '2', tags: [{ key: 'team', value: 'blue' }],
      dataDisks: [{ size: 100, category: 'cloud_essd' }], clientToken: 'e2e-token-1',
    });
    expect(created.status).toBe(200);
    const ids: string[] = body(created).InstanceIdSets.InstanceIdSet;
    expect(ids).toHaveLength(2);

    const listed = await call(stack.base, 'GET', `/api/instances?${qs({ regionId: REGION, instanceName: 'web*', tags: 'team:blue', instanceIds: ids.join(',') })}`);
    expect(listed.status).toBe(200);
    expect(body(listed).TotalCount).toBe(2);
    expect(body(listed).Instances.Instance.map((i: { InstanceName: string }) => i.InstanceName).sort()).toEqual(['web001', 'web002']);

    const [a, b] = ids as [string, string];
    const one = await get(a);
    expect(one.status).toBe(200);
    expect(body(one).Instances.Instance[0]).toMatchObject({ InstanceId: a, Status: 'Running', InstanceType: 'ecs.g7.large' });

    const refused = await act('terminate', [a]);
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('IncorrectInstanceStatus');

    const stopped = await act('stop', [a, b], { forceStop: true });
    expect(stopped.status).toBe(200);
    expect(body(stopped).InstanceResponses.InstanceResponse.map((r: { CurrentStatus: string }) => r.CurrentStatus)).toEqual(['Stopping', 'Stopping']);
    expect((await get(a)).json.data.value.body.Instances.Instance[0].Status).toBe('Stopped');

    const badStart = await act('reboot', [a]);
    expect(badStart.status).toBe(403);
    expect(badStart.json.error).toMatchObject({ code: 'IncorrectInstanceStatus', status: 403 });

    const dry = await act('start', [a], { dry_run: true });
    expect(dry.status).toBe(400);
    expect(dry.json.error.code).toBe('DRYRUN.SUCCESS');

    const started = await act('start', [a]);
    expect(body(started).InstanceResponses.InstanceResponse[0]).toMatchObject({ InstanceId: a, PreviousStatus: 'Stopped', CurrentStatus: 'Starting' });

    const rebooted = await act('reboot', [a], { batchOptimization: 'SuccessFirst' });
    expect(rebooted.status).toBe(200);
    expect(body(rebooted).InstanceResponses.InstanceResponse[0]).toMatchObject({ Code: '200', InstanceId: a });

    const terminated = await act('terminate', [a], { force: true, terminateSubscription: false });
    expect(terminated.status).toBe(200);
    expect(Object.keys(body(terminated))).toEqual(['RequestId']);
    const gone = await get(a);
    expect(gone.status).toBe(404);
    expect(gone.json.error).toMatchObject({ code: 'InvalidInstanceId.NotFound', status: 404 });

    const afterStop = await act('terminate', [b]);
    expect(afterStop.status).toBe(200);
    const none = await call(stack.base, 'GET', `/api/instances?${qs({ regionId: REGION })}`);
    expect(body(none).TotalCount).toBe(0);
  });

  it('the client token makes RunInstances idempotent; a changed request with the same token is refused', async () => {
    const req = { ...creds, regionId: REGION, imageId: 'aliyun_2_1903_x64_20G_alibase_20220408.vhd', instanceType: 'ecs.g7.large', clientToken: 'idem-1' };
    const first = await call(stack.base, 'POST', '/api/instances', req);
    const again = await call(stack.base, 'POST', '/api/instances', req);
    expect(body(again).InstanceIdSets).toEqual(body(first).InstanceIdSets);
    const changed = await call(stack.base, 'POST', '/api/instances', { ...req, instanceType: 'ecs.c7.large' });
    expect(changed.status).toBe(400);
    expect(changed.json.error.code).toBe('IdempotentParameterMismatch');
  });

  it('catalog validation errors propagate with ECS status and code', async () => {
    const badImage = await call(stack.base, 'POST', '/api/instances', { ...creds, regionId: REGION, imageId: 'no-such-image', instanceType: 'ecs.g7.large' });
    expect(badImage.status).toBe(404);
    expect(badImage.json.error.code).toBe('InvalidImageId.NotFound');
    const badType = await call(stack.base, 'POST', '/api/instances', { ...creds, regionId: REGION, imageId: 'aliyun_2_1903_x64_20G_alibase_20220408.vhd', instanceType: 'ecs.nope.large' });
    expect(badType.status).toBe(400);
    expect(badType.json.error.code).toBe('InvalidInstanceType.ValueNotSupported');
    const badRegion = await call(stack.base, 'GET', `/api/instances?${qs({ regionId: 'xx-nowhere-1' })}`);
    expect(badRegion.status).toBe(404);
    expect(badRegion.json.error.code).toBe('InvalidRegionId.NotFound');
  });

  it('signature problems surface as the ECS codes: wrong secret, unknown key id', async () => {
    const wrongSecret = await call(stack.base, 'GET', `/api/regions?${qs({ accessKeySecret: 'not-the-secret' })}`);
    expect(wrongSecret.status).toBe(400);
    expect(wrongSecret.json.error.code).toBe('SignatureDoesNotMatch');
    expect(JSON.stringify(wrongSecret.json)).not.toContain('not-the-secret');
    const unknownKey = await call(stack.base, 'GET', `/api/regions?${qs({ accessKeyId: 'nobody' })}`);
    expect(unknownKey.status).toBe(404);
    expect(unknownKey.json.error.code).toBe('InvalidAccessKeyId.NotFound');
  });

  it.each([
    [{ mode: 'throttle', count: 1, retryAfterMs: 3000 }, 400, 'Throttling.User'],
    [{ mode: 'unavailable', count: 1 }, 503, 'ServiceUnavailable'],
    [{ mode: 'internal', count: 1 }, 500, 'InternalError'],
    [{ mode: 'drop', count: 1 }, 502, 'UPSTREAM_UNAVAILABLE'],
  ])('fault %j → HTTP %i %s, and the next call succeeds', async (rule, status, code) => {
    await injectFault(stack.emulator, rule);
    const res = await call(stack.base, 'GET', `/api/regions?${qs({})}`);
    expect(res.status).toBe(status);
    expect(res.json.error).toMatchObject({ code, status });
    if (code === 'Throttling.User') expect(res.headers.get('retry-after')).toBe('3');
    if (status >= 502) expect(JSON.stringify(res.json)).not.toMatch(/127\.0\.0\.1|ECONN|stack/i);
    const next = await call(stack.base, 'GET', `/api/regions?${qs({})}`);
    expect(next.status).toBe(200);
  });

  it('an emulator slower than ECS_TIMEOUT_MS → 504 UPSTREAM_TIMEOUT, and the next call succeeds', async () => {
    // Its own stack with a short deadline (the shared one allows 60 s, so load never makes a 504 there).
    const short = await startStack(version, { ECS_TIMEOUT_MS: '300', ECS_MAX_RETRIES: '0' });
    try {
      await injectFault(short.emulator, { mode: 'latency', count: 1, latencyMs: 3000 });
      const res = await call(short.base, 'GET', `/api/regions?${qs({})}`);
      expect(res.status).toBe(504);
      expect(res.json.error).toMatchObject({ code: 'UPSTREAM_TIMEOUT', status: 504 });
      expect(JSON.stringify(res.json)).not.toMatch(/127\.0\.0\.1|ECONN|stack/i);
      const next = await call(short.base, 'GET', `/api/regions?${qs({})}`);
      expect(next.status).toBe(200);
      expect(short.logs.text).not.toContain(DEMO_ACCESS_KEY.accessKeySecret);
    } finally {
      await short.close();
    }
  });

  it('the gateway never logs the secret on any of these paths', () => {
    expect(stack.logs.lines.length).toBeGreaterThan(10);
    expect(stack.logs.text).not.toContain(DEMO_ACCESS_KEY.accessKeySecret);
  });
});
