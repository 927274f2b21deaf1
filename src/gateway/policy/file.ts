import { actionNames } from '../ecs/catalog/index.js';
import { isValidRegionId } from '../ecs/endpoint.js';
import { lineAndColumn, locateJsonError } from '../http/json-body.js';
import { apiKey, compilePatterns, isActionPattern, type ApiKey } from './keys.js';

/**
 * Reads the access policy file (GATEWAY_ACCESS_POLICY_FILE):
 *
 *   {"keys": [{"name": "inventory", "sha256": "<hex>", "allow": ["Describe*"], "deny": [], "regions": ["cn-hangzhou"]}]}
 *
 * Every problem is collected, for every key, so that one start-up lists them all. A message names the
 * key by position and name, the field, and what is wrong; it never quotes a `sha256` value (an operator
 * may have pasted the key itself there).
 */

const VAR = 'GATEWAY_ACCESS_POLICY_FILE';
const KEY_FIELDS = new Set(['name', 'sha256', 'allow', 'deny', 'regions', 'profile']);
/** Names appear in error bodies and log lines: short, printable, no spaces. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
/** A profile name as ~/.alibabacloud/credentials and the aliyun CLI write them. */
const PROFILE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v) : typeof v);

/** The catalog actions a pattern matches (all of them are the point of `*`). */
function matchingActions(pattern: string): string[] {
  const re = compilePatterns([pattern]);
  return actionNames().filter((a) => re.test(a));
}

/** A pattern that matches no action: say so, and name an action it would match if case did not count. */
function noMatchMessage(pattern: string): string {
  const insensitive = new RegExp(`^${pattern.split('*').join('.*')}$`, 'i');
  const near = actionNames().find((a) => insensitive.test(a));
  const hint = near ? ` (action names are case-sensitive; ignoring case it would match ${near})` : '';
  return `${JSON.stringify(pattern)} matches no ECS action${hint}`;
}

/** Checks a list of action-name patterns; returns them when every one is valid. */
function patterns(value: unknown, where: string, required: boolean, problems: string[]): string[] | undefined {
  if (value === undefined) {
    if (required) problems.push(`${where}: required (a list of action-name patterns such as "Describe*")`);
    return required ? undefined : [];
  }
  if (!Array.isArray(value)) {
    problems.push(`${where}: must be a list of action-name patterns`);
    return undefined;
  }
  if (required && value.length === 0) {
    problems.push(`${where}: must not be empty (a key that may call nothing is a key to remove)`);
    return undefined;
  }
  let ok = true;
  value.forEach((p, j) => {
    if (typeof p !== 'string' || !isActionPattern(p)) {
      problems.push(`${where}[${j}]: ${show(p)} is not an action-name pattern (letters, digits and *, e.g. "Describe*")`);
      ok = false;
    } else if (matchingActions(p).length === 0) {
      problems.push(`${where}[${j}]: ${noMatchMessage(p)}`);
      ok = false;
    }
  });
  return ok ? value as string[] : undefined;
}

/** Checks `regions`: absent (any region) or a non-empty list of region ids. */
function regions(value: unknown, where: string, problems: string[]): string[] | undefined | false {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    problems.push(`${where}: must be a non-empty list of region ids such as "cn-hangzhou" (leave it out for every region)`);
    return false;
  }
  let ok = true;
  value.forEach((r, j) => {
    if (typeof r !== 'string' || !isValidRegionId(r)) {
      problems.push(`${where}[${j}]: ${show(r)} is not a region id (lower-case, like "cn-hangzhou" or "ap-southeast-1")`);
      ok = false;
    }
  });
  return ok ? [...new Set(value as string[])] : false;
}

/** One entry of `keys`; pushes its problems and returns the key when it has none. */
function checkKey(raw: unknown, i: number, problems: string[]): ApiKey | undefined {
  if (!isObject(raw)) {
    problems.push(`${VAR}: keys[${i}]: must be an object with name, sha256 and allow`);
    return undefined;
  }
  const before = problems.length;
  const name = typeof raw.name === 'string' && NAME.test(raw.name) ? raw.name : undefined;
  const where = `${VAR}: keys[${i}]${name ? ` (${name})` : ''}`;
  const unknown = Object.keys(raw).filter((k) => !KEY_FIELDS.has(k));
  for (const field of unknown) problems.push(`${where}: unknown field ${JSON.stringify(field)} (known: ${[...KEY_FIELDS].join(', ')})`);
  if (raw.name === undefined) problems.push(`${where}.name: required`);
  else if (!name) problems.push(`${where}.name: ${show(raw.name)} is not a valid name (1-64 letters, digits, ".", "_" or "-", starting with a letter or digit)`);
  if (raw.sha256 === undefined) problems.push(`${where}.sha256: required (the hex SHA-256 of the key: printf %s "$KEY" | sha256sum)`);
  else if (typeof raw.sha256 !== 'string' || !SHA256_HEX.test(raw.sha256)) {
    // Never quoted: it may be the key itself, pasted where its hash goes.
    problems.push(`${where}.sha256: must be 64 hex digits, the SHA-256 of the key (printf %s "$KEY" | sha256sum), never the key itself`);
  }
  const allow = patterns(raw.allow, `${where}.allow`, true, problems);
  const deny = patterns(raw.deny, `${where}.deny`, false, problems);
  const regionList = regions(raw.regions, `${where}.regions`, problems);
  if (raw.profile !== undefined && !(typeof raw.profile === 'string' && PROFILE.test(raw.profile))) {
    problems.push(`${where}.profile: ${show(raw.profile)} is not a profile name (1-64 letters, digits, ".", "_" or "-", starting with a letter or digit)`);
  }
  if (problems.length > before || !name || !allow || !deny || regionList === false) return undefined;
  return apiKey({
    name,
    sha256: Buffer.from((raw.sha256 as string).toLowerCase(), 'hex'),
    allow,
    deny,
    regions: regionList,
    profile: raw.profile as string | undefined,
    source: 'GATEWAY_ACCESS_POLICY_FILE',
  });
}

/**
 * Parses and checks the policy file's text, pushing every problem (prefixed with the variable's name).
 * Returns the keys that are valid; the file is good when no problem was pushed.
 */
export function parsePolicyFile(text: string, path: string, problems: string[]): ApiKey[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes a piece of the file, which could be a key pasted in the wrong place.
    const problem = locateJsonError(text);
    problems.push(`${VAR}: ${path} is not valid JSON${problem ? `: ${problem.problem} at ${lineAndColumn(text, problem.offset)}` : ''}`);
    return [];
  }
  if (!isObject(doc)) {
    problems.push(`${VAR}: ${path} must hold a JSON object {"keys": [...]}`);
    return [];
  }
  for (const field of Object.keys(doc).filter((k) => k !== 'keys')) problems.push(`${VAR}: unknown top-level field ${JSON.stringify(field)} (known: keys)`);
  if (!Array.isArray(doc.keys) || doc.keys.length === 0) {
    problems.push(`${VAR}: keys: must be a non-empty list of keys (without keys, the gateway would be open to anyone)`);
    return [];
  }
  const keys = doc.keys.map((raw, i) => checkKey(raw, i, problems));
  // Duplicates are checked on the raw entries, so that they are reported together with the other problems.
  const seenNames = new Map<string, number>();
  const seenHashes = new Map<string, number>();
  doc.keys.forEach((raw, i) => {
    if (!isObject(raw)) return;
    if (typeof raw.name === 'string') {
      const first = seenNames.get(raw.name);
      if (first !== undefined) problems.push(`${VAR}: keys[${i}].name: ${JSON.stringify(raw.name)} is also the name of keys[${first}]; names must be unique`);
      else seenNames.set(raw.name, i);
    }
    if (typeof raw.sha256 === 'string' && SHA256_HEX.test(raw.sha256)) {
      const hash = raw.sha256.toLowerCase();
      const first = seenHashes.get(hash);
      if (first !== undefined) problems.push(`${VAR}: keys[${i}].sha256: the same key as keys[${first}]; give each key one entry`);
      else seenHashes.set(hash, i);
    }
  });
  // The valid keys, also when others are not: mergeKeys then checks them against GATEWAY_API_KEYS too.
  return keys.filter((k): k is ApiKey => k !== undefined);
}

/**
 * Joins the keys of GATEWAY_API_KEYS and of the policy file, or pushes a problem for a key in both (its
 * policy would be ambiguous) and for a policy name that a GATEWAY_API_KEYS key already has (`key-1`).
 */
export function mergeKeys(envKeys: readonly ApiKey[], fileKeys: readonly ApiKey[], problems: string[]): ApiKey[] {
  const before = problems.length;
  for (const fileKey of fileKeys) {
    const same = envKeys.find((k) => k.sha256.equals(fileKey.sha256));
    if (same) problems.push(`${VAR}: key ${JSON.stringify(fileKey.name)} is also in GATEWAY_API_KEYS (${same.name}); configure each key in one place`);
    const taken = envKeys.find((k) => k.name === fileKey.name);
    if (taken) problems.push(`${VAR}: name ${JSON.stringify(fileKey.name)} is taken by a key of GATEWAY_API_KEYS; choose another name`);
  }
  return problems.length > before ? [] : [...envKeys, ...fileKeys];
}
