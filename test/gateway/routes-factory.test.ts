import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { resourceIdsOf as resourceIds } from '../../src/gateway/policy/index.js';
import type { CuratedRoute } from '../../src/gateway/routes/factory.js';
import { curatedDeclarer } from '../support/declare-route.js';

/**
 * The route factory refuses, at start-up, a curated declaration that does not fit the catalog: a field that
 * names no parameter, wire syntax instead of a parameter name, a nested key that is no member, an unknown
 * action. So a typo in a declaration stops the gateway instead of sending a wrong wire name.
 */

const declare = curatedDeclarer({ method: 'PUT', operationId: 'Test_Op', action: 'StopInstances' });

describe('curated declarations are checked against the catalog', () => {
  it('accepts fields that spell a parameter, name one, or are the gateway\'s own', () => {
    expect(declare({ fields: { regionId: z.string(), instanceIds: { schema: z.array(z.string()), param: 'InstanceId' }, note: { schema: z.string(), param: null } } })).not.toThrow();
    expect(declare({ action: 'RunInstances', fields: { systemDiskSize: { schema: z.number(), param: ['SystemDisk', 'Size'] } } })).not.toThrow();
  });

  it.each([
    ['a field that spells no parameter', { fields: { instanceIds: z.array(z.string()) } }, /Test_Op \(StopInstances\): field instanceIds spells no parameter of StopInstances/],
    ['an internal parameter', { fields: { ownerId: z.string() } }, /field ownerId spells no parameter/],
    ['a parameter the action does not have', { fields: { ids: { schema: z.string(), param: 'InstanceIds' } } }, /names InstanceIds, which StopInstances does not have/],
    ['wire syntax instead of names', { action: 'RunInstances', fields: { tagKey: { schema: z.string(), param: 'Tag.1.Key' } } }, /give catalog names, not wire syntax/],
    ['a member path that does not exist', { action: 'RunInstances', fields: { size: { schema: z.number(), param: ['SystemDisk', 'Sise'] } } }, /names SystemDisk → Sise/],
    ['an object key that is no member', { action: 'RunInstances', fields: { disks: { schema: z.array(z.object({ sise: z.number() })), param: 'DataDisk' } } }, /field disks\.sise is no member of DataDisk/],
    ['an action the catalog does not have', { action: 'StopInstancez' }, /StopInstancez is not an ECS action of the catalog/],
  ] as const)('refuses %s', (_name, overrides, message) => {
    expect(declare(overrides as Partial<CuratedRoute>)).toThrow(message);
  });
});

describe('resourceIds (the audit line)', () => {
  it('values of *Id and *Ids parameters at any depth, JSON lists opened, places (RegionId, ZoneId) left out', () => {
    expect(resourceIds({
      RegionId: 'cn-hangzhou', ZoneId: 'cn-hangzhou-h', 'InstanceId.1': 'i-1', 'InstanceId.2': 'i-2', InstanceIds: '["i-3","i-1"]',
      'DataDisk.1.SnapshotId': 's-1', SecurityGroupId: 'sg-1', InstanceName: 'web', Description: 'i-9', DiskIds: '[broken',
    })).toEqual(['i-1', 'i-2', 'i-3', 's-1', 'sg-1', '[broken']);
  });
});
