/**
 * ModifyInstanceAttribute changes name, description, host name, password, user data, security groups and
 * deletion protection, each checked as RunInstances checks it, all or nothing. Behaviour layer, then the
 * official V3 SDK.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/server.js';
import { TEST_KEY } from '../helpers.js';
import { $Ecs, v3Client } from '../sdk-clients.js';
import { Harness, REGION, expectEcsError } from './helpers.js';

const modify = (h: Harness, id: string, p: Record<string, string>, account = 'AK-A') =>
  h.call('ModifyInstanceAttribute', { InstanceId: id, ...p }, account);

describe('ModifyInstanceAttribute (behaviour)', () => {
  it('changes name, description, host name and security groups; DescribeInstances shows them', () => {
    const h = new Harness();
    const [id] = h.running(1);
    const a = h.call('CreateSecurityGroup', { RegionId: REGION }).SecurityGroupId as string;
    const b = h.call('CreateSecurityGroup', { RegionId: REGION }).SecurityGroupId as string;
    const changes = h.changes;
    expect(modify(h, id!, { InstanceName: 'web-1', Description: 'front', HostName: 'web-1.local', 'SecurityGroupIds.1': a, 'SecurityGroupIds.2': b })).toEqual({});
    expect(h.changes).toBe(changes + 1);
    expect(h.instances()[0]).toMatchObject({ InstanceName: 'web-1', Description: 'front', HostName: 'web-1.local', SecurityGroupIds: { SecurityGroupId: [a, b] } });
    // The old default group no longer holds the instance: it can be deleted now.
    const defaultSg = (h.call('DescribeSecurityGroups', { RegionId: REGION, SecurityGroupName: 'default' }).SecurityGroups as { SecurityGroup: Array<{ SecurityGroupId: string }> }).SecurityGroup[0]!.SecurityGroupId;
    h.call('DeleteSecurityGroup', { RegionId: REGION, SecurityGroupId: defaultSg });
    expectEcsError(() => h.call('DeleteSecurityGroup', { RegionId: REGION, SecurityGroupId: a }), 403, 'DependencyViolation');
    // RegionId is optional; when given it must be the instance's.
    modify(h, id!, { RegionId: REGION, Description: 'again' });
    expectEcsError(() => modify(h, id!, { RegionId: 'cn-beijing', Description: 'x' }), 404, 'InvalidInstanceId.NotFound');
    expectEcsError(() => modify(h, id!, { Description: 'x' }, 'AK-B'), 404, 'InvalidInstanceId.NotFound');
    expectEcsError(() => modify(h, 'i-bp1nope', { Description: 'x' }), 404, 'InvalidInstanceId.NotFound');
  });

  it('checks every value like RunInstances and changes nothing when one fails', () => {
    const h = new Harness();
    const [id] = h.running(1, { InstanceName: 'orig' });
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ InstanceName: '1bad' }, 400, 'InvalidInstanceName.Malformed'],
      [{ Description: 'http://x' }, 400, 'InvalidDescription.Malformed'],
      [{ HostName: '-bad' }, 400, 'InvalidHostName.Malformed'],
      [{ Password: 'short1A' }, 400, 'InvalidPassword.Malformed'],
      [{ Password: 'alllowercase' }, 400, 'InvalidPassword.Malformed'],
      [{ 'SecurityGroupIds.1': 'sg-bp1nope0000000000000' }, 404, 'InvalidSecurityGroupId.NotFound'],
      [{ CreditSpecification: 'Turbo' }, 400, 'InvalidParameter'],
    ];
    for (const [p, status, code] of cases) expectEcsError(() => modify(h, id!, { InstanceName: 'renamed', ...p }), status, code);
    expect(h.instances()[0]!.InstanceName).toBe('orig');
  });

  it('takes a valid password without keeping it, user data only while Stopped, and deletion protection', () => {
    const h = new Harness();
    const [id] = h.running(1);
    const secret = 'N3w-Passw0rd!';
    modify(h, id!, { Password: secret });
    expect(JSON.stringify(h.state.snapshot())).not.toContain(secret);
    const userData = Buffer.from('#!/bin/sh\necho hi').toString('base64');
    expectEcsError(() => modify(h, id!, { UserData: userData }), 403, 'IncorrectInstanceStatus');
    expectEcsError(() => modify(h, id!, { UserData: 'not base64!' }), 400, 'InvalidUserData.Base64FormatInvalid');
    h.call('StopInstances', { RegionId: REGION, 'InstanceId.1': id! });
    h.advance(10_000);
    modify(h, id!, { UserData: userData, DeletionProtection: 'true' });
    expectEcsError(() => h.call('DeleteInstances', { RegionId: REGION, 'InstanceId.1': id! }), 403, 'InvalidOperation.DeletionProtection');
    modify(h, id!, { DeletionProtection: 'false' });
    h.call('DeleteInstances', { RegionId: REGION, 'InstanceId.1': id! });
    expect(h.instances()).toEqual([]);
  });
});

describe('ModifyInstanceAttribute (official V3 SDK)', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, transitionMs: 0, accessKeys: [TEST_KEY] });
  });
  afterAll(() => emu.close());

  it('renames an instance and moves it to another security group', async () => {
    const ecs = v3Client(emu.url, TEST_KEY);
    const sg = (await ecs.createSecurityGroup(new $Ecs.CreateSecurityGroupRequest({ regionId: REGION }))).body?.securityGroupId as string;
    const run = await ecs.runInstances(new $Ecs.RunInstancesRequest({ regionId: REGION, imageId: 'aliyun_3_x64_20G_alibase_20240528.vhd', instanceType: 'ecs.g7.large' }));
    const id = run.body?.instanceIdSets?.instanceIdSet?.[0] as string;
    const res = await ecs.modifyInstanceAttribute(new $Ecs.ModifyInstanceAttributeRequest({ instanceId: id, instanceName: 'renamed', securityGroupIds: [sg] }));
    expect(res.statusCode).toBe(200);
    const inst = (await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: REGION, instanceIds: JSON.stringify([id]) }))).body?.instances?.instance?.[0];
    expect([inst?.instanceName, inst?.securityGroupIds?.securityGroupId]).toEqual(['renamed', [sg]]);
    await expect(ecs.modifyInstanceAttribute(new $Ecs.ModifyInstanceAttributeRequest({ instanceId: id, hostName: '-x' })))
      .rejects.toMatchObject({ code: 'InvalidHostName.Malformed', statusCode: 400 });
  });
});
