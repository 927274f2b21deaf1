import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/gateway/app.js';
import { ConfigError, loadConfig, type Config } from '../../src/gateway/config.js';
import { LibraryCredentials } from '../../src/gateway/credentials.js';
import { CREDS, FIXED_DATE, FIXED_NONCE, LogCapture } from '../support/gateway.js';
import { FakeUpstream } from '../support/upstream.js';

/**
 * The server-side credential chain (src/gateway/credentials.ts, @alicloud/credentials): which source is used,
 * what reaches ECS (the AccessKey id in the V3 Authorization header, the token header), that STS credentials
 * are fetched once and refreshed only near their expiry, and that no value is ever logged. Nothing here
 * reaches the network: files live in temporary home directories, the credentials URI is a server on
 * 127.0.0.1, and the metadata service and STS (RAM role, OIDC) are answered through the library's own
 * `doRequest` hook, which records every request they would have sent.
 */

const API_KEY = 'chain-test-api-key-0123456789';
const auth = { authorization: `Bearer ${API_KEY}` };
const sha = (key: string) => createHash('sha256').update(key).digest('hex');

/** A temporary home directory with the given files (paths relative to it). */
function home(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'gw-creds-home-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const CREDENTIALS_FILE = '.alibabacloud/credentials';
const CLI_CONFIG = '.aliyun/config.json';

const cliConfig = (current: string, profiles: Array<Record<string, string>>) => JSON.stringify({ current, profiles });

/** The AccessKey id an upstream call was signed with (V3: `Credential=<id>,` in Authorization). */
const keyIdOf = (headers: Record<string, unknown>) => /Credential=([^,]+),/.exec(String(headers.authorization))?.[1];

let upstream: FakeUpstream;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  upstream = await new FakeUpstream().start();
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await upstream.close();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A gateway in front of the fake upstream, with `env` and the given home directory. */
async function gateway(env: Record<string, string>, homeDir: string, policy?: unknown): Promise<{ app: FastifyInstance; logs: LogCapture; config: Config }> {
  const logs = new LogCapture();
  const config = loadConfig({ ECS_UPSTREAM_URL: upstream.url, LOG_LEVEL: 'debug', ECS_TIMEOUT_MS: '60000', ...env }, {
    homeDir,
    readFile: (path) => (path === '/policy.json' ? JSON.stringify(policy) : undefined),
  });
  const app = await buildApp({ config, logStream: logs, now: () => FIXED_DATE, nonce: () => FIXED_NONCE });
  await app.ready();
  apps.push(app);
  return { app, logs, config };
}

/** One call through the gateway; resolves with the answer and the upstream request it caused, if any. */
async function call(app: FastifyInstance, headers: Record<string, string> = auth, body: Record<string, unknown> = {}) {
  const { res, sent } = await upstream.exchange(request(app.server).post('/api/ecs/DescribeRegions').set(headers).send(body));
  return { res, sent: sent[0], keyId: sent[0] ? keyIdOf(sent[0].headers) : undefined, token: sent[0]?.headers['x-acs-security-token'] };
}

function problemsOf(env: Record<string, string>, homeDir: string): string[] {
  try {
    loadConfig(env, { homeDir, readFile: () => undefined });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('loadConfig accepted the configuration');
}

describe('the sources of the chain', () => {
  it('environment variables, with a security token', async () => {
    const { app, config } = await gateway({
      GATEWAY_API_KEYS: API_KEY, ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIenv', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'env-secret-1', ALIBABA_CLOUD_SECURITY_TOKEN: 'env-token-1',
    }, home());
    expect(config.defaultCredentials?.source).toBe('env');
    const { res, keyId, token } = await call(app);
    expect(res.status).toBe(200);
    expect(keyId).toBe('LTAIenv');
    expect(token).toBe('env-token-1');
  });

  it('the default profile of ~/.alibabacloud/credentials', async () => {
    const dir = home({ [CREDENTIALS_FILE]: '[default]\ntype = access_key\naccess_key_id = LTAIfile\naccess_key_secret = file-secret-1\n' });
    const { app, config } = await gateway({ GATEWAY_API_KEYS: API_KEY }, dir);
    expect(config.defaultCredentials).toMatchObject({ source: 'profile', description: `profile [default] of ${dir}/${CREDENTIALS_FILE} (type access_key)` });
    const { res, keyId, token } = await call(app);
    expect(res.status).toBe(200);
    expect(keyId).toBe('LTAIfile');
    expect(token).toBeUndefined();
  });

  it('the current profile of ~/.aliyun/config.json (the CLI\'s), before ~/.alibabacloud/credentials', async () => {
    const dir = home({
      [CLI_CONFIG]: cliConfig('work', [
        { name: 'default', mode: 'AK', access_key_id: 'LTAIclidefault', access_key_secret: 'cli-secret-0' },
        { name: 'work', mode: 'AK', access_key_id: 'LTAIcliwork', access_key_secret: 'cli-secret-1' },
      ]),
      [CREDENTIALS_FILE]: '[default]\ntype = access_key\naccess_key_id = LTAIfile\naccess_key_secret = file-secret-1\n',
    });
    const { app, config } = await gateway({ GATEWAY_API_KEYS: API_KEY }, dir);
    expect(config.defaultCredentials?.source).toBe('cli_profile');
    expect((await call(app)).keyId).toBe('LTAIcliwork');
  });

  it('ALIBABA_CLOUD_PROFILE picks a CLI profile (an StsToken one here), or a profile of the credentials file', async () => {
    const dir = home({
      [CLI_CONFIG]: cliConfig('default', [
        { name: 'default', mode: 'AK', access_key_id: 'LTAIclidefault', access_key_secret: 'cli-secret-0' },
        { name: 'ci', mode: 'StsToken', access_key_id: 'STS.cli', access_key_secret: 'cli-secret-2', sts_token: 'cli-token-2' },
      ]),
      [CREDENTIALS_FILE]: '[default]\ntype = access_key\naccess_key_id = LTAIfile\naccess_key_secret = f\n[prod]\ntype = access_key\naccess_key_id = LTAIprod\naccess_key_secret = prod-secret\n',
    });
    const ci = await call((await gateway({ GATEWAY_API_KEYS: API_KEY, ALIBABA_CLOUD_PROFILE: 'ci' }, dir)).app);
    expect([ci.keyId, ci.token]).toEqual(['STS.cli', 'cli-token-2']);
    const prod = await gateway({ GATEWAY_API_KEYS: API_KEY, ALIBABA_CLOUD_PROFILE: 'prod' }, dir);
    expect(prod.config.defaultCredentials?.source).toBe('profile');
    expect((await call(prod.app)).keyId).toBe('LTAIprod');
    expect(problemsOf({ GATEWAY_API_KEYS: API_KEY, ALIBABA_CLOUD_PROFILE: 'nope' }, dir))
      .toEqual([`ALIBABA_CLOUD_PROFILE=nope: no such profile in ${dir}/${CLI_CONFIG} or ${dir}/${CREDENTIALS_FILE}`]);
  });

  it('ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true skips the CLI config, as in the library', async () => {
    const dir = home({
      [CLI_CONFIG]: cliConfig('default', [{ name: 'default', mode: 'AK', access_key_id: 'LTAIcli', access_key_secret: 'cli-secret-0' }]),
      [CREDENTIALS_FILE]: '[default]\ntype = access_key\naccess_key_id = LTAIfile\naccess_key_secret = file-secret-1\n',
    });
    const { app } = await gateway({ GATEWAY_API_KEYS: API_KEY, ALIBABA_CLOUD_CLI_PROFILE_DISABLED: 'true' }, dir);
    expect((await call(app)).keyId).toBe('LTAIfile');
  });

  it('a CLI profile the library cannot use stops startup, naming the field, never a value', () => {
    const dir = home({ [CLI_CONFIG]: cliConfig('default', [{ name: 'default', mode: 'StsToken', access_key_id: 'STS.x', access_key_secret: 'cli-secret-DO-NOT-ECHO' }]) });
    const problems = problemsOf({ GATEWAY_API_KEYS: API_KEY }, dir);
    expect(problems).toEqual([`profile "default" of ${dir}/${CLI_CONFIG} (mode StsToken) needs sts_token`]);
    const bad = home({ [CLI_CONFIG]: cliConfig('default', [{ name: 'default', mode: 'Telepathy' }]) });
    expect(problemsOf({ GATEWAY_API_KEYS: API_KEY }, bad)).toEqual([expect.stringMatching(/mode "Telepathy" is not supported/)]);
  });
});

describe('STS credentials from a credentials URI: fetched once, refreshed before they expire', () => {
  let server: Server;
  let uri = '';
  let fetches = 0;
  let answer: (n: number) => { status: number; body: unknown } = () => ({ status: 500, body: {} });
  beforeAll(async () => {
    server = createServer((_req, res) => {
      fetches += 1;
      const { status, body } = answer(fetches);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/credentials?token=uri-token-DO-NOT-LOG`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  /** STS credentials number n, valid for an hour from the (faked) present. */
  const sts = (n: number) => ({
    status: 200,
    body: { Code: 'Success', AccessKeyId: `STS.uri-${n}`, AccessKeySecret: `uri-secret-${n}`, SecurityToken: `uri-token-${n}`, Expiration: new Date(Date.now() + 3600_000).toISOString() },
  });

  it('many requests, concurrent and one after another, share one fetch until 15 minutes before expiry', async () => {
    // Only Date is faked: the library decides staleness with Date.now(); timers and sockets stay real.
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = new Date('2026-11-30T08:00:00Z').getTime();
    vi.setSystemTime(t0);
    fetches = 0;
    answer = sts;
    const { app, config, logs } = await gateway({ GATEWAY_API_KEYS: API_KEY, ALIBABA_CLOUD_CREDENTIALS_URI: uri }, home());
    expect(config.defaultCredentials?.source).toBe('credentials_uri');
    expect(fetches).toBe(0); // nothing is fetched at startup

    // 20 at once on a cold cache: one fetch between them.
    const first = await Promise.all(Array.from({ length: 20 }, () => call(app)));
    expect(first.map((c) => c.res.status)).toEqual(Array(20).fill(200));
    expect(new Set(first.map((c) => `${c.keyId} ${c.token}`))).toEqual(new Set(['STS.uri-1 uri-token-1']));
    expect(fetches).toBe(1);

    // 30 more, one after another, up to 44 minutes later: still that one.
    for (let i = 0; i < 30; i++) {
      vi.setSystemTime(t0 + i * 88_000); // 0 … 42.5 min
      expect((await call(app)).keyId).toBe('STS.uri-1');
    }
    vi.setSystemTime(t0 + 44 * 60_000);
    expect((await call(app)).keyId).toBe('STS.uri-1');
    expect(fetches).toBe(1);

    // 46 minutes in, less than 15 minutes before they expire: refreshed once, then reused again.
    vi.setSystemTime(t0 + 46 * 60_000);
    const refreshed = await Promise.all(Array.from({ length: 10 }, () => call(app)));
    expect(new Set(refreshed.map((c) => `${c.keyId} ${c.token}`))).toEqual(new Set(['STS.uri-2 uri-token-2']));
    expect(fetches).toBe(2);
    vi.setSystemTime(t0 + 80 * 60_000);
    expect((await call(app)).keyId).toBe('STS.uri-2');
    expect(fetches).toBe(2);

    // No value (nor the URI and its token) in any log line.
    for (const secret of ['uri-secret-1', 'uri-token-1', 'uri-secret-2', 'uri-token-2', 'uri-token-DO-NOT-LOG']) expect(logs.text).not.toContain(secret);
  });

  it('a source that fails answers 503 CREDENTIALS_UNAVAILABLE in the error shape, quoting nothing; the next request tries again', async () => {
    fetches = 0;
    // An answer without its token: the library's error message quotes the whole answer, secret included.
    answer = (n) => (n === 1 ? { status: 200, body: { AccessKeyId: 'STS.half', AccessKeySecret: 'half-secret-DO-NOT-ECHO' } }
      : n === 2 ? { status: 500, body: { Message: 'boom half-secret-DO-NOT-ECHO' } } : sts(n));
    const { app, logs } = await gateway({ GATEWAY_API_KEYS: API_KEY, ALIBABA_CLOUD_CREDENTIALS_URI: uri }, home());
    for (const expected of ['unusable answer', 'HTTP 500']) {
      const { res, sent } = await call(app);
      expect(sent).toBeUndefined();
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ error: {
        code: 'CREDENTIALS_UNAVAILABLE', status: 503, requestId: expect.any(String),
        message: 'The gateway could not obtain its server-side credentials; try again later, or send accessKeyId and accessKeySecret',
      } });
      expect(logs.text).toContain(`Server-side credentials unavailable (credentials_uri: ${expected})`);
    }
    const ok = await call(app);
    expect([ok.res.status, ok.keyId, fetches]).toEqual([200, 'STS.uri-3', 3]);
    expect(logs.text).not.toContain('half-secret-DO-NOT-ECHO');
    expect(logs.text).not.toContain('uri-token-DO-NOT-LOG');
  });

  it('a refresh that fails keeps serving the credentials that are still valid, and is tried again seconds later', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = new Date('2026-11-30T09:00:00Z').getTime();
    vi.setSystemTime(t0);
    fetches = 0;
    answer = (n) => (n === 2 ? { status: 503, body: {} } : sts(n));
    const { app } = await gateway({ GATEWAY_API_KEYS: API_KEY, ALIBABA_CLOUD_CREDENTIALS_URI: uri }, home());
    expect((await call(app)).keyId).toBe('STS.uri-1');
    vi.setSystemTime(t0 + 46 * 60_000); // due for a refresh, which fails: the old ones still have 14 minutes
    const during = await call(app);
    expect([during.res.status, during.keyId, fetches]).toEqual([200, 'STS.uri-1', 2]);
    vi.setSystemTime(t0 + 47 * 60_000); // the library retries after 1–10 s (jittered)
    expect([(await call(app)).keyId, fetches]).toEqual(['STS.uri-3', 3]);
  });

  it('the caller\'s own credentials win, and then nothing is fetched', async () => {
    fetches = 0;
    answer = sts;
    const { app } = await gateway({ GATEWAY_API_KEYS: API_KEY, ALIBABA_CLOUD_CREDENTIALS_URI: uri }, home());
    const own = await call(app, { ...auth, 'x-access-key-id': CREDS.accessKeyId, 'x-access-key-secret': CREDS.accessKeySecret });
    expect([own.res.status, own.keyId, own.token, fetches]).toEqual([200, CREDS.accessKeyId, undefined, 0]);
  });
});

/** A stand-in for the library's `doRequest` (its own test hook): records requests, answers from `answer`. */
function recorder(answer: (url: string) => unknown) {
  const urls: string[] = [];
  const doRequest = async (req: { method: string; toRequestURL(): string }) => {
    const url = `${req.method} ${req.toRequestURL()}`;
    urls.push(url);
    return { statusCode: 200, headers: {}, body: Buffer.from(typeof answer(url) === 'string' ? answer(url) as string : JSON.stringify(answer(url))) };
  };
  return { urls, doRequest };
}

describe('RAM role and OIDC: explicit only, so nothing ever probes the metadata service', () => {
  it('with nothing configured there are no server credentials at all: nothing to probe 100.100.100.200 with', () => {
    const config = loadConfig({}, { homeDir: home(), readFile: () => undefined });
    expect(config.defaultCredentials).toBeUndefined();
  });

  it('ALIBABA_CLOUD_ECS_METADATA names the role: asked on first use only, cached after', async () => {
    const { app, config } = await gateway({ GATEWAY_API_KEYS: API_KEY, ALIBABA_CLOUD_ECS_METADATA: 'gateway-role' }, home());
    expect(config.defaultCredentials).toMatchObject({ source: 'ecs_ram_role', description: 'ECS instance RAM role "gateway-role" (metadata service)' });
    const metadata = recorder((url) => (url.startsWith('PUT') ? 'imds-token' : {
      Code: 'Success', AccessKeyId: 'STS.role', AccessKeySecret: 'role-secret', SecurityToken: 'role-token', Expiration: new Date(Date.now() + 6 * 3600_000).toISOString(),
    }));
    Object.assign((config.defaultCredentials as LibraryCredentials).provider, { doRequest: metadata.doRequest });
    expect(metadata.urls).toEqual([]); // nothing at startup
    for (let i = 0; i < 5; i++) expect((await call(app)).keyId).toBe('STS.role');
    expect(metadata.urls).toEqual([
      'PUT http://100.100.100.200/latest/api/token',
      'GET http://100.100.100.200/latest/meta-data/ram/security-credentials/gateway-role',
    ]);
  });

  it('ALIBABA_CLOUD_ECS_METADATA_DISABLED=true turns the RAM role off, as in the library', () => {
    expect(loadConfig({ GATEWAY_API_KEYS: API_KEY, ALIBABA_CLOUD_ECS_METADATA: 'r', ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' }, { homeDir: home() }).defaultCredentials).toBeUndefined();
  });

  it('OIDC (RRSA): the token file is sent to STS by AssumeRoleWithOIDC on first use', async () => {
    const dir = home({ 'oidc-token': 'oidc-jwt-DO-NOT-LOG' });
    const { app, config, logs } = await gateway({
      GATEWAY_API_KEYS: API_KEY, ALIBABA_CLOUD_ROLE_ARN: 'acs:ram::1:role/gw', ALIBABA_CLOUD_OIDC_PROVIDER_ARN: 'acs:ram::1:oidc-provider/ack', ALIBABA_CLOUD_OIDC_TOKEN_FILE: join(dir, 'oidc-token'),
    }, dir);
    expect(config.defaultCredentials?.source).toBe('oidc');
    const sts = recorder(() => ({ Credentials: { AccessKeyId: 'STS.oidc', AccessKeySecret: 'oidc-secret', SecurityToken: 'oidc-token', Expiration: new Date(Date.now() + 3600_000).toISOString() } }));
    Object.assign((config.defaultCredentials as LibraryCredentials).provider, { doRequest: sts.doRequest });
    expect([(await call(app)).keyId, (await call(app)).token]).toEqual(['STS.oidc', 'oidc-token']);
    expect(sts.urls).toEqual([expect.stringMatching(/^POST https:\/\/sts\.aliyuncs\.com\/\?.*Action=AssumeRoleWithOIDC/)]);
    expect(logs.text).not.toMatch(/oidc-jwt-DO-NOT-LOG|oidc-secret/);
  });

  it('half an OIDC configuration, or a token file that is not there, stops startup', () => {
    expect(problemsOf({ GATEWAY_API_KEYS: API_KEY, ALIBABA_CLOUD_OIDC_TOKEN_FILE: '/x' }, home())).toEqual([expect.stringMatching(/must be set together/)]);
    expect(problemsOf({ GATEWAY_API_KEYS: API_KEY, ALIBABA_CLOUD_ROLE_ARN: 'a', ALIBABA_CLOUD_OIDC_PROVIDER_ARN: 'b', ALIBABA_CLOUD_OIDC_TOKEN_FILE: '/nonexistent/token' }, home()))
      .toEqual(['ALIBABA_CLOUD_OIDC_TOKEN_FILE: /nonexistent/token does not exist']);
  });
});

describe('GATEWAY_SERVER_CREDENTIALS=off', () => {
  const FILE = { [CREDENTIALS_FILE]: '[default]\ntype = access_key\naccess_key_id = LTAIunwanted\naccess_key_secret = unwanted-secret\n' };

  it('a profile file that is present blocks a gateway without API keys, with a way out', () => {
    expect(problemsOf({}, home(FILE))).toEqual([expect.stringMatching(/GATEWAY_API_KEYS is empty .*GATEWAY_SERVER_CREDENTIALS=off/)]);
  });

  it('off ignores it (and every other source): a caller without credentials gets 401 MISSING_CREDENTIALS', async () => {
    const { app, config } = await gateway({ GATEWAY_SERVER_CREDENTIALS: 'off', ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIenv', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'env-secret' }, home(FILE));
    expect(config.defaultCredentials).toBeUndefined();
    const { res, sent } = await call(app, {});
    expect([res.status, res.body.error.code, sent]).toEqual([401, 'MISSING_CREDENTIALS', undefined]);
    expect((await call(app, { 'x-access-key-id': CREDS.accessKeyId, 'x-access-key-secret': CREDS.accessKeySecret })).keyId).toBe(CREDS.accessKeyId);
  });

  it('only auto and off are accepted', () => {
    expect(problemsOf({ GATEWAY_SERVER_CREDENTIALS: 'on' }, home())).toEqual(['GATEWAY_SERVER_CREDENTIALS: must be auto or off']);
  });
});

describe('a policy key that names a profile', () => {
  const PROD_KEY = 'prod-service-key-0123456789';
  const DEV_KEY = 'dev-service-key-0123456789';
  const POLICY = { keys: [
    { name: 'prod-svc', sha256: sha(PROD_KEY), allow: ['*'], profile: 'prod' },
    { name: 'dev-svc', sha256: sha(DEV_KEY), allow: ['*'] },
  ] };
  const FILES = {
    [CLI_CONFIG]: cliConfig('default', [{ name: 'prod', mode: 'AK', access_key_id: 'LTAIprodacct', access_key_secret: 'prod-secret-1' }]),
  };
  const env = { GATEWAY_ACCESS_POLICY_FILE: '/policy.json', ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIdefault', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'default-secret-1' };

  it('its calls use that profile\'s account; other keys the default credentials; the caller\'s own credentials still win', async () => {
    const { app } = await gateway(env, home(FILES), POLICY);
    expect((await call(app, { authorization: `Bearer ${PROD_KEY}` })).keyId).toBe('LTAIprodacct');
    expect((await call(app, { authorization: `Bearer ${DEV_KEY}` })).keyId).toBe('LTAIdefault');
    const own = await call(app, { authorization: `Bearer ${PROD_KEY}`, 'x-access-key-id': CREDS.accessKeyId, 'x-access-key-secret': CREDS.accessKeySecret });
    expect(own.keyId).toBe(CREDS.accessKeyId);
  });

  it('the profile is checked at startup: missing, unusable, or with GATEWAY_SERVER_CREDENTIALS=off', () => {
    const load = (files: Record<string, string>, more: Record<string, string> = {}) => {
      try {
        loadConfig({ ...env, ...more }, { homeDir: home(files), readFile: () => JSON.stringify(POLICY) });
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    expect(load({})).toEqual([expect.stringMatching(/^GATEWAY_ACCESS_POLICY_FILE: key "prod-svc": profile "prod" is in neither .*config\.json nor .*credentials$/)]);
    expect(load({ [CREDENTIALS_FILE]: '[prod]\ntype = access_key\naccess_key_id = LTAIx\n' })).toEqual([expect.stringMatching(/profile \[prod\] of .* \(type access_key\) needs access_key_secret/)]);
    expect(load(FILES, { GATEWAY_SERVER_CREDENTIALS: 'off' })).toEqual(['GATEWAY_ACCESS_POLICY_FILE: key "prod-svc" names profile "prod", but GATEWAY_SERVER_CREDENTIALS=off turns server-side credentials off']);
  });
});

describe('the startup log', () => {
  it('says which source supplies the credentials (and each key\'s profile), never a value', async () => {
    const PROD_KEY = 'prod-service-key-0123456789';
    const dir = home({
      [CREDENTIALS_FILE]: '[prod]\ntype = access_key\naccess_key_id = LTAIprodFILEID\naccess_key_secret = prod-file-secret-DO-NOT-LOG\n',
      'policy.json': JSON.stringify({ keys: [{ name: 'prod-svc', sha256: sha(PROD_KEY), allow: ['*'], profile: 'prod' }] }),
    });
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/gateway/server.ts'], {
      cwd: resolve(__dirname, '../..'),
      env: {
        PATH: process.env.PATH ?? '', HOME: dir, PORT: '0', ECS_UPSTREAM_URL: upstream.url, GATEWAY_ACCESS_POLICY_FILE: join(dir, 'policy.json'),
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIenvID', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'env-secret-DO-NOT-LOG', ALIBABA_CLOUD_SECURITY_TOKEN: 'env-token-DO-NOT-LOG',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const ready = new Promise<Record<string, unknown>>((resolveReady, reject) => {
      const onData = (c: Buffer) => {
        out += c.toString('utf8');
        const line = out.split('\n').find((l) => l.includes('"ecs-gateway ready"'));
        if (line) resolveReady(JSON.parse(line) as Record<string, unknown>);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`exited (${code}) before it was ready:\n${out}`)));
    });
    try {
      const line = await ready;
      expect(line.serverCredentials).toEqual({
        source: 'env',
        from: 'environment (ALIBABA_CLOUD_ACCESS_KEY_ID, with a security token)',
        profiles: { 'prod-svc': `profile [prod] of ${dir}/${CREDENTIALS_FILE} (type access_key)` },
      });
      for (const value of ['LTAIenvID', 'env-secret-DO-NOT-LOG', 'env-token-DO-NOT-LOG', 'LTAIprodFILEID', 'prod-file-secret-DO-NOT-LOG']) expect(out).not.toContain(value);
    } finally {
      const exited = new Promise((r) => child.once('close', r));
      child.kill('SIGTERM');
      await exited;
    }
  }, 30_000);
});
