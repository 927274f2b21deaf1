/**
 * The official V3 SDK (@alicloud/ecs20140526, ACS3-HMAC-SHA256) runs a whole instance
 * lifecycle against the emulator, including parameters that are hard to sign.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { TEST_KEY } from './helpers.js';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { $Ecs, v3Client } from './sdk-clients.js';

const IMAGE = 'aliyun_3_x64_20G_alibase_20240528.vhd';
const TYPE = 'ecs.g6.large';

let emu: RunningEmulator;
let ecs: ReturnType<typeof v3Client>;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, transitionMs: 0, accessKeys: [TEST_KEY] });
  ecs = v3Client(emu.url, TEST_KEY);
});
afterAll(() => emu.close());

async function statusOf(ids: string[]): Promise<string[]> {
  const res = await ecs.describeInstances(
    new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', instanceIds: JSON.stringify(ids), pageSize: 100 }),
  );
  const byId = new Map((res.body?.instances?.instance ?? []).map((i) => [i.instanceId, i.status]));
  return ids.map((id) => byId.get(id) ?? 'absent');
}

describe('V3 SDK lifecycle', () => {
  it('describeRegions → run → describe → stop → start → reboot → delete', async () => {
    const regions = await ecs.describeRegions(new $Ecs.DescribeRegionsRequest({}));
    expect(regions.statusCode).toBe(200);
    expect(regions.body?.requestId).toMatch(/^[0-9A-F-]{36}$/);
    const hz = regions.body?.regions?.region?.find((r) => r.regionId === 'cn-hangzhou');
    expect(hz?.regionEndpoint).toBe('ecs.aliyuncs.com');

    const run = await ecs.runInstances(
      new $Ecs.RunInstancesRequest({ regionId: 'cn-hangzhou', imageId: IMAGE, instanceType: TYPE, amount: 2, instanceName: 'web' }),
    );
    const ids = run.body?.instanceIdSets?.instanceIdSet ?? [];
    expect(ids).toHaveLength(2);
    expect(await statusOf(ids)).toEqual(['Running', 'Running']);

    const stop = await ecs.stopInstances(new $Ecs.StopInstancesRequest({ regionId: 'cn-hangzhou', instanceId: ids }));
    expect(stop.body?.instanceResponses?.instanceResponse?.map((r) => [r.instanceId, r.code, r.previousStatus])).toEqual(
      ids.map((id) => [id, '200', 'Running']),
    );
    expect(await statusOf(ids)).toEqual(['Stopped', 'Stopped']);

    const start = await ecs.startInstances(new $Ecs.StartInstancesRequest({ regionId: 'cn-hangzhou', instanceId: ids }));
    expect(start.body?.instanceResponses?.instanceResponse?.map((r) => r.previousStatus)).toEqual(['Stopped', 'Stopped']);
    expect(await statusOf(ids)).toEqual(['Running', 'Running']);

    const reboot = await ecs.rebootInstances(new $Ecs.RebootInstancesRequest({ regionId: 'cn-hangzhou', instanceId: ids }));
    expect(reboot.body?.instanceResponses?.instanceResponse?.map((r) => r.code)).toEqual(['200', '200']);

    const del = await ecs.deleteInstances(new $Ecs.DeleteInstancesRequest({ regionId: 'cn-hangzhou', instanceId: ids, force: true }));
    expect(del.statusCode).toBe(200);
    expect(Object.keys(del.body?.toMap() ?? {})).toEqual(['RequestId']);
    expect(await statusOf(ids)).toEqual(['absent', 'absent']);
  });
});

describe('V3 SDK signatures over tricky input', () => {
  it('signs a 12-item repeat list (InstanceId.10 sorts before InstanceId.2)', async () => {
    const run = await ecs.runInstances(
      new $Ecs.RunInstancesRequest({ regionId: 'cn-hangzhou', imageId: IMAGE, instanceType: TYPE, amount: 12 }),
    );
    const ids = run.body?.instanceIdSets?.instanceIdSet ?? [];
    expect(ids).toHaveLength(12);
    const stop = await ecs.stopInstances(new $Ecs.StopInstancesRequest({ regionId: 'cn-hangzhou', instanceId: ids }));
    expect(stop.body?.instanceResponses?.instanceResponse?.map((r) => r.instanceId)).toEqual(ids);
    await ecs.deleteInstances(new $Ecs.DeleteInstancesRequest({ regionId: 'cn-hangzhou', instanceId: ids }));
    expect(new Set(await statusOf(ids))).toEqual(new Set(['absent']));
  });

  it('signs non-ASCII names and reserved characters, which round-trip', async () => {
    const description = "a b*~'()!+&=/%c 中";
    const tag = new $Ecs.RunInstancesRequestTag({ key: 'k *~()', value: "v'!+&=/% 值" });
    const run = await ecs.runInstances(
      new $Ecs.RunInstancesRequest({
        regionId: 'cn-hangzhou', imageId: IMAGE, instanceType: TYPE, instanceName: '中文实例-1', description, tag: [tag],
      }),
    );
    const id = run.body?.instanceIdSets?.instanceIdSet?.[0] as string;
    const res = await ecs.describeInstances(
      new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', instanceIds: JSON.stringify([id]) }),
    );
    const inst = res.body?.instances?.instance?.[0];
    expect([inst?.instanceName, inst?.description]).toEqual(['中文实例-1', description]);
    expect(inst?.tags?.tag?.map((t) => [t.tagKey, t.tagValue])).toEqual([['k *~()', "v'!+&=/% 值"]]);
  });
});

describe('V3 SDK with parameters in a form body', () => {
  it('verifies x-acs-content-sha256 over the body and reads its parameters', async () => {
    const params = new $OpenApiUtil.Params({
      action: 'DescribeInstances', version: '2014-05-26', protocol: 'HTTP', pathname: '/', method: 'POST',
      authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json',
    });
    const request = new $OpenApiUtil.OpenApiRequest({ query: { RegionId: 'cn-hangzhou' }, body: { PageSize: '7', PageNumber: '2' } });
    const runtime = {} as Parameters<typeof ecs.callApi>[2];
    const res = (await ecs.callApi(params, request, runtime)) as { statusCode: number; body: { PageSize: number; PageNumber: number } };
    expect(res.statusCode).toBe(200);
    expect([res.body.PageSize, res.body.PageNumber]).toEqual([7, 2]);
  });
});
