import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { CREDS, useGatewayWithUpstream, withGatewayToken } from '../support/gateway.js';
import type { CapturedRequest, FakeUpstream } from '../support/upstream.js';
import { sendTo } from './routes-resources.test.js';

/**
 * The friendly shapes of the resource routes: security group rules in plain names (port, range, source and
 * destination by their shape, egress by `direction`), tags as an object or a list, lists in query strings,
 * snake_case, invocation output encoding; and what is refused before anything is sent: ids of the wrong
 * kind, bad rule values (400 naming the field), a known path with the wrong method (405).
 */

let upstream: FakeUpstream;
let app: FastifyInstance;
useGatewayWithUpstream((ctx) => ({ upstream, app } = ctx));
beforeEach(() => {
  upstream.reply = { body: { RequestId: 'R-SHAPES-1' } };
});

const SG = 'sg-bp1fg655nh68xyz9i4ud';
const RULES = `/api/security-groups/${SG}/rules`;
const base = { ...CREDS, regionId: 'cn-hangzhou' };
const group = { RegionId: 'cn-hangzhou', SecurityGroupId: SG };

interface WireCase { name: string; method: string; url: string; input: Record<string, unknown>; action: string; wire: Record<string, string> }

const P = (fields: Record<string, string>) => Object.fromEntries(Object.entries(fields).map(([k, v]) => [`Permissions.1.${k}`, v]));

const WIRE_CASES: WireCase[] = [
  // ports
  { name: 'port as a number', method: 'POST', url: RULES, input: { protocol: 'tcp', port: 22, source: '10.0.0.0/8' }, action: 'AuthorizeSecurityGroup', wire: { ...group, ...P({ IpProtocol: 'TCP', PortRange: '22/22', SourceCidrIp: '10.0.0.0/8' }) } },
  { name: 'port as a string', method: 'POST', url: RULES, input: { protocol: 'TCP', port: '443', source: '0.0.0.0/0' }, action: 'AuthorizeSecurityGroup', wire: { ...group, ...P({ IpProtocol: 'TCP', PortRange: '443/443', SourceCidrIp: '0.0.0.0/0' }) } },
  { name: 'a range "8000-8080"', method: 'POST', url: RULES, input: { protocol: 'udp', port: '8000-8080', source: '0.0.0.0/0' }, action: 'AuthorizeSecurityGroup', wire: { ...group, ...P({ IpProtocol: 'UDP', PortRange: '8000/8080', SourceCidrIp: '0.0.0.0/0' }) } },
  { name: 'a range in ECS\'s own "8000/8080"', method: 'POST', url: RULES, input: { protocol: 'tcp', port: '8000/8080', source: '0.0.0.0/0' }, action: 'AuthorizeSecurityGroup', wire: { ...group, ...P({ IpProtocol: 'TCP', PortRange: '8000/8080', SourceCidrIp: '0.0.0.0/0' }) } },
  { name: 'icmp takes no port: -1/-1', method: 'POST', url: RULES, input: { protocol: 'icmp', source: '0.0.0.0/0' }, action: 'AuthorizeSecurityGroup', wire: { ...group, ...P({ IpProtocol: 'ICMP', PortRange: '-1/-1', SourceCidrIp: '0.0.0.0/0' }) } },
  { name: 'all takes no port: -1/-1', method: 'POST', url: RULES, input: { protocol: 'all', source: SG }, action: 'AuthorizeSecurityGroup', wire: { ...group, ...P({ IpProtocol: 'ALL', PortRange: '-1/-1', SourceGroupId: SG }) } },
  // sources by shape
  { name: 'source: an IPv4 address', method: 'POST', url: RULES, input: { protocol: 'tcp', port: 22, source: '203.0.113.7' }, action: 'AuthorizeSecurityGroup', wire: { ...group, ...P({ IpProtocol: 'TCP', PortRange: '22/22', SourceCidrIp: '203.0.113.7' }) } },
  { name: 'source: an IPv6 CIDR block', method: 'POST', url: RULES, input: { protocol: 'tcp', port: 443, source: '2001:db8::/32' }, action: 'AuthorizeSecurityGroup', wire: { ...group, ...P({ IpProtocol: 'TCP', PortRange: '443/443', Ipv6SourceCidrIp: '2001:db8::/32' }) } },
  { name: 'source: a security group', method: 'POST', url: RULES, input: { protocol: 'tcp', port: 3306, source: 'sg-bp1other0000000000' }, action: 'AuthorizeSecurityGroup', wire: { ...group, ...P({ IpProtocol: 'TCP', PortRange: '3306/3306', SourceGroupId: 'sg-bp1other0000000000' }) } },
  {
    name: 'ingress with every rule field', method: 'POST', url: RULES,
    input: { direction: 'ingress', protocol: 'tcp', port: 443, source: '0.0.0.0/0', destination: '192.168.0.0/24', sourcePort: '1024-65535', policy: 'drop', priority: 5, description: 'no', client_token: 'tok-1' },
    action: 'AuthorizeSecurityGroup',
    wire: { ...group, ClientToken: 'tok-1', ...P({ IpProtocol: 'TCP', PortRange: '443/443', SourceCidrIp: '0.0.0.0/0', DestCidrIp: '192.168.0.0/24', SourcePortRange: '1024/65535', Policy: 'drop', Priority: '5', Description: 'no' }) },
  },
  // egress: destination by shape
  { name: 'egress to an IPv4 block', method: 'POST', url: RULES, input: { direction: 'egress', protocol: 'tcp', port: 443, destination: '0.0.0.0/0' }, action: 'AuthorizeSecurityGroupEgress', wire: { ...group, ...P({ IpProtocol: 'TCP', PortRange: '443/443', DestCidrIp: '0.0.0.0/0' }) } },
  { name: 'egress to an IPv6 block', method: 'POST', url: RULES, input: { direction: 'egress', protocol: 'all', destination: '::/0' }, action: 'AuthorizeSecurityGroupEgress', wire: { ...group, ...P({ IpProtocol: 'ALL', PortRange: '-1/-1', Ipv6DestCidrIp: '::/0' }) } },
  { name: 'egress to a security group', method: 'POST', url: RULES, input: { direction: 'egress', protocol: 'tcp', port: 6379, destination: 'sg-bp1cache000000000' }, action: 'AuthorizeSecurityGroupEgress', wire: { ...group, ...P({ IpProtocol: 'TCP', PortRange: '6379/6379', DestGroupId: 'sg-bp1cache000000000' }) } },
  { name: 'egress with a source block', method: 'POST', url: RULES, input: { direction: 'egress', protocol: 'udp', port: 53, destination: '100.100.2.136', source: '192.168.1.0/24' }, action: 'AuthorizeSecurityGroupEgress', wire: { ...group, ...P({ IpProtocol: 'UDP', PortRange: '53/53', DestCidrIp: '100.100.2.136', SourceCidrIp: '192.168.1.0/24' }) } },
  // revoke
  { name: 'revoke an ingress rule by its fields', method: 'POST', url: `${RULES}/revoke`, input: { protocol: 'tcp', port: '80', source: '0.0.0.0/0' }, action: 'RevokeSecurityGroup', wire: { ...group, ...P({ IpProtocol: 'TCP', PortRange: '80/80', SourceCidrIp: '0.0.0.0/0' }) } },
  { name: 'revoke an egress rule', method: 'POST', url: `${RULES}/revoke`, input: { direction: 'egress', protocol: 'tcp', port: 443, destination: '0.0.0.0/0' }, action: 'RevokeSecurityGroupEgress', wire: { ...group, ...P({ IpProtocol: 'TCP', PortRange: '443/443', DestCidrIp: '0.0.0.0/0' }) } },
  { name: 'revoke by rule ids', method: 'POST', url: `${RULES}/revoke`, input: { ruleIds: ['sgr-bp1a', 'sgr-bp1b'] }, action: 'RevokeSecurityGroup', wire: { ...group, 'SecurityGroupRuleId.1': 'sgr-bp1a', 'SecurityGroupRuleId.2': 'sgr-bp1b' } },
  { name: 'revoke egress rules by ids', method: 'POST', url: `${RULES}/revoke`, input: { direction: 'egress', rule_ids: ['sgr-bp1c'] }, action: 'RevokeSecurityGroupEgress', wire: { ...group, 'SecurityGroupRuleId.1': 'sgr-bp1c' } },
  // tags
  { name: 'tags as an object', method: 'POST', url: '/api/tags', input: { resourceType: 'disk', resourceIds: ['d-1', 'd-2'], tags: { env: 'prod', owner: '' } }, action: 'TagResources', wire: { RegionId: 'cn-hangzhou', ResourceType: 'disk', 'ResourceId.1': 'd-1', 'ResourceId.2': 'd-2', 'Tag.1.Key': 'env', 'Tag.1.Value': 'prod', 'Tag.2.Key': 'owner', 'Tag.2.Value': '' } },
  { name: 'tags as a list of {key, value}', method: 'POST', url: '/api/tags', input: { resource_type: 'securitygroup', resource_ids: [SG], tags: [{ key: 'env', value: 'prod' }] }, action: 'TagResources', wire: { RegionId: 'cn-hangzhou', ResourceType: 'securitygroup', 'ResourceId.1': SG, 'Tag.1.Key': 'env', 'Tag.1.Value': 'prod' } },
  { name: 'untag every tag', method: 'POST', url: '/api/tags/remove', input: { resourceType: 'instance', resourceIds: ['i-1'], all: true }, action: 'UntagResources', wire: { RegionId: 'cn-hangzhou', ResourceType: 'instance', 'ResourceId.1': 'i-1', All: 'true' } },
  { name: 'list tags by tag filter and ids (query lists: repeated keys)', method: 'GET', url: '/api/tags', input: { resourceType: 'instance', resourceIds: ['i-1', 'i-2'], tags: ['env:prod', 'team'] }, action: 'ListTagResources', wire: { RegionId: 'cn-hangzhou', ResourceType: 'instance', 'ResourceId.1': 'i-1', 'ResourceId.2': 'i-2', 'Tag.1.Key': 'env', 'Tag.1.Value': 'prod', 'Tag.2.Key': 'team' } },
  // lists, snake_case, DELETE in the query, PATCH
  { name: 'disk ids comma-separated in the query', method: 'GET', url: '/api/disks', input: { disk_ids: 'd-1,d-2', page_size: '100' }, action: 'DescribeDisks', wire: { RegionId: 'cn-hangzhou', DiskIds: '["d-1","d-2"]', PageSize: '100' } },
  { name: 'DELETE takes its parameters in the query', method: 'DELETE', url: '/api/snapshots/s-bp1abc', input: { force: 'true' }, action: 'DeleteSnapshot', wire: { SnapshotId: 's-bp1abc', Force: 'true' } },
  { name: 'PATCH with a password and user data', method: 'PATCH', url: '/api/instances/i-bp1abc', input: { password: 'Passw0rd!x', user_data: 'ZWNobyBoaQ==' }, action: 'ModifyInstanceAttribute', wire: { InstanceId: 'i-bp1abc', Password: 'Passw0rd!x', UserData: 'ZWNobyBoaQ==' } },
  { name: 'create an image from a snapshot', method: 'POST', url: '/api/images', input: { snapshotId: 's-bp1abc', imageName: 'from-snap', tags: { env: 'x' } }, action: 'CreateImage', wire: { RegionId: 'cn-hangzhou', SnapshotId: 's-bp1abc', ImageName: 'from-snap', 'Tag.1.Key': 'env', 'Tag.1.Value': 'x' } },
  { name: 'a data disk from a snapshot (no size)', method: 'POST', url: '/api/disks', input: { zoneId: 'cn-hangzhou-i', snapshotId: 's-bp1abc' }, action: 'CreateDisk', wire: { RegionId: 'cn-hangzhou', ZoneId: 'cn-hangzhou-i', SnapshotId: 's-bp1abc' } },
  { name: 'prices with data disks', method: 'POST', url: '/api/prices', input: { instanceType: 'ecs.g7.large', dataDisks: [{ category: 'cloud_essd', size: 100, performanceLevel: 'PL1' }], period: 1, priceUnit: 'Month' }, action: 'DescribePrice', wire: { RegionId: 'cn-hangzhou', InstanceType: 'ecs.g7.large', 'DataDisk.1.Category': 'cloud_essd', 'DataDisk.1.Size': '100', 'DataDisk.1.PerformanceLevel': 'PL1', Period: '1', PriceUnit: 'Month' } },
  // Cloud Assistant
  { name: 'run a PowerShell script with parameters', method: 'POST', url: '/api/commands/run', input: { instanceIds: ['i-bp1a', 'i-bp1b'], type: 'RunPowerShellScript', commandContent: 'echo {{name}}', enableParameter: true, parameters: { name: 'x' }, timeout: 120 }, action: 'RunCommand', wire: { RegionId: 'cn-hangzhou', 'InstanceId.1': 'i-bp1a', 'InstanceId.2': 'i-bp1b', Type: 'RunPowerShellScript', CommandContent: 'echo {{name}}', EnableParameter: 'true', Parameters: '{"name":"x"}', Timeout: '120' } },
  { name: 'invocation results as ECS\'s Base64', method: 'GET', url: '/api/invocations/t-hz0abc', input: { outputEncoding: 'base64', instanceId: 'i-bp1a' }, action: 'DescribeInvocationResults', wire: { RegionId: 'cn-hangzhou', InvokeId: 't-hz0abc', InstanceId: 'i-bp1a', ContentEncoding: 'Base64' } },
  { name: 'invocations with output, as text', method: 'GET', url: '/api/invocations', input: { includeOutput: 'true' }, action: 'DescribeInvocations', wire: { RegionId: 'cn-hangzhou', IncludeOutput: 'true', ContentEncoding: 'PlainText' } },
  { name: 'stop an invocation on some instances', method: 'POST', url: '/api/invocations/t-hz0abc/stop', input: { instanceIds: ['i-bp1a'] }, action: 'StopInvocation', wire: { RegionId: 'cn-hangzhou', InvokeId: 't-hz0abc', 'InstanceId.1': 'i-bp1a' } },
];

describe('friendly shapes on the wire', () => {
  it.each(WIRE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { res, sent } = await upstream.exchange(sendTo(app, c.method, c.url, { ...base, ...c.input }));
    expect(res.status, res.text).toBe(200);
    expect(sent).toHaveLength(1);
    const [call] = sent as [CapturedRequest];
    expect(call.headers['x-acs-action']).toBe(c.action);
    expect(call.params).toEqual(withGatewayToken(c.action, c.wire));
  });
});

interface Refusal { name: string; method: string; url: string; input: Record<string, unknown>; field: string; message?: RegExp }

const REFUSALS: Refusal[] = [
  // ports
  ...[0, 65536, '90-80', 'http', '1-2-3', -22, 22.5].map((port) => ({ name: `port ${JSON.stringify(port)}`, method: 'POST', url: RULES, input: { protocol: 'tcp', port, source: '0.0.0.0/0' }, field: 'port' })),
  { name: 'tcp without a port', method: 'POST', url: RULES, input: { protocol: 'tcp', source: '0.0.0.0/0' }, field: 'port' },
  { name: 'icmp with a port', method: 'POST', url: RULES, input: { protocol: 'icmp', port: 8, source: '0.0.0.0/0' }, field: 'port', message: /icmp rules take no port/ },
  { name: 'an unknown protocol', method: 'POST', url: RULES, input: { protocol: 'sctp', port: 1, source: '0.0.0.0/0' }, field: 'protocol' },
  { name: 'no protocol', method: 'POST', url: RULES, input: { port: 22, source: '0.0.0.0/0' }, field: 'protocol' },
  // sources and destinations
  ...['1.2.3.4/33', '300.1.1.1', 'everyone', 'sg-', '10.0.0.0/8/1', '2001:db8::/129'].map((source) => ({ name: `source ${source}`, method: 'POST', url: RULES, input: { protocol: 'tcp', port: 22, source }, field: 'source' })),
  { name: 'ingress without a source', method: 'POST', url: RULES, input: { protocol: 'tcp', port: 22 }, field: 'source' },
  { name: 'egress without a destination', method: 'POST', url: RULES, input: { direction: 'egress', protocol: 'tcp', port: 22, source: '10.0.0.0/8' }, field: 'destination' },
  { name: 'egress from a security group (ECS has no such parameter)', method: 'POST', url: RULES, input: { direction: 'egress', protocol: 'tcp', port: 22, destination: '0.0.0.0/0', source: SG }, field: 'source', message: /AuthorizeSecurityGroupEgress does not take a security group id/ },
  { name: 'ingress to a security group (ECS has no such parameter)', method: 'POST', url: RULES, input: { protocol: 'tcp', port: 22, source: '0.0.0.0/0', destination: SG }, field: 'destination', message: /AuthorizeSecurityGroup does not take a security group id/ },
  { name: 'a direction that is neither', method: 'POST', url: RULES, input: { direction: 'sideways', protocol: 'tcp', port: 22, source: '0.0.0.0/0' }, field: 'direction' },
  { name: 'revoke: rule ids and a rule', method: 'POST', url: `${RULES}/revoke`, input: { ruleIds: ['sgr-1'], protocol: 'tcp', port: 22, source: '0.0.0.0/0' }, field: 'ruleIds' },
  { name: 'revoke: neither', method: 'POST', url: `${RULES}/revoke`, input: {}, field: 'protocol' },
  // tags
  { name: 'tags: a value that is not a string', method: 'POST', url: '/api/tags', input: { resourceType: 'instance', resourceIds: ['i-1'], tags: { env: 1 } }, field: 'tags' },
  { name: 'tags: none', method: 'POST', url: '/api/tags', input: { resourceType: 'instance', resourceIds: ['i-1'], tags: {} }, field: 'tags' },
  { name: 'tags: 21', method: 'POST', url: '/api/tags', input: { resourceType: 'instance', resourceIds: ['i-1'], tags: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) }, field: 'tags' },
  { name: 'untag: neither keys nor all', method: 'POST', url: '/api/tags/remove', input: { resourceType: 'instance', resourceIds: ['i-1'] }, field: 'tagKeys' },
  // other checks across fields
  { name: 'an image from both an instance and a snapshot', method: 'POST', url: '/api/images', input: { instanceId: 'i-bp1a', snapshotId: 's-bp1a' }, field: 'instanceId' },
  { name: 'a disk without size or snapshot', method: 'POST', url: '/api/disks', input: { zoneId: 'cn-hangzhou-i' }, field: 'size' },
  { name: 'PATCH with nothing to change', method: 'PATCH', url: '/api/instances/i-bp1a', input: {}, field: 'name' },
  { name: 'a key pair name against ECS\'s rule', method: 'POST', url: '/api/key-pairs', input: { keyPairName: '1-starts-with-a-digit' }, field: 'keyPairName' },
  { name: 'outputEncoding that is neither', method: 'GET', url: '/api/invocations/t-hz0abc', input: { outputEncoding: 'hex' }, field: 'outputEncoding' },
];

/** Path ids of the wrong kind or shape: 400 naming the path parameter. */
const BAD_IDS: Array<[string, string, string]> = [
  ['GET', '/api/disks/i-bp1abc', 'diskId'],
  ['GET', '/api/disks/d-', 'diskId'],
  ['DELETE', '/api/disks/D-BP1ABC', 'diskId'],
  ['POST', '/api/disks/sg-bp1abc/attach', 'diskId'],
  ['POST', '/api/disks/d-bp1%20x/resize', 'diskId'],
  ['DELETE', '/api/snapshots/d-bp1abc', 'snapshotId'],
  ['DELETE', '/api/images/ubuntu_22_04_x64_20G_alibase_20240926.vhd', 'imageId'],
  ['GET', '/api/security-groups/s-bp1abc', 'securityGroupId'],
  ['DELETE', '/api/security-groups/default', 'securityGroupId'],
  ['POST', '/api/security-groups/d-bp1abc/rules', 'securityGroupId'],
  ['DELETE', '/api/key-pairs/9lives', 'keyPairName'],
  ['POST', '/api/key-pairs/a/attach', 'keyPairName'],
  ['POST', '/api/key-pairs/has.dot/detach', 'keyPairName'],
  ['GET', '/api/invocations/c-hz0abc', 'invokeId'],
  ['POST', '/api/invocations/i-bp1abc/stop', 'invokeId'],
  ['PATCH', '/api/instances/d-bp1abc', 'instanceId'],
  ['POST', '/api/instances/web-1/spec', 'instanceId'],
  ['POST', '/api/instances/sg-1/system-disk', 'instanceId'],
];

describe('refused before anything is sent', () => {
  it.each(REFUSALS.map((r) => [r.name, r] as const))('%s → 400 naming the field', async (_name, r) => {
    const { res, sent } = await upstream.exchange(sendTo(app, r.method, r.url, { ...base, ...r.input }));
    expect(res.status, res.text).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', status: 400, requestId: res.headers['x-request-id'] });
    const fields = (res.body.error.details as Array<{ field: string; message: string }>).map((d) => d.field);
    expect(fields).toContain(r.field);
    if (r.message) expect(res.body.error.message).toMatch(r.message);
    expect(sent).toEqual([]);
  });

  it.each(BAD_IDS)('%s %s → 400 naming %s', async (method, url, field) => {
    const { res, sent } = await upstream.exchange(sendTo(app, method, url, { ...base, instanceId: 'i-bp1a', instanceIds: ['i-bp1a'], newSize: 80, protocol: 'all', source: '0.0.0.0/0' }));
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details).toContainEqual(expect.objectContaining({ location: 'params', field }));
    expect(sent).toEqual([]);
  });

  it.each([
    ['PUT', '/api/disks', 'GET, HEAD, POST'],
    ['GET', '/api/disks/d-bp1abc/attach', 'POST'],
    ['DELETE', '/api/key-pairs/import', 'POST'],
    ['PATCH', '/api/instances/status', 'GET, HEAD'],
    ['GET', '/api/tags/remove', 'POST'],
    ['DELETE', '/api/commands/run', 'POST'],
    ['PUT', '/api/security-groups/sg-bp1abc/rules', 'POST'],
  ])('%s %s → 405, Allow: %s', async (method, url, allow) => {
    const { res, sent } = await upstream.exchange(sendTo(app, method, url, base));
    expect(res.status, res.text).toBe(405);
    expect(res.body.error.code).toBe('METHOD_NOT_ALLOWED');
    expect(res.headers.allow?.split(', ').sort()).toEqual(allow.split(', ').sort());
    expect(sent).toEqual([]);
  });
});

describe('answers', () => {
  it('a disk that is not there: 404 NOT_FOUND naming it', async () => {
    upstream.reply = { body: { RequestId: 'R-404', Disks: { Disk: [] }, TotalCount: 0 } };
    const res = await request(app.server).get('/api/disks/d-bp1gone').query(base);
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'NOT_FOUND', status: 404, ecsRequestId: 'R-404' });
    expect(res.body.error.message).toContain('d-bp1gone');
  });

  it('the private key comes back with Cache-Control: no-store (curated and generic routes); other answers carry no such header', async () => {
    upstream.reply = { body: { RequestId: 'R-KP', KeyPairName: 'demo-key', KeyPairFingerPrint: 'ab:cd', PrivateKeyBody: '-----BEGIN RSA PRIVATE KEY-----\nMII\n-----END RSA PRIVATE KEY-----' } };
    const created = await request(app.server).post('/api/key-pairs').send({ ...base, keyPairName: 'demo-key' });
    expect(created.status).toBe(200);
    expect(created.headers['cache-control']).toBe('no-store');
    expect(created.body.data.value.body.PrivateKeyBody).toContain('BEGIN RSA PRIVATE KEY');
    const generic = await request(app.server).post('/api/ecs/CreateKeyPair').send({ ...base, keyPairName: 'demo-key' });
    expect(generic.headers['cache-control']).toBe('no-store');
    const imported = await request(app.server).post('/api/key-pairs/import').send({ ...base, keyPairName: 'k2', publicKeyBody: 'ssh-rsa AAAA' });
    expect(imported.status).toBe(200);
    expect(imported.headers['cache-control']).toBeUndefined();
    const listed = await request(app.server).get('/api/key-pairs').query(base);
    expect(listed.headers['cache-control']).toBeUndefined();
  });

  it('invocation results: the body exactly as ECS sent it (ECS decoded it, asked with ContentEncoding=PlainText)', async () => {
    const text = '{"RequestId":"R-INV","Invocation":{"InvocationResults":{"InvocationResult":[{"InvokeId":"t-hz0abc","Output":"hello\\nworld\\n","ExitCode":0}]}}}';
    upstream.reply = { raw: text };
    const res = await request(app.server).get('/api/invocations/t-hz0abc').query(base);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`"body":${text}`);
    expect(res.body.data.value.body.Invocation.InvocationResults.InvocationResult[0].Output).toBe('hello\nworld\n');
    expect(upstream.last.params.ContentEncoding).toBe('PlainText');
  });
});
