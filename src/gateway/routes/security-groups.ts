import { z } from 'zod';
import { idList, intish, pageNumber, pageSize, text } from '../schemas/common.js';
import { address, addressKind, port, protocol, securityGroupId, tags } from '../schemas/resources.js';
import { queryTags, region, requestId, routesPlugin } from './declare.js';
import type { CuratedRoute, Field } from './factory.js';

const clientToken = () => z.string().regex(/^[\x20-\x7e]{1,64}$/, 'must be 1-64 ASCII characters').optional().describe('Idempotency token');
const onGroup = { securityGroupId: { schema: securityGroupId(), param: 'SecurityGroupId' } };

/**
 * A rule in the names people use, filling the one item of ECS's `Permissions` list (the form that is not
 * deprecated; ECS's flat IpProtocol/PortRange/SourceCidrIp parameters are). `source` and `destination`
 * fill the parameter their shape says: an IPv4 CIDR block SourceCidrIp, an IPv6 one Ipv6SourceCidrIp, a
 * security group SourceGroupId (DestCidrIp, Ipv6DestCidrIp, DestGroupId for `destination`).
 */
const ruleFields: Record<string, Field> = {
  regionId: region(),
  direction: { schema: z.enum(['ingress', 'egress']).default('ingress').describe('ingress (default: AuthorizeSecurityGroup / RevokeSecurityGroup) or egress (the …Egress actions)'), param: null },
  protocol: { schema: protocol().optional(), param: ['Permissions', 'IpProtocol'] },
  port: { schema: port().optional(), param: ['Permissions', 'PortRange'] },
  source: {
    schema: address('source (ingress: who may connect)').optional(),
    param: { params: { 'an IPv4 CIDR block': ['Permissions', 'SourceCidrIp'], 'an IPv6 CIDR block': ['Permissions', 'Ipv6SourceCidrIp'], 'a security group id': ['Permissions', 'SourceGroupId'] }, pick: addressKind },
  },
  destination: {
    schema: address('destination (egress: where the instances may connect)').optional(),
    param: { params: { 'an IPv4 CIDR block': ['Permissions', 'DestCidrIp'], 'an IPv6 CIDR block': ['Permissions', 'Ipv6DestCidrIp'], 'a security group id': ['Permissions', 'DestGroupId'] }, pick: addressKind },
  },
  sourcePort: { schema: port().optional().describe('Source port or range, as `port`'), param: ['Permissions', 'SourcePortRange'] },
  policy: { schema: z.enum(['accept', 'drop']).optional().describe('accept (default) or drop'), param: ['Permissions', 'Policy'] },
  priority: { schema: intish(1, 100).optional().describe('1 (highest, default) to 100'), param: ['Permissions', 'Priority'] },
  description: { schema: text(512).optional(), param: ['Permissions', 'Description'] },
  clientToken: clientToken(),
};

const PORTED = new Set(['TCP', 'UDP']);
type Rule = Record<string, unknown>;

/**
 * Rules across fields: tcp and udp take a port, other protocols none (they get ECS's `-1/-1`); ingress
 * needs a source, egress a destination; with `revokable`, rule ids may stand for the rule.
 */
function ruleChecks(input: z.ZodObject, revokable: boolean): z.ZodType {
  return input.superRefine((b: Rule, ctx) => {
    const byIds = revokable && b.ruleIds !== undefined;
    const ruleGiven = ['protocol', 'port', 'source', 'destination', 'sourcePort', 'policy', 'priority', 'description'].some((k) => b[k] !== undefined);
    if (byIds && ruleGiven) ctx.addIssue({ code: 'custom', path: ['ruleIds'], message: 'give ruleIds or a rule, not both' });
    if (byIds) return;
    if (b.protocol === undefined) ctx.addIssue({ code: 'custom', path: ['protocol'], message: revokable ? 'give protocol (and the rule) or ruleIds' : 'required: tcp, udp, icmp, icmpv6, gre or all' });
    if (typeof b.protocol === 'string' && PORTED.has(b.protocol) && b.port === undefined) ctx.addIssue({ code: 'custom', path: ['port'], message: `required for ${b.protocol.toLowerCase()} rules: a port (443) or a range ("8000-8080")` });
    if (typeof b.protocol === 'string' && !PORTED.has(b.protocol) && b.port !== undefined) ctx.addIssue({ code: 'custom', path: ['port'], message: `${b.protocol.toLowerCase()} rules take no port` });
    const side = b.direction === 'egress' ? 'destination' : 'source';
    if (b[side] === undefined) ctx.addIssue({ code: 'custom', path: [side], message: `required for ${String(b.direction)} rules: a CIDR block or a security group id` });
  }).transform((b: Rule) => (typeof b.protocol === 'string' && !PORTED.has(b.protocol) && b.port === undefined ? { ...b, port: '-1/-1' } : b));
}

const sg = { SecurityGroupId: 'sg-bp67acfmxazb4p****', SecurityGroupName: 'web', VpcId: 'vpc-bp67acfmxazb4p****', SecurityGroupType: 'normal', Description: '' };
const directions = { ingress: 'AuthorizeSecurityGroup', egress: 'AuthorizeSecurityGroupEgress' };

/** Security groups and their rules. */
export const SECURITY_GROUP_ROUTES: CuratedRoute[] = [
  {
    method: 'GET', url: '/security-groups', operationId: 'SecurityGroup_ListSecurityGroups', action: 'DescribeSecurityGroups', tag: 'Security groups',
    summary: 'List security groups', description: 'The security groups of a region (ECS DescribeSecurityGroups) with filters.',
    fields: {
      regionId: region(),
      securityGroupIds: { schema: idList(100).optional().describe('Security group IDs (up to 100)'), param: 'SecurityGroupIds' },
      vpcId: text(64).optional(),
      securityGroupName: text(128).optional(),
      securityGroupType: z.enum(['normal', 'enterprise']).optional(),
      tags: queryTags(),
      pageNumber: pageNumber(),
      pageSize: pageSize(50),
      nextToken: text(1024).optional(),
      maxResults: intish(1, 100).optional(),
    },
    example: { regionId: 'cn-hangzhou', vpcId: 'vpc-bp67acfmxazb4p****' },
    exampleBody: { SecurityGroups: { SecurityGroup: [sg] }, PageNumber: 1, PageSize: 10, TotalCount: 1, RegionId: 'cn-hangzhou', RequestId: requestId },
  },
  {
    method: 'POST', url: '/security-groups', operationId: 'SecurityGroup_CreateSecurityGroup', action: 'CreateSecurityGroup', tag: 'Security groups',
    summary: 'Create a security group', description: 'A security group (ECS CreateSecurityGroup), in a VPC (vpcId) or the region\'s default one.',
    fields: {
      regionId: region(),
      vpcId: text(64).optional(),
      securityGroupName: text(128).optional(),
      description: text(256).optional(),
      securityGroupType: z.enum(['normal', 'enterprise']).optional(),
      tags: { schema: tags().optional(), param: 'Tag' },
      clientToken: clientToken(),
    },
    example: { regionId: 'cn-hangzhou', securityGroupName: 'web', description: 'web servers', tags: { env: 'demo' } },
    exampleBody: { SecurityGroupId: 'sg-bp67acfmxazb4p****', RequestId: requestId },
  },
  {
    method: 'GET', url: '/security-groups/:securityGroupId', operationId: 'SecurityGroup_GetSecurityGroup', action: 'DescribeSecurityGroupAttribute', tag: 'Security groups',
    summary: 'Get a security group and its rules', description: 'A security group with its rules (ECS DescribeSecurityGroupAttribute); `direction` picks ingress, egress or all (default).',
    pathParams: onGroup,
    fields: {
      regionId: region(),
      direction: z.enum(['ingress', 'egress', 'all']).optional(),
      nextToken: text(1024).optional(),
      maxResults: intish(10, 1000).optional(),
    },
    example: { regionId: 'cn-hangzhou', direction: 'ingress' },
    exampleBody: {
      ...sg, RegionId: 'cn-hangzhou', InnerAccessPolicy: 'Accept', RequestId: requestId,
      Permissions: { Permission: [{ SecurityGroupRuleId: 'sgr-bp67acfmxazb4p****', Direction: 'ingress', IpProtocol: 'TCP', PortRange: '443/443', SourceCidrIp: '0.0.0.0/0', Policy: 'Accept', Priority: '1' }] },
    },
  },
  {
    method: 'DELETE', url: '/security-groups/:securityGroupId', operationId: 'SecurityGroup_DeleteSecurityGroup', action: 'DeleteSecurityGroup', tag: 'Security groups',
    summary: 'Delete a security group', description: 'Delete a security group no instance uses (ECS DeleteSecurityGroup). Parameters in the query string.',
    pathParams: onGroup,
    fields: { regionId: region() },
    example: { regionId: 'cn-hangzhou' },
    exampleBody: { RequestId: requestId },
  },
  {
    method: 'POST', url: '/security-groups/:securityGroupId/rules', operationId: 'SecurityGroup_AddRule', action: 'AuthorizeSecurityGroup', tag: 'Security groups',
    actionBy: { field: 'direction', actions: directions },
    summary: 'Add a rule',
    description: [
      'One rule in plain names (ECS AuthorizeSecurityGroup, or AuthorizeSecurityGroupEgress with `direction: "egress"`, in their `Permissions` form):',
      '`{"protocol": "tcp", "port": 443, "source": "0.0.0.0/0"}`. `port` is a port or a range ("8000-8080") and becomes PortRange (443/443);',
      'icmp, gre and all take no port (PortRange -1/-1). `source` (ingress) and `destination` (egress) are an IPv4 or IPv6 CIDR block or a',
      'security group id, and fill SourceCidrIp, Ipv6SourceCidrIp or SourceGroupId (DestCidrIp, Ipv6DestCidrIp, DestGroupId) by their shape.',
    ].join(' '),
    pathParams: onGroup,
    fields: ruleFields,
    refine: (input) => ruleChecks(input, false),
    example: { regionId: 'cn-hangzhou', protocol: 'tcp', port: 443, source: '0.0.0.0/0', description: 'HTTPS' },
    exampleBody: { RequestId: requestId },
  },
  {
    method: 'POST', url: '/security-groups/:securityGroupId/rules/revoke', operationId: 'SecurityGroup_RevokeRule', action: 'RevokeSecurityGroup', tag: 'Security groups',
    actionBy: { field: 'direction', actions: { ingress: 'RevokeSecurityGroup', egress: 'RevokeSecurityGroupEgress' } },
    summary: 'Remove a rule',
    description: 'Remove a rule (ECS RevokeSecurityGroup, or RevokeSecurityGroupEgress with `direction: "egress"`): the rule as it was added (same fields as adding it), or `ruleIds` (sgr-…).',
    pathParams: onGroup,
    fields: {
      ...ruleFields,
      ruleIds: { schema: z.array(z.string().regex(/^sgr-[a-z0-9]+\**$/, 'must be a rule id (sgr-…)')).min(1).max(100).optional().describe('Rule IDs (sgr-…), instead of the rule'), param: 'SecurityGroupRuleId' },
    },
    refine: (input) => ruleChecks(input, true),
    example: { regionId: 'cn-hangzhou', protocol: 'tcp', port: 443, source: '0.0.0.0/0' },
    exampleBody: { RequestId: requestId },
  },
];

export const securityGroupRoutes = routesPlugin(SECURITY_GROUP_ROUTES);
