import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type ConfigSources } from '../../src/gateway/config.js';

const NO_FILE: ConfigSources = { homeDir: '/nonexistent-home-for-test', readFile: () => undefined };
const KEY = 'gateway-key-0123456789';
const hex = (key: string) => createHash('sha256').update(key).digest('hex');

/** A temporary home directory holding just ~/.alibabacloud/credentials (read by @alicloud/credentials itself). */
function credentialsFile(text: string): ConfigSources & { path: string } {
  const homeDir = mkdtempSync(join(tmpdir(), 'gw-config-home-'));
  mkdirSync(join(homeDir, '.alibabacloud'));
  const path = join(homeDir, '.alibabacloud', 'credentials');
  writeFileSync(path, text);
  return { homeDir, path, readFile: () => undefined };
}

/** The AccessKey id the server-side credentials resolve to (undefined: none configured). */
const keyIdOf = async (config: ReturnType<typeof loadConfig>) => (await config.defaultCredentials?.get())?.accessKeyId;

function problemsOf(env: Record<string, string>, sources: ConfigSources = NO_FILE): string[] {
  try {
    loadConfig(env, sources);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('loadConfig accepted the configuration');
}

describe('loadConfig defaults and values', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({}, NO_FILE)).toEqual({
      host: '127.0.0.1',
      port: 8000,
      logLevel: 'info',
      signatureVersion: 'v3',
      upstreamUrl: undefined,
      allowedEndpoints: [],
      timeoutMs: 10_000,
      bodyLimitBytes: 1024 * 1024,
      apiKeys: [],
      defaultCredentials: undefined,
      maxWaitMs: 120_000,
      maxItems: 10_000,
      fanoutConcurrency: 8,
      actionConcurrency: 32,
      maxRetries: 3,
      retryBudgetPercent: 50,
      connectTimeoutMs: 5_000,
      readTimeoutMs: 10_000,
      proxy: { httpsProxy: '', httpProxy: '', noProxy: '' },
      rateLimit: undefined,
      redisUrl: undefined,
      corsOrigins: [],
      overload: { maxEventLoopDelayMs: 0, maxEventLoopUtilization: 0 },
      metrics: true,
      tracing: { exporter: 'off', otlpUrl: undefined, serviceName: 'ecs-gateway' },
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      HOST: '0.0.0.0', PORT: '9090', LOG_LEVEL: 'debug', ECS_SIGNATURE_VERSION: 'v1',
      ECS_UPSTREAM_URL: 'http://127.0.0.1:9000/', ECS_ALLOWED_ENDPOINTS: ' ECS.Internal.Example.com , proxy.corp ,',
      ECS_TIMEOUT_MS: '2500', BODY_LIMIT_BYTES: '4096', GATEWAY_API_KEYS: `${KEY}, other-key-0123456789`,
    }, NO_FILE);
    expect(config).toMatchObject({
      host: '0.0.0.0', port: 9090, logLevel: 'debug', signatureVersion: 'v1',
      upstreamUrl: 'http://127.0.0.1:9000', allowedEndpoints: ['ecs.internal.example.com', 'proxy.corp'],
      timeoutMs: 2500, bodyLimitBytes: 4096,
    });
    // Keys are kept as SHA-256 digests only, named by position, allowed everything.
    expect(config.apiKeys.map((k) => ({ name: k.name, sha256: k.sha256.toString('hex'), allow: k.allow, regions: k.regions }))).toEqual([
      { name: 'key-1', sha256: hex(KEY), allow: ['*'], regions: undefined },
      { name: 'key-2', sha256: hex('other-key-0123456789'), allow: ['*'], regions: undefined },
    ]);
    expect(JSON.stringify(config)).not.toContain(KEY);
  });

  it.each([
    ['PORT', 'abc'], ['PORT', '-1'], ['PORT', '65536'], ['PORT', '80.5'],
    ['LOG_LEVEL', 'verbose'], ['LOG_LEVEL', 'INFO'],
    ['ECS_SIGNATURE_VERSION', 'v2'], ['ECS_SIGNATURE_VERSION', 'V3'],
    ['ECS_UPSTREAM_URL', 'not a url'], ['ECS_UPSTREAM_URL', 'ftp://example.com'],
    ['ECS_UPSTREAM_URL', 'http://user:pass@example.com'], ['ECS_UPSTREAM_URL', 'http://example.com/?a=1'],
    ['ECS_UPSTREAM_URL', 'http://example.com/#frag'],
    ['ECS_ALLOWED_ENDPOINTS', '127.0.0.1'], ['ECS_ALLOWED_ENDPOINTS', 'localhost'],
    ['ECS_ALLOWED_ENDPOINTS', 'https://ecs.example.com'], ['ECS_ALLOWED_ENDPOINTS', 'ecs.example.com:443'],
    ['ECS_ALLOWED_ENDPOINTS', 'ok.example.com,ecs.example.com/path'],
    ['ECS_TIMEOUT_MS', '0'], ['ECS_TIMEOUT_MS', '600001'], ['ECS_TIMEOUT_MS', '1e3'], ['ECS_TIMEOUT_MS', 'soon'],
    ['BODY_LIMIT_BYTES', '100'], ['BODY_LIMIT_BYTES', '1mb'],
    ['GATEWAY_API_KEYS', 'short'], ['GATEWAY_API_KEYS', `${KEY},short`],
    ['HOST', '   '],
  ] as const)('refuses %s=%j naming the variable', (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name}\\b`));
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({ PORT: 'x', LOG_LEVEL: 'loud', ECS_SIGNATURE_VERSION: 'v9', ECS_TIMEOUT_MS: '0', BODY_LIMIT_BYTES: '1', GATEWAY_API_KEYS: 'tiny' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(
      ['BODY_LIMIT_BYTES', 'ECS_SIGNATURE_VERSION', 'ECS_TIMEOUT_MS', 'GATEWAY_API_KEYS', 'LOG_LEVEL', 'PORT'],
    );
  });

  it('reports credential problems together with variable problems', () => {
    const problems = problemsOf({ PORT: 'x', ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIid' });
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).toMatch(/PORT/);
    expect(problems.join('\n')).toMatch(/must be set together/);
  });

  it('reports server credentials without API keys even when another variable is invalid', () => {
    const problems = problemsOf({ PORT: 'x', ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIid', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'secret-value-1' });
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).toMatch(/GATEWAY_API_KEYS/);
  });

  it('ConfigError lists the problems in its message', () => {
    try {
      loadConfig({ PORT: 'x', LOG_LEVEL: 'loud' }, NO_FILE);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain('PORT');
      expect((err as Error).message).toContain('LOG_LEVEL');
    }
  });
});

describe('empty variables count as unset', () => {
  // `VAR=` in a compose file or .env file: every documented variable, one at a time and all together.
  const VARIABLES = [
    'HOST', 'PORT', 'LOG_LEVEL', 'ECS_SIGNATURE_VERSION', 'ECS_UPSTREAM_URL', 'ECS_ALLOWED_ENDPOINTS', 'ECS_TIMEOUT_MS',
    'BODY_LIMIT_BYTES', 'GATEWAY_API_KEYS', 'ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
    'ALIBABA_CLOUD_SECURITY_TOKEN', 'ALICLOUD_ACCESS_KEY_ID', 'ALICLOUD_ACCESS_KEY_SECRET', 'ALICLOUD_SECURITY_TOKEN',
    'ALIBABA_CLOUD_PROFILE', 'GATEWAY_SERVER_CREDENTIALS', 'ALIBABA_CLOUD_CREDENTIALS_URI', 'ALIBABA_CLOUD_ECS_METADATA',
    'ALIBABA_CLOUD_ROLE_ARN', 'ALIBABA_CLOUD_OIDC_PROVIDER_ARN', 'ALIBABA_CLOUD_OIDC_TOKEN_FILE', 'ALIBABA_CLOUD_CREDENTIALS_FILE',
  ];
  const defaults = loadConfig({}, NO_FILE);

  it.each(VARIABLES)('%s= gives the default', (name) => {
    expect(loadConfig({ [name]: '' }, NO_FILE)).toEqual(defaults);
  });

  it('all of them empty at once give the defaults', () => {
    expect(loadConfig(Object.fromEntries(VARIABLES.map((n) => [n, ''])), NO_FILE)).toEqual(defaults);
  });

  it('an empty variable does not hide the others: set ones are still read and checked', () => {
    expect(loadConfig({ ECS_SIGNATURE_VERSION: '', ECS_TIMEOUT_MS: '', PORT: '9090' }, NO_FILE)).toMatchObject({ signatureVersion: 'v3', timeoutMs: 10_000, port: 9090 });
    expect(problemsOf({ ECS_SIGNATURE_VERSION: '', PORT: 'x' })).toEqual([expect.stringMatching(/^PORT\b/)]);
  });

  it('ALIBABA_CLOUD_PROFILE= reads the default profile, an empty key id falls back to the ALICLOUD_ one', async () => {
    const fs = credentialsFile('[default]\ntype = access_key\naccess_key_id = LTAIfile\naccess_key_secret = file-secret\n');
    expect(await keyIdOf(loadConfig({ ALIBABA_CLOUD_PROFILE: '', GATEWAY_API_KEYS: KEY }, fs))).toBe('LTAIfile');
    const config = loadConfig({ ALIBABA_CLOUD_ACCESS_KEY_ID: '', ALICLOUD_ACCESS_KEY_ID: 'LTAIali', ALICLOUD_ACCESS_KEY_SECRET: 'ali-secret-1', GATEWAY_API_KEYS: KEY }, NO_FILE);
    expect(await keyIdOf(config)).toBe('LTAIali');
  });
});

describe('server-side credentials', () => {
  it.each([
    ['ALIBABA_CLOUD_*', 'ALIBABA_CLOUD_'],
    ['ALICLOUD_*', 'ALICLOUD_'],
  ] as const)('reads %s with GATEWAY_API_KEYS', async (_name, prefix) => {
    const config = loadConfig({
      [`${prefix}ACCESS_KEY_ID`]: 'LTAIenv', [`${prefix}ACCESS_KEY_SECRET`]: 'env-secret-1', [`${prefix}SECURITY_TOKEN`]: 'env-token-1',
      GATEWAY_API_KEYS: KEY,
    }, NO_FILE);
    expect(config.defaultCredentials?.source).toBe('env');
    expect(await config.defaultCredentials?.get()).toEqual({ accessKeyId: 'LTAIenv', accessKeySecret: 'env-secret-1', securityToken: 'env-token-1' });
  });

  it('refuses server-side credentials without GATEWAY_API_KEYS, without echoing the secret', () => {
    const problems = problemsOf({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIenv', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'env-secret-DO-NOT-ECHO' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/GATEWAY_API_KEYS/);
    expect(problems.join()).not.toContain('env-secret-DO-NOT-ECHO');
  });

  it.each([
    ['id only', { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIenv' }],
    ['secret only', { ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'env-secret-1' }],
  ])('refuses half a key pair: %s', (_name, env) => {
    const problems = problemsOf({ ...env, GATEWAY_API_KEYS: KEY });
    expect(problems).toEqual([expect.stringMatching(/must be set together/)]);
    expect(problems.join()).not.toContain('env-secret-1');
  });

  it('environment credentials win over the credentials file', async () => {
    const fs = credentialsFile('[default]\ntype = access_key\naccess_key_id = LTAIfile\naccess_key_secret = file-secret\n');
    const config = loadConfig({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIenv', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'env-secret-1', GATEWAY_API_KEYS: KEY }, fs);
    expect(await keyIdOf(config)).toBe('LTAIenv');
  });

  it('reads the default profile of ~/.alibabacloud/credentials (through @alicloud/credentials)', async () => {
    const fs = credentialsFile([
      '; comment', '# another', '[other]', 'type = access_key', 'access_key_id = LTAIother', 'access_key_secret = other-secret',
      '', '[default]', 'type = access_key', 'access_key_id = LTAIfile', 'access_key_secret = "file-secret"',
    ].join('\r\n'));
    const config = loadConfig({ GATEWAY_API_KEYS: KEY }, fs);
    expect(config.defaultCredentials?.source).toBe('profile');
    expect(await config.defaultCredentials?.get()).toEqual({ accessKeyId: 'LTAIfile', accessKeySecret: 'file-secret', securityToken: undefined });
  });

  it('reads the profile named by ALIBABA_CLOUD_PROFILE', async () => {
    const fs = credentialsFile('[default]\ntype = access_key\naccess_key_id = LTAIdef\naccess_key_secret = def-secret\n[ci]\ntype = access_key\naccess_key_id = LTAIci\naccess_key_secret = ci-secret\n');
    const config = loadConfig({ ALIBABA_CLOUD_PROFILE: 'ci', GATEWAY_API_KEYS: KEY }, fs);
    expect(await config.defaultCredentials?.get()).toEqual({ accessKeyId: 'LTAIci', accessKeySecret: 'ci-secret', securityToken: undefined });
  });

  it('a credentials file profile also needs GATEWAY_API_KEYS', () => {
    const fs = credentialsFile('[default]\ntype = access_key\naccess_key_id = LTAIfile\naccess_key_secret = file-secret\n');
    expect(problemsOf({}, fs)).toEqual([expect.stringMatching(/GATEWAY_API_KEYS/)]);
  });

  it.each([
    ['missing named profile', { ALIBABA_CLOUD_PROFILE: 'nope' }, '[default]\ntype = access_key\naccess_key_id = LTAIbad\naccess_key_secret = bad-secret-value-9\n', /ALIBABA_CLOUD_PROFILE=nope: no such profile/],
    // The library reads no `sts` type (the old hand-written reader did): say what to use instead.
    ['unsupported type', {}, '[default]\ntype = sts\naccess_key_id = LTAIbad\naccess_key_secret = bad-secret-value-9\n', /type "sts" is not supported .*ALIBABA_CLOUD_SECURITY_TOKEN/],
    ['profile without a type', {}, '[default]\naccess_key_id = LTAIbad\naccess_key_secret = bad-secret-value-9\n', /needs a type/],
    ['incomplete profile', {}, '[default]\ntype = access_key\naccess_key_id = LTAIbad\n', /\(type access_key\) needs access_key_secret$/],
    ['incomplete ram_role_arn profile', {}, '[default]\ntype = ram_role_arn\naccess_key_id = LTAIbad\naccess_key_secret = bad-secret-value-9\n', /\(type ram_role_arn\) needs role_arn$/],
  ] as const)('refuses a %s', (_name, env, text, pattern) => {
    const problems = problemsOf({ ...env, GATEWAY_API_KEYS: KEY }, credentialsFile(text));
    expect(problems).toEqual([expect.stringMatching(pattern)]);
    expect(problems.join()).not.toMatch(/bad-secret-value-9|LTAIbad/);
  });

  it('an explicit profile without a credentials file is an error', () => {
    expect(problemsOf({ ALIBABA_CLOUD_PROFILE: 'ci', GATEWAY_API_KEYS: KEY })).toEqual([expect.stringMatching(/ALIBABA_CLOUD_PROFILE=ci: no such profile/)]);
  });

  it('no file and no profile: no server credentials', () => {
    expect(loadConfig({}, NO_FILE).defaultCredentials).toBeUndefined();
  });

  it('a file without the default profile is fine when no profile is asked for', () => {
    expect(loadConfig({}, credentialsFile('[other]\ntype = access_key\naccess_key_id = a\naccess_key_secret = b\n')).defaultCredentials).toBeUndefined();
  });

  it('reads from homeDir when readFile is not injected', () => {
    expect(loadConfig({}, { homeDir: '/nonexistent-home-for-test' }).defaultCredentials).toBeUndefined();
  });
});

describe('GATEWAY_ACCESS_POLICY_FILE', () => {
  const POLICY_PATH = '/etc/gateway/policy.json';
  const INVENTORY_KEY = 'inventory-key-0123456789';
  const OPS_KEY = 'ops-key-0123456789abcdef';
  const VALID = {
    keys: [
      { name: 'inventory', sha256: hex(INVENTORY_KEY), allow: ['Describe*', 'List*'], regions: ['cn-hangzhou', 'cn-beijing'] },
      { name: 'ops', sha256: hex(OPS_KEY).toUpperCase(), allow: ['*'], deny: ['Delete*', 'Release*'] },
    ],
  };

  /** A fake filesystem holding the policy file (as text, or an fs error to throw). */
  function policyFile(content: unknown, extra: Record<string, string> = {}): ConfigSources {
    return {
      homeDir: '/nonexistent-home-for-test',
      readFile: (path) => {
        if (path === POLICY_PATH) {
          if (content instanceof Error) throw content;
          return typeof content === 'string' ? content : JSON.stringify(content);
        }
        return extra[path];
      },
    };
  }
  const env = (more: Record<string, string> = {}) => ({ GATEWAY_ACCESS_POLICY_FILE: POLICY_PATH, ...more });
  const summary = (keys: ReturnType<typeof loadConfig>['apiKeys']) =>
    keys.map((k) => ({ name: k.name, sha256: k.sha256.toString('hex'), allow: k.allow, deny: k.deny, regions: k.regions, source: k.source }));

  it('reads the keys: only their hashes, with allow, deny and regions', () => {
    const config = loadConfig(env(), policyFile(VALID));
    expect(summary(config.apiKeys)).toEqual([
      { name: 'inventory', sha256: hex(INVENTORY_KEY), allow: ['Describe*', 'List*'], deny: [], regions: ['cn-hangzhou', 'cn-beijing'], source: 'GATEWAY_ACCESS_POLICY_FILE' },
      { name: 'ops', sha256: hex(OPS_KEY), allow: ['*'], deny: ['Delete*', 'Release*'], regions: undefined, source: 'GATEWAY_ACCESS_POLICY_FILE' },
    ]);
  });

  it('works together with GATEWAY_API_KEYS, whose keys come first as key-1, key-2', () => {
    const config = loadConfig(env({ GATEWAY_API_KEYS: KEY }), policyFile(VALID));
    expect(config.apiKeys.map((k) => k.name)).toEqual(['key-1', 'inventory', 'ops']);
  });

  it('counts as API keys for server-side credentials', async () => {
    const config = loadConfig(env({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIenv', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'env-secret-1' }), policyFile(VALID));
    expect(await keyIdOf(config)).toBe('LTAIenv');
  });

  it('GATEWAY_ACCESS_POLICY_FILE= (empty) means no policy file', () => {
    expect(loadConfig({ GATEWAY_ACCESS_POLICY_FILE: '' }, NO_FILE).apiKeys).toEqual([]);
  });

  it.each([
    ['a missing file', undefined, [`GATEWAY_ACCESS_POLICY_FILE: ${POLICY_PATH} does not exist`]],
    ['an unreadable file', Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }), [`GATEWAY_ACCESS_POLICY_FILE: cannot read ${POLICY_PATH} (EACCES)`]],
    ['a directory', Object.assign(new Error('EISDIR: illegal operation on a directory'), { code: 'EISDIR' }), [`GATEWAY_ACCESS_POLICY_FILE: cannot read ${POLICY_PATH} (EISDIR)`]],
    ['bad JSON', '{"keys": [', [expect.stringMatching(new RegExp(`^GATEWAY_ACCESS_POLICY_FILE: ${POLICY_PATH} is not valid JSON: .* at line 1, column 11$`))]],
    // The parser's own message would quote the file around the error: here, a key pasted unquoted.
    ['bad JSON around a key', '{"keys": [{"name": "a",\n "sha256": my-bearer-key-0123456789}]}', [`GATEWAY_ACCESS_POLICY_FILE: ${POLICY_PATH} is not valid JSON: expected a value at line 2, column 12`]],
    ['a list', '[]', [`GATEWAY_ACCESS_POLICY_FILE: ${POLICY_PATH} must hold a JSON object {"keys": [...]}`]],
    ['no keys', '{}', [expect.stringMatching(/keys: must be a non-empty list of keys/)]],
    ['an empty list of keys', '{"keys": []}', [expect.stringMatching(/keys: must be a non-empty list of keys \(without keys, the gateway would be open to anyone\)/)]],
  ])('refuses %s', (_name, content, problems) => {
    expect(problemsOf(env(), policyFile(content ?? undefined))).toEqual(problems);
  });

  it('lists every problem of every key at once, with the other configuration problems', () => {
    const PASTED_KEY = 'the-actual-bearer-key-pasted-by-mistake';
    const problems = problemsOf(env({ PORT: 'x', GATEWAY_API_KEYS: KEY }), policyFile({
      version: 2,
      keys: [
        'not an object',
        { sha256: hex('a-key-0123456789abcdef'), allow: ['*'] },
        { name: 'has space', sha256: PASTED_KEY, allow: [] },
        { name: 'dup', sha256: hex('b-key-0123456789abcdef'), allow: ['Describe Instances', 'describe*', 'DescribeNothingAtAll', 7], deny: ['Delete?'], regions: ['CN-Hangzhou', 'cn-beijing'], color: 'red' },
        { name: 'dup', sha256: hex('b-key-0123456789abcdef'), allow: '*', regions: [] },
        { name: 'later', sha256: hex('c-key-0123456789abcdef'), allow: ['*'], profile: 'prod' },
        { name: 'key-1', sha256: hex(KEY), allow: ['*'] },
      ],
    }));
    const P = 'GATEWAY_ACCESS_POLICY_FILE';
    expect(problems).toEqual([
      'PORT: must be a whole number',
      `${P}: unknown top-level field "version" (known: keys)`,
      `${P}: keys[0]: must be an object with name, sha256 and allow`,
      `${P}: keys[1].name: required`,
      `${P}: keys[2].name: "has space" is not a valid name (1-64 letters, digits, ".", "_" or "-", starting with a letter or digit)`,
      `${P}: keys[2].sha256: must be 64 hex digits, the SHA-256 of the key (printf %s "$KEY" | sha256sum), never the key itself`,
      `${P}: keys[2].allow: must not be empty (a key that may call nothing is a key to remove)`,
      `${P}: keys[3] (dup): unknown field "color" (known: name, sha256, allow, deny, regions, profile)`,
      `${P}: keys[3] (dup).allow[0]: "Describe Instances" is not an action-name pattern (letters, digits and *, e.g. "Describe*")`,
      `${P}: keys[3] (dup).allow[1]: "describe*" matches no ECS action (action names are case-sensitive; ignoring case it would match DescribeAccessPoints)`,
      `${P}: keys[3] (dup).allow[2]: "DescribeNothingAtAll" matches no ECS action`,
      `${P}: keys[3] (dup).allow[3]: number is not an action-name pattern (letters, digits and *, e.g. "Describe*")`,
      `${P}: keys[3] (dup).deny[0]: "Delete?" is not an action-name pattern (letters, digits and *, e.g. "Describe*")`,
      `${P}: keys[3] (dup).regions[0]: "CN-Hangzhou" is not a region id (lower-case, like "cn-hangzhou" or "ap-southeast-1")`,
      `${P}: keys[4] (dup).allow: must be a list of action-name patterns`,
      `${P}: keys[4] (dup).regions: must be a non-empty list of region ids such as "cn-hangzhou" (leave it out for every region)`,
      `${P}: keys[4].name: "dup" is also the name of keys[3]; names must be unique`,
      `${P}: keys[4].sha256: the same key as keys[3]; give each key one entry`,
      // Checked against GATEWAY_API_KEYS as well, although other variables and keys are invalid.
      `${P}: key "key-1" is also in GATEWAY_API_KEYS (key-1); configure each key in one place`,
      `${P}: name "key-1" is taken by a key of GATEWAY_API_KEYS; choose another name`,
    ]);
    // What might be a key is never quoted.
    expect(problems.join('\n')).not.toContain(PASTED_KEY);
  });

  it('a key in both GATEWAY_API_KEYS and the file, or a file name GATEWAY_API_KEYS already uses, is an error', () => {
    const problems = problemsOf(env({ GATEWAY_API_KEYS: `${KEY},second-key-0123456789` }), policyFile({
      keys: [
        { name: 'ops', sha256: hex('second-key-0123456789'), allow: ['*'] },
        { name: 'key-1', sha256: hex('other-key-0123456789'), allow: ['Describe*'] },
      ],
    }));
    expect(problems).toEqual([
      'GATEWAY_ACCESS_POLICY_FILE: key "ops" is also in GATEWAY_API_KEYS (key-2); configure each key in one place',
      'GATEWAY_ACCESS_POLICY_FILE: name "key-1" is taken by a key of GATEWAY_API_KEYS; choose another name',
    ]);
    expect(problems.join()).not.toContain('second-key-0123456789');
  });

  it('a deny pattern that matches nothing is an error too (a typo there would deny nothing)', () => {
    expect(problemsOf(env(), policyFile({ keys: [{ name: 'ops', sha256: hex(OPS_KEY), allow: ['*'], deny: ['DeleteInstnaces'] }] })))
      .toEqual(['GATEWAY_ACCESS_POLICY_FILE: keys[0] (ops).deny[0]: "DeleteInstnaces" matches no ECS action']);
  });

  it('an invalid profile name is named too', () => {
    expect(problemsOf(env(), policyFile({ keys: [{ name: 'ops', sha256: hex(OPS_KEY), allow: ['*'], profile: 'no spaces please' }] })))
      .toEqual(['GATEWAY_ACCESS_POLICY_FILE: keys[0] (ops).profile: "no spaces please" is not a profile name (1-64 letters, digits, ".", "_" or "-", starting with a letter or digit)']);
  });

  it('a profile that no file has is an error', () => {
    expect(problemsOf(env(), policyFile({ keys: [{ name: 'ops', sha256: hex(OPS_KEY), allow: ['*'], profile: 'prod' }] })))
      .toEqual(['GATEWAY_ACCESS_POLICY_FILE: key "ops": profile "prod" is in neither /nonexistent-home-for-test/.aliyun/config.json nor /nonexistent-home-for-test/.alibabacloud/credentials']);
  });
});
