import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import request from 'supertest';
import { z } from 'zod';
import { EcsClient } from '../../src/gateway/ecs/client.js';
import { instanceRoutes } from '../../src/gateway/routes/instances.js';
import { fieldNames } from '../../src/gateway/schemas/fields.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { isSecretWireParam, secretParamPaths } from '../../src/gateway/schemas/secrets.js';
import { getAction } from '../../src/gateway/ecs/catalog/index.js';
import { canonicalQueryString, percentEncode, stringToSignV1 } from '../../src/gateway/ecs/signer.js';
import { useGatewayWithUpstream, type LogCapture } from '../support/gateway.js';
import { FakeUpstream, type CapturedRequest, type UpstreamReply } from '../support/upstream.js';

/**
 * Secrets through the generic route, at LOG_LEVEL trace: which fields are secret comes from the catalog's
 * mark (Password, UserData, CommandContent, RunCommand Parameters; PrivateKeyBody in a response), and none
 * of them reaches a log line or an echoed error. A secret response field still reaches its caller.
 */

const PASSWORD = "SECRETpw(1)!'A1b~";
const USER_DATA = Buffer.from('#!/bin/sh\necho SECRET-userdata-2').toString('base64');
const COMMAND = Buffer.from('echo SECRET-command-3').toString('base64');
const PARAM_VALUE = 'SECRETparam+value/4=';
const PRIVATE_KEY = '-----BEGIN RSA PRIVATE KEY-----\nSECRETprivatekey5\n-----END RSA PRIVATE KEY-----';
const ACCESS_SECRET = 'SECRETaccess-key-6';
const CREDS = { accessKeyId: 'LTAIvisibleid', accessKeySecret: ACCESS_SECRET };

const SECRETS = [PASSWORD, USER_DATA, COMMAND, PARAM_VALUE, PRIVATE_KEY, ACCESS_SECRET];
const encodings = (v: string) => [...new Set([v, encodeURIComponent(v), percentEncode(v), percentEncode(percentEncode(v)),
  encodeURIComponent(encodeURIComponent(v)), JSON.stringify(v).slice(1, -1), JSON.stringify(JSON.stringify(v)).slice(1, -1)])];

function expectClean(text: string, where: string, except: readonly string[] = []): void {
  for (const secret of SECRETS.filter((s) => !except.includes(s))) {
    for (const form of encodings(secret)) expect(text, `${where} leaks ${form}`).not.toContain(form);
  }
  if (except.length === 0) expect(text, `${where} leaks a secret fragment`).not.toContain('SECRET');
}

/** What ECS echoes on SignatureDoesNotMatch: the string to sign, built from every parameter it received. */
function signatureMismatch(req: CapturedRequest): UpstreamReply {
  const { Signature: _sig, ...params } = req.params;
  const echo = req.params.Signature ? stringToSignV1('POST', params) : ['POST', '/', canonicalQueryString(params)].join('\n');
  return {
    status: 400,
    body: { RequestId: 'SIG-1', Code: 'SignatureDoesNotMatch', Message: `Specified signature is not matched with our calculation. server string to sign is:${echo}` },
  };
}

const BODIES: Array<[string, Record<string, unknown>]> = [
  ['RunInstances', { regionId: 'cn-hangzhou', imageId: 'm-1', password: PASSWORD, userData: USER_DATA }],
  ['RunCommand', { regionId: 'cn-hangzhou', type: 'RunShellScript', commandContent: COMMAND, instanceId: ['i-1'], parameters: { token: PARAM_VALUE } }],
  ['CreateAutoProvisioningGroup', { regionId: 'cn-hangzhou', totalTargetCapacity: '1', launchConfiguration: { password: PASSWORD, userData: USER_DATA } }],
];

describe('the secret mark comes from the catalog', () => {
  it('secret parameters at any depth; list items of a secret parameter; nothing else', () => {
    expect([...secretParamPaths(getAction('RunInstances')!)].sort()).toEqual(['Password', 'UserData']);
    expect([...secretParamPaths(getAction('CreateAutoProvisioningGroup')!)].sort()).toEqual(['LaunchConfiguration.Password', 'LaunchConfiguration.UserData']);
    expect(isSecretWireParam('RunInstances', 'Password')).toBe(true);
    expect(isSecretWireParam('RunInstances', 'PasswordInherit')).toBe(false);
    expect(isSecretWireParam('CreateAutoProvisioningGroup', 'LaunchConfiguration.UserData')).toBe(true);
    expect(isSecretWireParam('RunCommand', 'Parameters')).toBe(true);
    expect(isSecretWireParam('RunCommand', 'CommandContent')).toBe(true);
    expect(isSecretWireParam('DescribeInstances', 'InstanceName')).toBe(false);
    expect(isSecretWireParam('NoSuchAction', 'Password')).toBe(false);
  });

  it('curated fields that fill a secret parameter are marked secret() on their schema (password, userData); the others are not', async () => {
    const app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    const bodies: z.ZodType[] = [];
    app.addHook('onRoute', (route) => {
      const body = (route.schema as { body?: unknown } | undefined)?.body;
      if (body instanceof z.ZodType) bodies.push(body);
    });
    await app.register(instanceRoutes({ client: new EcsClient({ signatureVersion: 'v3', allowedEndpoints: [], timeoutMs: 1000 }) }));
    await app.ready();
    expect(bodies).toHaveLength(1);
    // accessKeySecret and securityToken are the gateway's own credentials, marked by hand in schemas/common.ts.
    expect([...fieldNames(bodies[0]!).secret].sort()).toEqual(['accessKeySecret', 'password', 'securityToken', 'userData']);
    await app.close();
  });
});

describe.each(['v3', 'v1'] as const)('POST /api/ecs/{Action}: no secret in logs or echoed errors (signature %s, LOG_LEVEL trace)', (version) => {
  let upstream: FakeUpstream;
  let app: FastifyInstance;
  let logs: LogCapture;

  useGatewayWithUpstream((ctx) => ({ upstream, app, logs } = ctx), { LOG_LEVEL: 'trace', ECS_SIGNATURE_VERSION: version });
  beforeEach(() => {
    upstream.reply = { body: { RequestId: 'OK' } };
    logs.lines.length = 0;
  });

  it.each(BODIES)('%s: the secrets reach ECS, not the logs', async (action, body) => {
    const res = await request(app.server).post(`/api/ecs/${action}`).send({ ...CREDS, ...body });
    expect(res.status, res.text).toBe(200);
    // Not vacuous: the secret values did go upstream.
    const sent = JSON.stringify(upstream.last.params);
    expect(sent).toContain(body.password ?? body.commandContent ?? (body.launchConfiguration as { password: string }).password);
    expect(logs.lines.length).toBeGreaterThan(0);
    expectClean(logs.text, 'logs');
    expectClean(res.text, 'response');
  });

  it.each(BODIES)('%s: an ECS error echoing the string to sign is scrubbed', async (action, body) => {
    upstream.reply = signatureMismatch;
    const res = await request(app.server).post(`/api/ecs/${action}`).send({ ...CREDS, ...body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('SignatureDoesNotMatch');
    // Not vacuous: the echo carried the parameters (the ones that are not secret are still there).
    expect(res.body.error.message).toContain('RegionId');
    expect(res.body.error.message).toContain('[REDACTED]');
    expectClean(res.text, 'error body');
    expectClean(logs.text, 'logs');
  });

  it.each(BODIES)('%s: a validation error next to the secrets', async (action, body) => {
    const res = await request(app.server).post(`/api/ecs/${action}`).send({ ...CREDS, ...body, regionId: 42, [PASSWORD]: 1 });
    expect(res.status).toBe(400);
    // The caller is told which of its keys is unknown (its own text, back to itself); no other secret is in the answer.
    expectClean(res.text, 'error body', [PASSWORD]);
    expectClean(logs.text, 'logs');
    expect(logs.text).toContain('body.[REDACTED]: unknown field');
  });

  it('the log names the action\'s own fields (known from the catalog), nested too, and redacts the ones the caller made up', async () => {
    const res = await request(app.server).post('/api/ecs/RunInstances')
      .send({ ...CREDS, regionId: 'cn-hangzhou', password: PASSWORD, amount: 'many', system_disk: { [PASSWORD]: 1 } });
    expect(res.status).toBe(400);
    expectClean(logs.text, 'logs');
    expect(logs.text).toContain('body.amount: must be a whole number');
    expect(logs.text).toContain('body.systemDisk.[REDACTED]: unknown field');
  });

  it('CreateKeyPair: the private key is passed to the caller, and never logged', async () => {
    upstream.reply = { body: { RequestId: 'KP-1', KeyPairName: 'kp', KeyPairFingerPrint: 'ab:cd', PrivateKeyBody: PRIVATE_KEY } };
    const res = await request(app.server).post('/api/ecs/CreateKeyPair').send({ ...CREDS, regionId: 'cn-hangzhou', keyPairName: 'kp' });
    expect(res.status).toBe(200);
    expect(res.body.data.value.body.PrivateKeyBody).toBe(PRIVATE_KEY);
    expect(logs.lines.length).toBeGreaterThan(0);
    expectClean(logs.text, 'logs');
  });
});
