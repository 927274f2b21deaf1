/**
 * wire.ts and schema.ts against the official SDK: the SDK's request model, built from the same values and run
 * through its own `xxxWithOptions` (OpenApiUtil.query, arrayToStringWithSpecifiedStyle), gives the query we
 * must send (test/support/sdk-oracle.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getAction, listActions } from '../../src/gateway/ecs/catalog/index.js';
import type { Action, Param, Shape } from '../../src/gateway/ecs/catalog/types.js';
import { camelCase, fieldSpellings } from '../../src/gateway/ecs/names.js';
import { actionSchema, actionSchemaWith } from '../../src/gateway/ecs/schema.js';
import { toWire, WireError } from '../../src/gateway/ecs/wire.js';
import { z } from 'zod';
import { sdkQueryFor } from '../support/sdk-oracle.js';

// ----------------------------------------------------------------------------------------------------
// Valid input for any action, generated from the catalog

function shapeArb(shape: Shape, depth: number): fc.Arbitrary<unknown> {
  switch (shape.type) {
    case 'string':
      return fc.string({ minLength: shape.minLength ?? 0, maxLength: Math.max(shape.minLength ?? 0, Math.min(shape.maxLength ?? 12, 12)) });
    case 'integer':
      return fc.integer({ min: shape.minimum ?? -1_000_000, max: shape.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: shape.minimum ?? -1e9, max: shape.maximum ?? 1e9, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(shapeArb(shape.items, depth + 1), { maxLength: Math.min(shape.maxItems ?? 3, 3) });
    case 'object':
      if (!shape.members) {
        return fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }).filter((k) => k !== '__proto__'), fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean()), { maxKeys: 3 })
          .map((d) => ({ ...d })); // a plain object, as JSON.parse makes (fast-check's has no prototype)
      }
      return objectArb(shape.members, depth + 1);
  }
}

/** Some of the members (all required ones), each under one of its spellings. */
function objectArb(members: readonly Param[], depth: number): fc.Arbitrary<Record<string, unknown>> {
  const entries = members.map((m) => {
    const entry = fc.tuple(fc.constantFrom(...fieldSpellings(m.name)), shapeArb(m, depth));
    return m.required ? entry : fc.option(entry, { nil: undefined, freq: 3 });
  });
  return fc.tuple(...entries).map((es) => Object.fromEntries(es.filter((e): e is [string, unknown] => e !== undefined)));
}

const inputArb = (action: Action): fc.Arbitrary<Record<string, unknown>> => objectArb(action.params, 0);

// ----------------------------------------------------------------------------------------------------

const action = (name: string): Action => {
  const a = getAction(name);
  if (!a) throw new Error(`no action ${name}`);
  return a;
};

describe('toWire: the shapes ECS takes', () => {
  it('lists are repeat lists from 1; scalars are text', () => {
    expect(toWire(action('StartInstances'), { regionId: 'cn-hangzhou', instanceId: ['i-1', 'i-2'], dryRun: false })).toEqual({
      RegionId: 'cn-hangzhou', 'InstanceId.1': 'i-1', 'InstanceId.2': 'i-2', DryRun: 'false',
    });
  });

  it('objects add their members; lists of objects nest as deep as ECS nests them', () => {
    expect(toWire(action('RunInstances'), {
      regionId: 'cn-hangzhou',
      systemDisk: { category: 'cloud_essd', size: 40 },
      dataDisk: [{ size: 100, deleteWithInstance: true }, { category: 'cloud_auto' }],
      tag: [{ key: 'env', value: 'prod' }],
      networkInterface: [{ vSwitchId: 'vsw-1', securityGroupIds: ['sg-1', 'sg-2'] }],
      amount: 2,
      spotPriceLimit: 0.25,
    })).toEqual({
      RegionId: 'cn-hangzhou',
      'SystemDisk.Category': 'cloud_essd',
      'SystemDisk.Size': '40',
      'DataDisk.1.Size': '100',
      'DataDisk.1.DeleteWithInstance': 'true',
      'DataDisk.2.Category': 'cloud_auto',
      'Tag.1.Key': 'env',
      'Tag.1.Value': 'prod',
      'NetworkInterface.1.VSwitchId': 'vsw-1',
      'NetworkInterface.1.SecurityGroupIds.1': 'sg-1',
      'NetworkInterface.1.SecurityGroupIds.2': 'sg-2',
      Amount: '2',
      SpotPriceLimit: '0.25',
    });
  });

  it('JSON-valued parameters take native values and are sent JSON-encoded; a string is sent as it is', () => {
    const di = action('DescribeInstances');
    expect(toWire(di, { regionId: 'cn-hangzhou', instanceIds: ['i-1', 'i-2'] })).toEqual({ RegionId: 'cn-hangzhou', InstanceIds: '["i-1","i-2"]' });
    expect(toWire(di, { regionId: 'cn-hangzhou', instanceIds: '["i-1"]' })).toEqual({ RegionId: 'cn-hangzhou', InstanceIds: '["i-1"]' });
    // Members of a JSON object go under their wire names, in the SDK's order; a free-form map keeps its keys.
    expect(toWire(action('CreatePlanMaintenanceWindow'), {
      timePeriod: { rangeList: [{ end_time: '04:00', startTime: '02:00' }], periodUnit: 'Day' },
    })).toEqual({ TimePeriod: '{"PeriodUnit":"Day","RangeList":[{"EndTime":"04:00","StartTime":"02:00"}]}' });
    expect(toWire(action('RunCommand'), { parameters: { dir_name: '/tmp', Count: 2 } })).toEqual({ Parameters: '{"dir_name":"/tmp","Count":2}' });
  });

  it('takes lowerCamelCase, snake_case and the wire name', () => {
    const run = action('RunInstances');
    const expected = { 'NetworkInterface.1.VSwitchId': 'vsw-1', 'DataDisk.1.KMSKeyId': 'k', 'SystemDisk.Size': '40' };
    expect(toWire(run, { networkInterface: [{ vSwitchId: 'vsw-1' }], dataDisk: [{ kmsKeyId: 'k' }], systemDisk: { size: 40 } })).toEqual(expected);
    expect(toWire(run, { network_interface: [{ v_switch_id: 'vsw-1' }], data_disk: [{ kms_key_id: 'k' }], system_disk: { size: 40 } })).toEqual(expected);
    expect(toWire(run, { NetworkInterface: [{ VSwitchId: 'vsw-1' }], DataDisk: [{ KMSKeyId: 'k' }], SystemDisk: { Size: 40 } })).toEqual(expected);
  });

  it('leaves out null and undefined; a null list item keeps its number, as in the SDK', () => {
    expect(toWire(action('StartInstances'), { regionId: null, dryRun: undefined, instanceId: ['i-1', null, 'i-3'] }))
      .toEqual({ 'InstanceId.1': 'i-1', 'InstanceId.3': 'i-3' });
  });

  it('refuses what does not fit the catalog, naming the field', () => {
    const run = action('RunInstances');
    expect(() => toWire(run, { imageID: 'x' })).toThrow(new WireError('imageID', 'unknown field'));
    expect(() => toWire(run, { systemDisk: { sise: 40 } })).toThrow(WireError);
    expect(() => toWire(run, { tag: { key: 'a' } })).toThrow(/tag: must be an array/);
    expect(() => toWire(run, { systemDisk: 'big' })).toThrow(/systemDisk: must be an object/);
    expect(() => toWire(run, { imageId: 'a', ImageId: 'b' })).toThrow(/given twice/);
    expect(toWire(run, { imageId: 'a', ImageId: 'a' })).toEqual({ ImageId: 'a' });
    expect(() => toWire(run, { amount: Number.NaN })).toThrow(/finite/);
  });

  it('leaves the gateway\'s own fields out when told', () => {
    expect(toWire(action('DescribeRegions'), { accessKeyId: 'AK', acceptLanguage: 'en-US' }, { ignore: ['accessKeyId'] }))
      .toEqual({ AcceptLanguage: 'en-US' });
  });
});

describe('toWire equals the official SDK', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['RunInstances', {
      regionId: 'cn-hangzhou', imageId: 'm-1', instanceType: 'ecs.g7.large', amount: 3, dryRun: true, spotPriceLimit: 0.97,
      systemDisk: { category: 'cloud_essd', size: '40', performanceLevel: 'PL1', burstingEnabled: false },
      dataDisk: [{ size: 100, category: 'cloud_auto', deleteWithInstance: true }, { snapshotId: 's-1', KMSKeyId: 'kms' }],
      tag: [{ key: 'env', value: 'prod' }, { key: 'team' }],
      networkInterface: [{ vSwitchId: 'vsw-1', securityGroupIds: ['sg-1', 'sg-2'], ipv6Address: ['::1'] }, { networkCardIndex: 1 }],
      securityGroupIds: ['sg-1'], hostNames: ['a', 'b'], arn: [{ roleType: 'r', rolearn: 'acs:ram::1:role/x', assumeRoleFor: 5 }],
      privateDnsNameOptions: { hostnameType: 'Custom', enableIpDnsARecord: true }, cpuOptions: { core: 2, threadsPerCore: 1 },
      password: 'P@ssw0rd', userData: 'ZWNobyBoaQ==',
    }],
    ['DescribeInstances', {
      regionId: 'cn-hangzhou', instanceIds: ['i-1', 'i-2'], privateIpAddresses: ['10.0.0.1'], maxResults: 100, nextToken: 't',
      tag: [{ key: 'a', value: 'b' }], filter: [{ key: 'CreationStartTime', value: '2024-01-01T00:00Z' }], additionalAttributes: ['META_OPTIONS'],
    }],
    ['AuthorizeSecurityGroup', {
      regionId: 'cn-hangzhou', securityGroupId: 'sg-1',
      permissions: [{ ipProtocol: 'TCP', portRange: '22/22', sourceCidrIp: '10.0.0.0/8', priority: '1', policy: 'accept' }, { ipProtocol: 'ICMP', portRange: '-1/-1', sourceGroupId: 'sg-2' }],
    }],
    ['CreateAutoProvisioningGroup', {
      regionId: 'cn-hangzhou', totalTargetCapacity: '10', maxSpotPrice: 1.5,
      launchConfiguration: { imageId: 'm-1', systemDiskCategory: 'cloud_essd', systemDisk: { KMSKeyId: 'k', provisionedIops: 4000 }, dataDisk: [{ size: 20 }], tag: [{ key: 'k', value: 'v' }], securityGroupIds: ['sg-1'] },
      launchTemplateConfig: [{ instanceType: 'ecs.g7.large', maxPrice: 0.5, weightedCapacity: 2, excludedInstanceTypes: ['ecs.t5*'] }],
      resourcePoolOptions: { strategy: 'PrivatePoolFirst', privatePoolIds: ['eap-1', 'eap-2'] },
    }],
    ['ModifyCloudAssistantSettings', {
      regionId: 'cn-hangzhou', settingType: 'AgentUpgradeConfig',
      agentUpgradeConfig: { enabled: true, allowedUpgradeWindow: ['02:00-03:00'], timeZone: 'Asia/Shanghai' },
      ossDeliveryConfig: { enabled: false, bucketName: 'b' }, resourceUsageConfig: { cpuLimit: 50 },
    }],
    ['CreatePlanMaintenanceWindow', {
      regionId: 'cn-hangzhou', planWindowName: 'window', enable: true, supportMaintenanceAction: 'Stop',
      targetResource: { scope: 'Tag', tags: [{ key: 'k', value: 'v' }] }, timePeriod: { periodUnit: 'Week', rangeList: [{ startTime: '01:00', endTime: '02:00' }] },
    }],
    ['RunCommand', { regionId: 'cn-hangzhou', type: 'RunShellScript', commandContent: 'ZWNobw==', instanceId: ['i-1'], parameters: { name: 'Jack', n: 2 }, resourceTag: [{ key: 'k' }] }],
    ['DescribeCapacityReservations', { regionId: 'cn-hangzhou', privatePoolOptions: { ids: ['crp-1', 'crp-2'] }, tag: [{ key: 'k' }] }],
    ['CreateAutoSnapshotPolicy', { regionId: 'cn-hangzhou', timePoints: ['0', '1'], repeatWeekdays: ['1', '7'], retentionDays: -1, targetCopyRegions: ['cn-shanghai'] }],
    ['ModifyPrefixList', { regionId: 'cn-hangzhou', prefixListId: 'pl-1', addEntry: [{ cidr: '10.0.0.0/8', description: 'office' }], removeEntry: [{ cidr: '10.1.0.0/16' }] }],
  ];

  it.each(cases)('%s', async (name, input) => {
    const a = action(name);
    const expected = await sdkQueryFor(a, input);
    expect(Object.keys(expected).length).toBeGreaterThan(1);
    expect(toWire(a, input)).toEqual(expected);
    // And through the schema, with every spelling folded to lowerCamelCase.
    const parsed = actionSchema(a).parse(input);
    expect(toWire(a, parsed)).toEqual(expected);
  });

  it('property: any valid input to the sampled actions gives the SDK\'s query, directly and through the schema', async () => {
    for (const name of cases.map(([n]) => n)) {
      const a = action(name);
      await fc.assert(fc.asyncProperty(inputArb(a), async (input) => {
        const expected = await sdkQueryFor(a, input);
        expect(toWire(a, input)).toEqual(expected);
        const parsed = actionSchema(a, { includeInternal: true }).safeParse(input);
        if (!parsed.success) throw new Error(`schema refused valid input: ${JSON.stringify(parsed.error.issues)}`);
        expect(toWire(a, parsed.data)).toEqual(expected);
      }), { numRuns: 40 });
    }
  }, 120_000);

  it('property: every action of the catalog agrees with the SDK', async () => {
    const actions = listActions();
    expect(actions.length).toBe(380);
    for (const a of actions) {
      await fc.assert(fc.asyncProperty(inputArb(a), async (input) => {
        expect(toWire(a, input)).toEqual(await sdkQueryFor(a, input));
      }), { numRuns: 4 });
    }
  }, 180_000);
});

describe('actionSchema', () => {
  const run = action('RunInstances');
  const issues = (r: { success: boolean; error?: { issues: readonly { path: PropertyKey[]; message: string }[] } }) =>
    (r.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);

  it('folds the three spellings to lowerCamelCase and types the values', () => {
    const out = actionSchema(run).parse({
      region_id: 'cn-hangzhou', ImageId: 'm-1', amount: '2', dry_run: 'true', spotPriceLimit: '0.5',
      system_disk: { Size: 40 }, tag: [{ Key: 'a' }],
    });
    expect(out).toEqual({ amount: 2, dryRun: true, imageId: 'm-1', regionId: 'cn-hangzhou', spotPriceLimit: 0.5, systemDisk: { size: '40' }, tag: [{ key: 'a' }] });
  });

  it('reports every problem at once: unknown, missing, mistyped, out of range, conflicting', () => {
    const r = actionSchema(run).safeParse({
      regionID: 'x', amount: 101, minAmount: 1.5, dryRun: 'yes', imageId: 'a', image_id: 'b', systemDisk: { sise: 1 }, dataDisk: {}, ownerId: 1,
    });
    expect(r.success).toBe(false);
    expect(issues(r).sort()).toEqual([
      'amount: must be at most 100',
      'dataDisk: Invalid input: expected array, received object',
      'dryRun: Invalid input',
      'image_id: given twice (as imageId and image_id) with different values',
      'minAmount: Invalid input',
      'ownerId: unknown field',
      'regionID: unknown field',
      'regionId: is required',
      'systemDisk.sise: unknown field',
    ].sort());
  });

  it('takes Alibaba-internal parameters only when asked', () => {
    const di = action('DescribeRegions');
    expect(actionSchema(di).safeParse({ ownerId: 1 }).success).toBe(false);
    expect(actionSchema(di, { includeInternal: true }).parse({ ownerId: '12345678901234567890' })).toEqual({ ownerId: '12345678901234567890' });
  });

  it('keeps integers beyond 2^53 as digits, refuses a JSON number that has lost them', () => {
    const s = actionSchema(action('DescribeRegions'), { includeInternal: true });
    expect(s.parse({ resourceOwnerId: '9007199254740993' })).toEqual({ resourceOwnerId: '9007199254740993' });
    expect(s.safeParse({ resourceOwnerId: 9007199254740993 }).success).toBe(false);
    expect(toWire(action('DescribeRegions'), s.parse({ resourceOwnerId: '9007199254740993' }))).toEqual({ ResourceOwnerId: '9007199254740993' });
  });

  it('checks documented limits: item counts, lengths, ranges', () => {
    const di = action('DescribeInstances');
    const ids = Array.from({ length: 101 }, (_, i) => `i-${i}`);
    expect(issues(actionSchema(di).safeParse({ regionId: 'r', instanceIds: ids }))).toEqual(['instanceIds: Too big: expected array to have <=100 items']);
    expect(issues(actionSchema(di).safeParse({ regionId: 'r', instanceIds: JSON.stringify(ids) })))
      .toEqual(['instanceIds: in the JSON text: Too big: expected array to have <=100 items']);
    expect(actionSchema(run).safeParse({ regionId: 'r', clientToken: 'x'.repeat(65) }).success).toBe(false);
    expect(actionSchema(run).safeParse({ regionId: 'r', clientToken: 'x'.repeat(64) }).success).toBe(true);
  });

  it('JSON-valued parameters: native values or checked JSON text kept as sent', () => {
    const di = action('DescribeInstances');
    expect(actionSchema(di).parse({ regionId: 'r', instanceIds: '["i-1"]' })).toEqual({ regionId: 'r', instanceIds: '["i-1"]' });
    expect(issues(actionSchema(di).safeParse({ regionId: 'r', instanceIds: 'i-1' }))).toEqual(['instanceIds: must be valid JSON text']);
    expect(issues(actionSchema(di).safeParse({ regionId: 'r', instanceIds: '{"a":1}' }))).toEqual(['instanceIds: in the JSON text: Invalid input: expected array, received object']);
    const rc = action('RunCommand');
    expect(issues(actionSchema(rc).safeParse({ regionId: 'r', type: 't', commandContent: 'c', parameters: [1] })))
      .toEqual(['parameters: must be an object']);
    const proto = JSON.parse('{"regionId":"r","type":"t","commandContent":"c","parameters":{"__proto__":{"x":1},"a":1}}') as unknown;
    expect(issues(actionSchema(rc).safeParse(proto))).toEqual(['parameters.__proto__: prototype keys are not accepted']);
    expect(issues(actionSchema(rc).safeParse({ regionId: 'r', type: 't', commandContent: 'c', parameters: '{"__proto__":1}' })))
      .toEqual(['parameters.__proto__: in the JSON text: prototype keys are not accepted']);
  });

  it('query strings: "50" → 50, a lone value is a one-item list, objects come as JSON text', () => {
    const di = action('DescribeInstances');
    const q = actionSchema(di, { source: 'query' });
    const out = q.parse({ region_id: 'cn-hangzhou', max_results: '50', instance_ids: 'i-1', tag: '[{"key":"a","value":"b"}]', additionalAttributes: ['A', 'B'], ipv6Address: '::1' });
    expect(out).toEqual({ regionId: 'cn-hangzhou', maxResults: 50, instanceIds: ['i-1'], tag: [{ key: 'a', value: 'b' }], additionalAttributes: ['A', 'B'], ipv6Address: ['::1'] });
    expect(toWire(di, out)).toEqual({
      RegionId: 'cn-hangzhou', MaxResults: '50', InstanceIds: '["i-1"]', 'Tag.1.Key': 'a', 'Tag.1.Value': 'b', 'AdditionalAttributes.1': 'A', 'AdditionalAttributes.2': 'B', 'Ipv6Address.1': '::1',
    });
    expect(q.parse({ regionId: 'r', instanceIds: ['i-1', 'i-2'] })).toEqual({ regionId: 'r', instanceIds: ['i-1', 'i-2'] });
    const r = actionSchema(run, { source: 'query' }).parse({ regionId: 'r', systemDisk: '{"size":40}', dataDisk: '{"size":20}' });
    expect(r).toEqual({ regionId: 'r', systemDisk: { size: '40' }, dataDisk: [{ size: 20 }] });
    expect(issues(actionSchema(run, { source: 'query' }).safeParse({ regionId: 'r', dataDisk: 'x' }))).toEqual(['dataDisk: must be valid JSON text']);
  });

  it('refuses lone surrogates and prototype keys', () => {
    expect(actionSchema(run).safeParse({ regionId: 'a\uD800' }).success).toBe(false);
    const r = actionSchema(run).safeParse(JSON.parse('{"regionId":"r","__proto__":{"x":1},"systemDisk":{"constructor":1}}'));
    expect(issues(r).sort()).toEqual(['__proto__: unknown field', 'systemDisk.constructor: unknown field']);
  });

  it('enum lists are enforced only on request, ignoring case', () => {
    const ip = { regionId: 'r', securityGroupId: 'sg', permissions: [{ ipProtocol: 'tcp', portRange: '22/22' }] };
    const asg = action('AuthorizeSecurityGroup');
    expect(actionSchema(asg).safeParse({ ...ip, permissions: [{ ipProtocol: 'tcpx' }] }).success).toBe(true);
    expect(actionSchema(asg, { enforceEnums: true }).safeParse(ip).success).toBe(true);
    expect(issues(actionSchema(asg, { enforceEnums: true }).safeParse({ ...ip, permissions: [{ ipProtocol: 'tcpx' }] })))
      .toEqual(['permissions.0.ipProtocol: must be one of: ICMP, GRE, TCP, UDP, ALL']);
  });

  it('is built once per action and options', () => {
    expect(actionSchema(run)).toBe(actionSchema(run));
    expect(actionSchema(run, { source: 'query' })).not.toBe(actionSchema(run));
  });

  it('adds the gateway\'s own fields, and refuses one that is a parameter\'s spelling', () => {
    const s = actionSchemaWith(action('DescribeRegions'), { accessKeyId: z.string().optional(), endpoint: z.string() });
    expect(s.parse({ accessKeyId: 'AK', endpoint: 'ecs.aliyuncs.com', acceptLanguage: 'en-US' }))
      .toEqual({ accessKeyId: 'AK', endpoint: 'ecs.aliyuncs.com', acceptLanguage: 'en-US' });
    expect(issues(s.safeParse({}))).toEqual(['endpoint: Invalid input: expected string, received undefined']);
    expect(() => actionSchemaWith(action('DescribeRegions'), { accept_language: z.string() })).toThrow(/spelling of the parameter AcceptLanguage/);
  });
});

describe('names', () => {
  it.each([
    ['InstanceId', 'instanceId', 'instance_id'],
    ['VSwitchId', 'vSwitchId', 'v_switch_id'],
    ['KMSKeyId', 'kmsKeyId', 'kms_key_id'],
    ['Ipv6Address', 'ipv6Address', 'ipv6_address'],
    ['EnablePrimaryIPv6', 'enablePrimaryIpv6', 'enable_primary_ipv6'],
    ['EnableInstanceIdDnsAAAARecord', 'enableInstanceIdDnsAaaaRecord', 'enable_instance_id_dns_aaaa_record'],
    ['QoS', 'qos', 'qos'],
    ['IOPS', 'iops', 'iops'],
    ['OSType', 'osType', 'os_type'],
    ['diskIds', 'diskIds', 'disk_ids'],
  ])('%s → %s, %s', (wire, camel, snake) => {
    expect(camelCase(wire)).toBe(camel);
    expect(fieldSpellings(wire)).toEqual([...new Set([camel, snake, wire])]);
  });
});
