import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { getAction } from '../../src/gateway/ecs/catalog/index.js';
import { EcsClient } from '../../src/gateway/ecs/client.js';
import { ecsRoute } from '../../src/gateway/routes/factory.js';
import { RESOURCE_ROUTES } from '../../src/gateway/routes/resources.js';
import { fieldNames } from '../../src/gateway/schemas/fields.js';
import { percentEncode, stringToSignV1 } from '../../src/gateway/ecs/signer.js';
import { CREDS, type LogCapture, testGateway, useGatewayWithUpstream } from '../support/gateway.js';
import { FakeUpstream, type CapturedRequest, type UpstreamReply } from '../support/upstream.js';
import { exampleUrl, sendTo } from './routes-resources.test.js';

/**
 * Policies and secrets on the resource routes. Each route's policy check names the route's own ECS action
 * (the egress variant of a rule route, its Egress action), and its region, also where the action takes no
 * RegionId and `regionId` only picks the endpoint. The secret fields (password, userData, commandContent,
 * parameters) are marked from the catalog and never logged; the private key of CreateKeyPair reaches its
 * caller and no log line.
 */

const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');
const KEYS = { nothing: 'nothing-key-0123456789abcdef', reader: 'reader-key-0123456789abcdefg', beijing: 'beijing-key-0123456789abcdef' } as const;
const POLICY = {
  keys: [
    { name: 'nothing', sha256: sha256(KEYS.nothing), allow: ['DescribeRegions'] },
    { name: 'reader', sha256: sha256(KEYS.reader), allow: ['Describe*', 'List*'] },
    { name: 'beijing', sha256: sha256(KEYS.beijing), allow: ['*'], regions: ['cn-beijing'] },
  ],
};

describe('policy: each route is checked as its own ECS action and region', () => {
  let dir = '';
  let app: FastifyInstance;
  let upstream: FakeUpstream;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'routes-resources-policy-'));
    writeFileSync(join(dir, 'policy.json'), JSON.stringify(POLICY));
    upstream = await new FakeUpstream().start();
    ({ app } = await testGateway(upstream.url, { GATEWAY_ACCESS_POLICY_FILE: join(dir, 'policy.json') }));
  });
  afterAll(async () => {
    await app.close();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    upstream.reply = { body: { RequestId: 'R-POLICY', Disks: { Disk: [{ DiskId: 'd-1' }] } } };
  });

  const send = (route: (typeof RESOURCE_ROUTES)[number], key: string, extra: Record<string, unknown> = {}) =>
    sendTo(app, route.method, exampleUrl(route), { ...CREDS, ...route.example, ...extra }).set('authorization', `Bearer ${key}`);

  it.each(RESOURCE_ROUTES.map((r) => [`${r.method} ${r.url}: ${r.action}`, r] as const))('%s', async (_title, route) => {
    // A key that may call nothing of these: refused, naming the route's action; nothing sent.
    const none = await upstream.exchange(send(route, KEYS.nothing));
    expect(none.res.status).toBe(403);
    expect(none.res.body.error.code).toBe('ACTION_FORBIDDEN');
    expect(none.res.body.error.message).toContain(`may not call ${route.action}`);
    expect(none.sent).toEqual([]);
    // A reader: reads go through, writes are refused as their action.
    const read = await upstream.exchange(send(route, KEYS.reader));
    if (getAction(route.action)!.readOnly) {
      expect(read.res.status, read.res.text).toBe(200);
      expect(read.sent.map((c) => c.action)).toEqual([route.action]);
    } else {
      expect(read.res.status).toBe(403);
      expect(read.res.body.error.message).toContain(`may not call ${route.action}`);
    }
    // A key limited to cn-beijing: every example is in cn-hangzhou, with or without a RegionId parameter.
    const region = await upstream.exchange(send(route, KEYS.beijing));
    expect(region.res.status).toBe(403);
    expect(region.res.body.error.code).toBe('REGION_FORBIDDEN');
    expect(region.res.body.error.message).toContain('cn-hangzhou');
    expect(region.sent).toEqual([]);
    // …and allowed in cn-beijing.
    const ok = await upstream.exchange(send(route, KEYS.beijing, { regionId: 'cn-beijing' }));
    expect(ok.res.status, ok.res.text).toBe(200);
    expect((ok.sent[0] as CapturedRequest).headers.host).toBe('ecs.cn-beijing.aliyuncs.com');
  });

  it('an egress rule is checked as AuthorizeSecurityGroupEgress, an egress revoke as RevokeSecurityGroupEgress', async () => {
    const rule = { ...CREDS, regionId: 'cn-hangzhou', direction: 'egress', protocol: 'tcp', port: 443, destination: '0.0.0.0/0' };
    const add = await request(app.server).post('/api/security-groups/sg-bp1a/rules').set('authorization', `Bearer ${KEYS.nothing}`).send(rule);
    expect(add.status).toBe(403);
    expect(add.body.error.message).toContain('may not call AuthorizeSecurityGroupEgress');
    const revoke = await request(app.server).post('/api/security-groups/sg-bp1a/rules/revoke').set('authorization', `Bearer ${KEYS.nothing}`).send(rule);
    expect(revoke.body.error.message).toContain('may not call RevokeSecurityGroupEgress');
  });
});

// ---- secrets ----

const PASSWORD = "SECRETpw(1)!'A1b~";
const USER_DATA = Buffer.from('#!/bin/sh\necho SECRET-userdata-2').toString('base64');
const COMMAND = 'echo SECRET-command-3';
const PARAM_VALUE = 'SECRETparam+value/4=';
const PRIVATE_KEY = '-----BEGIN RSA PRIVATE KEY-----\nSECRETprivatekey5\n-----END RSA PRIVATE KEY-----';
const SECRETS = [PASSWORD, USER_DATA, COMMAND, PARAM_VALUE, PRIVATE_KEY];
const encodings = (v: string) => [...new Set([v, encodeURIComponent(v), percentEncode(v), percentEncode(percentEncode(v)), JSON.stringify(v).slice(1, -1), JSON.stringify(JSON.stringify(v)).slice(1, -1)])];

function expectClean(text: string, where: string): void {
  for (const secret of SECRETS) for (const form of encodings(secret)) expect(text, `${where} leaks ${form}`).not.toContain(form);
  expect(text, `${where} leaks a secret fragment`).not.toContain('SECRET');
}

/** The fields of each route that carry secrets (besides the credentials every route takes). */
const SECRET_FIELDS: Record<string, string[]> = {
  Instance_ModifyInstance: ['password', 'userData'],
  Instance_ReplaceSystemDisk: ['password'],
  Disk_AttachDisk: ['password'],
  Command_RunCommand: ['commandContent', 'parameters'],
};

describe('secret fields are marked from the catalog', () => {
  it('exactly the fields that fill a secret parameter, on every resource route', async () => {
    const app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    const inputs = new Map<string, z.ZodType>();
    app.addHook('onRoute', (route) => {
      const schema = route.schema as { body?: unknown; querystring?: unknown; operationId?: string } | undefined;
      const input = schema?.body ?? schema?.querystring;
      if (schema?.operationId && input instanceof z.ZodType) inputs.set(schema.operationId, input);
    });
    const deps = { client: new EcsClient({ signatureVersion: 'v3', allowedEndpoints: [], timeoutMs: 1000 }) };
    for (const route of RESOURCE_ROUTES) ecsRoute(app, deps, route);
    await app.ready();
    for (const route of RESOURCE_ROUTES) {
      const secret = [...fieldNames(inputs.get(route.operationId)!).secret].sort();
      expect(secret, route.operationId).toEqual(['accessKeySecret', 'securityToken', ...(SECRET_FIELDS[route.operationId] ?? [])].sort());
    }
    await app.close();
  });
});

/** What ECS echoes on SignatureDoesNotMatch: the string to sign, with every parameter it received. */
function signatureMismatch(req: CapturedRequest): UpstreamReply {
  const { Signature: _sig, ...params } = req.params;
  return { status: 400, body: { RequestId: 'SIG-1', Code: 'SignatureDoesNotMatch', Message: `Specified signature is not matched with our calculation. server string to sign is:${stringToSignV1('POST', params)}` } };
}

const SECRET_CALLS: Array<[string, string, string, Record<string, unknown>]> = [
  ['PATCH an instance', 'PATCH', '/api/instances/i-bp1abc', { password: PASSWORD, userData: USER_DATA, hostName: 'web-1' }],
  ['replace the system disk', 'POST', '/api/instances/i-bp1abc/system-disk', { imageId: 'm-bp1img', password: PASSWORD }],
  ['attach a disk as system disk', 'POST', '/api/disks/d-bp1abc/attach', { instanceId: 'i-bp1abc', bootable: true, password: PASSWORD }],
  ['run a command', 'POST', '/api/commands/run', { instanceIds: ['i-bp1abc'], commandContent: COMMAND, enableParameter: true, parameters: { token: PARAM_VALUE } }],
];

describe.each(['v3', 'v1'] as const)('no secret in the logs of the resource routes (signature %s, LOG_LEVEL trace)', (version) => {
  let upstream: FakeUpstream;
  let app: FastifyInstance;
  let logs: LogCapture;
  useGatewayWithUpstream((ctx) => ({ upstream, app, logs } = ctx), { LOG_LEVEL: 'trace', ECS_SIGNATURE_VERSION: version });
  beforeEach(() => {
    upstream.reply = { body: { RequestId: 'OK' } };
    logs.lines.length = 0;
  });

  it.each(SECRET_CALLS)('%s: the secrets reach ECS, not the logs', async (_name, method, url, input) => {
    const res = await sendTo(app, method, url, { ...CREDS, regionId: 'cn-hangzhou', ...input });
    expect(res.status, res.text).toBe(200);
    const sent = Object.values(upstream.last.params).join('\n');
    expect(sent).toContain(input.password ?? input.commandContent);
    expect(logs.lines.length).toBeGreaterThan(0);
    expectClean(logs.text, 'logs');
    expectClean(res.text, 'response');
  });

  it.each(SECRET_CALLS)('%s: an ECS error echoing the string to sign is scrubbed', async (_name, method, url, input) => {
    upstream.reply = signatureMismatch;
    const res = await sendTo(app, method, url, { ...CREDS, regionId: 'cn-hangzhou', ...input });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('[REDACTED]');
    expectClean(res.text, 'error body');
    expectClean(logs.text, 'logs');
  });

  it.each(SECRET_CALLS)('%s: a validation error next to the secrets', async (_name, method, url, input) => {
    const res = await sendTo(app, method, url, { ...CREDS, regionId: 42, ...input });
    expect(res.status).toBe(400);
    expectClean(res.text, 'error body');
    expectClean(logs.text, 'logs');
  });

  it('POST /api/key-pairs: the private key reaches the caller (no-store), never a log line', async () => {
    upstream.reply = { body: { RequestId: 'KP-1', KeyPairName: 'demo-key', KeyPairFingerPrint: 'ab:cd', PrivateKeyBody: PRIVATE_KEY } };
    const res = await request(app.server).post('/api/key-pairs').send({ ...CREDS, regionId: 'cn-hangzhou', keyPairName: 'demo-key' });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.data.value.body.PrivateKeyBody).toBe(PRIVATE_KEY);
    expect(logs.lines.length).toBeGreaterThan(0);
    expectClean(logs.text, 'logs');
  });
});
