import { describe, expect, it } from 'vitest';
import { Harness, REGION, T0, idParams } from './helpers.js';

describe('instance state machine (transitionMs 1000)', () => {
  it('RunInstances walks Pending -> Starting -> Running, one transition per second', () => {
    const h = new Harness(1000);
    const [id] = h.run();
    expect(h.status(id!)).toBe('Pending');
    h.advance(999);
    expect(h.status(id!)).toBe('Pending');
    h.advance(1);
    expect(h.status(id!)).toBe('Starting');
    h.advance(999);
    expect(h.status(id!)).toBe('Starting');
    h.advance(1);
    expect(h.status(id!)).toBe('Running');
    h.advance(60_000);
    expect(h.status(id!)).toBe('Running');
  });

  it('StopInstances walks Running -> Stopping -> Stopped', () => {
    const h = new Harness(1000);
    const [id] = h.running();
    const body = h.call('StopInstances', { RegionId: REGION, 'InstanceId.1': id! });
    expect(body).toEqual({
      InstanceResponses: {
        InstanceResponse: [{ Code: '200', Message: 'success', InstanceId: id, PreviousStatus: 'Running', CurrentStatus: 'Stopping' }],
      },
    });
    expect(h.status(id!)).toBe('Stopping');
    h.advance(999);
    expect(h.status(id!)).toBe('Stopping');
    h.advance(1);
    expect(h.status(id!)).toBe('Stopped');
  });

  it('StartInstances walks Stopped -> Starting -> Running', () => {
    const h = new Harness(1000);
    const [id] = h.stopped();
    const body = h.call('StartInstances', { RegionId: REGION, 'InstanceId.1': id! });
    expect(body.InstanceResponses).toEqual({
      InstanceResponse: [{ Code: '200', Message: 'success', InstanceId: id, PreviousStatus: 'Stopped', CurrentStatus: 'Starting' }],
    });
    expect(h.status(id!)).toBe('Starting');
    h.advance(1000);
    expect(h.status(id!)).toBe('Running');
  });

  it('RebootInstances walks Running -> Stopping -> Starting -> Running', () => {
    const h = new Harness(1000);
    const [id] = h.running();
    const body = h.call('RebootInstances', { RegionId: REGION, 'InstanceId.1': id! });
    expect(body.InstanceResponses).toEqual({
      InstanceResponse: [{ Code: '200', Message: 'success', InstanceId: id, PreviousStatus: 'Running', CurrentStatus: 'Stopping' }],
    });
    expect(h.status(id!)).toBe('Stopping');
    h.advance(1000);
    expect(h.status(id!)).toBe('Starting');
    h.advance(1000);
    expect(h.status(id!)).toBe('Running');
  });

  it('with transitionMs 0, describe shows final states at once but answers report the transitional status', () => {
    const h = new Harness(0);
    const [id] = h.run();
    expect(h.status(id!)).toBe('Running');
    const stop = h.call('StopInstances', { RegionId: REGION, ...idParams([id!]) });
    expect(stop).toMatchObject({ InstanceResponses: { InstanceResponse: [{ CurrentStatus: 'Stopping' }] } });
    expect(h.status(id!)).toBe('Stopped');
    const start = h.call('StartInstances', { RegionId: REGION, ...idParams([id!]) });
    expect(start).toMatchObject({ InstanceResponses: { InstanceResponse: [{ CurrentStatus: 'Starting' }] } });
    expect(h.status(id!)).toBe('Running');
  });

  it('records StartTime when the instance reaches Running and StoppedMode by status', () => {
    const h = new Harness(30_000);
    const [id] = h.run();
    expect(h.instances()[0]).toMatchObject({ StartTime: '', StoppedMode: 'Not-applicable', CreationTime: '2024-05-01T08:00Z' });
    h.advance(60_000);
    expect(h.instances()[0]).toMatchObject({ StartTime: '2024-05-01T08:01Z', Status: 'Running' });
    h.call('StopInstances', { RegionId: REGION, ...idParams([id!]), StoppedMode: 'StopCharging' });
    h.advance(30_000);
    expect(h.instances()[0]).toMatchObject({ Status: 'Stopped', StoppedMode: 'StopCharging' });
    h.call('StartInstances', { RegionId: REGION, ...idParams([id!]) });
    h.advance(120_000);
    const started = new Date(T0 + 60_000 + 30_000 + 120_000 - 90_000);
    expect(h.instances()[0]).toMatchObject({
      Status: 'Running',
      StoppedMode: 'Not-applicable',
      StartTime: `${started.toISOString().slice(0, 16)}Z`,
    });
  });

  it('Stop defaults StoppedMode to KeepCharging', () => {
    const h = new Harness(0);
    const [id] = h.running();
    h.call('StopInstances', { RegionId: REGION, ...idParams([id!]) });
    expect(h.instances()[0]).toMatchObject({ Status: 'Stopped', StoppedMode: 'KeepCharging' });
  });
});
