/**
 * The committed action catalog (src/gateway/ecs/catalog/actions.json) against the official SDK it is
 * generated from, plus spot checks of the shapes the gateway relies on. (`npm run catalog:check` checks that
 * the file is exactly what the generator makes; these tests check what it says.)
 */
import { createRequire } from 'node:module';
import EcsModule, * as $Ecs from '@alicloud/ecs20140526';
import { describe, expect, it } from 'vitest';
import { actionNames, catalogInfo, findAction, getAction, listActions } from '../../src/gateway/ecs/catalog/index.js';
import type { Action, Param, Shape } from '../../src/gateway/ecs/catalog/types.js';
import { fieldSpellings } from '../../src/gateway/ecs/names.js';

interface ModelClass {
  name: string;
  names(): Record<string, string>;
  types(): Record<string, unknown>;
}
const models = $Ecs as unknown as Record<string, ModelClass | undefined>;
const isModel = (t: unknown): t is ModelClass => typeof t === 'function' && typeof (t as { names?: unknown }).names === 'function';
type EcsCtor = typeof EcsModule.default;
const EcsClient: EcsCtor = ((EcsModule as { default?: unknown }).default ?? EcsModule) as EcsCtor;

const action = (name: string): Action => {
  const a = getAction(name);
  if (!a) throw new Error(`no action ${name}`);
  return a;
};

/** The parameter at a dotted wire path, arrays transparent: `NetworkInterface.SecurityGroupIds`. */
function param(a: Action | string, path: string): Param {
  let members: readonly Param[] = (typeof a === 'string' ? action(a) : a).params;
  let found: Param | undefined;
  for (const seg of path.split('.')) {
    found = members.find((p) => p.name === seg);
    if (!found) throw new Error(`no ${path} (at ${seg})`);
    const inner: Shape = found.type === 'array' ? found.items : found;
    members = inner.type === 'object' ? inner.members ?? [] : [];
  }
  return found!;
}

/** Every parameter with its dotted path. */
function* walk(params: readonly Param[], prefix = ''): Generator<[string, Param]> {
  for (const p of params) {
    const path = prefix + p.name;
    yield [path, p];
    const inner: Shape = p.type === 'array' ? p.items : p;
    if (inner.type === 'object' && inner.members) yield* walk(inner.members, `${path}.`);
  }
}

describe('the catalog is the SDK', () => {
  it('comes from the installed SDK, with its Apache-2.0 attribution', () => {
    const sdkPkg = createRequire(import.meta.url)('@alicloud/ecs20140526/package.json') as { version: string; license: string };
    expect(catalogInfo.source).toEqual({ package: '@alicloud/ecs20140526', version: sdkPkg.version, license: 'Apache-2.0' });
    expect(catalogInfo.version).toBe('2014-05-26');
    expect(catalogInfo.notice).toMatch(/Copyright \(c\) 2009-present, Alibaba Cloud; licensed under the Apache License, Version 2\.0/);
  });

  it('has exactly the actions the SDK client has (380), sorted', () => {
    const methods = Object.getOwnPropertyNames(EcsClient.prototype).filter((m) => m.endsWith('WithOptions'));
    const sdkActions = methods.map((m) => m[0]!.toUpperCase() + m.slice(1, -'WithOptions'.length)).sort();
    expect(actionNames()).toEqual(sdkActions);
    expect(actionNames()).toHaveLength(380);
    expect(listActions().map((a) => a.name)).toEqual([...actionNames()]);
  });

  it('every parameter is the SDK model\'s, with its wire name, nesting and type', () => {
    const check = (cls: ModelClass, params: readonly Param[], where: string): void => {
      const names = cls.names();
      const types = cls.types();
      const byWire = new Map(Object.entries(names).map(([prop, wire]) => [wire, prop]));
      expect(params.map((p) => p.name).sort(), where).toEqual([...byWire.keys()].sort());
      for (const p of params) {
        let t = types[byWire.get(p.name)!];
        let shape: Shape = p;
        if (typeof t === 'object' && t !== null && (t as { type?: string }).type === 'array') {
          expect(p.type, `${where}.${p.name}`).toBe('array');
          t = (t as { itemType: unknown }).itemType;
          shape = (p as { items: Shape }).items;
        }
        if (isModel(t)) {
          expect(shape.type, `${where}.${p.name}`).toBe('object');
          check(t, (shape as { members: Param[] }).members, `${where}.${p.name}`);
        } else if (typeof t === 'object' && t !== null) {
          expect({ type: shape.type, members: (shape as { members?: unknown }).members }, `${where}.${p.name}`).toEqual({ type: 'object', members: undefined });
        } else {
          const expected = { string: ['string', 'array', 'object'], number: ['integer', 'number'], boolean: ['boolean'] }[t as string];
          expect(expected, `${where}.${p.name}: SDK type ${String(t)}`).toContain(shape.type);
          // A plain SDK string becomes an array or object only when ECS reads it as JSON.
          if (shape.type === 'array' || shape.type === 'object') expect(p.style, `${where}.${p.name}`).toBe('json');
        }
      }
    };
    for (const a of listActions()) check(models[`${a.name}Request`]!, a.params, a.name);
  });

  it('wire styles follow the types; every member answers to its spellings without ambiguity', () => {
    for (const a of listActions()) {
      const levels: (readonly Param[])[] = [a.params];
      for (const [path, p] of walk(a.params)) {
        const expected = p.type === 'array' ? ['repeatList', 'json'] : p.type === 'object' ? ['object', 'json'] : ['flat'];
        expect(expected, `${a.name}.${path}`).toContain(p.style);
        const inner: Shape = p.type === 'array' ? p.items : p;
        if (inner.type === 'object' && inner.members) levels.push(inner.members);
      }
      for (const members of levels) {
        const spellings = members.flatMap((m) => fieldSpellings(m.name).map((s) => `${s}→${m.name}`));
        const keys = spellings.map((s) => s.split('→')[0]);
        expect(new Set(keys).size, `${a.name}: ${spellings.join(' ')}`).toBe(new Set(spellings).size);
      }
    }
  });
});

describe('shapes the gateway relies on', () => {
  it('RunInstances: objects, repeat lists of objects, lists inside lists', () => {
    expect(param('RunInstances', 'RegionId')).toMatchObject({ type: 'string', style: 'flat', required: true });
    expect(param('RunInstances', 'SystemDisk')).toMatchObject({ type: 'object', style: 'object' });
    expect(param('RunInstances', 'SystemDisk.Size')).toMatchObject({ type: 'string', style: 'flat' });
    expect(param('RunInstances', 'SystemDisk.Category')).toMatchObject({ type: 'string', enum: expect.arrayContaining(['cloud_essd', 'cloud_auto']) });
    expect(param('RunInstances', 'DataDisk')).toMatchObject({ type: 'array', style: 'repeatList', items: { type: 'object' } });
    expect(param('RunInstances', 'DataDisk.Size')).toMatchObject({ type: 'integer' });
    expect(param('RunInstances', 'Tag')).toMatchObject({ type: 'array', style: 'repeatList' });
    expect(param('RunInstances', 'Tag.Key')).toMatchObject({ type: 'string', style: 'flat' });
    expect(param('RunInstances', 'NetworkInterface')).toMatchObject({ type: 'array', style: 'repeatList' });
    expect(param('RunInstances', 'NetworkInterface.SecurityGroupIds')).toMatchObject({ type: 'array', style: 'repeatList', items: { type: 'string' } });
    expect(param('RunInstances', 'Amount')).toMatchObject({ type: 'integer', minimum: 1, maximum: 100 });
    expect(param('RunInstances', 'SpotPriceLimit')).toMatchObject({ type: 'number' });
    expect(param('RunInstances', 'DryRun')).toMatchObject({ type: 'boolean' });
    expect(param('RunInstances', 'ClientToken')).toMatchObject({ type: 'string', maxLength: 64 });
    expect(action('RunInstances')).toMatchObject({ domain: 'instances', readOnly: false, idempotent: true });
  });

  it('DescribeInstances: JSON-valued id lists, list path and both paging styles', () => {
    const di = action('DescribeInstances');
    expect(param(di, 'InstanceIds')).toMatchObject({ type: 'array', style: 'json', items: { type: 'string' }, maxItems: 100 });
    expect(param(di, 'PrivateIpAddresses')).toMatchObject({ style: 'json' });
    expect(param(di, 'Tag')).toMatchObject({ style: 'repeatList' });
    expect(di).toMatchObject({
      domain: 'instances', readOnly: true, idempotent: false, list: 'Instances.Instance',
      paging: { nextToken: { sizeParam: 'MaxResults', maxSize: 100 }, pageNumber: { sizeParam: 'PageSize' } },
    });
  });

  it('list paths and paging of other actions', () => {
    expect(action('DescribeInstanceStatus')).toMatchObject({ list: 'InstanceStatuses.InstanceStatus', paging: { pageNumber: { sizeParam: 'PageSize', maxSize: 50 } } });
    expect(action('DescribeInstanceStatus').paging?.nextToken).toBeUndefined();
    expect(action('ListTagResources')).toMatchObject({ list: 'TagResources.TagResource', paging: { nextToken: {} } });
    expect(action('DescribeInvocationResults').list).toBe('Invocation.InvocationResults.InvocationResult');
    expect(action('DescribeImageSharePermission').list).toBe('Accounts.Account');
    expect(action('DescribeRegions')).toMatchObject({ list: 'Regions.Region', readOnly: true });
    expect(action('DescribeRegions').paging).toBeUndefined();
    for (const a of listActions()) {
      if (a.paging) expect(a.list, a.name).toBeTruthy();
      if (a.paging?.nextToken) expect(param(a, 'NextToken').type).toBe('string');
      // Two old actions type PageNumber/PageSize as strings (DescribeClassicLinkInstances, DescribeInstanceAutoRenewAttribute).
      if (a.paging?.pageNumber) expect(['integer', 'string']).toContain(param(a, 'PageNumber').type);
    }
    expect(listActions().filter((a) => a.paging)).toHaveLength(82);
  });

  it('AuthorizeSecurityGroup: Permissions.N.* rules', () => {
    const perms = param('AuthorizeSecurityGroup', 'Permissions');
    expect(perms).toMatchObject({ type: 'array', style: 'repeatList' });
    for (const m of ['IpProtocol', 'PortRange', 'SourceCidrIp', 'SourceGroupId', 'Policy', 'Priority', 'Description']) {
      expect(param('AuthorizeSecurityGroup', `Permissions.${m}`), m).toMatchObject({ style: 'flat' });
    }
    expect(action('AuthorizeSecurityGroup')).toMatchObject({ domain: 'security-groups', idempotent: true, readOnly: false });
  });

  it('JSON-valued parameters the SDK builds itself (`*Shrink`) keep their structure', () => {
    expect(param('RunCommand', 'Parameters')).toMatchObject({ type: 'object', style: 'json' });
    expect((param('RunCommand', 'Parameters') as { members?: unknown }).members).toBeUndefined();
    expect(param('CreatePlanMaintenanceWindow', 'TimePeriod')).toMatchObject({ type: 'object', style: 'json' });
    expect(param('CreatePlanMaintenanceWindow', 'TimePeriod.RangeList.StartTime')).toMatchObject({ type: 'string' });
    expect(param('AttachInstanceRamRole', 'Policy')).toMatchObject({ type: 'object', style: 'json' });
    expect(param('DescribeCapacityReservations', 'PrivatePoolOptions.Ids')).toMatchObject({ type: 'array', style: 'json' });
    const json = listActions().flatMap((a) => [...walk(a.params)].filter(([, p]) => p.style === 'json').map(([path]) => `${a.name}.${path}`));
    expect(json).toHaveLength(52);
  });

  it('read-only and idempotent by rule', () => {
    for (const a of listActions()) {
      expect(a.readOnly, a.name).toBe(/^(?:Describe|List|Get|Query)[A-Z]/.test(a.name));
      expect(a.idempotent, a.name).toBe(a.params.some((p) => p.name === 'ClientToken'));
    }
    expect(action('GetInstanceConsoleOutput').readOnly).toBe(true);
    expect(action('StartInstances').readOnly).toBe(false);
    expect(listActions().filter((a) => a.readOnly)).toHaveLength(129);
    expect(listActions().filter((a) => a.idempotent)).toHaveLength(98);
  });

  it.each([
    ['RunInstances', 'instances'], ['DescribeUserData', 'instances'], ['CreateDisk', 'disks'], ['ResizeDisk', 'disks'],
    ['CreateSnapshot', 'snapshots'], ['ApplyAutoSnapshotPolicy', 'snapshots'], ['CreateImage', 'images'],
    ['AuthorizeSecurityGroup', 'security-groups'], ['CreatePrefixList', 'security-groups'], ['CreateVpc', 'networking'],
    ['AllocateEipAddress', 'networking'], ['CreateNetworkInterface', 'networking'], ['CreateKeyPair', 'key-pairs'],
    ['TagResources', 'tags'], ['DescribeTags', 'tags'], ['RunCommand', 'cloud-assistant'], ['SendFile', 'cloud-assistant'],
    ['StartTerminalSession', 'cloud-assistant'], ['CreateLaunchTemplate', 'launch-templates'], ['DescribeRegions', 'regions'],
    ['DescribeInstanceTypes', 'regions'], ['DescribePrice', 'billing'], ['AllocateDedicatedHosts', 'dedicated-hosts'],
  ])('domain of %s is %s', (name, domain) => {
    expect(action(name).domain).toBe(domain);
  });
});

describe('secrets', () => {
  it.each([
    ['RunInstances', 'Password'], ['RunInstances', 'UserData'], ['CreateInstance', 'Password'], ['ModifyInstanceAttribute', 'Password'],
    ['ReplaceSystemDisk', 'Password'], ['ModifyInstanceVncPasswd', 'VncPassword'], ['RunCommand', 'CommandContent'],
    ['CreateCommand', 'CommandContent'], ['RunCommand', 'Parameters'], ['InvokeCommand', 'Parameters'], ['SendFile', 'Content'],
    ['CreateAutoProvisioningGroup', 'LaunchConfiguration.Password'], ['CreateAutoProvisioningGroup', 'LaunchConfiguration.UserData'],
    ['CreateLaunchTemplate', 'UserData'],
  ])('%s %s is secret', (name, path) => {
    expect(param(name, path).secret).toBe(true);
  });

  it.each([
    ['ImportKeyPair', 'KeyPairName'], ['ImportKeyPair', 'PublicKeyBody'], ['RunInstances', 'KeyPairName'],
    ['RunCommand', 'WindowsPasswordName'], ['RunInstances', 'PasswordInherit'], ['DescribeCommands', 'ContentEncoding'],
  ])('%s %s is not secret', (name, path) => {
    expect(param(name, path).secret).toBeUndefined();
  });

  it('secret response fields', () => {
    expect(action('CreateKeyPair').responseSecrets).toEqual(['PrivateKeyBody']);
    expect(action('DescribeUserData').responseSecrets).toEqual(['UserData']);
    expect(action('StartTerminalSession').responseSecrets).toEqual(['SecurityToken', 'WebSocketUrl']);
    expect(action('CreateActivation').responseSecrets).toEqual(['ActivationCode']);
    expect(action('DescribeInstanceVncUrl').responseSecrets).toEqual(['VncUrl']);
    expect(action('DescribeInvocations').responseSecrets).toEqual(expect.arrayContaining(['Invocations.Invocation.CommandContent', 'Invocations.Invocation.Parameters']));
    expect(action('DescribeLaunchTemplateVersions').responseSecrets).toEqual(['LaunchTemplateVersionSets.LaunchTemplateVersionSet.LaunchTemplateData.UserData']);
    expect(action('ImportKeyPair').responseSecrets).toBeUndefined();
    expect(action('DescribeInstances').responseSecrets).toBeUndefined();
  });

  it('no secret parameter carries an example (examples end up in the OpenAPI document)', () => {
    const secrets = listActions().flatMap((a) => [...walk(a.params)].filter(([, p]) => p.secret).map(([path, p]) => ({ at: `${a.name}.${path}`, example: p.example })));
    expect(secrets.length).toBe(26);
    expect(secrets.filter((s) => s.example !== undefined)).toEqual([]);
  });
});

describe('lookup', () => {
  it('by exact name, ignoring case, or not at all', () => {
    expect(getAction('DescribeInstances')?.name).toBe('DescribeInstances');
    expect(getAction('describeinstances')).toBeUndefined();
    expect(findAction('describeinstances')?.name).toBe('DescribeInstances');
    expect(findAction('DESCRIBEINSTANCES')?.name).toBe('DescribeInstances');
    for (const name of ['NoSuchAction', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '']) {
      expect(getAction(name), name).toBeUndefined();
      expect(findAction(name), name).toBeUndefined();
    }
  });

  it('hands out one frozen object per action', () => {
    const a = action('RunInstances');
    expect(getAction('RunInstances')).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(param(a, 'SystemDisk.Size'))).toBe(true);
    expect(() => { (a.params as Param[]).push(a.params[0]!); }).toThrow(TypeError);
  });
});
