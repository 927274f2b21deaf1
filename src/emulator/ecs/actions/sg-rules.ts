/**
 * AuthorizeSecurityGroup / AuthorizeSecurityGroupEgress and RevokeSecurityGroup / RevokeSecurityGroupEgress.
 *
 * A rule comes either from the old flat parameters (IpProtocol, PortRange, SourceCidrIp, …) or from
 * Permissions.N.* (up to 100 rules per call), not both. Each rule is checked:
 * - IpProtocol tcp, udp, icmp, icmpv6, gre or all (any case) → InvalidIpProtocol.Malformed otherwise;
 * - PortRange `from/to`: 1-65535 with from ≤ to for tcp and udp (required), `-1/-1` for the others (the default);
 *   SourcePortRange likewise, optional;
 * - exactly one peer: SourceCidrIp / Ipv6SourceCidrIp / SourceGroupId / SourcePrefixListId for ingress,
 *   DestCidrIp / Ipv6DestCidrIp / DestGroupId / DestPrefixListId for egress; IPv4 and IPv6 CIDRs (or plain
 *   addresses) are checked, a group must exist in the account and region;
 * - Policy accept/drop, Priority 1-100, NicType intranet (a VPC group's only kind).
 * A rule equal to one the group has (same direction, protocol, ports, peer, policy and NIC type; priority and
 * description do not count) → InvalidPermission.Duplicate, and nothing is added; more than 200 rules in a group
 * → AuthorizationLimitExceed. Revoke removes the rules matching each given rule (none matching is no error), or
 * the rules named by SecurityGroupRuleId.N (each must exist in that direction).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { requireRegion } from '../catalog/index.js';
import { EcsErrors } from '../errors.js';
import type { RuleDirection, SecurityGroupRecord, SecurityGroupRule } from '../net-model.js';
import { NetErrors } from '../net-errors.js';
import type { ActionEnv, ActionHandler, ActionResult } from './context.js';
import { regionParam } from './instance-ids.js';
import { theSecurityGroup } from './security-groups.js';

/** Most rules (inbound and outbound together) in one group. */
export const MAX_RULES = 200;

const PROTOCOLS = ['TCP', 'UDP', 'ICMP', 'ICMPV6', 'GRE', 'ALL'];
const RULE_FIELDS = [
  'IpProtocol', 'PortRange', 'SourcePortRange', 'SourceCidrIp', 'Ipv6SourceCidrIp', 'SourceGroupId', 'SourcePrefixListId',
  'DestCidrIp', 'Ipv6DestCidrIp', 'DestGroupId', 'DestPrefixListId', 'Policy', 'Priority', 'NicType', 'Description',
  'SourceGroupOwnerAccount', 'SourceGroupOwnerId', 'DestGroupOwnerAccount', 'DestGroupOwnerId', 'PortRangeListId',
];

type Get = (name: string) => string | undefined;
type RuleSpec = Omit<SecurityGroupRule, 'ruleId' | 'createTime'>;

function portRange(v: string | undefined, protocol: string, required: boolean, error: () => Error): string {
  const ranged = protocol === 'TCP' || protocol === 'UDP';
  if (v === undefined) {
    if (ranged && required) throw EcsErrors.missingParameter('PortRange');
    return ranged ? '' : '-1/-1';
  }
  const m = /^(-?\d{1,5})\/(-?\d{1,5})$/.exec(v);
  if (!m) throw error();
  const [from, to] = [Number(m[1]), Number(m[2])];
  const ok = ranged ? from >= 1 && to <= 65535 && from <= to : from === -1 && to === -1;
  if (!ok) throw error();
  return `${from}/${to}`;
}

function ipv4Cidr(v: string | undefined, error: () => Error): string {
  if (v === undefined) return '';
  const [addr, len, ...rest] = v.split('/');
  const ok = rest.length === 0 && isIPv4(addr!) && (len === undefined || (/^\d{1,2}$/.test(len) && Number(len) <= 32));
  if (!ok) throw error();
  return v;
}

function ipv6Cidr(v: string | undefined, name: string): string {
  if (v === undefined) return '';
  const [addr, len, ...rest] = v.split('/');
  const ok = rest.length === 0 && isIPv6(addr!) && (len === undefined || (/^\d{1,3}$/.test(len) && Number(len) <= 128));
  if (!ok) throw NetErrors.ipv6CidrMalformed(name);
  return v.toLowerCase();
}

function groupRef(env: ActionEnv, sg: SecurityGroupRecord, v: string | undefined, check: boolean, error: () => Error): string {
  if (v === undefined) return '';
  if (check && !env.store.net.findSecurityGroup(env.account, sg.regionId, v)) throw error();
  return v;
}

/** Parses one rule from `get` (flat or `Permissions.N.` names). `check`: referenced groups must exist. */
function parseRule(env: ActionEnv, sg: SecurityGroupRecord, direction: RuleDirection, get: Get, check: boolean): RuleSpec {
  const rawProtocol = get('IpProtocol');
  if (rawProtocol === undefined) throw EcsErrors.missingParameter('IpProtocol');
  const ipProtocol = rawProtocol.toUpperCase();
  if (!PROTOCOLS.includes(ipProtocol)) throw NetErrors.ipProtocolMalformed();
  const policy = (get('Policy') ?? 'accept').toLowerCase();
  if (policy !== 'accept' && policy !== 'drop') throw NetErrors.policyMalformed();
  const priorityText = get('Priority') ?? '1';
  const priority = /^\d{1,3}$/.test(priorityText) ? Number(priorityText) : NaN;
  if (!(priority >= 1 && priority <= 100)) throw NetErrors.priorityMalformed();
  const nicType = get('NicType') ?? 'intranet';
  if (nicType !== 'intranet') throw NetErrors.nicTypeInvalid();
  const description = get('Description') ?? '';
  if (description.length > 512 || /^https?:\/\//.test(description)) throw NetErrors.descriptionMalformed();
  const rule: RuleSpec = {
    direction,
    ipProtocol,
    portRange: portRange(get('PortRange'), ipProtocol, true, NetErrors.portRangeMalformed),
    sourcePortRange: portRange(get('SourcePortRange'), ipProtocol, false, NetErrors.sourcePortRangeMalformed),
    sourceCidrIp: ipv4Cidr(get('SourceCidrIp'), NetErrors.sourceCidrMalformed),
    ipv6SourceCidrIp: ipv6Cidr(get('Ipv6SourceCidrIp'), 'Ipv6SourceCidrIp'),
    sourceGroupId: groupRef(env, sg, get('SourceGroupId'), check, NetErrors.sourceGroupNotFound),
    sourcePrefixListId: get('SourcePrefixListId') ?? '',
    destCidrIp: ipv4Cidr(get('DestCidrIp'), NetErrors.destCidrMalformed),
    ipv6DestCidrIp: ipv6Cidr(get('Ipv6DestCidrIp'), 'Ipv6DestCidrIp'),
    destGroupId: groupRef(env, sg, get('DestGroupId'), check, NetErrors.destGroupNotFound),
    destPrefixListId: get('DestPrefixListId') ?? '',
    policy: policy === 'accept' ? 'Accept' : 'Drop',
    priority,
    nicType,
    description,
  };
  if (rule.sourcePortRange === '-1/-1') rule.sourcePortRange = '';
  const peers =
    direction === 'ingress'
      ? { SourceCidrIp: rule.sourceCidrIp, Ipv6SourceCidrIp: rule.ipv6SourceCidrIp, SourceGroupId: rule.sourceGroupId, SourcePrefixListId: rule.sourcePrefixListId }
      : { DestCidrIp: rule.destCidrIp, Ipv6DestCidrIp: rule.ipv6DestCidrIp, DestGroupId: rule.destGroupId, DestPrefixListId: rule.destPrefixListId };
  const given = Object.entries(peers).filter(([, v]) => v !== '');
  if (given.length === 0) throw EcsErrors.missingParameter(direction === 'ingress' ? 'SourceCidrIp' : 'DestCidrIp');
  if (given.length > 1) throw EcsErrors.invalidParameter(given[1]![0]);
  return rule;
}

/** What makes two rules the same rule. */
function identity(r: RuleSpec): string {
  return JSON.stringify([
    r.direction, r.ipProtocol, r.portRange, r.sourcePortRange, r.nicType, r.policy,
    r.sourceCidrIp, r.ipv6SourceCidrIp, r.sourceGroupId, r.sourcePrefixListId,
    r.destCidrIp, r.ipv6DestCidrIp, r.destGroupId, r.destPrefixListId,
  ]);
}

/** The rules of the call: Permissions.N.* or the flat parameters (not both); none when neither is given. */
function ruleGetters(env: ActionEnv): Get[] {
  const { params } = env;
  const indexes = [...new Set(params.indexed(/^Permissions\.(\d+)\./).map(([n]) => n))];
  const flat = RULE_FIELDS.some((f) => params.str(f) !== undefined);
  if (indexes.length > 0 && flat) throw EcsErrors.invalidParameter('Permissions');
  if (indexes.length > 100) throw EcsErrors.invalidParameter('Permissions');
  if (indexes.length > 0) return indexes.map((n) => (name: string) => params.str(`Permissions.${n}.${name}`));
  return flat ? [(name: string) => params.str(name)] : [];
}

function authorize(direction: RuleDirection): ActionHandler {
  return (env: ActionEnv): ActionResult => {
    const regionId = regionParam(env.params);
    env.params.str('ClientToken');
    const sg = theSecurityGroup(env, regionId);
    const getters = ruleGetters(env);
    if (getters.length === 0) throw EcsErrors.missingParameter('IpProtocol');
    const rules = getters.map((get) => parseRule(env, sg, direction, get, true));
    const seen = new Set(sg.rules.map(identity));
    for (const r of rules) {
      const key = identity(r);
      if (seen.has(key)) throw NetErrors.permissionDuplicate();
      seen.add(key);
    }
    if (sg.rules.length + rules.length > MAX_RULES) throw NetErrors.ruleLimit();
    const prefix = requireRegion(regionId).idPrefix;
    for (const r of rules) sg.rules.push({ ...r, ruleId: env.ids.resourceId('sgr', prefix), createTime: env.now });
    return { body: {}, mutated: true };
  };
}

function revoke(direction: RuleDirection): ActionHandler {
  return (env: ActionEnv): ActionResult => {
    const regionId = regionParam(env.params);
    env.params.str('ClientToken');
    const sg = theSecurityGroup(env, regionId);
    const ruleIds = env.params.list('SecurityGroupRuleId');
    const getters = ruleGetters(env);
    if (ruleIds.length > 0 && getters.length > 0) throw EcsErrors.invalidParameter('SecurityGroupRuleId');
    if (ruleIds.length === 0 && getters.length === 0) throw EcsErrors.missingParameter('IpProtocol');
    const before = sg.rules.length;
    if (ruleIds.length > 0) {
      for (const id of ruleIds) {
        if (!sg.rules.some((r) => r.ruleId === id && r.direction === direction)) throw NetErrors.ruleIdNotFound();
      }
      sg.rules = sg.rules.filter((r) => !ruleIds.includes(r.ruleId));
    } else {
      const gone = new Set(getters.map((get) => identity(parseRule(env, sg, direction, get, false))));
      sg.rules = sg.rules.filter((r) => !gone.has(identity(r)));
    }
    return { body: {}, mutated: sg.rules.length !== before };
  };
}

/** AuthorizeSecurityGroup: inbound rules. */
export const authorizeSecurityGroup = authorize('ingress');
/** AuthorizeSecurityGroupEgress: outbound rules. */
export const authorizeSecurityGroupEgress = authorize('egress');
/** RevokeSecurityGroup: removes inbound rules. */
export const revokeSecurityGroup = revoke('ingress');
/** RevokeSecurityGroupEgress: removes outbound rules. */
export const revokeSecurityGroupEgress = revoke('egress');
