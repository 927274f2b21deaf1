/**
 * DescribeVpcs and DescribeVSwitches (VPC-API actions that ECS's SDK also carries): the account's default VPC of
 * the region (made on first use, see default-network.ts) with its vSwitches, plus the vSwitches RunInstances
 * was given by ID. PageNumber/PageSize paging (default 10, max 50).
 */
import { zonesOf, requireRegion } from '../catalog/index.js';
import { EcsErrors } from '../errors.js';
import type { VSwitchRecord } from '../model.js';
import type { VpcRecord } from '../net-model.js';
import { commaList } from '../params.js';
import type { ActionEnv, ActionResult } from './context.js';
import { ensureDefaultNetwork } from './default-network.js';
import { regionParam } from './instance-ids.js';
import { pageByNumber } from './paging.js';

/** ECS's second-precision UTC time, e.g. `2024-05-01T08:00:00Z`. */
export function ecsSecondTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

function optionalBool(env: ActionEnv, name: string): boolean | undefined {
  return env.params.str(name) === undefined ? undefined : env.params.bool(name);
}

function renderVpc(vpc: VpcRecord, vSwitches: VSwitchRecord[]): Record<string, unknown> {
  return {
    VpcId: vpc.vpcId,
    RegionId: vpc.regionId,
    Status: 'Available',
    VpcName: vpc.vpcName,
    CreationTime: ecsSecondTime(vpc.creationTime),
    CidrBlock: vpc.cidrBlock,
    VRouterId: vpc.vRouterId,
    Description: vpc.description,
    IsDefault: vpc.isDefault,
    UserCidrs: { UserCidr: [] },
    VSwitchIds: { VSwitchId: vSwitches.filter((v) => v.vpcId === vpc.vpcId).map((v) => v.vSwitchId) },
  };
}

/** Addresses a /16 vSwitch offers: 65536 minus the network's 4 reserved ones, minus those in use. */
function availableIps(env: ActionEnv, v: VSwitchRecord): number {
  const used = env.store.list(env.account, v.regionId, env.now).filter((r) => r.vSwitchId === v.vSwitchId).length;
  return 65532 - used;
}

function renderVSwitch(env: ActionEnv, v: VSwitchRecord): Record<string, unknown> {
  return {
    VSwitchId: v.vSwitchId,
    VpcId: v.vpcId,
    Status: 'Available',
    CidrBlock: `${v.cidrPrefix}.0.0/16`,
    ZoneId: v.zoneId,
    AvailableIpAddressCount: availableIps(env, v),
    Description: '',
    VSwitchName: '',
    CreationTime: ecsSecondTime(v.creationTime ?? 0),
    IsDefault: v.isDefault ?? false,
    ResourceGroupId: '',
  };
}

/** DescribeVpcs: filters VpcId (comma-separated, up to 20) and IsDefault. */
export function describeVpcs(env: ActionEnv): ActionResult {
  const { params, store, account, now } = env;
  const regionId = regionParam(params);
  const made = ensureDefaultNetwork(store, account, regionId, now);
  const ids = commaList(params.str('VpcId'));
  if (ids.length > 20) throw EcsErrors.invalidParameter('VpcId');
  const isDefault = optionalBool(env, 'IsDefault');
  const matches = store.net
    .vpcs(account, regionId)
    .filter((v) => (ids.length === 0 || ids.includes(v.vpcId)) && (isDefault === undefined || v.isDefault === isDefault));
  const page = pageByNumber(matches, params, { defaultSize: 10, maxSize: 50 });
  const vSwitches = store.vSwitches(account, regionId);
  return {
    body: {
      Vpcs: { Vpc: page.items.map((v) => renderVpc(v, vSwitches)) },
      TotalCount: page.totalCount,
      PageNumber: page.pageNumber,
      PageSize: page.pageSize,
    },
    mutated: made,
  };
}

/** DescribeVSwitches: filters VpcId, VSwitchId, ZoneId and IsDefault. */
export function describeVSwitches(env: ActionEnv): ActionResult {
  const { params, store, account, now } = env;
  const regionId = regionParam(params);
  const made = ensureDefaultNetwork(store, account, regionId, now);
  const [vpcId, vSwitchId, zoneId] = ['VpcId', 'VSwitchId', 'ZoneId'].map((n) => params.str(n));
  if (zoneId !== undefined && !zonesOf(requireRegion(regionId)).some((z) => z.zoneId === zoneId)) throw EcsErrors.zoneNotFound();
  const isDefault = optionalBool(env, 'IsDefault');
  const matches = store
    .vSwitches(account, regionId)
    .filter(
      (v) =>
        (vpcId === undefined || v.vpcId === vpcId) &&
        (vSwitchId === undefined || v.vSwitchId === vSwitchId) &&
        (zoneId === undefined || v.zoneId === zoneId) &&
        (isDefault === undefined || (v.isDefault ?? false) === isDefault),
    );
  const page = pageByNumber(matches, params, { defaultSize: 10, maxSize: 50 });
  return {
    body: {
      VSwitches: { VSwitch: page.items.map((v) => renderVSwitch(env, v)) },
      TotalCount: page.totalCount,
      PageNumber: page.pageNumber,
      PageSize: page.pageSize,
    },
    mutated: made,
  };
}
