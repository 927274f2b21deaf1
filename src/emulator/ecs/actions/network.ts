/**
 * Networking for new instances: the zone, VPC, vSwitch, security groups and
 * IP addresses. Each account has, per region, a default VPC, one default
 * vSwitch per zone and a default security group, derived deterministically
 * from the account and region (default-network.ts); vSwitches named in
 * RunInstances are remembered with the zone and VPC they were first used with.
 * Security groups named in RunInstances must exist, in the vSwitch's VPC.
 */
import { createHash } from 'node:crypto';
import { zonesOf } from '../catalog/index.js';
import { EcsApiError } from '../errors.js';
import { NetErrors } from '../net-errors.js';
import type { VSwitchRecord } from '../model.js';
import type { ActionEnv } from './context.js';
import { defaultSecurityGroupId, defaultVpcId, defaultVSwitchRecord, ensureDefaultNetwork } from './default-network.js';
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
    vpcId: defaultVpcId(account, spec.region),
    cidrPrefix: `172.${24 + (store.vSwitches(account, spec.region.regionId).filter((v) => !v.isDefault).length % 8)}`,
    isDefault: false,
    creationTime: env.now,
  };
  store.addVSwitch(rec);
  return rec;
}

function defaultVSwitch(env: ActionEnv, spec: RunSpec, zoneId: string): VSwitchRecord {
  const rec = defaultVSwitchRecord(env.account, spec.region, zoneId, env.now);
  return env.store.findVSwitch(env.account, spec.region.regionId, (v) => v.vSwitchId === rec.vSwitchId) ?? rec;
}

/** The security groups asked for (each must exist, in the vSwitch's VPC), or the default one. */
function securityGroups(env: ActionEnv, spec: RunSpec, vSwitch: VSwitchRecord): string[] {
  const ids = spec.securityGroupIds.length > 0 ? spec.securityGroupIds : [defaultSecurityGroupId(env.account, spec.region)];
  for (const id of ids) {
    const sg = env.store.net.findSecurityGroup(env.account, spec.region.regionId, id);
    if (!sg) throw NetErrors.securityGroupNotFound();
    if (sg.vpcId !== vSwitch.vpcId) throw NetErrors.securityGroupVpcMismatch();
  }
  return ids;
}

/**
 * Chooses zone, vSwitch and security groups (a random zone of the region when none is given), making the
 * account's default network in the region first if it has none.
 */
export function place(env: ActionEnv, spec: RunSpec): Placement {
  ensureDefaultNetwork(env.store, env.account, spec.region.regionId, env.now);
  const vSwitch =
    spec.vSwitchId !== undefined
      ? namedVSwitch(env, spec, spec.vSwitchId)
      : defaultVSwitch(env, spec, spec.zoneId ?? env.ids.pick(zonesOf(spec.region)).zoneId);
  return { zoneId: vSwitch.zoneId, vSwitch, securityGroupIds: securityGroups(env, spec, vSwitch) };
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
