import { createHash } from 'node:crypto';
import fc from 'fast-check';
import Fastify, { type FastifyInstance } from 'fastify';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { actionNames } from '../../src/gateway/ecs/catalog/index.js';
import { GatewayError } from '../../src/gateway/errors.js';
import { auditCall, authorizeCall, refusalFor, regionOfEndpoint, resourceIdsOf, type PlannedCall } from '../../src/gateway/policy/index.js';
import { allowsAction, apiKey, compilePatterns, isActionPattern, isReadOnlyAction, keysFromEnv, type ApiKey } from '../../src/gateway/policy/keys.js';
import { keyCheck, registerAuth } from '../../src/gateway/plugins/auth.js';
import { LogCapture } from '../support/gateway.js';

const digest = (key: string) => createHash('sha256').update(key).digest();

function key(name: string, allow: string[], deny: string[] = [], regions?: string[]): ApiKey {
  return apiKey({ name, sha256: digest(`${name}-secret-key-material`), allow, deny, regions, source: 'GATEWAY_ACCESS_POLICY_FILE' });
}

const allows = (allow: string[], action: string, deny: string[] = []) => allowsAction(key('k', allow, deny), action);

describe('action-name patterns', () => {
  it.each([
    ['*', 'DescribeInstances', true],
    ['DescribeInstances', 'DescribeInstances', true],
    ['DescribeInstances', 'DescribeInstancesFullStatus', false],
    ['DescribeInstances', 'XDescribeInstances', false],
    // * at the end, the start, the middle; it also stands for nothing
    ['Describe*', 'DescribeInstances', true],
    ['Describe*', 'Describe', true],
    ['Describe*', 'ListTagResources', false],
    ['*Instances', 'StopInstances', true],
    ['*Instances', 'StopInstance', false],
    ['*Instances', 'DescribeInstancesFullStatus', false],
    ['Describe*Attribute', 'DescribeInstanceAttribute', true],
    ['Describe*Attribute', 'DescribeInstanceAttributes', false],
    ['Describe*Attribute', 'ModifyInstanceAttribute', false],
    ['Stop*Instances', 'StopInstances', true],
    ['*Security*', 'AuthorizeSecurityGroup', true],
    ['*Security*', 'DescribeInstances', false],
    ['**', 'DeleteInstance', true],
    // Case-exact, as ECS action names are
    ['describe*', 'DescribeInstances', false],
    ['Describe*', 'describeInstances', false],
    ['DESCRIBEINSTANCES', 'DescribeInstances', false],
    ['*instances', 'StopInstances', false],
  ] as const)('%s on %s → %s', (pattern, action, expected) => {
    expect(allows([pattern], action)).toBe(expected);
  });

  it('any of several allow patterns', () => {
    expect(allows(['Describe*', 'List*'], 'ListTagResources')).toBe(true);
    expect(allows(['Describe*', 'List*'], 'StopInstances')).toBe(false);
  });

  it('deny wins over allow, even over an exact allow', () => {
    expect(allows(['*'], 'DeleteInstances', ['Delete*', 'Release*'])).toBe(false);
    expect(allows(['*'], 'ReleaseEipAddress', ['Delete*', 'Release*'])).toBe(false);
    expect(allows(['*'], 'StopInstances', ['Delete*', 'Release*'])).toBe(true);
    expect(allows(['DeleteInstances'], 'DeleteInstances', ['Delete*'])).toBe(false);
    expect(allows(['Delete*'], 'DeleteInstances', ['DeleteInstances'])).toBe(false);
    expect(allows(['Delete*'], 'DeleteDisk', ['DeleteInstances'])).toBe(true);
  });

  it('a pattern is letters, digits and *', () => {
    for (const ok of ['*', 'Describe*', 'Describe*Attribute', 'StopInstances', 'Ecs2']) expect(isActionPattern(ok)).toBe(true);
    for (const bad of ['', ' Describe*', 'Describe Instances', 'Describe?', 'Describe.*', '^Describe', 'Describe|Stop', '(Stop)', 'Stop-Instances', 'x'.repeat(129)]) {
      expect(isActionPattern(bad)).toBe(false);
      expect(() => compilePatterns([bad])).toThrow(/not an action-name pattern/);
    }
  });

  it('for every catalog action and every split: prefix*, *suffix and prefix*suffix match it, exact-case only', () => {
    const names = actionNames();
    fc.assert(fc.property(fc.constantFrom(...names), fc.nat(), fc.nat(), (action, a, b) => {
      const i = a % (action.length + 1);
      const j = i + (b % (action.length - i + 1));
      const [head, tail] = [action.slice(0, i), action.slice(j)];
      expect(allows([`${head}*`], action)).toBe(true);
      expect(allows([`*${tail}`], action)).toBe(true);
      expect(allows([`${head}*${tail}`], action)).toBe(true);
      // Lower-casing the whole name changes at least its first letter: no longer a match.
      expect(allows([action.toLowerCase()], action)).toBe(false);
      expect(allows([`${head.toLowerCase()}*${tail.toLowerCase()}`], action)).toBe(head === '' && tail.toLowerCase() === tail);
    }), { numRuns: 500 });
  });
});

describe('refusalFor', () => {
  const inventory = key('inventory', ['Describe*', 'List*'], [], ['cn-hangzhou', 'cn-beijing']);
  const ops = key('ops', ['*'], ['Delete*', 'Release*']);
  const refusal = (k: ApiKey, call: PlannedCall) => {
    const r = refusalFor(k, call);
    return r && { status: r.statusCode, code: r.code, message: r.message };
  };

  it('allows what the key allows, in its regions', () => {
    expect(refusalFor(inventory, { action: 'DescribeInstances', regionId: 'cn-hangzhou' })).toBeUndefined();
    expect(refusalFor(inventory, { action: 'ListTagResources', regionId: 'cn-beijing' })).toBeUndefined();
    expect(refusalFor(ops, { action: 'StopInstances', regionId: 'us-west-1' })).toBeUndefined();
    expect(refusalFor(ops, { action: 'StopInstances' })).toBeUndefined();
  });

  it('refuses an action outside allow, naming the action and the key name', () => {
    expect(refusal(inventory, { action: 'StopInstances', regionId: 'cn-hangzhou' })).toEqual({
      status: 403, code: 'ACTION_FORBIDDEN', message: 'The key "inventory" may not call StopInstances',
    });
    expect(refusal(ops, { action: 'DeleteInstances', regionId: 'cn-hangzhou' })).toMatchObject({ code: 'ACTION_FORBIDDEN', message: expect.stringContaining('DeleteInstances') });
  });

  it('the action is checked before the region', () => {
    expect(refusal(inventory, { action: 'StopInstances', regionId: 'us-west-1' })?.code).toBe('ACTION_FORBIDDEN');
  });

  it('refuses a region outside regions, naming the region, the key and its regions', () => {
    expect(refusal(inventory, { action: 'DescribeInstances', regionId: 'us-west-1' })).toEqual({
      status: 403, code: 'REGION_FORBIDDEN',
      message: 'The key "inventory" may not call DescribeInstances in region us-west-1: it may call only in cn-hangzhou, cn-beijing',
    });
    // Region ids are exact too.
    expect(refusal(inventory, { action: 'DescribeInstances', regionId: 'cn-hangzhou-1' })?.code).toBe('REGION_FORBIDDEN');
  });

  it('without a region: allowed only for a read-only action that takes no RegionId', () => {
    // Global lists: no RegionId parameter, read-only.
    expect(refusalFor(inventory, { action: 'DescribeRegions' })).toBeUndefined();
    expect(refusalFor(inventory, { action: 'DescribeInstanceTypes', regionId: '' })).toBeUndefined();
    // Takes a RegionId (required, or optional as in DescribeVSwitches): ECS would pick the region.
    expect(refusal(inventory, { action: 'DescribeInstances' })).toMatchObject({ code: 'REGION_FORBIDDEN', message: expect.stringContaining('without a region') });
    expect(refusal(inventory, { action: 'DescribeVSwitches' })?.code).toBe('REGION_FORBIDDEN');
    // A write that takes no RegionId acts wherever its resource is: it needs the region to pick the endpoint.
    const writer = key('writer', ['*'], [], ['cn-hangzhou']);
    expect(refusal(writer, { action: 'DeleteInstance' })?.code).toBe('REGION_FORBIDDEN');
    expect(refusalFor(writer, { action: 'DeleteInstance', regionId: 'cn-hangzhou' })).toBeUndefined();
    // The route may say it only reads.
    expect(refusalFor(writer, { action: 'NotInTheCatalog', readOnly: true })).toBeUndefined();
    expect(refusal(writer, { action: 'NotInTheCatalog' })?.code).toBe('REGION_FORBIDDEN');
  });

  it('an explicit endpoint must be the regional endpoint of an allowed region', () => {
    expect(refusalFor(inventory, { action: 'DescribeInstances', regionId: 'cn-hangzhou', endpoint: 'ecs.cn-beijing.aliyuncs.com' })).toBeUndefined();
    expect(refusalFor(inventory, { action: 'DescribeInstanceAttribute', endpoint: 'ecs-vpc.cn-hangzhou.aliyuncs.com' })).toBeUndefined();
    expect(refusal(inventory, { action: 'DescribeInstances', regionId: 'cn-hangzhou', endpoint: 'ecs.us-west-1.aliyuncs.com' })).toMatchObject({
      code: 'REGION_FORBIDDEN', message: expect.stringContaining('in region us-west-1 (endpoint ecs.us-west-1.aliyuncs.com)'),
    });
    for (const endpoint of ['ecs.aliyuncs.com', 'proxy.corp.example']) {
      expect(refusal(inventory, { action: 'DescribeRegions', endpoint })).toMatchObject({ code: 'REGION_FORBIDDEN', message: expect.stringContaining(`through endpoint ${endpoint}`) });
    }
    // Keys without regions may use any endpoint.
    expect(refusalFor(ops, { action: 'StopInstances', endpoint: 'ecs.aliyuncs.com' })).toBeUndefined();
  });

  it('regionOfEndpoint', () => {
    expect(regionOfEndpoint('ecs.cn-hangzhou.aliyuncs.com')).toBe('cn-hangzhou');
    expect(regionOfEndpoint('ecs-vpc.ap-southeast-1.aliyuncs.com')).toBe('ap-southeast-1');
    expect(regionOfEndpoint('ecs.aliyuncs.com')).toBeUndefined();
    expect(regionOfEndpoint('ecs.cn-hangzhou.aliyuncs.com.evil.example')).toBeUndefined();
  });

  it('GATEWAY_API_KEYS keys are allowed everything, everywhere, and named by position', () => {
    const [first, second] = keysFromEnv(['first-key-0123456789', 'second-key-0123456789']);
    expect([first?.name, second?.name]).toEqual(['key-1', 'key-2']);
    expect(first?.sha256.equals(digest('first-key-0123456789'))).toBe(true);
    for (const action of ['DeleteInstances', 'RunInstances', 'DescribeRegions']) expect(refusalFor(first!, { action })).toBeUndefined();
  });
});

describe('resourceIdsOf', () => {
  it('takes the *Id and *Ids values, at any depth and in JSON lists, without region, zone and owner ids', () => {
    expect(resourceIdsOf({
      RegionId: 'cn-hangzhou', ZoneId: 'cn-hangzhou-i', DestinationRegionId: 'cn-beijing', OwnerId: '1', ResourceOwnerId: '2',
      'InstanceId.1': 'i-1', 'InstanceId.2': 'i-2', 'InstanceId.3': 'i-1', DiskId: 'd-1',
      InstanceIds: '["i-3","i-4"]', 'NetworkInterface.1.SecurityGroupIds.1': 'sg-1', 'DataDisk.1.SnapshotId': 's-1',
      ClientToken: 'token', ForceStop: 'true', Password: 'never-an-id', 'Tag.1.Key': 'env', ImageId: '',
    })).toEqual(['i-1', 'i-2', 'd-1', 'i-3', 'i-4', 'sg-1', 's-1']);
    expect(resourceIdsOf(undefined)).toEqual([]);
    expect(resourceIdsOf({ InstanceIds: '[not json' })).toEqual(['[not json']);
  });
});

/**
 * authorizeCall and auditCall in a small app: the real auth plugin (keys and hooks), one route that
 * authorizes a call and then does what the test says, and the captured log.
 */
describe('authorizeCall and auditCall in an app', () => {
  const KEYS = { inventory: 'inventory-key-0123456789', ops: 'ops-key-0123456789abcdef' };
  let app: FastifyInstance;
  let logs: LogCapture;
  /** What the route does after authorizeCall. */
  let then: 'audit-ok' | 'throw-ecs' | 'throw-plain' | 'nothing' = 'audit-ok';

  async function build(level: string, keys: ApiKey[]): Promise<[FastifyInstance, LogCapture]> {
    const capture = new LogCapture();
    const server = Fastify({ logger: { level, stream: capture } });
    registerAuth(server, keyCheck(keys));
    server.post('/call', async (req) => {
      const call = req.body as PlannedCall;
      try {
        authorizeCall(req, call);
      } catch (err) {
        const e = err as GatewayError;
        return { refused: { status: e.statusCode, code: e.code, message: e.message } };
      }
      if (then === 'throw-ecs') throw new GatewayError(403, 'IncorrectInstanceStatus', 'no', { ecsRequestId: 'ECS-REQ-ERR' });
      if (then === 'throw-plain') throw new Error('a bug');
      if (then === 'audit-ok') {
        auditCall(req, { ...call, readOnly: call.readOnly ?? isReadOnlyAction(call.action), resourceIds: resourceIdsOf(call.params), ecsRequestId: 'ECS-REQ-1', outcome: 'ok' });
      }
      return { ok: true };
    });
    await server.ready();
    return [server, capture];
  }
  const keys = () => [
    apiKey({ name: 'inventory', sha256: digest(KEYS.inventory), allow: ['Describe*'], deny: [], regions: ['cn-hangzhou'], source: 'GATEWAY_ACCESS_POLICY_FILE' }),
    apiKey({ name: 'ops', sha256: digest(KEYS.ops), allow: ['*'], deny: ['Delete*'], regions: undefined, source: 'GATEWAY_ACCESS_POLICY_FILE' }),
  ];

  beforeAll(async () => {
    [app, logs] = await build('info', keys());
  });
  afterAll(async () => app.close());
  beforeEach(() => {
    logs.lines.length = 0;
    then = 'audit-ok';
  });

  const audits = (capture: LogCapture) => capture.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'audit');
  const call = (server: FastifyInstance, as: string | undefined, body: Record<string, unknown>) => {
    const req = request(server.server).post('/call');
    if (as) req.set('authorization', `Bearer ${as}`);
    return req.send(body);
  };

  it('the auth hook sets request.caller; a refused write is audited once, by authorizeCall', async () => {
    const res = await call(app, KEYS.inventory, { action: 'StopInstances', regionId: 'cn-hangzhou', params: { 'InstanceId.1': 'i-1' } });
    expect(res.body.refused).toEqual({ status: 403, code: 'ACTION_FORBIDDEN', message: 'The key "inventory" may not call StopInstances' });
    const [line, ...more] = audits(logs);
    expect(more).toEqual([]);
    expect(line).toMatchObject({ level: 30, msg: 'audit', audit: {
      key: 'inventory', action: 'StopInstances', regionId: 'cn-hangzhou', resourceIds: ['i-1'], ecsRequestId: null,
      outcome: 'ACTION_FORBIDDEN', requestId: expect.any(String),
    } });
    expect(Object.keys(line!.audit as object)).toEqual(['key', 'action', 'regionId', 'resourceIds', 'ecsRequestId', 'outcome', 'requestId']);
  });

  it('auditCall with a policy outcome does not write it a second time', async () => {
    const res = await call(app, KEYS.ops, { action: 'DeleteInstances', regionId: 'cn-hangzhou' });
    expect(res.body.refused.code).toBe('ACTION_FORBIDDEN');
    // What a route that also audits its refusals would do:
    const fake = { caller: null, id: 'x', log: { level: 'info', info: () => { throw new Error('written twice'); } } } as never;
    auditCall(fake, { action: 'DeleteInstances', readOnly: false, resourceIds: [], outcome: 'ACTION_FORBIDDEN' });
    expect(audits(logs)).toHaveLength(1);
  });

  it('a refused read is not audited', async () => {
    const res = await call(app, KEYS.inventory, { action: 'DescribeInstances', regionId: 'us-west-1' });
    expect(res.body.refused.code).toBe('REGION_FORBIDDEN');
    expect(audits(logs)).toEqual([]);
  });

  it('an allowed write reported by auditCall: one line, with the ECS RequestId', async () => {
    const res = await call(app, KEYS.ops, { action: 'StopInstances', regionId: 'cn-beijing', params: { RegionId: 'cn-beijing', 'InstanceId.1': 'i-9' } });
    expect(res.body).toEqual({ ok: true });
    expect(audits(logs).map((l) => l.audit)).toEqual([{
      key: 'ops', action: 'StopInstances', regionId: 'cn-beijing', resourceIds: ['i-9'], ecsRequestId: 'ECS-REQ-1', outcome: 'ok', requestId: expect.any(String),
    }]);
  });

  it('an allowed read is not audited', async () => {
    const res = await call(app, KEYS.ops, { action: 'DescribeInstances', regionId: 'cn-beijing' });
    expect(res.body).toEqual({ ok: true });
    expect(audits(logs)).toEqual([]);
  });

  it.each([
    ['an ECS error', 'throw-ecs', 'IncorrectInstanceStatus', 'ECS-REQ-ERR'],
    ['a bug', 'throw-plain', 'INTERNAL_ERROR', null],
    ['no auditCall at all', 'nothing', 'ok', null],
  ] as const)('an authorized write the route did not report (%s) is audited when the answer is sent', async (_name, mode, outcome, ecsRequestId) => {
    then = mode;
    await call(app, KEYS.ops, { action: 'RebootInstances', regionId: 'cn-beijing', params: { 'InstanceId.1': 'i-7' } });
    expect(audits(logs).map((l) => l.audit)).toEqual([{
      key: 'ops', action: 'RebootInstances', regionId: 'cn-beijing', resourceIds: ['i-7'], ecsRequestId, outcome, requestId: expect.any(String),
    }]);
  });

  it('no key, wrong key: 401 before any route, nothing audited', async () => {
    expect((await call(app, undefined, { action: 'StopInstances' })).status).toBe(401);
    expect((await call(app, 'wrong-key-0123456789', { action: 'StopInstances' })).status).toBe(401);
    expect(audits(logs)).toEqual([]);
  });

  it('the log never holds a key or its SHA-256', async () => {
    await call(app, KEYS.inventory, { action: 'StopInstances', regionId: 'cn-hangzhou' });
    await call(app, KEYS.ops, { action: 'StopInstances', regionId: 'cn-hangzhou' });
    for (const k of Object.values(KEYS)) {
      expect(logs.text).not.toContain(k);
      expect(logs.text).not.toContain(digest(k).toString('hex'));
    }
  });

  it('without keys the caller is anonymous: allowed everything, audited with key null', async () => {
    const [open, openLogs] = await build('info', []);
    try {
      const res = await call(open, undefined, { action: 'DeleteInstances', regionId: 'us-west-1' });
      expect(res.body).toEqual({ ok: true });
      expect(audits(openLogs).map((l) => l.audit)).toEqual([expect.objectContaining({ key: null, action: 'DeleteInstances', outcome: 'ok' })]);
    } finally {
      await open.close();
    }
  });

  it('without the auth plugin at all, authorizeCall allows (no caller)', async () => {
    const bare = Fastify();
    bare.get('/', async (req) => {
      authorizeCall(req, { action: 'DeleteInstances' });
      return { ok: true };
    });
    try {
      expect((await bare.inject({ url: '/' })).json()).toEqual({ ok: true });
    } finally {
      await bare.close();
    }
  });

  it.each([['warn'], ['error']])('audit lines are written at info also with LOG_LEVEL=%s', async (level) => {
    const [quiet, quietLogs] = await build(level, keys());
    try {
      then = 'throw-ecs';
      await call(quiet, KEYS.ops, { action: 'StopInstances', regionId: 'cn-beijing' });
      await call(quiet, KEYS.ops, { action: 'DeleteInstances', regionId: 'cn-beijing' });
      expect(audits(quietLogs).map((l) => [l.level, (l.audit as { outcome: string }).outcome])).toEqual([[30, 'IncorrectInstanceStatus'], [30, 'ACTION_FORBIDDEN']]);
      // The request lines themselves still follow the level.
      expect(quietLogs.lines.filter((l) => JSON.parse(l).level === 30).every((l) => JSON.parse(l).msg === 'audit')).toBe(true);
    } finally {
      await quiet.close();
    }
  });

  it('LOG_LEVEL=silent writes no audit line', async () => {
    const [silent, silentLogs] = await build('silent', keys());
    try {
      await call(silent, KEYS.ops, { action: 'DeleteInstances', regionId: 'cn-beijing' });
      await call(silent, KEYS.ops, { action: 'StopInstances', regionId: 'cn-beijing' });
      expect(silentLogs.lines).toEqual([]);
    } finally {
      await silent.close();
    }
  });
});
