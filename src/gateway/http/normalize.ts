import { ErrorCode, GatewayError } from '../errors.js';

/**
 * `dry_run` → `dryRun`, `v_switch_id` → `vSwitchId`; camelCase names pass unchanged. Only underscores
 * inside a name fold: `__proto__` and `_region_id` stay as sent (and are refused as they are).
 */
export function toCamel(name: string): string {
  return name.replace(/(?<=[A-Za-z0-9])_+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

const sameValue = (a: unknown, b: unknown): boolean =>
  JSON.stringify(a) === JSON.stringify(b) ||
  (typeof a !== 'object' && typeof b !== 'object' && String(a) === String(b));

/**
 * The original service bound JSON with protobuf's JSON mapping, so every field is accepted in
 * lowerCamelCase and in snake_case. This folds snake_case keys (recursively, inside arrays too)
 * onto their camelCase names, and refuses the two spellings with different values. With `listBrackets`
 * (query strings) a trailing `[]` is dropped from names.
 */
export function foldSpellings(input: unknown, options: { listBrackets?: boolean } = {}, path = ''): unknown {
  if (Array.isArray(input)) return input.map((item, i) => foldSpellings(item, options, `${path}[${i}]`));
  if (typeof input !== 'object' || input === null) return input;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    // `instanceIds[]=…` is a list in a query string; in JSON a key is just its name.
    const name = options.listBrackets ? key.replace(/\[\]$/, '') : key;
    const camel = toCamel(name);
    // `__proto__[]` folds to `__proto__`: check every form the key takes, not just the raw one.
    if (FORBIDDEN_KEYS.has(key) || FORBIDDEN_KEYS.has(name) || FORBIDDEN_KEYS.has(camel)) throw forbiddenKey(path ? `${path}.${key}` : key);
    const folded = foldSpellings(value, options, path ? `${path}.${camel}` : camel);
    if (Object.hasOwn(out, camel) && !sameValue(out[camel], folded)) {
      throw conflict(path ? `${path}.${camel}` : camel);
    }
    out[camel] = folded;
  }
  return out;
}

/** Keys that could reach an object's prototype; never valid field names here. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

function forbiddenKey(field: string): GatewayError {
  return new GatewayError(400, ErrorCode.validation, `Forbidden key ${field}`, {
    details: [{ location: 'request', field, message: 'prototype keys are not accepted' }],
  }, { logMessage: 'Forbidden key' });
}

/** The credential headers and the fields they stand for. */
const CREDENTIAL_HEADERS = {
  'x-access-key-id': 'accessKeyId',
  'x-access-key-secret': 'accessKeySecret',
  'x-security-token': 'securityToken',
} as const;

/** Copies X-Access-Key-Id / X-Access-Key-Secret / X-Security-Token into the input; a differing duplicate is refused. */
export function mergeCredentialHeaders(input: Record<string, unknown>, headers: Record<string, string | string[] | undefined>): Record<string, unknown> {
  const out = { ...input };
  for (const [header, field] of Object.entries(CREDENTIAL_HEADERS)) {
    const value = headers[header];
    if (value === undefined) continue;
    const single = Array.isArray(value) ? value[0] : value;
    if (Object.hasOwn(out, field) && out[field] !== single) throw conflict(field, header);
    out[field] = single;
  }
  return out;
}

function conflict(field: string, other?: string): GatewayError {
  const where = other ? `the ${other} header and the ${field} field` : `two spellings of ${field}`;
  return new GatewayError(400, ErrorCode.conflictingFields, `Conflicting values for ${field}: ${where} differ`, {
    details: [{ location: 'request', field, message: 'given twice with different values' }],
  }, { logMessage: 'Conflicting values' });
}
