import { describe, expect, it } from 'vitest';
import { Harness, REGION, expectEcsError, idParams } from './helpers.js';

describe('DeleteInstances', () => {
  it('releases Stopped instances and answers {}', () => {
    const h = new Harness();
    const [a, b] = h.stopped(2);
    expect(h.call('DeleteInstances', { RegionId: REGION, ...idParams([a!]) })).toEqual({});
    expect(h.instances().map((i) => i.InstanceId)).toEqual([b]);
  });

  it('refuses a Running instance without Force, with IncorrectInstanceStatus, and deletes nothing', () => {
    const h = new Harness();
    const [stopped] = h.stopped();
    const [running] = h.running();
    const err = expectEcsError(() => h.call('DeleteInstances', { RegionId: REGION, ...idParams([stopped!, running!]) }), 403, 'IncorrectInstanceStatus');
    expect(err.message).toContain('Status of the specified instance is Running but the expected status is in (Stopped)');
    expect(h.instances()).toHaveLength(2);
  });

  it('releases Running and transitional instances with Force=true', () => {
    const h = new Harness();
    const [running] = h.running();
    const [pending] = h.run();
    h.call('DeleteInstances', { RegionId: REGION, ...idParams([running!, pending!]), Force: 'true' });
    expect(h.instances()).toHaveLength(0);
  });

  it('answers DryRunOperation after validation and keeps the instances', () => {
    const h = new Harness();
    const [id] = h.stopped();
    expectEcsError(() => h.call('DeleteInstances', { RegionId: REGION, ...idParams([id!]), DryRun: 'true' }), 400, 'DryRunOperation');
    const [running] = h.running();
    expectEcsError(() => h.call('DeleteInstances', { RegionId: REGION, ...idParams([running!]), DryRun: 'true' }), 403, 'IncorrectInstanceStatus');
    expect(h.instances()).toHaveLength(2);
  });

  it('answers InvalidInstanceId.NotFound for unknown or already deleted IDs', () => {
    const h = new Harness();
    const [id] = h.stopped();
    h.call('DeleteInstances', { RegionId: REGION, ...idParams([id!]) });
    expectEcsError(() => h.call('DeleteInstances', { RegionId: REGION, ...idParams([id!]) }), 404, 'InvalidInstanceId.NotFound');
    expectEcsError(() => h.call('StartInstances', { RegionId: REGION, ...idParams([id!]) }), 404, 'InvalidInstanceId.NotFound');
  });

  it('refuses instances under deletion protection, even with Force', () => {
    const h = new Harness();
    const [id] = h.running(1, { DeletionProtection: 'true' });
    expectEcsError(() => h.call('DeleteInstances', { RegionId: REGION, ...idParams([id!]), Force: 'true' }), 403, 'InvalidOperation.DeletionProtection');
    expect(h.instances()).toHaveLength(1);
  });

  it('needs InstanceId.N and at most 100 of them', () => {
    const h = new Harness();
    expectEcsError(() => h.call('DeleteInstances', { RegionId: REGION }), 400, 'MissingParameter');
    const ids = Array.from({ length: 101 }, (_, i) => `i-${i}`);
    expectEcsError(() => h.call('DeleteInstances', { RegionId: REGION, ...idParams(ids) }), 403, 'InvalidParameter.TooManyInstanceIds');
  });

  it('notifies onChange only on success', () => {
    const h = new Harness();
    const [id] = h.stopped();
    const before = h.changes;
    expectEcsError(() => h.call('DeleteInstances', { RegionId: REGION, 'InstanceId.1': 'i-nope' }), 404, 'InvalidInstanceId.NotFound');
    expect(h.changes).toBe(before);
    h.call('DeleteInstances', { RegionId: REGION, ...idParams([id!]) });
    expect(h.changes).toBe(before + 1);
  });
});
