/**
 * RunInstances: creates and starts instances (Pending -> Starting -> Running),
 * with ClientToken idempotency and DryRun.
 */
import { COMMON_PARAMS } from '../../common-params.js';
import { EcsErrors } from '../errors.js';
import { begin } from '../lifecycle.js';
import type { InstanceRecord } from '../model.js';
import { NetErrors } from '../net-errors.js';
import type { Params } from '../params.js';
import type { ActionEnv, ActionResult } from './context.js';
import { createInstanceDisks } from './disks.js';
import { allocatePrivateIp, place, type Placement } from './network.js';
import { parseRunSpec, type RunSpec } from './run-params.js';

const CLIENT_TOKEN_RE = /^[\x20-\x7e]{1,64}$/;

/** Parameters that do not make two requests different: the token itself, DryRun, and the per-request signing fields. */
const NOT_FINGERPRINTED: ReadonlySet<string> = new Set(['ClientToken', 'DryRun', ...COMMON_PARAMS]);

/** The canonical form of a request, to compare ClientToken replays (empty values count as absent). */
function fingerprint(params: Params): string {
  const entries = params.entries().filter(([k, v]) => !NOT_FINGERPRINTED.has(k) && v !== '');
  return JSON.stringify(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A new instance ID not used anywhere in the store. */
function newInstanceId(env: ActionEnv, prefix: string, fresh: Set<string>): string {
  for (let attempt = 0; ; attempt++) {
    let id = env.ids.resourceId('i', prefix);
    // A degenerate random source repeats itself: make the ID unique by its attempt number.
    if (attempt >= 10) id = `${id.slice(0, -6)}${attempt.toString(36).padStart(6, '0')}`;
    if (!env.store.idTaken(id) && !fresh.has(id)) {
      fresh.add(id);
      return id;
    }
  }
}

function names(spec: RunSpec, i: number, instanceId: string): { instanceName: string; hostName: string } {
  const suffix = spec.uniqueSuffix ? String(i + 1).padStart(3, '0') : '';
  const fallback = `iZ${instanceId.slice(2)}Z`;
  return {
    instanceName: spec.instanceName === undefined ? fallback : spec.instanceName + suffix,
    hostName: spec.hostName === undefined ? fallback : spec.hostName + suffix,
  };
}

function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  d.setUTCMonth(d.getUTCMonth() + Math.floor(months));
  return d.getTime() + Math.round((months % 1) * 30 * 86_400_000);
}

function newRecord(env: ActionEnv, spec: RunSpec, at: Placement, i: number, id: string, ip: string): InstanceRecord {
  const rec: InstanceRecord = {
    account: env.account,
    regionId: spec.region.regionId,
    zoneId: at.zoneId,
    instanceId: id,
    seq: env.store.nextSeq(),
    ...names(spec, i, id),
    description: spec.description,
    imageId: spec.image.imageId,
    instanceType: spec.type.instanceTypeId,
    status: 'Pending',
    schedule: [],
    creationTime: env.now,
    startTime: null,
    stoppedMode: 'KeepCharging',
    instanceChargeType: spec.instanceChargeType,
    expiredTime: spec.instanceChargeType === 'PrePaid' ? addMonths(env.now, spec.periodMonths) : null,
    internetChargeType: spec.internetChargeType,
    internetMaxBandwidthOut: spec.internetMaxBandwidthOut,
    internetMaxBandwidthIn: spec.internetMaxBandwidthIn ?? (spec.internetMaxBandwidthOut > 0 ? 100 : -1),
    spotStrategy: spec.spotStrategy,
    vpcId: at.vSwitch.vpcId,
    vSwitchId: at.vSwitch.vSwitchId,
    privateIp: ip,
    publicIp: spec.internetMaxBandwidthOut > 0 ? env.ids.publicIp() : '',
    securityGroupIds: [...at.securityGroupIds],
    tags: spec.tags.map((t) => ({ ...t })),
    keyPairName: spec.keyPairName,
    hasPassword: spec.hasPassword,
    userData: spec.userData,
    systemDisk: spec.systemDisk,
    dataDisks: spec.dataDisks,
    serialNumber: env.ids.uuid(),
    eniId: env.ids.resourceId('eni', spec.region.idPrefix),
    macAddress: env.ids.mac(),
    deletionProtection: spec.deletionProtection,
    creditSpecification: spec.creditSpecification,
  };
  begin(rec, 'create', env.now, env.transitionMs);
  return rec;
}

/** The order's price: an hourly list price per instance, or the whole period for PrePaid. */
function tradePrice(spec: RunSpec): number {
  const hourly = spec.type.cpu * 0.06 + spec.type.memoryGiB * 0.012 + spec.internetMaxBandwidthOut * 0.063;
  const each = spec.instanceChargeType === 'PrePaid' ? hourly * 720 * spec.periodMonths * 0.85 : hourly;
  return Math.round(each * spec.amount * 1000) / 1000;
}

function create(env: ActionEnv, spec: RunSpec): Record<string, unknown> {
  const at = place(env, spec);
  if (spec.keyPairName !== '' && !env.store.net.findKeyPair(env.account, spec.region.regionId, spec.keyPairName)) {
    throw NetErrors.keyPairNotFound();
  }
  const taken = new Set(env.store.list(env.account, spec.region.regionId, env.now).map((r) => r.privateIp));
  if (spec.privateIp !== undefined && taken.has(spec.privateIp)) {
    throw EcsErrors.malformed('InvalidPrivateIpAddress.Duplicated', 'PrivateIpAddress');
  }
  const fresh = new Set<string>();
  const records: InstanceRecord[] = [];
  for (let i = 0; i < spec.amount; i++) {
    const id = newInstanceId(env, spec.region.idPrefix, fresh);
    const ip = spec.privateIp ?? allocatePrivateIp(env, at.vSwitch, taken);
    records.push(newRecord(env, spec, at, i, id, ip));
  }
  records.forEach((r) => env.store.add(r));
  records.forEach((r) => createInstanceDisks(env, r, spec.region.idPrefix));
  const ids = records.map((r) => r.instanceId);
  return { InstanceIdSets: { InstanceIdSet: ids }, OrderId: env.ids.orderId(), TradePrice: tradePrice(spec) };
}

/** RunInstances. */
export function runInstances(env: ActionEnv): ActionResult {
  const { params, store, account } = env;
  const spec = parseRunSpec(params);
  const token = params.str('ClientToken');
  if (token !== undefined && !CLIENT_TOKEN_RE.test(token)) throw EcsErrors.invalidClientToken();
  if (params.bool('DryRun')) throw EcsErrors.dryRunOperation();
  const regionId = spec.region.regionId;
  if (token !== undefined) {
    const previous = store.findToken(account, regionId, token);
    if (previous) {
      if (previous.fingerprint !== fingerprint(params)) throw EcsErrors.idempotentMismatch();
      return { body: structuredClone(previous.response), mutated: false };
    }
  }
  const body = create(env, spec);
  if (token !== undefined) {
    store.addToken({ account, regionId, token, fingerprint: fingerprint(params), response: structuredClone(body) });
  }
  return { body, mutated: true };
}
