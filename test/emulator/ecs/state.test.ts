import { describe, expect, it } from 'vitest';
import { EcsApiError, EcsEmulatorState, SUPPORTED_ACTIONS } from '../../../src/emulator/ecs/index.js';
import { renderError } from '../../../src/emulator/protocol/render.js';
import { Harness, REGION, expectEcsError, idParams } from './helpers.js';

describe('EcsEmulatorState', () => {
  it('implements the instance lifecycle and catalog actions, and lists exactly those as supported', () => {
    const actions = [
      'DeleteInstances', 'DescribeImages', 'DescribeInstanceStatus', 'DescribeInstanceTypes', 'DescribeInstances',
      'DescribeRegions', 'DescribeZones', 'RebootInstances', 'RunInstances', 'StartInstances', 'StopInstances',
      'StartInstance', 'StopInstance', 'RebootInstance', 'DeleteInstance',
      'RunCommand', 'DescribeInvocations', 'DescribeInvocationResults', 'StopInvocation',
      'DescribePrice', 'DescribeAvailableResource',
      // storage (disks.ts, snapshots.ts, custom-images.ts, instance-disks.ts)
      'CreateDisk', 'DescribeDisks', 'DeleteDisk', 'AttachDisk', 'DetachDisk', 'ResizeDisk', 'CreateSnapshot',
      'DescribeSnapshots', 'DeleteSnapshot', 'CreateImage', 'DeleteImage', 'ReplaceSystemDisk', 'ModifyInstanceSpec',
      // networking, access and tags (issue 9)
      'DescribeVpcs', 'DescribeVSwitches', 'CreateSecurityGroup', 'DescribeSecurityGroups', 'DescribeSecurityGroupAttribute',
      'DeleteSecurityGroup', 'AuthorizeSecurityGroup', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroup',
      'RevokeSecurityGroupEgress', 'CreateKeyPair', 'ImportKeyPair', 'DescribeKeyPairs', 'DeleteKeyPairs', 'AttachKeyPair',
      'DetachKeyPair', 'TagResources', 'UntagResources', 'ListTagResources', 'ModifyInstanceAttribute',
    ];
    const h = new Harness();
    for (const action of actions) {
      // Reaching the action is enough: it may refuse the empty parameters, but never as an unknown action.
      let code: string | undefined;
      try {
        h.call(action, {});
      } catch (err) {
        code = (err as { code?: string }).code;
      }
      expect(code, action).not.toBe('InvalidAction.NotFound');
    }
    expect([...SUPPORTED_ACTIONS].sort()).toEqual([...actions].sort());
  });

  it('answers InvalidAction.NotFound (404) for any other action', () => {
    const h = new Harness();
    for (const action of ['CreateInstanceNow', 'DescribeInstance', 'toString', '__proto__', 'hasOwnProperty', '']) {
      const err = expectEcsError(() => h.call(action), 404, 'InvalidAction.NotFound');
      expect(err.message).toBe('Specified api is not found, please check your url and method.');
    }
  });

  it('an EcsApiError reaches the wire as the ECS error body with its status, code, message and Recommend', () => {
    const id = 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE';
    const withLink = renderError(new EcsApiError(403, 'Forbidden.RAM', 'no', 'https://example.test'), id, 'JSON');
    expect(withLink.status).toBe(403);
    expect(JSON.parse(withLink.body)).toEqual({ RequestId: id, HostId: 'ecs.aliyuncs.com', Code: 'Forbidden.RAM', Message: 'no', Recommend: 'https://example.test' });
    // Thrown by an action (no Recommend of its own): the troubleshoot link for its code.
    const thrown = expectEcsError(() => new Harness().call('StopInstances', { RegionId: REGION, 'InstanceId.1': 'i-missing' }), 404, 'InvalidInstanceId.NotFound');
    expect(JSON.parse(renderError(thrown, id, 'JSON').body)).toMatchObject({
      Code: 'InvalidInstanceId.NotFound',
      Message: 'The specified InstanceId does not exist.',
      Recommend: `https://api.aliyun.com/troubleshoot?q=InvalidInstanceId.NotFound&product=Ecs&requestId=${id}`,
    });
  });

  it('keeps instances apart per account', () => {
    const h = new Harness();
    const [a] = h.running(1, {}, 'AK-A');
    h.running(2, {}, 'AK-B');
    expect(h.instances({}, 'AK-A')).toHaveLength(1);
    expect(h.instances({}, 'AK-B')).toHaveLength(2);
    expectEcsError(() => h.call('StopInstances', { RegionId: REGION, ...idParams([a!]) }, 'AK-B'), 404, 'InvalidInstanceId.NotFound');
    expectEcsError(() => h.call('DeleteInstances', { RegionId: REGION, ...idParams([a!]), Force: 'true' }, 'AK-B'), 404, 'InvalidInstanceId.NotFound');
    expect(h.status(a!, 'AK-A')).toBe('Running');
  });

  it('keeps instances apart per region, with region-style IDs', () => {
    const h = new Harness();
    h.run();
    const body = h.call('RunInstances', { RegionId: 'cn-beijing', ImageId: 'ubuntu_22_04_x64_20G_alibase_20240710.vhd', InstanceType: 'ecs.c7.large' });
    const [bj] = (body.InstanceIdSets as { InstanceIdSet: string[] }).InstanceIdSet;
    expect(bj).toMatch(/^i-2z/);
    expect(h.instances()).toHaveLength(1);
    const inBeijing = h.call('DescribeInstances', { RegionId: 'cn-beijing' });
    expect(inBeijing).toMatchObject({ TotalCount: 1, Instances: { Instance: [{ InstanceId: bj, RegionId: 'cn-beijing' }] } });
  });

  it('round-trips snapshot/restore, including lifecycle schedules and client tokens', () => {
    const h = new Harness();
    h.run({ Amount: '2', ClientToken: 'tok', 'Tag.1.Key': 'k', 'Tag.1.Value': 'v' });
    const snap = JSON.parse(JSON.stringify(h.state.snapshot())) as unknown;
    const before = h.instances();

    const h2 = new Harness();
    h2.state.restore(snap);
    expect(h2.instances()).toEqual(before);
    h.advance(1500);
    h2.advance(1500);
    expect(h2.instances()).toEqual(h.instances());
    expect(h2.instances()[0]!.Status).toBe('Starting');
    const replay = h2.call('RunInstances', { RegionId: REGION, ImageId: h2.instances()[0]!.ImageId as string, InstanceType: 'ecs.g7.large', Amount: '2', ClientToken: 'tok', 'Tag.1.Key': 'k', 'Tag.1.Value': 'v' });
    expect((replay.InstanceIdSets as { InstanceIdSet: string[] }).InstanceIdSet).toEqual(before.map((i) => i.InstanceId));
    expect(h2.instances()).toHaveLength(2);
    expect(h2.state.snapshot()).toEqual(h.state.snapshot());
  });

  it('snapshot() is a copy: later changes do not leak into it', () => {
    const h = new Harness();
    h.run();
    const snap = h.state.snapshot() as { instances: unknown[] };
    h.run();
    expect(snap.instances).toHaveLength(1);
  });

  it('restore() rejects garbage and keeps the current state', () => {
    const h = new Harness();
    h.run();
    const good = h.state.snapshot() as Record<string, unknown>;
    const bad: unknown[] = [
      null,
      42,
      'state',
      [],
      {},
      { ...good, version: 2 },
      { ...good, instances: 'x' },
      { ...good, instances: [{ instanceId: 1 }] },
      { ...good, instances: [{ ...(good.instances as object[])[0], status: 'Exploded' }] },
      { ...good, instances: [{ ...(good.instances as object[])[0], password: 'pw' }] },
      { ...good, clientTokens: [{}] },
      { ...good, vSwitches: null },
    ];
    for (const b of bad) expect(() => h.state.restore(b)).toThrow(TypeError);
    expect(h.instances()).toHaveLength(1);
  });

  it('reset() forgets everything and notifies', () => {
    const h = new Harness();
    h.run();
    const before = h.changes;
    h.state.reset();
    expect(h.instances()).toEqual([]);
    expect(h.changes).toBe(before + 1);
  });

  it('calls onChange after each mutation only', () => {
    const h = new Harness();
    h.call('DescribeRegions');
    expect(h.changes).toBe(0);
    const [id] = h.running();
    expect(h.changes).toBe(1);
    h.call('StopInstances', { RegionId: REGION, ...idParams([id!]) });
    expect(h.changes).toBe(2);
    expectEcsError(() => h.call('StopInstances', { RegionId: REGION, ...idParams([id!]) }), 403, 'IncorrectInstanceStatus');
    expect(h.changes).toBe(2);
  });

  it('works with the default clock and randomness, and refuses a bad transitionMs', () => {
    const state = new EcsEmulatorState({ transitionMs: 0 });
    const body = state.call('RunInstances', { RegionId: REGION, ImageId: 'centos_7_9_x64_20G_alibase_20240628.vhd', InstanceType: 'ecs.t6-c1m1.large' }, { account: 'x' });
    expect((body.InstanceIdSets as { InstanceIdSet: string[] }).InstanceIdSet[0]).toMatch(/^i-bp/);
    expect(() => new EcsEmulatorState({ transitionMs: -1 })).toThrow(RangeError);
  });
});
