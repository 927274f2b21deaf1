/**
 * The singular actions of the old aliyun-sdk (StartInstance, StopInstance, RebootInstance, DeleteInstance) on the
 * stateful instance model: the same state machine as the batch actions, one InstanceId, no region of their own.
 */
import { describe, expect, it } from 'vitest';
import { Harness, REGION, expectEcsError, idParams } from './helpers.js';

const NOT_THERE = 'i-bpnotthere000000000';

describe('StartInstance / StopInstance / RebootInstance', () => {
  it('walk the lifecycle: Running → Stopping → Stopped → Starting → Running, answering {} each time', () => {
    const h = new Harness(1000);
    const [id] = h.running();
    expect(h.call('StopInstance', { InstanceId: id! })).toEqual({});
    expect(h.status(id!)).toBe('Stopping');
    h.advance(1000);
    expect(h.status(id!)).toBe('Stopped');
    expect(h.call('StartInstance', { InstanceId: id! })).toEqual({});
    expect(h.status(id!)).toBe('Starting');
    h.advance(1000);
    expect(h.status(id!)).toBe('Running');
    expect(h.call('RebootInstance', { InstanceId: id!, ForceStop: 'true' })).toEqual({});
    expect(h.status(id!)).toBe('Stopping');
    h.advance(1000);
    expect(h.status(id!)).toBe('Starting');
    h.advance(1000);
    expect(h.status(id!)).toBe('Running');
  });

  it('refuse an instance in the wrong status with IncorrectInstanceStatus (403), changing nothing', () => {
    const h = new Harness();
    const [running] = h.running();
    const [stopped] = h.stopped();
    const err = expectEcsError(() => h.call('StartInstance', { InstanceId: running! }), 403, 'IncorrectInstanceStatus');
    expect(err.message).toBe(
      'The specified instance is in an incorrect status for the requested action; Status of the specified instance is Running but the expected status is in (Stopped).',
    );
    expectEcsError(() => h.call('StopInstance', { InstanceId: stopped! }), 403, 'IncorrectInstanceStatus');
    expectEcsError(() => h.call('RebootInstance', { InstanceId: stopped! }), 403, 'IncorrectInstanceStatus');
    // A transitional status is wrong too.
    h.call('StopInstance', { InstanceId: running! });
    expect(expectEcsError(() => h.call('StopInstance', { InstanceId: running! }), 403, 'IncorrectInstanceStatus').message).toContain(
      'Status of the specified instance is Stopping',
    );
    expect([h.status(stopped!), h.status(running!)]).toEqual(['Stopped', 'Stopping']);
  });

  it('answer InvalidInstanceId.NotFound (404) for an unknown instance, another account\'s, or another region\'s', () => {
    const h = new Harness();
    const [id] = h.running();
    for (const action of ['StartInstance', 'StopInstance', 'RebootInstance', 'DeleteInstance']) {
      expectEcsError(() => h.call(action, { InstanceId: NOT_THERE }), 404, 'InvalidInstanceId.NotFound');
      expectEcsError(() => h.call(action, { InstanceId: id! }, 'AK-B'), 404, 'InvalidInstanceId.NotFound');
      expectEcsError(() => h.call(action, { InstanceId: id!, RegionId: 'cn-beijing' }), 404, 'InvalidInstanceId.NotFound');
    }
    expect(h.status(id!)).toBe('Running');
    // The right region is accepted.
    expect(h.call('StopInstance', { InstanceId: id!, RegionId: REGION })).toEqual({});
  });

  it('require InstanceId (MissingParameter) and type-check their flags (InvalidParameter)', () => {
    const h = new Harness();
    const [id] = h.running();
    for (const action of ['StartInstance', 'StopInstance', 'RebootInstance', 'DeleteInstance']) {
      const err = expectEcsError(() => h.call(action, {}), 400, 'MissingParameter');
      expect(err.message).toBe('The input parameter “InstanceId” that is mandatory for processing this request is not supplied.');
      expectEcsError(() => h.call(action, { InstanceId: id!, DryRun: 'yes' }), 400, 'InvalidParameter');
      // The batch spelling is not the singular action's parameter.
      expectEcsError(() => h.call(action, idParams([id!])), 400, 'InvalidParameter');
    }
    expectEcsError(() => h.call('StopInstance', { InstanceId: id!, ForceStop: '1' }), 400, 'InvalidParameter');
    expectEcsError(() => h.call('StopInstance', { InstanceId: id!, StoppedMode: 'Hibernate' }), 400, 'InvalidParameter');
    expectEcsError(() => h.call('StartInstance', { InstanceId: id!, ForceStop: 'true' }), 400, 'InvalidParameter');
    expect(h.status(id!)).toBe('Running');
  });

  it('DryRun=true answers DryRunOperation after the checks pass, and changes nothing', () => {
    const h = new Harness();
    const [id] = h.running();
    expectEcsError(() => h.call('StopInstance', { InstanceId: id!, DryRun: 'true' }), 400, 'DryRunOperation');
    expectEcsError(() => h.call('RebootInstance', { InstanceId: id!, DryRun: 'true' }), 400, 'DryRunOperation');
    // A wrong status still wins over DryRun.
    expectEcsError(() => h.call('StartInstance', { InstanceId: id!, DryRun: 'true' }), 403, 'IncorrectInstanceStatus');
    expect(h.status(id!)).toBe('Running');
    expect(h.changes).toBe(1); // the RunInstances only
  });

  it('StopInstance records StoppedMode as DescribeInstances reports it', () => {
    const h = new Harness();
    const [id] = h.running();
    h.call('StopInstance', { InstanceId: id!, StoppedMode: 'StopCharging', ForceStop: 'true', ConfirmStop: 'true' });
    h.advance(10_000);
    expect(h.instances({ InstanceIds: JSON.stringify([id]) })[0]?.StoppedMode).toBe('StopCharging');
  });
});

describe('DeleteInstance', () => {
  it('releases a Stopped instance; a Running one only with Force=true', () => {
    const h = new Harness();
    const [stopped] = h.stopped();
    const [running] = h.running();
    expect(h.call('DeleteInstance', { InstanceId: stopped! })).toEqual({});
    const err = expectEcsError(() => h.call('DeleteInstance', { InstanceId: running! }), 403, 'IncorrectInstanceStatus');
    expect(err.message).toContain('Status of the specified instance is Running but the expected status is in (Stopped)');
    expect(h.instances().map((i) => i.InstanceId)).toEqual([running]);
    expectEcsError(() => h.call('DeleteInstance', { InstanceId: running!, Force: 'true', DryRun: 'true' }), 400, 'DryRunOperation');
    expect(h.call('DeleteInstance', { InstanceId: running!, Force: 'true', TerminateSubscription: 'false' })).toEqual({});
    expect(h.instances()).toEqual([]);
    expectEcsError(() => h.call('DeleteInstance', { InstanceId: running! }), 404, 'InvalidInstanceId.NotFound');
  });

  it('refuses a deletion-protected instance, even with Force', () => {
    const h = new Harness();
    const [id] = h.running(1, { DeletionProtection: 'true' });
    const err = expectEcsError(() => h.call('DeleteInstance', { InstanceId: id!, Force: 'true' }), 403, 'InvalidOperation.DeletionProtection');
    expect(err.message).toBe('The specified instance is protected by deletion protection and cannot be released.');
    expect(h.instances()).toHaveLength(1);
  });
});
