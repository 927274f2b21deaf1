import { describe, expect, it } from 'vitest';
import { Harness, REGION, expectEcsError, idParams } from './helpers.js';

describe('Start/Stop/RebootInstances', () => {
  it('AllTogether (default): one instance in the wrong status fails the whole call and changes nothing', () => {
    const h = new Harness();
    const [a, b] = h.running(2);
    h.call('StopInstances', { RegionId: REGION, ...idParams([a!]) });
    h.advance(5000);
    const err = expectEcsError(() => h.call('StopInstances', { RegionId: REGION, ...idParams([a!, b!]) }), 403, 'IncorrectInstanceStatus');
    expect(err.message).toBe(
      'The specified instance is in an incorrect status for the requested action; Status of the specified instance is Stopped but the expected status is in (Running).',
    );
    expect(h.status(b!)).toBe('Running');
    expect(h.status(a!)).toBe('Stopped');
  });

  it('AllTogether: an unknown ID fails the call with InvalidInstanceId.NotFound', () => {
    const h = new Harness();
    const [a] = h.running();
    const err = expectEcsError(
      () => h.call('StopInstances', { RegionId: REGION, ...idParams([a!, 'i-bpnotthere000000000']), BatchOptimization: 'AllTogether' }),
      404,
      'InvalidInstanceId.NotFound',
    );
    expect(err.message).toBe('The specified InstanceId does not exist.');
    expect(h.status(a!)).toBe('Running');
  });

  it('SuccessFirst: each instance answers for itself, as in the mixed fixture', () => {
    const h = new Harness();
    const [a, b, c] = h.stopped(3);
    h.call('StartInstances', { RegionId: REGION, ...idParams([c!]) });
    const body = h.call('StartInstances', {
      RegionId: REGION,
      ...idParams([a!, b!, c!, 'i-TestID']),
      BatchOptimization: 'SuccessFirst',
    });
    expect(body).toEqual({
      InstanceResponses: {
        InstanceResponse: [
          { Code: '200', Message: 'success', InstanceId: a, PreviousStatus: 'Stopped', CurrentStatus: 'Starting' },
          { Code: '200', Message: 'success', InstanceId: b, PreviousStatus: 'Stopped', CurrentStatus: 'Starting' },
          {
            Code: 'IncorrectInstanceStatus',
            Message:
              'The specified instance is in an incorrect status for the requested action; Status of the specified instance is Starting but the expected status is in (Stopped).',
            InstanceId: c,
            PreviousStatus: 'Starting',
            CurrentStatus: 'Starting',
          },
          { Code: 'InvalidInstanceId.NotFound', Message: 'The specified InstanceId does not exist.', InstanceId: 'i-TestID', PreviousStatus: '', CurrentStatus: '' },
        ],
      },
    });
    expect(h.status(a!)).toBe('Starting');
  });

  it('SuccessFirst with every instance failing changes nothing and does not notify', () => {
    const h = new Harness();
    const [a] = h.running();
    const before = h.changes;
    const body = h.call('StartInstances', { RegionId: REGION, ...idParams([a!]), BatchOptimization: 'SuccessFirst' });
    expect(body).toMatchObject({ InstanceResponses: { InstanceResponse: [{ Code: 'IncorrectInstanceStatus' }] } });
    expect(h.changes).toBe(before);
  });

  it('Start needs Stopped, Stop and Reboot need Running (transitional states are refused too)', () => {
    const h = new Harness();
    const [id] = h.run();
    expectEcsError(() => h.call('StopInstances', { RegionId: REGION, ...idParams([id!]) }), 403, 'IncorrectInstanceStatus');
    expectEcsError(() => h.call('RebootInstances', { RegionId: REGION, ...idParams([id!]) }), 403, 'IncorrectInstanceStatus');
    h.advance(10_000);
    expectEcsError(() => h.call('StartInstances', { RegionId: REGION, ...idParams([id!]) }), 403, 'IncorrectInstanceStatus');
    h.call('StopInstances', { RegionId: REGION, ...idParams([id!]) });
    expectEcsError(() => h.call('StartInstances', { RegionId: REGION, ...idParams([id!]) }), 403, 'IncorrectInstanceStatus');
    h.advance(10_000);
    expectEcsError(() => h.call('RebootInstances', { RegionId: REGION, ...idParams([id!]) }), 403, 'IncorrectInstanceStatus');
    expectEcsError(() => h.call('StopInstances', { RegionId: REGION, ...idParams([id!]) }), 403, 'IncorrectInstanceStatus');
  });

  it('DryRun answers DRYRUN.SUCCESS and changes nothing', () => {
    const h = new Harness();
    const [id] = h.running();
    for (const action of ['StopInstances', 'RebootInstances']) {
      const err = expectEcsError(() => h.call(action, { RegionId: REGION, ...idParams([id!]), DryRun: 'true' }), 400, 'DRYRUN.SUCCESS');
      expect(err.message).toBe('This request is a dryrun request with successful result.');
    }
    expectEcsError(
      () => h.call('StopInstances', { RegionId: REGION, ...idParams([id!]), DryRun: 'true', BatchOptimization: 'SuccessFirst' }),
      400,
      'DRYRUN.SUCCESS',
    );
    expect(h.status(id!)).toBe('Running');
  });

  it('DryRun still reports a bad status or unknown ID first', () => {
    const h = new Harness();
    const [id] = h.running();
    expectEcsError(() => h.call('StartInstances', { RegionId: REGION, ...idParams([id!]), DryRun: 'true' }), 403, 'IncorrectInstanceStatus');
    expectEcsError(() => h.call('StartInstances', { RegionId: REGION, 'InstanceId.1': 'i-x', DryRun: 'true' }), 404, 'InvalidInstanceId.NotFound');
  });

  it('accepts 100 IDs and refuses 101 with InvalidParameter.TooManyInstanceIds (403)', () => {
    const h = new Harness(0);
    const ids = [...h.run({ Amount: '100' })];
    const body = h.call('StopInstances', { RegionId: REGION, ...idParams(ids) });
    expect((body.InstanceResponses as { InstanceResponse: unknown[] }).InstanceResponse).toHaveLength(100);
    ids.push('i-extra');
    expectEcsError(() => h.call('StartInstances', { RegionId: REGION, ...idParams(ids) }), 403, 'InvalidParameter.TooManyInstanceIds');
  });

  it('needs RegionId and at least one InstanceId; validates the region and BatchOptimization', () => {
    const h = new Harness();
    expectEcsError(() => h.call('StartInstances', { RegionId: REGION }), 400, 'MissingParameter');
    expectEcsError(() => h.call('StartInstances', { 'InstanceId.1': 'i-1' }), 400, 'MissingParameter');
    expectEcsError(() => h.call('StartInstances', { RegionId: 'xx-nowhere-1', 'InstanceId.1': 'i-1' }), 404, 'InvalidRegionId.NotFound');
    expectEcsError(() => h.call('StartInstances', { RegionId: REGION, 'InstanceId.1': 'i-1', BatchOptimization: 'Sometimes' }), 400, 'InvalidParameter');
    expectEcsError(() => h.call('StopInstances', { RegionId: REGION, 'InstanceId.1': 'i-1', StoppedMode: 'Frozen' }), 400, 'InvalidParameter');
  });

  it('accepts ForceStop, ForceReboot and StoppedMode', () => {
    const h = new Harness(0);
    const [id] = h.running();
    h.call('RebootInstances', { RegionId: REGION, ...idParams([id!]), ForceReboot: 'true' });
    h.call('StopInstances', { RegionId: REGION, ...idParams([id!]), ForceStop: 'true', StoppedMode: 'KeepCharging' });
    expect(h.status(id!)).toBe('Stopped');
  });

  it('does not find instances of another region', () => {
    const h = new Harness();
    const [id] = h.running();
    expectEcsError(() => h.call('StopInstances', { RegionId: 'cn-beijing', ...idParams([id!]) }), 404, 'InvalidInstanceId.NotFound');
  });
});
