/**
 * Snapshot validation of the networking records (VPCs, security groups, key pairs). Snapshots written before
 * these records existed have none of the three arrays: they read as empty.
 */
import type { StoreData } from './model.js';

function fail(what: string): never {
  throw new TypeError(`invalid ECS emulator snapshot: ${what}`);
}

const FIELDS: Record<'vpcs' | 'securityGroups' | 'keyPairs', Record<string, string>> = {
  vpcs: { account: 'string', regionId: 'string', vpcId: 'string', cidrBlock: 'string', isDefault: 'boolean', creationTime: 'number' },
  securityGroups: {
    account: 'string', regionId: 'string', securityGroupId: 'string', securityGroupName: 'string', vpcId: 'string',
    creationTime: 'number', rules: 'array', tags: 'array',
  },
  keyPairs: {
    account: 'string', regionId: 'string', keyPairName: 'string', fingerprint: 'string', publicKey: 'string',
    creationTime: 'number', tags: 'array',
  },
};

function check(obj: unknown, where: string, fields: Record<string, string>): void {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) fail(`${where} must be an object`);
  for (const [key, type] of Object.entries(fields)) {
    const v = (obj as Record<string, unknown>)[key];
    if (type === 'array' ? !Array.isArray(v) : typeof v !== type) fail(`${where}.${key} must be ${type}`);
  }
}

/** Checks (and defaults to []) the networking arrays of a snapshot object; throws TypeError on garbage. */
export function parseNetworkData(v: Record<string, unknown>): void {
  for (const key of ['vpcs', 'securityGroups', 'keyPairs'] as const) {
    if (v[key] === undefined) v[key] = [];
    const list = v[key];
    if (!Array.isArray(list)) fail(`${key} must be an array`);
    list.forEach((item, i) => check(item, `${key}[${i}]`, FIELDS[key]));
  }
  for (const [i, kp] of (v.keyPairs as unknown[]).entries()) {
    if (Object.keys(kp as object).some((k) => /private/i.test(k))) fail(`keyPairs[${i}] must not hold a private key`);
  }
}

/** The empty networking part of a fresh store. */
export function emptyNetworkData(): Pick<StoreData, 'vpcs' | 'securityGroups' | 'keyPairs'> {
  return { vpcs: [], securityGroups: [], keyPairs: [] };
}
