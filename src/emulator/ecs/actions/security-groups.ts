/**
 * CreateSecurityGroup, DescribeSecurityGroups, DescribeSecurityGroupAttribute and DeleteSecurityGroup.
 * Security groups live per account and region, in a VPC (the default one unless VpcId names another known VPC).
 * Every account has a default group per region (default-network.ts), which instances started without a
 * SecurityGroupId join. A group an instance is in, or that another group's rule names, cannot be deleted
 * (DependencyViolation).
 */
import { requireRegion } from '../catalog/index.js';
import { EcsErrors } from '../errors.js';
import type { SecurityGroupRecord, SecurityGroupRule } from '../net-model.js';
import { NetErrors } from '../net-errors.js';
import { read, type ActionEnv, type ActionResult } from './context.js';
import { defaultVpcId, ensureDefaultNetwork } from './default-network.js';
import { regionParam } from './instance-ids.js';
import { pageByNumber, pageByToken } from './paging.js';
import { description, validName } from './run-params.js';
import { tagParams, tagsMatch } from './tags.js';
import { ecsSecondTime } from './vpcs.js';

/** Most instances a basic (normal) or an advanced (enterprise) group holds. */
const CAPACITY: Readonly<Record<string, number>> = { normal: 2000, enterprise: 65536 };

/** The group of the call's SecurityGroupId, or InvalidSecurityGroupId.NotFound. */
export function theSecurityGroup(env: ActionEnv, regionId: string): SecurityGroupRecord {
  const id = env.params.required('SecurityGroupId');
  ensureDefaultNetwork(env.store, env.account, regionId, env.now);
  const sg = env.store.net.findSecurityGroup(env.account, regionId, id);
  if (!sg) throw NetErrors.securityGroupNotFound();
  return sg;
}

function newSecurityGroupId(env: ActionEnv, regionId: string): string {
  const prefix = requireRegion(regionId).idPrefix;
  for (let attempt = 0; ; attempt++) {
    let id = env.ids.resourceId('sg', prefix);
    if (attempt >= 10) id = `${id.slice(0, -6)}${attempt.toString(36).padStart(6, '0')}`;
    if (!env.store.net.securityGroupIdTaken(id)) return id;
  }
}

/** CreateSecurityGroup: answers the new SecurityGroupId. */
export function createSecurityGroup(env: ActionEnv): ActionResult {
  const { params, store, account, now } = env;
  const regionId = regionParam(params);
  const name = validName(params.str('SecurityGroupName'), 'InvalidSecurityGroupName.Malformed', 'SecurityGroupName') ?? '';
  const desc = description(params);
  const type = params.str('SecurityGroupType') ?? 'normal';
  if (!(type in CAPACITY)) throw NetErrors.securityGroupTypeInvalid();
  const tags = tagParams(params, 'Tag');
  params.bool('ServiceManaged');
  ensureDefaultNetwork(store, account, regionId, now);
  const vpcId = params.str('VpcId') ?? defaultVpcId(account, requireRegion(regionId));
  if (!store.net.vpcs(account, regionId).some((v) => v.vpcId === vpcId)) throw NetErrors.vpcNotFound();
  const sg: SecurityGroupRecord = {
    account,
    regionId,
    securityGroupId: newSecurityGroupId(env, regionId),
    securityGroupName: name,
    description: desc,
    vpcId,
    securityGroupType: type,
    resourceGroupId: params.str('ResourceGroupId') ?? '',
    creationTime: now,
    isDefault: false,
    rules: [],
    tags,
  };
  store.net.addSecurityGroup(sg);
  return { body: { SecurityGroupId: sg.securityGroupId }, mutated: true };
}

function instancesIn(env: ActionEnv, sg: SecurityGroupRecord): number {
  return env.store.list(env.account, sg.regionId, env.now).filter((r) => r.securityGroupIds.includes(sg.securityGroupId)).length;
}

function renderGroup(env: ActionEnv, sg: SecurityGroupRecord): Record<string, unknown> {
  const ecsCount = instancesIn(env, sg);
  return {
    SecurityGroupId: sg.securityGroupId,
    SecurityGroupName: sg.securityGroupName,
    Description: sg.description,
    VpcId: sg.vpcId,
    SecurityGroupType: sg.securityGroupType,
    CreationTime: ecsSecondTime(sg.creationTime),
    ResourceGroupId: sg.resourceGroupId,
    ServiceManaged: false,
    RuleCount: sg.rules.length,
    GroupToGroupRuleCount: sg.rules.filter((r) => r.sourceGroupId !== '' || r.destGroupId !== '').length,
    EcsCount: ecsCount,
    AvailableInstanceAmount: (CAPACITY[sg.securityGroupType] ?? 2000) - ecsCount,
    Tags: { Tag: sg.tags.map((t) => ({ TagKey: t.key, TagValue: t.value })) },
  };
}

function groupFilter(env: ActionEnv): (sg: SecurityGroupRecord) => boolean {
  const { params } = env;
  const ids = params.jsonStrings('SecurityGroupIds') ?? [];
  if (ids.length > 100) throw EcsErrors.invalidParameter('SecurityGroupIds');
  const one = params.str('SecurityGroupId');
  const name = params.str('SecurityGroupName');
  const fuzzy = params.bool('FuzzyQuery');
  const [vpcId, type, rg] = ['VpcId', 'SecurityGroupType', 'ResourceGroupId'].map((n) => params.str(n));
  const network = params.str('NetworkType');
  if (network !== undefined && network !== 'vpc' && network !== 'classic') throw EcsErrors.invalidParameter('NetworkType');
  const tags = params.tags('Tag', 20);
  params.bool('IsQueryEcsCount');
  params.bool('ServiceManaged');
  return (sg) =>
    (ids.length === 0 || ids.includes(sg.securityGroupId)) &&
    (one === undefined || sg.securityGroupId === one) &&
    (name === undefined || (fuzzy ? sg.securityGroupName.includes(name) : sg.securityGroupName === name)) &&
    (vpcId === undefined || sg.vpcId === vpcId) &&
    (type === undefined || sg.securityGroupType === type) &&
    (rg === undefined || sg.resourceGroupId === rg) &&
    network !== 'classic' &&
    tagsMatch(tags, sg.tags);
}

/**
 * DescribeSecurityGroups: filters; PageNumber/PageSize (default 10, max 50) or, when NextToken or MaxResults is
 * given, NextToken/MaxResults (max 100).
 */
export function describeSecurityGroups(env: ActionEnv): ActionResult {
  const { params, store, account, now } = env;
  const regionId = regionParam(params);
  const made = ensureDefaultNetwork(store, account, regionId, now);
  const matches = store.net.securityGroups(account, regionId).filter(groupFilter(env));
  const tokenMode = params.str('NextToken') !== undefined || params.str('MaxResults') !== undefined;
  const page = tokenMode
    ? pageByToken(matches, params, `DescribeSecurityGroups|${account}|${regionId}`, { defaultSize: 10, maxSize: 100 })
    : pageByNumber(matches, params, { defaultSize: 10, maxSize: 50 });
  if (params.bool('DryRun')) throw EcsErrors.dryRunOperation();
  return {
    body: {
      RegionId: regionId,
      SecurityGroups: { SecurityGroup: page.items.map((sg) => renderGroup(env, sg)) },
      TotalCount: page.totalCount,
      PageNumber: page.pageNumber,
      PageSize: page.pageSize,
      NextToken: page.nextToken,
    },
    mutated: made,
  };
}

function groupName(env: ActionEnv, regionId: string, id: string): string {
  return id === '' ? '' : env.store.net.findSecurityGroup(env.account, regionId, id)?.securityGroupName ?? '';
}

/** The `Permission` element of DescribeSecurityGroupAttribute. */
export function renderRule(env: ActionEnv, regionId: string, r: SecurityGroupRule): Record<string, unknown> {
  return {
    SecurityGroupRuleId: r.ruleId,
    Direction: r.direction,
    IpProtocol: r.ipProtocol,
    PortRange: r.portRange,
    SourcePortRange: r.sourcePortRange,
    SourceCidrIp: r.sourceCidrIp,
    Ipv6SourceCidrIp: r.ipv6SourceCidrIp,
    SourceGroupId: r.sourceGroupId,
    SourceGroupName: groupName(env, regionId, r.sourceGroupId),
    SourceGroupOwnerAccount: '',
    SourcePrefixListId: r.sourcePrefixListId,
    SourcePrefixListName: '',
    DestCidrIp: r.destCidrIp,
    Ipv6DestCidrIp: r.ipv6DestCidrIp,
    DestGroupId: r.destGroupId,
    DestGroupName: groupName(env, regionId, r.destGroupId),
    DestGroupOwnerAccount: '',
    DestPrefixListId: r.destPrefixListId,
    DestPrefixListName: '',
    PortRangeListId: '',
    PortRangeListName: '',
    Policy: r.policy,
    Priority: String(r.priority),
    NicType: r.nicType,
    Description: r.description,
    CreateTime: ecsSecondTime(r.createTime),
  };
}

/** DescribeSecurityGroupAttribute: the group and its rules (Direction ingress, egress or all). */
export function describeSecurityGroupAttribute(env: ActionEnv): ActionResult {
  const { params } = env;
  const regionId = regionParam(params);
  const direction = params.oneOf('Direction', ['ingress', 'egress', 'all'] as const, 'all');
  params.oneOf('NicType', ['internet', 'intranet'], 'intranet');
  params.str('Attribute');
  const sg = theSecurityGroup(env, regionId);
  const rules = sg.rules.filter((r) => direction === 'all' || r.direction === direction);
  const tokenMode = params.str('NextToken') !== undefined || params.str('MaxResults') !== undefined;
  const page = tokenMode
    ? pageByToken(rules, params, `DescribeSecurityGroupAttribute|${env.account}|${sg.securityGroupId}`, { defaultSize: 500, maxSize: 1000 })
    : { items: rules, nextToken: '' };
  return read({
    RegionId: regionId,
    SecurityGroupId: sg.securityGroupId,
    SecurityGroupName: sg.securityGroupName,
    Description: sg.description,
    VpcId: sg.vpcId,
    InnerAccessPolicy: 'Accept',
    Permissions: { Permission: page.items.map((r) => renderRule(env, regionId, r)) },
    NextToken: page.nextToken,
  });
}

/** DeleteSecurityGroup: DependencyViolation while an instance is in it or another group's rule names it. */
export function deleteSecurityGroup(env: ActionEnv): ActionResult {
  const { store, account } = env;
  const regionId = regionParam(env.params);
  const sg = theSecurityGroup(env, regionId);
  if (instancesIn(env, sg) > 0) throw NetErrors.securityGroupInUse();
  const referenced = store.net
    .securityGroups(account, regionId)
    .some((g) => g !== sg && g.rules.some((r) => r.sourceGroupId === sg.securityGroupId || r.destGroupId === sg.securityGroupId));
  if (referenced) throw NetErrors.securityGroupReferenced();
  store.net.removeSecurityGroup(account, regionId, sg.securityGroupId);
  return { body: {}, mutated: true };
}
