import { createHash } from 'node:crypto';
import type { CredentialProvider } from '../credentials.js';
import { getAction } from '../ecs/catalog/index.js';

/**
 * An API key the gateway accepts, and what it may do. Only the key's SHA-256 is kept: keys from
 * GATEWAY_API_KEYS are hashed as they are read, keys from the policy file are only ever hashes.
 */
export interface ApiKey {
  /** The name in refusals and audit lines: the policy file's `name`, or `key-1`, `key-2`, … for GATEWAY_API_KEYS. */
  readonly name: string;
  /** SHA-256 of the key (32 bytes). */
  readonly sha256: Buffer;
  /** Action-name patterns (`Describe*`, `*`) the key may call. */
  readonly allow: readonly string[];
  /** Action-name patterns the key may not call; deny wins over allow. */
  readonly deny: readonly string[];
  /** The regions the key may call in; undefined for any region. */
  readonly regions: readonly string[] | undefined;
  /**
   * The credential profile the key's calls use when the caller sends no credentials of its own (the policy
   * file's `profile`: a profile of ~/.aliyun/config.json or ~/.alibabacloud/credentials), instead of the
   * server's default credentials. Checked at startup (src/gateway/credentials.ts).
   */
  readonly profile?: string | undefined;
  /** The provider of `profile`'s credentials, set by loadConfig; derived, never configured. */
  readonly credentials?: CredentialProvider | undefined;
  /** Where the key was configured. */
  readonly source: 'GATEWAY_API_KEYS' | 'GATEWAY_ACCESS_POLICY_FILE';
  /** `allow` and `deny` compiled (see compilePatterns); derived, never configured. */
  readonly allowRe: RegExp;
  readonly denyRe: RegExp | undefined;
}

/** SHA-256 of a bearer key, as compared by the auth hook. */
export const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * An action-name pattern: letters and digits (ECS action names are `[A-Z][A-Za-z0-9]*`) and `*`, which stands
 * for any run of characters, the empty one included. Matching is case-sensitive, as ECS action names are.
 */
export const ACTION_PATTERN = /^[A-Za-z0-9*]{1,128}$/;

/** True when `pattern` is an action-name pattern (see ACTION_PATTERN). */
export function isActionPattern(pattern: string): boolean {
  return ACTION_PATTERN.test(pattern);
}

/**
 * One anchored, case-sensitive RegExp matching any of `patterns`. They hold only letters, digits and `*`
 * (checked by isActionPattern first), so nothing needs escaping.
 */
export function compilePatterns(patterns: readonly string[]): RegExp {
  for (const p of patterns) if (!isActionPattern(p)) throw new Error(`not an action-name pattern: ${JSON.stringify(p)}`);
  const alternatives = patterns.map((p) => p.split('*').join('.*'));
  return new RegExp(`^(?:${alternatives.join('|')})$`);
}

/** True when `action` matches one of the key's allow patterns and none of its deny patterns. */
export function allowsAction(key: Pick<ApiKey, 'allowRe' | 'denyRe'>, action: string): boolean {
  return key.allowRe.test(action) && !(key.denyRe?.test(action) ?? false);
}

/** Builds a key with its compiled patterns. */
export function apiKey(spec: Omit<ApiKey, 'allowRe' | 'denyRe'>): ApiKey {
  return Object.freeze({
    ...spec,
    allowRe: compilePatterns(spec.allow),
    denyRe: spec.deny.length > 0 ? compilePatterns(spec.deny) : undefined,
  });
}

/** The keys of GATEWAY_API_KEYS: allowed every action in every region, named `key-1`, `key-2`, … by position. */
export function keysFromEnv(keys: readonly string[]): ApiKey[] {
  return keys.map((key, i) => apiKey({
    name: `key-${i + 1}`,
    sha256: sha256(key),
    allow: ['*'],
    deny: [],
    regions: undefined,
    source: 'GATEWAY_API_KEYS',
  }));
}

/** True when ECS has an action of this name and it only reads (catalog rule: Describe*, List*, Get*, Query*). */
export function isReadOnlyAction(action: string): boolean {
  return getAction(action)?.readOnly ?? false;
}

/** True when the action takes a RegionId parameter (required or optional); false for unknown actions too. */
export function takesRegionId(action: string): boolean {
  return getAction(action)?.params.some((p) => p.name === 'RegionId') ?? false;
}
