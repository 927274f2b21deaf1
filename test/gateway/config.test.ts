import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseIni, type ConfigSources } from '../../src/gateway/config.js';

const NO_FILE: ConfigSources = { homeDir: '/home/test', readFile: () => undefined };
const KEY = 'gateway-key-0123456789';
const hex = (key: string) => createHash('sha256').update(key).digest('hex');

/** A fake filesystem holding just ~/.alibabacloud/credentials; records what was read. */
function credentialsFile(text: string): ConfigSources & { read: string[] } {
  const read: string[] = [];
  return {
    read,
    homeDir: '/home/test',
    readFile: (path) => {
      read.push(path);
      return path === '/home/test/.alibabacloud/credentials' ? text : undefined;
    },
  };
}

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
    'ALIBABA_CLOUD_PROFILE',
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

  it('ALIBABA_CLOUD_PROFILE= reads the default profile, an empty key id falls back to the ALICLOUD_ one', () => {
    const fs = credentialsFile('[default]\naccess_key_id = LTAIfile\naccess_key_secret = file-secret\n');
    expect(loadConfig({ ALIBABA_CLOUD_PROFILE: '', GATEWAY_API_KEYS: KEY }, fs).defaultCredentials?.accessKeyId).toBe('LTAIfile');
    const config = loadConfig({ ALIBABA_CLOUD_ACCESS_KEY_ID: '', ALICLOUD_ACCESS_KEY_ID: 'LTAIali', ALICLOUD_ACCESS_KEY_SECRET: 'ali-secret-1', GATEWAY_API_KEYS: KEY }, NO_FILE);
    expect(config.defaultCredentials?.accessKeyId).toBe('LTAIali');
  });
});

describe('server-side credentials', () => {
  it.each([
    ['ALIBABA_CLOUD_*', 'ALIBABA_CLOUD_'],
    ['ALICLOUD_*', 'ALICLOUD_'],
  ] as const)('reads %s with GATEWAY_API_KEYS', (_name, prefix) => {
    const config = loadConfig({
      [`${prefix}ACCESS_KEY_ID`]: 'LTAIenv', [`${prefix}ACCESS_KEY_SECRET`]: 'env-secret-1', [`${prefix}SECURITY_TOKEN`]: 'env-token-1',
      GATEWAY_API_KEYS: KEY,
    }, NO_FILE);
    expect(config.defaultCredentials).toEqual({ accessKeyId: 'LTAIenv', accessKeySecret: 'env-secret-1', securityToken: 'env-token-1' });
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

  it('environment credentials win over the credentials file', () => {
    const fs = credentialsFile('[default]\naccess_key_id = LTAIfile\naccess_key_secret = file-secret\n');
    const config = loadConfig({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIenv', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'env-secret-1', GATEWAY_API_KEYS: KEY }, fs);
    expect(config.defaultCredentials?.accessKeyId).toBe('LTAIenv');
  });

  it('reads the default profile of ~/.alibabacloud/credentials', () => {
    const fs = credentialsFile([
      '; comment', '# another', '[other]', 'access_key_id = LTAIother', 'access_key_secret = other-secret',
      '', '[default]', 'type = access_key', 'access_key_id = LTAIfile', 'access_key_secret = "file-secret"',
    ].join('\r\n'));
    const config = loadConfig({ GATEWAY_API_KEYS: KEY }, fs);
    expect(fs.read).toEqual(['/home/test/.alibabacloud/credentials']);
    expect(config.defaultCredentials).toEqual({ accessKeyId: 'LTAIfile', accessKeySecret: 'file-secret', securityToken: undefined });
  });

  it('reads the profile named by ALIBABA_CLOUD_PROFILE, with an STS token', () => {
    const fs = credentialsFile('[default]\naccess_key_id = LTAIdef\naccess_key_secret = def-secret\n[ci]\ntype = sts\naccess_key_id = STS.id\naccess_key_secret = sts-secret\nsecurity_token = sts-token-1\n');
    const config = loadConfig({ ALIBABA_CLOUD_PROFILE: 'ci', GATEWAY_API_KEYS: KEY }, fs);
    expect(config.defaultCredentials).toEqual({ accessKeyId: 'STS.id', accessKeySecret: 'sts-secret', securityToken: 'sts-token-1' });
  });

  it('a credentials file profile also needs GATEWAY_API_KEYS', () => {
    const fs = credentialsFile('[default]\naccess_key_id = LTAIfile\naccess_key_secret = file-secret\n');
    expect(problemsOf({}, fs)).toEqual([expect.stringMatching(/GATEWAY_API_KEYS/)]);
  });

  it.each([
    ['missing named profile', { ALIBABA_CLOUD_PROFILE: 'nope' }, '[default]\naccess_key_id = a\naccess_key_secret = b\n', /profile \[nope\] not found/],
    ['unsupported type', {}, '[default]\ntype = ram_role_arn\naccess_key_id = a\naccess_key_secret = b\n', /not supported/],
    ['incomplete profile', {}, '[default]\naccess_key_id = a\n', /needs access_key_id and access_key_secret/],
  ] as const)('refuses a %s', (_name, env, text, pattern) => {
    const problems = problemsOf({ ...env, GATEWAY_API_KEYS: KEY }, credentialsFile(text));
    expect(problems).toEqual([expect.stringMatching(pattern)]);
  });

  it('an explicit profile without a credentials file is an error', () => {
    expect(problemsOf({ ALIBABA_CLOUD_PROFILE: 'ci', GATEWAY_API_KEYS: KEY })).toEqual([expect.stringMatching(/does not exist/)]);
  });

  it('no file and no profile: no server credentials', () => {
    expect(loadConfig({}, NO_FILE).defaultCredentials).toBeUndefined();
  });

  it('a file without the default profile is fine when no profile is asked for', () => {
    expect(loadConfig({}, credentialsFile('[other]\naccess_key_id = a\naccess_key_secret = b\n')).defaultCredentials).toBeUndefined();
  });

  it('reads from homeDir when readFile is not injected', () => {
    expect(loadConfig({}, { homeDir: '/nonexistent-home-for-test' }).defaultCredentials).toBeUndefined();
  });
});

describe('parseIni', () => {
  it('parses sections, trims, strips quotes and skips comments', () => {
    const ini = parseIni('top = ignored\n[ a ]\nk = v\n; c\n# c\nq = "quoted"\n[b]\nx=1=2\n');
    expect({ ...ini }).toEqual({ a: expect.objectContaining({ k: 'v', q: 'quoted' }), b: expect.objectContaining({ x: '1=2' }) });
    expect(Object.keys(ini.a ?? {})).toEqual(['k', 'q']);
  });

  it('does not pollute prototypes', () => {
    const ini = parseIni('[__proto__]\npolluted = yes\n');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(ini.__proto__?.polluted).toBe('yes');
  });
});
