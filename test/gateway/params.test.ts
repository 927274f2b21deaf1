import { describe, expect, it } from 'vitest';
import { WireParamsBuilder, wire } from '../../src/gateway/ecs/params.js';

describe('WireParamsBuilder', () => {
  it.each([
    ['string', 'cn-beijing', 'cn-beijing'],
    ['integer', 50, '50'],
    ['zero', 0, '0'],
    ['negative', -1, '-1'],
    ['fraction', 0.5, '0.5'],
    ['true', true, 'true'],
    ['false', false, 'false'],
    ['empty string', '', ''],
    ['unicode', '测试 a+b', '测试 a+b'],
  ] as const)('flat: %s becomes %j', (_name, value, expected) => {
    expect(wire().flat('Name', value).build()).toEqual({ Name: expected });
  });

  it('flat skips undefined but keeps falsy values', () => {
    expect(wire().flat('A', undefined).flat('B', false).flat('C', 0).flat('D', '').build()).toEqual({ B: 'false', C: '0', D: '' });
  });

  it('list numbers from 1 (repeatList)', () => {
    expect(wire().list('InstanceId', ['i-a', 'i-b', 'i-c']).build()).toEqual({
      'InstanceId.1': 'i-a', 'InstanceId.2': 'i-b', 'InstanceId.3': 'i-c',
    });
  });

  it('list of undefined or empty adds nothing', () => {
    expect(wire().list('InstanceId', undefined).list('SecurityGroupIds', []).build()).toEqual({});
  });

  it('objects: Name.N.Field for each defined field', () => {
    const params = wire().objects('Tag', [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: undefined }]).build();
    expect(params).toEqual({ 'Tag.1.Key': 'env', 'Tag.1.Value': 'prod', 'Tag.2.Key': 'team' });
  });

  it('objects with scalars of every type', () => {
    const params = wire().objects('DataDisk', [{ Size: 40, Category: 'cloud_essd', DeleteWithInstance: true }]).build();
    expect(params).toEqual({ 'DataDisk.1.Size': '40', 'DataDisk.1.Category': 'cloud_essd', 'DataDisk.1.DeleteWithInstance': 'true' });
  });

  it('object: Name.Field, undefined fields skipped', () => {
    expect(wire().object('SystemDisk', { Size: 50, Category: undefined }).build()).toEqual({ 'SystemDisk.Size': '50' });
    expect(wire().object('SystemDisk', undefined).build()).toEqual({});
    expect(wire().object('SystemDisk', { Size: undefined }).build()).toEqual({});
  });

  it.each([
    ['array', ['i-1', 'i-2'], '["i-1","i-2"]'],
    ['single', ['i-1'], '["i-1"]'],
    ['empty array', [], '[]'],
    ['quotes escaped', ['a"b'], '["a\\"b"]'],
  ] as const)('json: %s', (_name, value, expected) => {
    expect(wire().json('InstanceIds', value).build()).toEqual({ InstanceIds: expected });
  });

  it('json skips undefined', () => {
    expect(wire().json('InstanceIds', undefined).build()).toEqual({});
  });

  it('chains every style into one flat map', () => {
    const params = wire().flat('RegionId', 'cn-beijing').list('InstanceId', ['i-1'])
      .object('SystemDisk', { Size: 40 }).objects('Tag', [{ Key: 'k' }]).json('InstanceIds', ['i-1']).build();
    expect(params).toEqual({
      RegionId: 'cn-beijing', 'InstanceId.1': 'i-1', 'SystemDisk.Size': '40', 'Tag.1.Key': 'k', InstanceIds: '["i-1"]',
    });
    expect(Object.values(params).every((v) => typeof v === 'string')).toBe(true);
  });

  it('build returns a copy: later calls do not change an earlier result', () => {
    const builder = new WireParamsBuilder().flat('A', '1');
    const first = builder.build();
    builder.flat('B', '2');
    expect(first).toEqual({ A: '1' });
    expect(builder.build()).toEqual({ A: '1', B: '2' });
    expect(first).not.toBe(builder.build());
  });

  it('a later value of the same name replaces the earlier one', () => {
    expect(wire().flat('A', '1').flat('A', '2').build()).toEqual({ A: '2' });
  });

  it('wire() starts a fresh builder each time', () => {
    wire().flat('A', '1');
    expect(wire().build()).toEqual({});
  });
});
