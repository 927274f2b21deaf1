import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CREDS, type LogCapture, testGateway } from '../support/gateway.js';
import { FakeUpstream } from '../support/upstream.js';

/**
 * The policy matrix, through the real app and a fake ECS: for each row, a key calls a route; the row
 * says which ECS action that is, and whether the call is allowed, refused for its action, or refused
 * for its region. Refused calls reach nothing upstream, and their 403 names the action or region and the
 * key's name, never the key. Calls that are not read-only write exactly one audit line; reads none.
 */

const KEYS = {
  /** Policy file: Describe* and List*, in two regions. */
  inventory: 'inventory-key-0123456789abcdef',
  /** Policy file: everything but Delete* and Release*, in every region. */
  ops: 'ops-key-0123456789abcdefghij',
  /** GATEWAY_API_KEYS: allowed everything (named key-1). */
  admin: 'admin-key-0123456789abcdefgh',
} as const;
type Who = keyof typeof KEYS;
const NAME: Record<Who, string> = { inventory: 'inventory', ops: 'ops', admin: 'key-1' };

const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');

export const POLICY = {
  keys: [
    { name: 'inventory', sha256: sha256(KEYS.inventory), allow: ['Describe*', 'List*'], regions: ['cn-hangzhou', 'cn-beijing'] },
    { name: 'ops', sha256: sha256(KEYS.ops), allow: ['*'], deny: ['Delete*', 'Release*'] },
  ],
};

/** What a row expects: the call goes through, or a 403 with this code naming `names`. */
type Expect = { allowed: true } | { code: 'ACTION_FORBIDDEN' | 'REGION_FORBIDDEN'; names: string[] };

export interface MatrixRow {
  name: string;
  who: Who;
  method: 'get' | 'post' | 'put';
  path: string;
  input: Record<string, unknown>;
  /** The ECS action the route calls. */
  action: string;
  /** Whether the action only reads (reads are not audited). */
  readOnly: boolean;
  expect: Expect;
  /** For audited calls: the region and resource ids the audit line names. */
  audit?: { regionId: string | null; resourceIds: string[] };
}

const allowed: Expect = { allowed: true };
const actionForbidden = (action: string): Expect => ({ code: 'ACTION_FORBIDDEN', names: [action] });
const regionForbidden = (...names: string[]): Expect => ({ code: 'REGION_FORBIDDEN', names });
const stopBody = { regionId: 'cn-hangzhou', instanceIds: ['i-1', 'i-2'] };

/** The curated routes (PUT /api/instances/stop is StopInstances, …). */
export const CURATED_ROUTE_ROWS: MatrixRow[] = [
  // inventory: reads in its regions
  { name: 'list instances in an allowed region', who: 'inventory', method: 'get', path: '/api/instances', input: { regionId: 'cn-hangzhou' }, action: 'DescribeInstances', readOnly: true, expect: allowed },
  { name: 'get one instance in the other allowed region', who: 'inventory', method: 'get', path: '/api/instances/i-1', input: { regionId: 'cn-beijing' }, action: 'DescribeInstances', readOnly: true, expect: allowed },
  { name: 'zones', who: 'inventory', method: 'get', path: '/api/zones', input: { regionId: 'cn-beijing' }, action: 'DescribeZones', readOnly: true, expect: allowed },
  { name: 'regions (a global list: no region needed)', who: 'inventory', method: 'get', path: '/api/regions', input: {}, action: 'DescribeRegions', readOnly: true, expect: allowed },
  { name: 'instance types without a region', who: 'inventory', method: 'get', path: '/api/instance-types', input: {}, action: 'DescribeInstanceTypes', readOnly: true, expect: allowed },
  // inventory: region-denied
  { name: 'list instances in another region', who: 'inventory', method: 'get', path: '/api/instances', input: { regionId: 'us-west-1' }, action: 'DescribeInstances', readOnly: true, expect: regionForbidden('DescribeInstances', 'us-west-1') },
  { name: 'images in another region', who: 'inventory', method: 'get', path: '/api/images', input: { regionId: 'ap-southeast-1' }, action: 'DescribeImages', readOnly: true, expect: regionForbidden('DescribeImages', 'ap-southeast-1') },
  { name: 'instance types through another region', who: 'inventory', method: 'get', path: '/api/instance-types', input: { regionId: 'eu-central-1' }, action: 'DescribeInstanceTypes', readOnly: true, expect: regionForbidden('eu-central-1') },
  { name: 'an allowed regionId with another region\'s endpoint', who: 'inventory', method: 'get', path: '/api/instances', input: { regionId: 'cn-hangzhou', endpoint: 'ecs.us-west-1.aliyuncs.com' }, action: 'DescribeInstances', readOnly: true, expect: regionForbidden('us-west-1', 'ecs.us-west-1.aliyuncs.com') },
  // inventory: action-denied (writes: audited)
  { name: 'stop', who: 'inventory', method: 'put', path: '/api/instances/stop', input: stopBody, action: 'StopInstances', readOnly: false, expect: actionForbidden('StopInstances'), audit: { regionId: 'cn-hangzhou', resourceIds: ['i-1', 'i-2'] } },
  { name: 'terminate', who: 'inventory', method: 'put', path: '/api/instances/terminate', input: stopBody, action: 'DeleteInstances', readOnly: false, expect: actionForbidden('DeleteInstances'), audit: { regionId: 'cn-hangzhou', resourceIds: ['i-1', 'i-2'] } },
  { name: 'create', who: 'inventory', method: 'post', path: '/api/instances', input: { regionId: 'cn-beijing', imageId: 'img-1', instanceType: 'ecs.t1.xsmall' }, action: 'RunInstances', readOnly: false, expect: actionForbidden('RunInstances'), audit: { regionId: 'cn-beijing', resourceIds: ['img-1'] } },
  // ops: everything but Delete*/Release*, anywhere
  { name: 'stop', who: 'ops', method: 'put', path: '/api/instances/stop', input: stopBody, action: 'StopInstances', readOnly: false, expect: allowed, audit: { regionId: 'cn-hangzhou', resourceIds: ['i-1', 'i-2'] } },
  { name: 'start in any region', who: 'ops', method: 'put', path: '/api/instances/start', input: { regionId: 'us-west-1', instanceIds: ['i-3'] }, action: 'StartInstances', readOnly: false, expect: allowed, audit: { regionId: 'us-west-1', resourceIds: ['i-3'] } },
  { name: 'reboot', who: 'ops', method: 'put', path: '/api/instances/reboot', input: stopBody, action: 'RebootInstances', readOnly: false, expect: allowed, audit: { regionId: 'cn-hangzhou', resourceIds: ['i-1', 'i-2'] } },
  { name: 'create', who: 'ops', method: 'post', path: '/api/instances', input: { regionId: 'cn-beijing', imageId: 'img-1', instanceType: 'ecs.t1.xsmall', password: 'Instance-Passw0rd!' }, action: 'RunInstances', readOnly: false, expect: allowed, audit: { regionId: 'cn-beijing', resourceIds: ['img-1'] } },
  { name: 'list instances in any region', who: 'ops', method: 'get', path: '/api/instances', input: { regionId: 'us-west-1' }, action: 'DescribeInstances', readOnly: true, expect: allowed },
  { name: 'terminate (Delete* is denied)', who: 'ops', method: 'put', path: '/api/instances/terminate', input: stopBody, action: 'DeleteInstances', readOnly: false, expect: actionForbidden('DeleteInstances'), audit: { regionId: 'cn-hangzhou', resourceIds: ['i-1', 'i-2'] } },
  // admin (GATEWAY_API_KEYS): everything
  { name: 'terminate', who: 'admin', method: 'put', path: '/api/instances/terminate', input: stopBody, action: 'DeleteInstances', readOnly: false, expect: allowed, audit: { regionId: 'cn-hangzhou', resourceIds: ['i-1', 'i-2'] } },
  { name: 'list instances', who: 'admin', method: 'get', path: '/api/instances', input: { regionId: 'eu-central-1' }, action: 'DescribeInstances', readOnly: true, expect: allowed },
];

/**
 * The same matrix for the generic route `POST /api/ecs/{Action}` (the bodies use the generic route's
 * spelling: lowerCamelCase ECS names). Resource ids come in wire-parameter order.
 */
export const GENERIC_ROUTE_ROWS: MatrixRow[] = [
  { name: 'DescribeInstances in an allowed region', who: 'inventory', method: 'post', path: '/api/ecs/DescribeInstances', input: { regionId: 'cn-hangzhou' }, action: 'DescribeInstances', readOnly: true, expect: allowed },
  { name: 'DescribeRegions (no region needed)', who: 'inventory', method: 'post', path: '/api/ecs/DescribeRegions', input: {}, action: 'DescribeRegions', readOnly: true, expect: allowed },
  { name: 'DescribeDisks in another region', who: 'inventory', method: 'post', path: '/api/ecs/DescribeDisks', input: { regionId: 'us-west-1' }, action: 'DescribeDisks', readOnly: true, expect: regionForbidden('DescribeDisks', 'us-west-1') },
  { name: 'ListTagResources in an allowed region', who: 'inventory', method: 'post', path: '/api/ecs/ListTagResources', input: { regionId: 'cn-beijing', resourceType: 'instance' }, action: 'ListTagResources', readOnly: true, expect: allowed },
  { name: 'StopInstances', who: 'inventory', method: 'post', path: '/api/ecs/StopInstances', input: { regionId: 'cn-hangzhou', instanceId: ['i-1', 'i-2'] }, action: 'StopInstances', readOnly: false, expect: actionForbidden('StopInstances'), audit: { regionId: 'cn-hangzhou', resourceIds: ['i-1', 'i-2'] } },
  { name: 'AttachDisk', who: 'inventory', method: 'post', path: '/api/ecs/AttachDisk', input: { instanceId: 'i-1', diskId: 'd-1' }, action: 'AttachDisk', readOnly: false, expect: actionForbidden('AttachDisk'), audit: { regionId: null, resourceIds: ['d-1', 'i-1'] } },
  { name: 'StopInstances', who: 'ops', method: 'post', path: '/api/ecs/StopInstances', input: { regionId: 'cn-hangzhou', instanceId: ['i-1', 'i-2'] }, action: 'StopInstances', readOnly: false, expect: allowed, audit: { regionId: 'cn-hangzhou', resourceIds: ['i-1', 'i-2'] } },
  { name: 'AuthorizeSecurityGroup', who: 'ops', method: 'post', path: '/api/ecs/AuthorizeSecurityGroup', input: { regionId: 'cn-hangzhou', securityGroupId: 'sg-1', ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '10.0.0.0/8' }, action: 'AuthorizeSecurityGroup', readOnly: false, expect: allowed, audit: { regionId: 'cn-hangzhou', resourceIds: ['sg-1'] } },
  { name: 'DeleteInstances (Delete* is denied)', who: 'ops', method: 'post', path: '/api/ecs/DeleteInstances', input: { regionId: 'cn-hangzhou', instanceId: ['i-1'] }, action: 'DeleteInstances', readOnly: false, expect: actionForbidden('DeleteInstances'), audit: { regionId: 'cn-hangzhou', resourceIds: ['i-1'] } },
  { name: 'ReleaseEipAddress (Release* is denied)', who: 'ops', method: 'post', path: '/api/ecs/ReleaseEipAddress', input: { regionId: 'cn-hangzhou', allocationId: 'eip-1' }, action: 'ReleaseEipAddress', readOnly: false, expect: actionForbidden('ReleaseEipAddress'), audit: { regionId: 'cn-hangzhou', resourceIds: ['eip-1'] } },
  { name: 'DeleteInstances', who: 'admin', method: 'post', path: '/api/ecs/DeleteInstances', input: { regionId: 'cn-hangzhou', instanceId: ['i-1'] }, action: 'DeleteInstances', readOnly: false, expect: allowed, audit: { regionId: 'cn-hangzhou', resourceIds: ['i-1'] } },
];

const ECS_REQUEST_ID = 'ECS-REQ-0000-4000-8000-000000000042';

interface Gateway { app: FastifyInstance; logs: LogCapture; upstream: FakeUpstream }

/** A gateway with the policy file and an admin key in GATEWAY_API_KEYS, in front of a fake ECS. */
function useGateway(ready: (g: Gateway) => void, env: Record<string, string> = {}): void {
  let dir = '';
  let g: Gateway | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'policy-matrix-'));
    const file = join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify(POLICY));
    const upstream = await new FakeUpstream().start();
    const built = await testGateway(upstream.url, { GATEWAY_API_KEYS: KEYS.admin, GATEWAY_ACCESS_POLICY_FILE: file, ...env });
    g = { ...built, upstream };
    ready(g);
  });
  afterAll(async () => {
    await g?.app.close();
    await g?.upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });
}

function send(app: FastifyInstance, row: Pick<MatrixRow, 'method' | 'path' | 'input' | 'who'>) {
  const req = request(app.server)[row.method](row.path).set('authorization', `Bearer ${KEYS[row.who]}`);
  return row.method === 'get' ? req.query({ ...CREDS, ...row.input }) : req.send({ ...CREDS, ...row.input });
}

/** The audit objects of the captured log lines. */
function auditsOf(logs: LogCapture): Array<Record<string, unknown>> {
  return logs.lines.map((l) => JSON.parse(l) as { msg?: string; audit?: Record<string, unknown> })
    .filter((l) => l.msg === 'audit').map((l) => l.audit!);
}

/** Runs the rows as one test each. */
export function runMatrix(title: string, rows: readonly MatrixRow[]): void {
  describe(title, () => {
    let g: Gateway;
    useGateway((ready) => { g = ready; });
    beforeEach(() => {
      g.upstream.requests.length = 0;
      g.logs.lines.length = 0;
      g.upstream.reply = { body: { RequestId: ECS_REQUEST_ID, Instances: { Instance: [{ InstanceId: 'i-1' }] } } };
    });

    it.each(rows.map((r) => [`${r.who}: ${r.method.toUpperCase()} ${r.path}, ${r.name} → ${'allowed' in r.expect ? 'allowed' : r.expect.code}`, r] as const))('%s', async (_title, row) => {
      const res = await send(g.app, row);
      if ('allowed' in row.expect) {
        expect(res.status).toBe(200);
        expect(g.upstream.requests.map((r) => r.action)).toEqual([row.action]);
      } else {
        expect(res.status).toBe(403);
        expect(res.body.error).toMatchObject({ code: row.expect.code, status: 403, requestId: res.headers['x-request-id'] });
        const message = res.body.error.message as string;
        expect(message).toContain(`"${NAME[row.who]}"`);
        for (const name of row.expect.names) expect(message).toContain(name);
        // Nothing was signed or sent.
        expect(g.upstream.requests).toEqual([]);
      }
      // The answer and the log never hold a key, nor its hash.
      for (const k of Object.values(KEYS)) {
        expect(JSON.stringify(res.body)).not.toContain(k);
        expect(g.logs.text).not.toContain(k);
        expect(g.logs.text).not.toContain(sha256(k));
      }
      const audits = auditsOf(g.logs);
      if (row.readOnly) {
        expect(audits).toEqual([]);
      } else {
        expect(audits).toEqual([{
          key: NAME[row.who],
          action: row.action,
          regionId: row.audit?.regionId ?? null,
          resourceIds: row.audit?.resourceIds ?? [],
          ecsRequestId: 'allowed' in row.expect ? ECS_REQUEST_ID : null,
          outcome: 'allowed' in row.expect ? 'ok' : row.expect.code,
          requestId: res.headers['x-request-id'],
        }]);
      }
    });

    it('the matrix covers allowed, action-denied and region-denied calls, reads and writes', () => {
      const kinds = new Set(rows.map((r) => `${'allowed' in r.expect ? 'allowed' : r.expect.code}/${r.readOnly ? 'read' : 'write'}`));
      for (const kind of ['allowed/read', 'allowed/write', 'ACTION_FORBIDDEN/write', 'REGION_FORBIDDEN/read']) expect(kinds.has(kind)).toBe(true);
    });
  });
}

runMatrix('policy matrix: curated routes', CURATED_ROUTE_ROWS);

describe('audit lines for writes that fail upstream', () => {
  let g: Gateway;
  useGateway((ready) => { g = ready; });
  beforeEach(() => {
    g.upstream.requests.length = 0;
    g.logs.lines.length = 0;
  });

  it('an ECS error: the outcome is the ECS code, with its RequestId', async () => {
    g.upstream.reply = { status: 403, body: { Code: 'IncorrectInstanceStatus', Message: 'The current status of the resource does not support this operation.', RequestId: 'ECS-REQ-FAILED' } };
    const res = await send(g.app, { who: 'ops', method: 'put', path: '/api/instances/stop', input: stopBody });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('IncorrectInstanceStatus');
    expect(auditsOf(g.logs)).toEqual([{
      key: 'ops', action: 'StopInstances', regionId: 'cn-hangzhou', resourceIds: ['i-1', 'i-2'],
      ecsRequestId: 'ECS-REQ-FAILED', outcome: 'IncorrectInstanceStatus', requestId: res.headers['x-request-id'],
    }]);
  });

  it('ECS unreachable: the outcome is the gateway code', async () => {
    g.upstream.reply = { drop: true };
    const res = await send(g.app, { who: 'admin', method: 'put', path: '/api/instances/reboot', input: stopBody });
    expect(res.status).toBe(502);
    expect(auditsOf(g.logs)).toEqual([expect.objectContaining({ key: 'key-1', action: 'RebootInstances', ecsRequestId: null, outcome: 'UPSTREAM_UNAVAILABLE' })]);
  });

  it('a failed read is not audited', async () => {
    g.upstream.reply = { status: 400, body: { Code: 'InvalidParameter', Message: 'bad', RequestId: 'ECS-REQ-READ' } };
    const res = await send(g.app, { who: 'inventory', method: 'get', path: '/api/instances', input: { regionId: 'cn-hangzhou' } });
    expect(res.status).toBe(400);
    expect(auditsOf(g.logs)).toEqual([]);
  });

  it('a request refused before the policy (invalid, unauthenticated) writes no audit line', async () => {
    const invalid = await send(g.app, { who: 'ops', method: 'put', path: '/api/instances/stop', input: { regionId: 'cn-hangzhou', instanceIds: [] } });
    expect(invalid.status).toBe(400);
    const unauthenticated = await request(g.app.server).put('/api/instances/stop').set('authorization', 'Bearer not-a-key-0123456789').send({ ...CREDS, ...stopBody });
    expect(unauthenticated.status).toBe(401);
    expect(auditsOf(g.logs)).toEqual([]);
    expect(g.upstream.requests).toEqual([]);
  });

  it('no instance password and no AccessKey secret in any audit line', async () => {
    g.upstream.reply = { body: { RequestId: ECS_REQUEST_ID } };
    await send(g.app, { who: 'ops', method: 'post', path: '/api/instances', input: { regionId: 'cn-beijing', imageId: 'img-1', instanceType: 'ecs.t1.xsmall', password: 'Instance-Passw0rd!' } });
    await send(g.app, { who: 'inventory', method: 'post', path: '/api/instances', input: { regionId: 'cn-beijing', imageId: 'img-1', instanceType: 'ecs.t1.xsmall', password: 'Instance-Passw0rd!' } });
    expect(auditsOf(g.logs)).toHaveLength(2);
    expect(g.logs.text).not.toContain('Instance-Passw0rd!');
    expect(g.logs.text).not.toContain(CREDS.accessKeySecret);
  });
});
runMatrix('policy matrix: generic route', GENERIC_ROUTE_ROWS);
