import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { resolveServerCredentials, SERVER_CREDENTIALS_MODES, type CredentialProvider } from './credentials.js';
import type { ProxySettings } from './ecs/egress.js';
import { isValidHostname } from './ecs/endpoint.js';
import { mergeKeys, parsePolicyFile } from './policy/file.js';
import { keysFromEnv, type ApiKey } from './policy/keys.js';
import { tracingFromEnv, type TracingConfig } from './observe/tracing-config.js';

/** Validated gateway configuration, read once at startup from the environment. */
export interface Config {
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  signatureVersion: 'v1' | 'v3';
  upstreamUrl: string | undefined;
  allowedEndpoints: readonly string[];
  timeoutMs: number;
  bodyLimitBytes: number;
  /**
   * The API keys callers may present, each with what it may do: GATEWAY_API_KEYS (allowed everything,
   * named key-1, key-2, …) and the keys of GATEWAY_ACCESS_POLICY_FILE. Only their SHA-256 is kept.
   * Empty: no key is needed, and every caller is anonymous and allowed everything.
   */
  apiKeys: readonly ApiKey[];
  /**
   * Server-side default credentials (src/gateway/credentials.ts: @alicloud/credentials, resolved on first use,
   * cached and refreshed); only allowed together with apiKeys. Keys of the policy file may name their own profile.
   */
  defaultCredentials: CredentialProvider | undefined;
  /** GATEWAY_MAX_WAIT_MS: the longest `waitFor` wait (and its default); server timeouts and the shutdown grace follow it. */
  maxWaitMs: number;
  /** `all=true`: the default and the cap of `maxItems` (GATEWAY_MAX_ITEMS). */
  maxItems: number;
  /** Paging and fan-out jobs: regions one inventory lists at once, and pages one job fetches at once (GATEWAY_FANOUT_CONCURRENCY). */
  fanoutConcurrency: number;
  /** Paging and fan-out jobs: most ECS calls in flight per account and action, over every job of the process (GATEWAY_ACTION_CONCURRENCY). */
  actionConcurrency: number;
  /** Retries of a failed ECS call, at most (ECS_MAX_RETRIES); see src/gateway/ecs/retry.ts. */
  maxRetries: number;
  /** Retries may be at most this percentage of calls (ECS_RETRY_BUDGET). */
  retryBudgetPercent: number;
  /** Per attempt, within timeoutMs: connecting (ECS_CONNECT_TIMEOUT_MS) and reading (ECS_READ_TIMEOUT_MS). */
  connectTimeoutMs: number;
  readTimeoutMs: number;
  /** Egress proxy for the calls to ECS (HTTPS_PROXY, HTTP_PROXY, NO_PROXY; '' when unset). */
  proxy: ProxySettings;
  /** GET /metrics and the request and upstream metrics (GATEWAY_METRICS, on by default). */
  metrics: boolean;
  /** OpenTelemetry tracing: off unless configured (OTEL_* variables, see observe/tracing-config.ts). */
  tracing: TracingConfig;
  /**
   * GATEWAY_RATE_LIMIT_MAX per GATEWAY_RATE_LIMIT_WINDOW_MS, per API key (per client IP without keys); undefined: off.
   * `headers` (GATEWAY_RATE_LIMIT_HEADERS): `exceeded`, the x-ratelimit-* headers on 429 answers only; `always`, on
   * every limited answer too.
   */
  rateLimit?: { max: number; windowMs: number; headers?: 'exceeded' | 'always' | undefined } | undefined;
  /** REDIS_URL: where the rate-limit counters are shared by every replica; undefined: per process. Holds a password: never log it. */
  redisUrl?: string | undefined;
  /** GATEWAY_CORS_ORIGINS: the browser origins allowed to call the API; empty: CORS off. */
  corsOrigins?: readonly string[];
  /** Load shedding thresholds (GATEWAY_MAX_EVENT_LOOP_DELAY_MS, GATEWAY_MAX_EVENT_LOOP_UTILIZATION); 0: that check is off. */
  overload?: { maxEventLoopDelayMs: number; maxEventLoopUtilization: number };
}

/** Thrown by loadConfig with every problem found, not just the first. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const list = (value: string | undefined): string[] =>
  (value ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);

const intIn = (min: number, max: number, fallback: number) =>
  z.string().trim().regex(/^\d+$/, 'must be a whole number').transform(Number)
    .pipe(z.number().int().min(min).max(max)).optional().transform((v) => v ?? fallback);

const urlOrUndefined = (value: string): URL | undefined => {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
};

/** An egress proxy: http(s)://host:port (its user info is a secret: never echoed). */
const proxyUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// proxy URL' }).optional();

/** The proxy variables, the lower-case spelling first (as undici and curl read them). */
function proxyEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY']) {
    const value = env[name.toLowerCase()] ?? env[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

const envSchema = z.object({
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PORT: intIn(0, 65535, 8000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ECS_SIGNATURE_VERSION: z.enum(['v1', 'v3']).default('v3'),
  ECS_UPSTREAM_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    // zod 4 runs refinements even after the url check failed, so an unparsable value must not throw here.
    .refine((u) => { const url = urlOrUndefined(u); return !url || (!url.username && !url.password); }, 'must not carry user info')
    .refine((u) => { const url = urlOrUndefined(u); return !url || (!url.search && !url.hash); }, 'must not carry a query or fragment')
    .optional(),
  ECS_ALLOWED_ENDPOINTS: z.string().optional().transform(list)
    .refine((hosts) => hosts.every(isValidHostname), 'must be a comma-separated list of bare hostnames'),
  ECS_TIMEOUT_MS: intIn(1, 600_000, 10_000),
  BODY_LIMIT_BYTES: intIn(1024, 64 * 1024 * 1024, 1024 * 1024),
  GATEWAY_API_KEYS: z.string().optional().transform(list)
    .refine((keys) => keys.every((k) => k.length >= 16), 'every key must be at least 16 characters'),
  GATEWAY_ACCESS_POLICY_FILE: z.string().optional(),
  GATEWAY_SERVER_CREDENTIALS: z.enum(SERVER_CREDENTIALS_MODES, { error: 'must be auto or off' }).default('auto'),
  GATEWAY_MAX_WAIT_MS: intIn(0, 3_600_000, 120_000),
  GATEWAY_MAX_ITEMS: intIn(1, 1_000_000, 10_000),
  GATEWAY_FANOUT_CONCURRENCY: intIn(1, 256, 8),
  GATEWAY_ACTION_CONCURRENCY: intIn(1, 1024, 32),
  ECS_MAX_RETRIES: intIn(0, 10, 3),
  ECS_RETRY_BUDGET: intIn(0, 100, 50),
  ECS_CONNECT_TIMEOUT_MS: intIn(1, 600_000, 0),
  ECS_READ_TIMEOUT_MS: intIn(1, 600_000, 0),
  HTTPS_PROXY: proxyUrl,
  HTTP_PROXY: proxyUrl,
  GATEWAY_METRICS: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
  GATEWAY_RATE_LIMIT_MAX: z.string().trim().regex(/^\d+$/, 'must be a whole number').transform(Number)
    .pipe(z.number().int().min(1).max(1_000_000_000)).optional(),
  GATEWAY_RATE_LIMIT_WINDOW_MS: intIn(1000, 86_400_000, 60_000),
  GATEWAY_RATE_LIMIT_HEADERS: z.enum(['exceeded', 'always'], { error: 'must be exceeded or always' }).default('exceeded'),
  REDIS_URL: z.string().trim()
    .refine((u) => { const url = urlOrUndefined(u); return url !== undefined && (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== ''; },
      'must be a redis:// or rediss:// URL with a host')
    .optional(),
  GATEWAY_CORS_ORIGINS: z.string().optional().transform(list)
    .refine((origins) => origins.every(isOrigin), 'must be a comma-separated list of origins such as https://app.example.com (scheme, host and optional port; no path, no *)'),
  GATEWAY_MAX_EVENT_LOOP_DELAY_MS: intIn(0, 60_000, 0),
  GATEWAY_MAX_EVENT_LOOP_UTILIZATION: z.string().trim().regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'must be a number from 0 to 1').transform(Number).optional()
    .transform((v) => v ?? 0),
});

/** An origin exactly as a browser sends it in the Origin header: http(s)://host[:port], nothing more. */
function isOrigin(value: string): boolean {
  const url = urlOrUndefined(value);
  return url !== undefined && (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.toLowerCase();
}

/** Where loadConfig reads files from; injectable for tests. */
export interface ConfigSources {
  /** The home directory of ~/.aliyun/config.json and ~/.alibabacloud/credentials (default: os.homedir()). */
  homeDir?: string;
  /** Reads the policy file: its text, undefined when it does not exist; throws when it cannot be read. */
  readFile?: (path: string) => string | undefined;
}

const readIfExists = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
};

/**
 * The environment with empty variables left out. `VAR=` is what compose files and .env files produce
 * for a variable left blank, and means "not set": the default applies, for every variable alike.
 */
export function withoutEmptyVariables(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
}

/** Validates the environment and returns the config, or throws ConfigError listing every problem. */
export function loadConfig(rawEnv: NodeJS.ProcessEnv = process.env, sources: ConfigSources = {}): Config {
  const env = withoutEmptyVariables(rawEnv);
  const problems: string[] = [];
  const parsed = envSchema.safeParse({ ...env, ...proxyEnv(env) });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  }
  const policyKeys = env.GATEWAY_ACCESS_POLICY_FILE ? readPolicyFile(env.GATEWAY_ACCESS_POLICY_FILE, sources, problems) : [];
  const { defaultCredentials, keys } = resolveServerCredentials(env, mergeKeys(keysFromEnv(list(env.GATEWAY_API_KEYS)), policyKeys, problems),
    { homeDir: sources.homeDir }, problems);
  // Checked even when other variables are invalid, so every problem is reported at once.
  if (defaultCredentials && list(env.GATEWAY_API_KEYS).length === 0 && !env.GATEWAY_ACCESS_POLICY_FILE) {
    problems.push(`server-side credentials are configured (${defaultCredentials.description}) but GATEWAY_API_KEYS is empty and there is no GATEWAY_ACCESS_POLICY_FILE: anyone reaching the port could spend the account. Set API keys, remove the credentials, or set GATEWAY_SERVER_CREDENTIALS=off.`);
  }
  const apiKeys = keys;
  if (parsed.success) {
    for (const name of ['ECS_CONNECT_TIMEOUT_MS', 'ECS_READ_TIMEOUT_MS'] as const) {
      if (parsed.data[name] > parsed.data.ECS_TIMEOUT_MS) problems.push(`${name}: must not exceed ECS_TIMEOUT_MS (${parsed.data.ECS_TIMEOUT_MS}), the deadline over all attempts`);
    }
  }
  const tracing = tracingFromEnv(env, problems);
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    signatureVersion: e.ECS_SIGNATURE_VERSION,
    upstreamUrl: e.ECS_UPSTREAM_URL?.replace(/\/+$/, ''),
    allowedEndpoints: e.ECS_ALLOWED_ENDPOINTS.map((h) => h.toLowerCase()),
    timeoutMs: e.ECS_TIMEOUT_MS,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    apiKeys,
    defaultCredentials,
    maxWaitMs: e.GATEWAY_MAX_WAIT_MS,
    maxItems: e.GATEWAY_MAX_ITEMS,
    fanoutConcurrency: e.GATEWAY_FANOUT_CONCURRENCY,
    actionConcurrency: e.GATEWAY_ACTION_CONCURRENCY,
    maxRetries: e.ECS_MAX_RETRIES,
    retryBudgetPercent: e.ECS_RETRY_BUDGET,
    // Unset: the connect timeout is the smaller of 5 s and the deadline; the read timeout is the deadline.
    connectTimeoutMs: e.ECS_CONNECT_TIMEOUT_MS || Math.min(5_000, e.ECS_TIMEOUT_MS),
    readTimeoutMs: e.ECS_READ_TIMEOUT_MS || e.ECS_TIMEOUT_MS,
    proxy: { httpsProxy: e.HTTPS_PROXY ?? '', httpProxy: e.HTTP_PROXY ?? '', noProxy: proxyEnv(env).NO_PROXY ?? '' },
    metrics: e.GATEWAY_METRICS === 'on',
    tracing,
    rateLimit: e.GATEWAY_RATE_LIMIT_MAX === undefined ? undefined : { max: e.GATEWAY_RATE_LIMIT_MAX, windowMs: e.GATEWAY_RATE_LIMIT_WINDOW_MS, headers: e.GATEWAY_RATE_LIMIT_HEADERS },
    redisUrl: e.REDIS_URL,
    corsOrigins: e.GATEWAY_CORS_ORIGINS.map((o) => o.toLowerCase()),
    overload: { maxEventLoopDelayMs: e.GATEWAY_MAX_EVENT_LOOP_DELAY_MS, maxEventLoopUtilization: e.GATEWAY_MAX_EVENT_LOOP_UTILIZATION },
  };
}

/** The keys of the access policy file, or [] after pushing every problem with it. */
function readPolicyFile(path: string, sources: ConfigSources, problems: string[]): ApiKey[] {
  let text: string | undefined;
  try {
    text = (sources.readFile ?? readIfExists)(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    problems.push(`GATEWAY_ACCESS_POLICY_FILE: cannot read ${path} (${code})`);
    return [];
  }
  if (text === undefined) {
    problems.push(`GATEWAY_ACCESS_POLICY_FILE: ${path} does not exist`);
    return [];
  }
  return parsePolicyFile(text, path, problems);
}
