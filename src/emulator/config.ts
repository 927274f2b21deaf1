/**
 * The emulator's environment configuration, validated as a whole: every problem is
 * reported at once so a misconfigured start fails fast with one complete message.
 */
import { parseFaultRule, type FaultRule } from './faults.js';
import type { AccessKey } from './protocol/auth.js';
import { parseQps, type QpsQuotas } from './quotas.js';

/** The validated configuration `main.ts` starts the emulator with. */
export interface EmulatorConfig {
  host: string;
  port: number;
  accessKeys: AccessKey[];
  transitionMs: number;
  stateFile: string | undefined;
  faults: boolean;
  faultRules: FaultRule[];
  /** EMULATOR_QPS, e.g. `DescribeInstances=20,*=50`; undefined: no quotas. */
  qps?: QpsQuotas;
}

/** Thrown by `loadEmulatorConfig`; `problems` lists every invalid variable. */
export class EmulatorConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid emulator configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'EmulatorConfigError';
  }
}

/** The one documented demo key pair, used when EMULATOR_ACCESS_KEYS is unset (re-exported by server.ts). */
export const DEMO_ACCESS_KEY: Readonly<AccessKey> = Object.freeze({
  accessKeyId: 'demo-access-key-id',
  accessKeySecret: 'demo-access-key-secret',
});

/**
 * Reads EMULATOR_* variables from `env`; pure, so tests pass a plain object. An empty variable
 * (`EMULATOR_PORT=`, as compose and .env files write a blank one) counts as unset, for every variable.
 */
export function loadEmulatorConfig(rawEnv: Readonly<Record<string, string | undefined>>): EmulatorConfig {
  const env = Object.fromEntries(Object.entries(rawEnv).filter(([, v]) => v !== ''));
  const problems: string[] = [];
  const host = (env.EMULATOR_HOST ?? '127.0.0.1').trim();
  if (host === '') problems.push('EMULATOR_HOST must not be empty');
  const port = intVar(env, 'EMULATOR_PORT', 9000, 0, 65535, problems);
  const transitionMs = intVar(env, 'EMULATOR_TRANSITION_MS', 2000, 0, 3_600_000, problems);
  const accessKeys = parseAccessKeys(env.EMULATOR_ACCESS_KEYS, problems);
  const stateFile = env.EMULATOR_STATE_FILE?.trim() || undefined;
  const faults = boolVar(env, 'EMULATOR_FAULTS', problems);
  const faultRules = parsePreset(env.EMULATOR_FAULTS_PRESET, problems);
  const qps = parseQps(env.EMULATOR_QPS, problems);
  if (problems.length > 0) throw new EmulatorConfigError(problems);
  return { host, port, accessKeys, transitionMs, stateFile, faults, faultRules, ...(qps ? { qps } : {}) };
}

function intVar(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
    return fallback;
  }
  return n;
}

function boolVar(env: Readonly<Record<string, string | undefined>>, name: string, problems: string[]): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  problems.push(`${name} must be 1, true, 0 or false (got "${env[name]}")`);
  return false;
}

/** `id:secret[:securityToken]` pairs separated by commas; never echoes a secret in a problem. */
function parseAccessKeys(raw: string | undefined, problems: string[]): AccessKey[] {
  if (raw === undefined || raw.trim() === '') return [{ ...DEMO_ACCESS_KEY }];
  const keys: AccessKey[] = [];
  raw.split(',').forEach((entry, i) => {
    const [id = '', secret = '', ...rest] = entry.trim().split(':');
    const token = rest.join(':');
    if (id === '' || secret === '') {
      problems.push(`EMULATOR_ACCESS_KEYS entry ${i + 1} must be id:secret or id:secret:securityToken`);
      return;
    }
    if (keys.some((k) => k.accessKeyId === id)) problems.push(`EMULATOR_ACCESS_KEYS repeats the id "${id}"`);
    keys.push(rest.length > 0 && token !== '' ? { accessKeyId: id, accessKeySecret: secret, securityToken: token } : { accessKeyId: id, accessKeySecret: secret });
    if (rest.length > 0 && token === '') problems.push(`EMULATOR_ACCESS_KEYS entry ${i + 1} has an empty securityToken`);
  });
  return keys;
}

function parsePreset(raw: string | undefined, problems: string[]): FaultRule[] {
  if (raw === undefined || raw.trim() === '') return [];
  let input: unknown;
  try {
    input = JSON.parse(raw);
  } catch {
    problems.push('EMULATOR_FAULTS_PRESET must be JSON (a fault rule or an array of rules)');
    return [];
  }
  const rules: FaultRule[] = [];
  (Array.isArray(input) ? input : [input]).forEach((item, i) => {
    const parsed = parseFaultRule(item);
    if ('problems' in parsed) parsed.problems.forEach((p) => problems.push(`EMULATOR_FAULTS_PRESET rule ${i}: ${p}`));
    else rules.push(parsed);
  });
  return rules;
}

/** Where a server was asked to listen, and the variables that chose the port and host. */
export interface ListenTarget {
  host: string;
  port: number;
  portVariable: string;
  hostVariable: string;
}

/**
 * One line saying why a server could not listen and which variable to change (no stack trace:
 * a taken port is a configuration problem, not a crash).
 */
export function listenFailure(err: unknown, target: ListenTarget): string {
  const { code, syscall } = (err ?? {}) as NodeJS.ErrnoException;
  const { host, port, portVariable, hostVariable } = target;
  // Only errors of listening itself (not, say, an unreadable state file that is also EACCES).
  switch (syscall === 'listen' || syscall === 'getaddrinfo' ? code : undefined) {
    case 'EADDRINUSE':
      return `port ${port} is already in use (${host}:${port}); set ${portVariable} to a free port`;
    case 'EACCES':
      return `not permitted to listen on port ${port} (${host}:${port}); set ${portVariable} to a port above 1023`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `cannot listen on host ${host} (${code}); set ${hostVariable} to a local address`;
    default:
      return err instanceof Error ? err.message : String(err);
  }
}
