/**
 * Networking for new instances: the zone, VPC, vSwitch, security groups and
 * IP addresses. Each account has, per region, a default VPC, one default
 * vSwitch per zone and a default security group, derived deterministically
 * from the account and region; vSwitches named in RunInstances are remembered
 * with the zone and VPC they were first used with.
 */
import { createHash } from 'node:crypto';
import { zonesOf } from '../catalog/index.js';
import { EcsApiError } from '../errors.js';
import type { VSwitchRecord } from '../model.js';
import type { ActionEnv } from './context.js';
import type { RunSpec } from './run-params.js';

const ALNUM = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A stable pseudo-random resource ID derived from `seed`. */
export function derivedId(kind: string, regionPrefix: string, seed: string, len = 21): string {
  const bytes = createHash('sha256').update(seed).digest();
  let tail = '';
  for (let i = 0; tail.length < len - regionPrefix.length; i++) tail += ALNUM[bytes[i % bytes.length]! % 36];
  return `${kind}-${regionPrefix}${tail}`;
}

/** Where a RunInstances call places its instances. */
export interface Placement {
  zoneId: string;
  vSwitch: VSwitchRecord;
  securityGroupIds: string[];
}

function defaultVpcId(env: ActionEnv, spec: RunSpec): string {
  return derivedId('vpc', spec.region.idPrefix, `${env.account}|${spec.region.regionId}|vpc`);
}

function zoneIndex(spec: RunSpec, zoneId: string): number {
  return Math.max(0, zonesOf(spec.region).findIndex((z) => z.zoneId === zoneId));
}

function namedVSwitch(env: ActionEnv, spec: RunSpec, vSwitchId: string): VSwitchRecord {
  const { account, store, ids } = env;
  const known = store.findVSwitch(account, spec.region.regionId, (v) => v.vSwitchId === vSwitchId);
  if (known) {
    if (spec.zoneId !== undefined && spec.zoneId !== known.zoneId) {
      throw new EcsApiError(400, 'InvalidParameter.Mismatch', 'The specified ZoneId does not match the zone of the specified VSwitchId.');
    }
    return known;
  }
  const zoneId = spec.zoneId ?? ids.pick(zonesOf(spec.region)).zoneId;
  const rec: VSwitchRecord = {
    account,
    regionId: spec.region.regionId,
    zoneId,
    vSwitchId,
    vpcId: defaultVpcId(env, spec),
    cidrPrefix: `172.${24 + (store.vSwitches(account, spec.region.regionId).length % 8)}`,
  };
  store.addVSwitch(rec);
  return rec;
}

function defaultVSwitch(env: ActionEnv, spec: RunSpec, zoneId: string): VSwitchRecord {
  const seed = `${env.account}|${zoneId}|vsw`;
  return {
    account: env.account,
    regionId: spec.region.regionId,
    zoneId,
    vSwitchId: derivedId('vsw', spec.region.idPrefix, seed),
    vpcId: defaultVpcId(env, spec),
    cidrPrefix: `172.${16 + (zoneIndex(spec, zoneId) % 8)}`,
  };
}

/** Chooses zone, vSwitch and security groups (a random zone of the region when none is given). */
export function place(env: ActionEnv, spec: RunSpec): Placement {
  const vSwitch =
    spec.vSwitchId !== undefined
      ? namedVSwitch(env, spec, spec.vSwitchId)
      : defaultVSwitch(env, spec, spec.zoneId ?? env.ids.pick(zonesOf(spec.region)).zoneId);
  const securityGroupIds =
    spec.securityGroupIds.length > 0
      ? spec.securityGroupIds
      : [derivedId('sg', spec.region.idPrefix, `${env.account}|${spec.region.regionId}|sg`, 20)];
  return { zoneId: vSwitch.zoneId, vSwitch, securityGroupIds };
}

/** A private IP in the vSwitch's range not used by another instance of the account in the region. */
export function allocatePrivateIp(env: ActionEnv, vSwitch: VSwitchRecord, taken: Set<string>): string {
  const start = env.ids.int(256 * 253);
  for (let i = 0; i < 256 * 253; i++) {
    // Random first pick; on a clash walk on linearly, so a poor random source still terminates.
    const n = (start + i) % (256 * 253);
    const ip = `${vSwitch.cidrPrefix}.${Math.floor(n / 253)}.${1 + (n % 253)}`;
    if (!taken.has(ip)) {
      taken.add(ip);
      return ip;
    }
  }
  throw new EcsApiError(403, 'InvalidVSwitchId.IpNotEnough', 'The specified VSwitch has not enough IP addresses.');
}
