/**
 * The official V1 SDK (@alicloud/pop-core, HMAC-SHA1) runs a whole instance lifecycle
 * against the emulator with GET and with POST (form body), plus hard-to-sign input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { TEST_KEY } from './helpers.js';
import { v1Client } from './sdk-clients.js';

const IMAGE = 'aliyun_3_x64_20G_alibase_20240528.vhd';
const TYPE = 'ecs.g6.large';

type Body = Record<string, any>;

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, transitionMs: 0, accessKeys: [TEST_KEY] });
});
afterAll(() => emu.close());

describe.each(['GET', 'POST'] as const)('pop-core with %s', (method) => {
  const call = (action: string, params: Record<string, unknown>) =>
    v1Client(emu.url, TEST_KEY).request<Body>(action, params, { method });

  async function statusOf(ids: string[]): Promise<string[]> {
    const res = await call('DescribeInstances', { RegionId: 'cn-hangzhou', InstanceIds: JSON.stringify(ids), PageSize: 100 });
    const byId = new Map((res.Instances.Instance as Body[]).map((i) => [i.InstanceId, i.Status]));
    return ids.map((id) => byId.get(id) ?? 'absent');
  }

  it('describeRegions → run → describe → stop → start → reboot → delete', async () => {
    const regions = await call('DescribeRegions', {});
    expect(regions.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect((regions.Regions.Region as Body[]).find((r) => r.RegionId === 'cn-beijing')?.RegionEndpoint).toBe(
      'ecs.cn-beijing.aliyuncs.com',
    );

    const run = await call('RunInstances', { RegionId: 'cn-hangzhou', ImageId: IMAGE, InstanceType: TYPE, Amount: 2 });
    const ids = run.InstanceIdSets.InstanceIdSet as string[];
    expect(ids).toHaveLength(2);
    expect(await statusOf(ids)).toEqual(['Running', 'Running']);

    const stop = await call('StopInstances', { RegionId: 'cn-hangzhou', InstanceId: ids });
    expect((stop.InstanceResponses.InstanceResponse as Body[]).map((r) => [r.InstanceId, r.Code, r.PreviousStatus])).toEqual(
      ids.map((id) => [id, '200', 'Running']),
    );
    expect(await statusOf(ids)).toEqual(['Stopped', 'Stopped']);

    const start = await call('StartInstances', { RegionId: 'cn-hangzhou', InstanceId: ids });
    expect((start.InstanceResponses.InstanceResponse as Body[]).map((r) => r.PreviousStatus)).toEqual(['Stopped', 'Stopped']);
    const reboot = await call('RebootInstances', { RegionId: 'cn-hangzhou', InstanceId: ids });
    expect((reboot.InstanceResponses.InstanceResponse as Body[]).map((r) => r.Code)).toEqual(['200', '200']);
    await call('StopInstances', { RegionId: 'cn-hangzhou', InstanceId: ids });

    // Stopped instances can be deleted without Force.
    const del = await call('DeleteInstances', { RegionId: 'cn-hangzhou', InstanceId: ids });
    expect(Object.keys(del)).toEqual(['RequestId']);
    expect(await statusOf(ids)).toEqual(['absent', 'absent']);
  });

  it('signs a 12-item repeat list (InstanceId.10 sorts before InstanceId.2)', async () => {
    const run = await call('RunInstances', { RegionId: 'cn-hangzhou', ImageId: IMAGE, InstanceType: TYPE, Amount: 12 });
    const ids = run.InstanceIdSets.InstanceIdSet as string[];
    const del = await call('DeleteInstances', { RegionId: 'cn-hangzhou', InstanceId: ids, Force: true });
    expect(del.RequestId).toBeTruthy();
    expect(new Set(await statusOf(ids))).toEqual(new Set(['absent']));
  });

  it('signs non-ASCII names and reserved characters, which round-trip', async () => {
    const description = "a b*~'()!+&=/%c 中";
    const run = await call('RunInstances', {
      RegionId: 'cn-hangzhou', ImageId: IMAGE, InstanceType: TYPE, InstanceName: '中文实例-1', Description: description,
      Tag: [{ Key: 'k *~()', Value: "v'!+&=/% 值" }],
    });
    const id = (run.InstanceIdSets.InstanceIdSet as string[])[0];
    const res = await call('DescribeInstances', { RegionId: 'cn-hangzhou', InstanceIds: JSON.stringify([id]) });
    const inst = (res.Instances.Instance as Body[])[0];
    expect([inst?.InstanceName, inst?.Description]).toEqual(['中文实例-1', description]);
    expect((inst?.Tags.Tag as Body[]).map((t) => [t.TagKey, t.TagValue])).toEqual([['k *~()', "v'!+&=/% 值"]]);
  });
});
