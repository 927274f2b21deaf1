/**
 * Validation of snapshots handed to restore(): garbage is rejected with a
 * TypeError naming what is wrong, so a corrupt state file never half-loads.
 */
import { parseInvocations } from './invocations.js';
import { INSTANCE_STATUSES, type InstanceRecord, type StoreData } from './model.js';
import { parseStorage } from './storage-snapshot.js';
import { parseNetworkData } from './net-snapshot.js';

function fail(what: string): never {
  throw new TypeError(`invalid ECS emulator snapshot: ${what}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function requireArray(obj: Record<string, unknown>, key: string): unknown[] {
  const v = obj[key];
  if (!Array.isArray(v)) fail(`${key} must be an array`);
  return v;
}

function requireFields(obj: unknown, where: string, fields: Record<string, string>): void {
  if (!isObject(obj)) fail(`${where} must be an object`);
  for (const [key, type] of Object.entries(fields)) {
    const v = obj[key];
    const ok = type === 'array' ? Array.isArray(v) : type === 'number|null' ? v === null || typeof v === 'number' : typeof v === type;
    if (!ok) fail(`${where}.${key} must be ${type}`);
  }
}

const INSTANCE_FIELDS: Record<string, string> = {
  account: 'string',
  regionId: 'string',
  zoneId: 'string',
  instanceId: 'string',
  seq: 'number',
  instanceName: 'string',
  hostName: 'string',
  imageId: 'string',
  instanceType: 'string',
  status: 'string',
  schedule: 'array',
  creationTime: 'number',
  startTime: 'number|null',
  securityGroupIds: 'array',
  tags: 'array',
  hasPassword: 'boolean',
};

function checkInstance(v: unknown, i: number): void {
  requireFields(v, `instances[${i}]`, INSTANCE_FIELDS);
  const rec = v as InstanceRecord;
  if (!INSTANCE_STATUSES.includes(rec.status)) fail(`instances[${i}].status is unknown`);
  for (const s of rec.schedule) {
    if (!isObject(s) || typeof s.at !== 'number' || !INSTANCE_STATUSES.includes(s.status as never)) {
      fail(`instances[${i}].schedule is malformed`);
    }
  }
  if ('password' in (v as object)) fail(`instances[${i}] must not hold a password`);
}

/** Checks that `v` is a StoreData snapshot and returns it typed. */
export function parseStoreData(v: unknown): StoreData {
  if (!isObject(v)) fail('not an object');
  if (v.version !== 1) fail('unsupported version');
  if (typeof v.seq !== 'number' || !Number.isSafeInteger(v.seq)) fail('seq must be an integer');
  requireArray(v, 'instances').forEach(checkInstance);
  requireArray(v, 'clientTokens').forEach((t, i) =>
    requireFields(t, `clientTokens[${i}]`, { account: 'string', regionId: 'string', token: 'string', fingerprint: 'string', response: 'object' }),
  );
  requireArray(v, 'vSwitches').forEach((s, i) =>
    requireFields(s, `vSwitches[${i}]`, { account: 'string', regionId: 'string', zoneId: 'string', vSwitchId: 'string', vpcId: 'string', cidrPrefix: 'string' }),
  );
  v.invocations = parseInvocations(v.invocations);
  v.storage = parseStorage(v.storage);
  parseNetworkData(v);
  return v as unknown as StoreData;
}
