import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  CLIProfileCredentialsProvider, ECSRAMRoleCredentialsProvider, OIDCRoleArnCredentialsProvider, ProfileCredentialsProvider,
  StaticAKCredentialsProvider, StaticSTSCredentialsProvider, URICredentialsProvider,
} from '@alicloud/credentials';
// The INI reader the library's ProfileCredentialsProvider reads ~/.alibabacloud/credentials with, so that what is
// checked at startup is what the library will read (the package has no `exports` map; this file is part of it).
import { parseFile } from '@alicloud/credentials/dist/src/util/utils.js';
import type { Credentials } from './ecs/signer.js';
import { ErrorCode, GatewayError } from './errors.js';
import type { ApiKey } from './policy/keys.js';

/**
 * Server-side credentials, from Alibaba Cloud's own credential providers (`@alicloud/credentials`).
 *
 * The source is picked ONCE, at startup, from what is configured, in the order of the library's default chain:
 *
 *   1. `env`: ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET (/ _SECURITY_TOKEN); the ALICLOUD_* spellings too;
 *   2. `oidc`: ALIBABA_CLOUD_ROLE_ARN + ALIBABA_CLOUD_OIDC_PROVIDER_ARN + ALIBABA_CLOUD_OIDC_TOKEN_FILE (RRSA on ACK);
 *   3. `cli_profile`: a profile of ~/.aliyun/config.json (the aliyun CLI's; ALIBABA_CLOUD_PROFILE or its `current`);
 *   4. `profile`: a profile of ~/.alibabacloud/credentials (or ALIBABA_CLOUD_CREDENTIALS_FILE; ALIBABA_CLOUD_PROFILE or `default`);
 *   5. `ecs_ram_role`: the instance RAM role named by ALIBABA_CLOUD_ECS_METADATA, from the metadata service;
 *   6. `credentials_uri`: ALIBABA_CLOUD_CREDENTIALS_URI.
 *
 * Unlike the library's DefaultCredentialsProvider, nothing is probed: the metadata service (100.100.100.200) is
 * only asked when the role is named (or a profile says `ecs_ram_role`), so a machine that is not an ECS instance
 * never waits on it, and a gateway never silently runs on credentials nobody configured for it. The library's
 * switches are honoured: ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true, ALIBABA_CLOUD_ECS_METADATA_DISABLED=true.
 * GATEWAY_SERVER_CREDENTIALS=off turns all of it off.
 *
 * Nothing is fetched at startup. Credentials are resolved on the first request that needs them; the library caches
 * STS credentials (RAM role, OIDC, URI, RamRoleArn profiles) and refreshes them 15 minutes before they expire
 * (`SessionCredentialProvider`); callers that arrive while a fetch is under way share it (`LibraryCredentials`).
 */

/** Where server-side credentials come from. */
export type CredentialSource = 'env' | 'oidc' | 'cli_profile' | 'profile' | 'ecs_ram_role' | 'credentials_uri';

/** Server-side credentials: the source, for the startup log, and the credentials themselves, on demand. */
export interface CredentialProvider {
  readonly source: CredentialSource;
  /** Where exactly (a profile and its file, a variable name), for the startup log; never a value. */
  readonly description: string;
  /**
   * The current credentials: cached, STS credentials refreshed before they expire, concurrent callers sharing one
   * fetch. Rejects with a 503 CREDENTIALS_UNAVAILABLE GatewayError when they cannot be had (never quoting why:
   * the library's messages may quote the answer they could not use).
   */
  get(): Promise<Credentials>;
}

/** What the library's providers look like (its CredentialsProvider interface). */
interface LibraryProvider {
  getCredentials(): Promise<{ accessKeyId: string; accessKeySecret: string; securityToken: string; providerName: string }>;
  getProviderName(): string;
}

/** Library providers whose credentials never change: resolved once, then served without asking again. */
const STATIC_PROVIDERS = /(?:^|\/)(?:static_ak|static_sts)$/;

/** A library provider behind the CredentialProvider interface. */
export class LibraryCredentials implements CredentialProvider {
  private inflight: Promise<Credentials> | undefined;
  private fixed: Promise<Credentials> | undefined;

  constructor(readonly source: CredentialSource, readonly description: string, readonly provider: LibraryProvider) {}

  get(): Promise<Credentials> {
    if (this.fixed) return this.fixed;
    // One fetch at a time: the library refreshes an expiring session on every call that finds it stale.
    this.inflight ??= this.fetch().finally(() => { this.inflight = undefined; });
    return this.inflight;
  }

  private async fetch(): Promise<Credentials> {
    let got: Awaited<ReturnType<LibraryProvider['getCredentials']>>;
    try {
      got = await this.provider.getCredentials();
    } catch (err) {
      throw credentialsUnavailable(this.source, err);
    }
    const credentials: Credentials = {
      accessKeyId: got.accessKeyId,
      accessKeySecret: got.accessKeySecret,
      securityToken: got.securityToken || undefined,
    };
    if (STATIC_PROVIDERS.test(got.providerName)) this.fixed = Promise.resolve(credentials);
    return credentials;
  }
}

/** The 503 for credentials that could not be had; the log gets a reason that quotes nothing the source answered. */
function credentialsUnavailable(source: CredentialSource, err: unknown): GatewayError {
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | undefined;
  const message = typeof e?.message === 'string' ? e.message : '';
  const status = /httpStatus: (\d{3})/.exec(message)?.[1];
  // A connection error's code, the HTTP status, or what kind of failure; the message itself may quote the answer.
  const reason = typeof e?.code === 'string' && /^[A-Z0-9_]{2,40}$/.test(e.code) ? e.code
    : status ? `HTTP ${status}`
      : /result|parse|unmarshal|get sts token failed|not Success/i.test(message) ? 'unusable answer'
        : typeof e?.name === 'string' && /^\w{1,40}$/.test(e.name) ? e.name : 'error';
  const cause = Object.assign(new Error(`${source}: ${reason}`), { name: 'CredentialsUnavailable' });
  return new GatewayError(503, ErrorCode.credentialsUnavailable,
    'The gateway could not obtain its server-side credentials; try again later, or send accessKeyId and accessKeySecret',
    {}, { cause, logMessage: `Server-side credentials unavailable (${source}: ${reason})` });
}

/** What the credential sources are read from; injectable for tests. */
export interface CredentialSources {
  /** The home directory holding ~/.aliyun/config.json and ~/.alibabacloud/credentials (default: os.homedir()). */
  homeDir?: string | undefined;
}

const isTrue = (value: string | undefined) => value?.toLowerCase() === 'true';

/** Everything the selection needs, read once. */
class Sources {
  readonly home: string;
  readonly cliPath: string;
  readonly filePath: string;
  private cli: { profiles: Array<Record<string, unknown>>; current?: unknown } | null | undefined;
  private file: Record<string, Record<string, unknown>> | null | undefined;
  /** One provider per profile name, shared by every key that names it (see profileProvider for null). */
  readonly byProfile = new Map<string, CredentialProvider | null | undefined>();

  constructor(readonly env: Readonly<Record<string, string>>, sources: CredentialSources, readonly problems: string[]) {
    this.home = sources.homeDir ?? homedir();
    this.cliPath = join(this.home, '.aliyun', 'config.json');
    this.filePath = env.ALIBABA_CLOUD_CREDENTIALS_FILE ?? join(this.home, '.alibabacloud', 'credentials');
  }

  /** The CLI config (null: absent, disabled or unusable; a broken one is skipped, as the library's chain does). */
  cliConfig(): { profiles: Array<Record<string, unknown>>; current?: unknown } | null {
    if (this.cli !== undefined) return this.cli;
    this.cli = null;
    if (isTrue(this.env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED) || !existsSync(this.cliPath)) return null;
    try {
      const doc = JSON.parse(readFileSync(this.cliPath, 'utf8')) as unknown;
      const profiles = (doc as { profiles?: unknown } | null)?.profiles;
      if (Array.isArray(profiles)) this.cli = { profiles: profiles.filter((p) => typeof p === 'object' && p !== null), current: (doc as { current?: unknown }).current };
    } catch {
      // Not JSON, unreadable: unusable. Never quoted (it holds secrets).
      this.problems.push(`${this.cliPath} is not a readable JSON file (set ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true to ignore it)`);
    }
    return this.cli;
  }

  /** The credentials file's sections (null: absent). */
  credentialsFile(): Record<string, Record<string, unknown>> | null {
    if (this.file !== undefined) return this.file;
    this.file = null;
    if (!existsSync(this.filePath)) {
      if (this.env.ALIBABA_CLOUD_CREDENTIALS_FILE) this.problems.push(`ALIBABA_CLOUD_CREDENTIALS_FILE: ${this.filePath} does not exist`);
      return null;
    }
    try {
      this.file = parseFile(this.filePath) as Record<string, Record<string, unknown>>;
    } catch (err) {
      this.problems.push(`cannot read ${this.filePath} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
    return this.file;
  }
}

/** The profile modes of ~/.aliyun/config.json the library knows, and the fields each needs here. */
const CLI_MODES: Readonly<Record<string, readonly string[]>> = {
  AK: ['access_key_id', 'access_key_secret'],
  StsToken: ['access_key_id', 'access_key_secret', 'sts_token'],
  RamRoleArn: ['access_key_id', 'access_key_secret', 'ram_role_arn'],
  EcsRamRole: [],
  OIDC: ['oidc_token_file', 'oidc_provider_arn', 'ram_role_arn'],
  ChainableRamRoleArn: ['source_profile', 'ram_role_arn'],
  CloudSSO: [],
  OAuth: [],
  External: ['process_command'],
};

/** The types of ~/.alibabacloud/credentials the library knows, and the fields each needs. */
const FILE_TYPES: Readonly<Record<string, readonly string[]>> = {
  access_key: ['access_key_id', 'access_key_secret'],
  ecs_ram_role: [],
  ram_role_arn: ['access_key_id', 'access_key_secret', 'role_arn'],
};

const missing = (fields: readonly string[], entry: Record<string, unknown>) =>
  fields.filter((f) => typeof entry[f] !== 'string' || entry[f] === '');

/**
 * A profile's provider once its kind is supported (`needs`: the fields that kind requires) and every needed field
 * is there; otherwise the problem is recorded and the answer is null.
 */
function checkedProfile(s: Sources, where: string, kind: string, needs: readonly string[] | undefined, fields: Record<string, unknown>,
  unsupported: string, build: () => LibraryCredentials): LibraryCredentials | null {
  if (!needs) {
    s.problems.push(`${where}: ${unsupported}`);
    return null;
  }
  const lacking = missing(needs, fields);
  if (lacking.length > 0) {
    s.problems.push(`${where} (${kind}) needs ${lacking.join(', ')}`);
    return null;
  }
  const credentials = build();
  // The library reads the file from its `homedir` field (its own test hook); point it at the one checked here.
  Object.assign(credentials.provider, { homedir: s.home });
  return credentials;
}

/**
 * The provider for a profile, from the CLI config first, then the credentials file (the library's order);
 * undefined when neither has it, null when it is there but unusable (a problem was pushed). `cliName`/`fileName`
 * let the default chain ask for the CLI's `current` profile and the file's `default` one.
 */
function profileProvider(s: Sources, cliName: string | undefined, fileName: string | undefined): CredentialProvider | null | undefined {
  const cli = s.cliConfig();
  const cliProfile = cliName ? cli?.profiles.find((p) => p.name === cliName) : undefined;
  if (cliProfile && cliName) {
    const where = `profile "${cliName}" of ${s.cliPath}`;
    const mode = typeof cliProfile.mode === 'string' ? cliProfile.mode : '';
    return checkedProfile(s, where, `mode ${mode}`, CLI_MODES[mode], cliProfile,
      `mode ${JSON.stringify(mode)} is not supported (${Object.keys(CLI_MODES).join(', ')})`,
      () => new LibraryCredentials('cli_profile', `${where} (mode ${mode})`, CLIProfileCredentialsProvider.builder().withProfileName(cliName).build()));
  }
  const section = fileName ? s.credentialsFile()?.[fileName] : undefined;
  if (section && fileName) {
    const where = `profile [${fileName}] of ${s.filePath}`;
    const type = typeof section.type === 'string' ? section.type : undefined;
    return checkedProfile(s, where, `type ${type}`, type ? FILE_TYPES[type] : undefined, section,
      `${type ? `type ${JSON.stringify(type)} is not supported` : 'needs a type'} (type = ${Object.keys(FILE_TYPES).join(', ')}; for an STS token use ALIBABA_CLOUD_SECURITY_TOKEN or the CLI's StsToken mode)`,
      () => new LibraryCredentials('profile', `${where} (type ${type})`, ProfileCredentialsProvider.builder().withProfileName(fileName).build()));
  }
  return undefined;
}

/** The server's default credentials: the first configured source of the chain (see above), or undefined. */
function defaultChain(s: Sources): CredentialProvider | undefined {
  const { env, problems } = s;
  const pick = (suffix: string) => env[`ALIBABA_CLOUD_${suffix}`] || env[`ALICLOUD_${suffix}`] || undefined;
  const id = pick('ACCESS_KEY_ID');
  const secret = pick('ACCESS_KEY_SECRET');
  const token = pick('SECURITY_TOKEN');
  if (id || secret) {
    if (!id || !secret) {
      problems.push('ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET must be set together');
      return undefined;
    }
    const provider = token
      ? StaticSTSCredentialsProvider.builder().withAccessKeyId(id).withAccessKeySecret(secret).withSecurityToken(token).build()
      : StaticAKCredentialsProvider.builder().withAccessKeyId(id).withAccessKeySecret(secret).build();
    const variable = env.ALIBABA_CLOUD_ACCESS_KEY_ID ? 'ALIBABA_CLOUD_ACCESS_KEY_ID' : 'ALICLOUD_ACCESS_KEY_ID';
    return new LibraryCredentials('env', `environment (${variable}${token ? ', with a security token' : ''})`, provider);
  }

  const oidc = { roleArn: env.ALIBABA_CLOUD_ROLE_ARN, providerArn: env.ALIBABA_CLOUD_OIDC_PROVIDER_ARN, tokenFile: env.ALIBABA_CLOUD_OIDC_TOKEN_FILE };
  if (oidc.providerArn || oidc.tokenFile) {
    if (!oidc.roleArn || !oidc.providerArn || !oidc.tokenFile) {
      problems.push('ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE must be set together (OIDC / RRSA)');
      return undefined;
    }
    if (!existsSync(oidc.tokenFile)) {
      problems.push(`ALIBABA_CLOUD_OIDC_TOKEN_FILE: ${oidc.tokenFile} does not exist`);
      return undefined;
    }
    const builder = OIDCRoleArnCredentialsProvider.builder()
      .withRoleArn(oidc.roleArn).withOIDCProviderArn(oidc.providerArn).withOIDCTokenFilePath(oidc.tokenFile);
    if (env.ALIBABA_CLOUD_ROLE_SESSION_NAME) builder.withRoleSessionName(env.ALIBABA_CLOUD_ROLE_SESSION_NAME);
    if (env.ALIBABA_CLOUD_STS_REGION) builder.withStsRegionId(env.ALIBABA_CLOUD_STS_REGION);
    if (isTrue(env.ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED)) builder.withEnableVpc(true);
    return new LibraryCredentials('oidc', 'OIDC role (ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE)', builder.build());
  }

  const explicit = env.ALIBABA_CLOUD_PROFILE;
  const current = s.cliConfig()?.current;
  const fromProfile = profileProvider(s, explicit ?? (typeof current === 'string' && current ? current : undefined), explicit ?? 'default');
  if (fromProfile !== undefined) return fromProfile ?? undefined;
  if (explicit) {
    problems.push(`ALIBABA_CLOUD_PROFILE=${explicit}: no such profile in ${s.cliPath} or ${s.filePath}`);
    return undefined;
  }

  const role = env.ALIBABA_CLOUD_ECS_METADATA;
  if (role && !isTrue(env.ALIBABA_CLOUD_ECS_METADATA_DISABLED)) {
    const builder = ECSRAMRoleCredentialsProvider.builder().withRoleName(role);
    if (isTrue(env.ALIBABA_CLOUD_IMDSV1_DISABLED)) builder.withDisableIMDSv1(true);
    return new LibraryCredentials('ecs_ram_role', `ECS instance RAM role "${role}" (metadata service)`, builder.build());
  }

  const uri = env.ALIBABA_CLOUD_CREDENTIALS_URI;
  if (uri) {
    if (!/^https?:\/\//i.test(uri) || !URL.canParse(uri)) {
      problems.push('ALIBABA_CLOUD_CREDENTIALS_URI: must be an http:// or https:// URL');
      return undefined;
    }
    // The URI itself is not logged: it may carry a token.
    return new LibraryCredentials('credentials_uri', 'credentials URI (ALIBABA_CLOUD_CREDENTIALS_URI)', URICredentialsProvider.builder().withCredentialsURI(uri).build());
  }
  return undefined;
}

/** What GATEWAY_SERVER_CREDENTIALS may say. */
export const SERVER_CREDENTIALS_MODES = ['auto', 'off'] as const;

/**
 * The server-side default credentials (undefined: none configured, or GATEWAY_SERVER_CREDENTIALS=off) and the
 * API keys with the providers of the profiles they name. Pushes every problem: an unusable source, a policy
 * profile that no file has, a profile with GATEWAY_SERVER_CREDENTIALS=off.
 */
export function resolveServerCredentials(env: Readonly<Record<string, string>>, keys: readonly ApiKey[], sources: CredentialSources, problems: string[]):
  { defaultCredentials: CredentialProvider | undefined; keys: ApiKey[] } {
  const off = env.GATEWAY_SERVER_CREDENTIALS === 'off';
  const s = new Sources(env, sources, problems);
  const defaultCredentials = off ? undefined : defaultChain(s);
  const withProfiles = keys.map((key) => {
    if (!key.profile) return key;
    const where = `GATEWAY_ACCESS_POLICY_FILE: key "${key.name}"`;
    if (off) {
      problems.push(`${where} names profile "${key.profile}", but GATEWAY_SERVER_CREDENTIALS=off turns server-side credentials off`);
      return key;
    }
    if (!s.byProfile.has(key.profile)) s.byProfile.set(key.profile, profileProvider(s, key.profile, key.profile));
    const credentials = s.byProfile.get(key.profile);
    if (credentials === undefined) problems.push(`${where}: profile "${key.profile}" is in neither ${s.cliPath} nor ${s.filePath}`);
    if (!credentials) return key;
    return Object.freeze({ ...key, credentials });
  });
  return { defaultCredentials, keys: withProfiles };
}

/** The startup log's account of the server-side credentials: sources and profile names, never a value. */
export function describeServerCredentials(defaultCredentials: CredentialProvider | undefined, keys: readonly ApiKey[]):
  { source: CredentialSource | 'none'; from?: string; profiles?: Record<string, string> } {
  const profiles: Record<string, string> = {};
  for (const key of keys) if (key.profile && key.credentials) profiles[key.name] = key.credentials.description;
  return {
    source: defaultCredentials?.source ?? 'none',
    ...(defaultCredentials ? { from: defaultCredentials.description } : {}),
    ...(Object.keys(profiles).length > 0 ? { profiles } : {}),
  };
}
