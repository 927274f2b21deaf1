/**
 * Every call is checked against the action's spec before anything runs: unknown keys, bad list indexes and
 * malformed values get InvalidParameter (400), absent required parameters MissingParameter (400), with ECS's
 * messages. First on the behaviour layer over a sample of actions and wire styles, then over HTTP as the
 * official SDKs send them: raw wire parameters signed by pop-core (V1) and by the V3 client, and typed V3 calls.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMON_PARAMS } from '../../src/emulator/common-params.js';
import { EcsApiError, EcsEmulatorState } from '../../src/emulator/ecs/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { rawRequest, TEST_KEY } from './helpers.js';
import { $Ecs, v1Client, v3Client } from './sdk-clients.js';

const R = { RegionId: 'cn-hangzhou' };
const invalid = (name: string) => `The specified parameter "${name}" is not valid.`;
const missing = (name: string) => `The input parameter “${name}” that is mandatory for processing this request is not supplied.`;

describe('the spec check on the behaviour layer', () => {
  const state = new EcsEmulatorState({ transitionMs: 0 });
  const call = (action: string, params: Record<string, string>) => state.call(action, params, { account: 'A' });
  function failure(action: string, params: Record<string, string>): { status: number; code: string; message: string } {
    try {
      call(action, params);
    } catch (err) {
      expect(err).toBeInstanceOf(EcsApiError);
      const e = err as EcsApiError;
      return { status: e.status, code: e.code, message: e.message };
    }
    throw new Error(`${action} did not fail`);
  }
  const expectInvalid = (action: string, params: Record<string, string>, name: string) =>
    expect(failure(action, params), `${action} ${JSON.stringify(params)}`).toEqual({ status: 400, code: 'InvalidParameter', message: invalid(name) });

  it('accepts every wire style the action documents, at any depth', () => {
    expect(() => call('CreateLaunchTemplate', {
      ...R, LaunchTemplateName: 'lt',
      'SystemDisk.Size': '40', 'SystemDisk.Category': 'cloud_essd', // object
      'Tag.1.Key': 'env', 'Tag.1.Value': 'prod', 'Tag.2.key': 'legacy', 'Tag.2.value': 'lower-case', // list of objects
      'NetworkInterface.2.SecurityGroupIds.3': 'sg-1', 'NetworkInterface.1.VSwitchId': 'vsw-1', // list in a list
      'SecurityGroupIds.1': 'sg-2', // list of scalars
      SpotPriceLimit: '0.25', // fractional number
    })).not.toThrow();
    expect(() => call('DescribeDisks', { ...R, DiskIds: '["d-1","d-2"]', PageSize: '10', Encrypted: 'FALSE' })).not.toThrow(); // json
    expect(() => call('InvokeCommand', { ...R, CommandId: 'c-1', 'InstanceId.1': 'i-1', Parameters: '{"name":"x"}' })).not.toThrow();
    expect(() => call('DescribeCapacityReservations', { ...R, 'PrivatePoolOptions.Ids': '["crp-1"]' })).not.toThrow(); // json member
  });

  it('always accepts the common parameters, and RegionId even where the action has none', () => {
    const common = Object.fromEntries([...COMMON_PARAMS].map((k) => [k, 'x']));
    expect(() => call('DescribeDisks', { ...R, ...common })).not.toThrow();
    expect(() => call('DescribeRegions', { ...R, ...common })).not.toThrow();
    expect(() => call('DescribeAccountAttributes', { ...R, OwnerId: '123456789012345678901', ResourceOwnerAccount: 'a' })).not.toThrow();
  });

  it('refuses a key the action does not have: InvalidParameter naming it', () => {
    expectInvalid('DescribeDisks', { ...R, DiskId: 'd-1' }, 'DiskId'); // DescribeDisks takes DiskIds
    expectInvalid('StopInstances', { ...R, InstanceIds: '["i-1"]' }, 'InstanceIds'); // takes InstanceId.N
    expectInvalid('StopInstances', { ...R, 'InstanceIds.1': 'i-1' }, 'InstanceIds.1');
    expectInvalid('CreateLaunchTemplate', { ...R, LaunchTemplateName: 'lt', 'SystemDisk.Sise': '40' }, 'SystemDisk.Sise');
    expectInvalid('CreateLaunchTemplate', { ...R, LaunchTemplateName: 'lt', 'Tag.1.Name': 'x' }, 'Tag.1.Name');
    expectInvalid('CreateLaunchTemplate', { ...R, LaunchTemplateName: 'lt', 'NetworkInterface.1.SecurityGroupId.1': 'sg' }, 'NetworkInterface.1.SecurityGroupId.1');
    // A list or object given a plain value, a scalar given members, a JSON value given members.
    expectInvalid('CreateLaunchTemplate', { ...R, LaunchTemplateName: 'lt', SystemDisk: '40' }, 'SystemDisk');
    expectInvalid('StopInstances', { ...R, InstanceId: 'i-1' }, 'InstanceId');
    expectInvalid('DescribeDisks', { ...R, 'ZoneId.1': 'z' }, 'ZoneId.1');
    expectInvalid('DescribeDisks', { ...R, 'DiskIds.1': 'd-1' }, 'DiskIds.1');
    // Case matters beyond the first letter (pop-core upper-cases the first letter: both are fine).
    expect(() => call('ApplyAutoSnapshotPolicy', { regionId: 'cn-hangzhou', autoSnapshotPolicyId: 'sp-1', diskIds: '["d-1"]' })).not.toThrow();
    expect(() => call('ApplyAutoSnapshotPolicy', { RegionId: 'cn-hangzhou', AutoSnapshotPolicyId: 'sp-1', DiskIds: '["d-1"]' })).not.toThrow();
    expectInvalid('DescribeDisks', { ...R, DISKIds: '["d-1"]' }, 'DISKIds');
    expectInvalid('DescribeDisks', { ...R, 'Tag.1.KEY': 'k' }, 'Tag.1.KEY');
  });

  it('refuses a list index that is not 1, 2, …', () => {
    for (const key of ['InstanceId.0', 'InstanceId.first', 'InstanceId.-1', 'InstanceId.01', 'InstanceId.1.5', 'InstanceId.']) {
      expectInvalid('StopInstances', { ...R, [key]: 'i-1' }, key);
    }
    expectInvalid('CreateLaunchTemplate', { ...R, LaunchTemplateName: 'lt', 'Tag.0.Key': 'k' }, 'Tag.0.Key');
    expectInvalid('CreateLaunchTemplate', { ...R, LaunchTemplateName: 'lt', 'NetworkInterface.1.SecurityGroupIds.0': 'sg' }, 'NetworkInterface.1.SecurityGroupIds.0');
    expectInvalid('CreateLaunchTemplate', { ...R, LaunchTemplateName: 'lt', 'NetworkInterface.x.VSwitchId': 'v' }, 'NetworkInterface.x.VSwitchId');
  });

  it('refuses malformed values: integers, numbers, booleans, JSON', () => {
    for (const bad of ['ten', '1.5', '1e3', '0x10', ' 10', '']) {
      if (bad === '') continue; // empty counts as absent
      expectInvalid('DescribeDisks', { ...R, PageSize: bad }, 'PageSize');
    }
    expectInvalid('CreateLaunchTemplate', { ...R, LaunchTemplateName: 'lt', 'SystemDisk.Size': '40GB' }, 'SystemDisk.Size');
    expectInvalid('CreateLaunchTemplate', { ...R, LaunchTemplateName: 'lt', SpotPriceLimit: 'cheap' }, 'SpotPriceLimit');
    for (const bad of ['yes', '1', 'True ', 'on']) expectInvalid('DescribeDisks', { ...R, Portable: bad }, 'Portable');
    expectInvalid('CreateLaunchTemplate', { ...R, LaunchTemplateName: 'lt', 'NetworkInterface.1.DeleteOnRelease': 'Y' }, 'NetworkInterface.1.DeleteOnRelease');
    expectInvalid('DescribeDisks', { ...R, DiskIds: '["d-1"' }, 'DiskIds'); // not JSON
    expectInvalid('DescribeDisks', { ...R, DiskIds: 'd-1' }, 'DiskIds');
    expectInvalid('DescribeDisks', { ...R, DiskIds: '{"d":1}' }, 'DiskIds'); // an object where an array is documented
    expectInvalid('RunCommand', { ...R, Type: 'RunShellScript', CommandContent: 'x', Parameters: '["a"]' }, 'Parameters');
    expectInvalid('DescribeCapacityReservations', { ...R, 'PrivatePoolOptions.Ids': 'crp-1' }, 'PrivatePoolOptions.Ids');
  });

  it('refuses an absent or empty required parameter with MissingParameter naming it', () => {
    const cases: Array<[string, Record<string, string>, string]> = [
      ['AttachDisk', { InstanceId: 'i-1' }, 'DiskId'],
      ['AttachDisk', { InstanceId: 'i-1', DiskId: '' }, 'DiskId'],
      ['DescribeDisks', {}, 'RegionId'],
      ['RunCommand', { ...R, CommandContent: 'x' }, 'Type'],
      ['StopInstances', { ...R }, 'InstanceId'],
      ['StopInstances', { ...R, 'InstanceId.1': '' }, 'InstanceId'],
      ['ApplyAutoSnapshotPolicy', { RegionId: 'cn-hangzhou', AutoSnapshotPolicyId: 'sp-1' }, 'diskIds'],
    ];
    for (const [action, params, name] of cases) {
      expect(failure(action, params), action).toEqual({ status: 400, code: 'MissingParameter', message: missing(name) });
    }
    // A required member is required whenever its list item or object is given.
    const tagged = (call('RunInstances', { ...R, ImageId: 'aliyun_3_x64_20G_alibase_20240528.vhd', InstanceType: 'ecs.g7.large' }).InstanceIdSets as { InstanceIdSet: string[] }).InstanceIdSet[0]!;
    const tagBase = { ...R, ResourceType: 'instance', 'ResourceId.1': tagged }; // TagResources has state: the instance must exist
    expect(failure('TagResources', { ...tagBase, 'Tag.1.Key': 'k', 'Tag.1.Value': 'v', 'Tag.2.Value': 'v' })).toEqual(
      { status: 400, code: 'MissingParameter', message: missing('Tag.2.Key') },
    );
    expect(failure('TagResources', { ...tagBase, 'Tag.1.Key': 'k', 'Tag.1.Value': '' }).message).toBe(missing('Tag.1.Value'));
    expect(() => call('TagResources', { ...tagBase, 'Tag.1.key': 'k', 'Tag.1.value': 'v' })).not.toThrow(); // legacy spelling
    const prefixList = { ...R, AddressFamily: 'IPv4', MaxEntries: '10', PrefixListName: 'pl' };
    expect(() => call('CreatePrefixList', prefixList)).not.toThrow(); // no Entry, nothing required in it
    expect(failure('CreatePrefixList', { ...prefixList, 'Entry.1.Description': 'office' }).message).toBe(missing('Entry.1.Cidr'));
    // Documented as required by the SDK, but not always by ECS: not required here either.
    // (ReplaceSystemDisk has state: past the spec check, it looks for the instance.)
    expect(failure('ReplaceSystemDisk', { InstanceId: 'i-1' }).code).toBe('InvalidInstanceId.NotFound');
  });

  it('reports unknown and malformed keys before missing ones, in key order, the same way every time', () => {
    const params = { PageSize: 'x', Bogus: '1' };
    expect(failure('DescribeDisks', params).message).toBe(invalid('Bogus'));
    expect(failure('DescribeDisks', { PageSize: 'x' }).message).toBe(invalid('PageSize'));
  });
});

describe('the spec check over HTTP, as the official SDKs send calls', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, transitionMs: 0, accessKeys: [TEST_KEY] });
  });
  afterAll(() => emu.close());

  /** pop-core (V1, HMAC-SHA1) with exactly these wire parameters. */
  async function v1(action: string, params: Record<string, string>, method: 'GET' | 'POST') {
    try {
      await v1Client(emu.url, TEST_KEY).request(action, params, { method, formatParams: false });
      return { status: 200 };
    } catch (err) {
      const e = err as { code: string; data: { Message: string }; entry: { response: { statusCode: number } } };
      return { status: e.entry.response.statusCode, code: e.code, message: e.data.Message };
    }
  }
  /** The V3 client (ACS3-HMAC-SHA256) with exactly these wire parameters, in the query or a form body. */
  async function v3(action: string, params: Record<string, string>, where: 'query' | 'body') {
    const ecs = v3Client(emu.url, TEST_KEY);
    const p = new $OpenApiUtil.Params({
      action, version: '2014-05-26', protocol: 'HTTP', pathname: '/', method: 'POST',
      authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json',
    });
    try {
      await ecs.callApi(p, new $OpenApiUtil.OpenApiRequest({ [where]: params }), {} as Parameters<typeof ecs.callApi>[2]);
      return { status: 200 };
    } catch (err) {
      const e = err as { code: string; statusCode: number; data: { Message: string } };
      return { status: e.statusCode, code: e.code, message: e.data.Message };
    }
  }

  const cases: Array<[string, string, Record<string, string>, { status: number; code?: string; message?: string }]> = [
    ['an unknown key', 'DescribeDisks', { ...R, DiskId: 'd-1' }, { status: 400, code: 'InvalidParameter', message: invalid('DiskId') }],
    ['a nested typo', 'CreateLaunchTemplate', { ...R, LaunchTemplateName: 'lt', 'SystemDisk.Sise': '4' }, { status: 400, code: 'InvalidParameter', message: invalid('SystemDisk.Sise') }],
    ['list index 0', 'StopInstances', { ...R, 'InstanceId.0': 'i-1' }, { status: 400, code: 'InvalidParameter', message: invalid('InstanceId.0') }],
    ['a non-integer', 'DescribeDisks', { ...R, PageNumber: 'two' }, { status: 400, code: 'InvalidParameter', message: invalid('PageNumber') }],
    ['a non-boolean', 'DescribeDisks', { ...R, Portable: 'yes' }, { status: 400, code: 'InvalidParameter', message: invalid('Portable') }],
    ['non-JSON', 'DescribeInstances', { ...R, InstanceIds: 'i-1,i-2' }, { status: 400, code: 'InvalidParameter', message: invalid('InstanceIds') }],
    ['a missing required', 'AttachDisk', { InstanceId: 'i-1' }, { status: 400, code: 'MissingParameter', message: missing('DiskId') }],
    ['a list in a list', 'CreateLaunchTemplate', { ...R, LaunchTemplateName: 'lt', 'NetworkInterface.2.SecurityGroupIds.3': 'sg-1' }, { status: 200 }],
    ['an object member', 'CreateLaunchTemplate', { ...R, LaunchTemplateName: 'lt', 'SystemDisk.Size': '40' }, { status: 200 }],
  ];

  it.each(cases)('V1 GET and POST: %s (%s)', async (_what, action, params, expected) => {
    expect(await v1(action, params, 'GET')).toEqual(expected);
    expect(await v1(action, params, 'POST')).toEqual(expected);
  });

  it.each(cases)('V3 query and form body: %s (%s)', async (_what, action, params, expected) => {
    expect(await v3(action, params, 'query')).toEqual(expected);
    expect(await v3(action, params, 'body')).toEqual(expected);
  });

  it('typed V3 SDK calls: a malformed JSON value and a missing required parameter', async () => {
    const ecs = v3Client(emu.url, TEST_KEY);
    await expect(ecs.describeDisks(new $Ecs.DescribeDisksRequest({ regionId: 'cn-hangzhou', diskIds: 'd-1' }))).rejects.toMatchObject({
      code: 'InvalidParameter', statusCode: 400, data: { Message: invalid('DiskIds') },
    });
    await expect(ecs.attachDisk(new $Ecs.AttachDiskRequest({ instanceId: 'i-1' }))).rejects.toMatchObject({
      code: 'MissingParameter', statusCode: 400, data: { Message: missing('DiskId') },
    });
    // Well-formed, the call passes the spec check: AttachDisk (with state) then looks for the disk.
    await expect(ecs.attachDisk(new $Ecs.AttachDiskRequest({ instanceId: 'i-1', diskId: 'd-1', bootable: true }))).rejects.toMatchObject({
      code: 'InvalidDiskId.NotFound', statusCode: 404,
    });
    const ok = await ecs.reInitDisk(new $Ecs.ReInitDiskRequest({ diskId: 'd-1', autoStartInstance: true }));
    expect(ok.statusCode).toBe(200);
  });

  /** A V1 GET signed by hand (RFC 3986 encoding, HMAC-SHA1 over `GET&%2F&<canonical query>`), no SDK involved. */
  function signedV1Path(params: Record<string, string>): string {
    const enc = (v: string) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    const all: Record<string, string> = {
      ...params, Format: params.Format ?? 'JSON', Version: '2014-05-26', AccessKeyId: TEST_KEY.accessKeyId,
      SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0', SignatureNonce: randomUUID(),
      Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
    const query = Object.keys(all).sort().map((k) => `${enc(k)}=${enc(all[k]!)}`).join('&');
    const signature = createHmac('sha1', `${TEST_KEY.accessKeySecret}&`).update(`GET&%2F&${enc(query)}`).digest('base64');
    return `/?${query}&Signature=${enc(signature)}`;
  }

  it('hand-signed V1 requests: JSON and XML error bodies name the parameter', async () => {
    const json = await rawRequest(emu.url, { path: signedV1Path({ Action: 'DescribeDisks', ...R, 'Tag.0.Key': 'k' }) });
    expect(json.status).toBe(400);
    expect(JSON.parse(json.body)).toMatchObject({ Code: 'InvalidParameter', Message: invalid('Tag.0.Key'), HostId: 'ecs.aliyuncs.com' });
    const xml = await rawRequest(emu.url, { path: signedV1Path({ Action: 'AttachDisk', InstanceId: 'i-1', Format: 'XML' }) });
    expect(xml.status).toBe(400);
    expect(xml.body).toContain('<Code>MissingParameter</Code>');
    expect(xml.body).toContain(`<Message>${missing('DiskId')}</Message>`);
    const ok = await rawRequest(emu.url, { path: signedV1Path({ Action: 'ReInitDisk', DiskId: 'd-1', Format: 'XML' }) });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><ReInitDiskResponse><RequestId>[0-9A-F-]{36}<\/RequestId><\/ReInitDiskResponse>$/);
  });
});
