import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CuratedRoute } from '../../src/gateway/routes/factory.js';
import { RESOURCE_ROUTES } from '../../src/gateway/routes/resources.js';
import { CREDS, useGatewayWithUpstream, withGatewayToken } from '../support/gateway.js';
import { businessParams, type CapturedRequest, expectParamsInBodyOnly, type FakeUpstream } from '../support/upstream.js';

/**
 * The wire mapping of every resource route (issue 9), derived from the declarations: each route's own
 * request example is sent through the gateway into a fake ECS, and what arrives must be exactly the wire
 * parameters written out below, for the route's action, at the region's endpoint. A route without a row
 * here fails the test, so a new route cannot go untested.
 */

const STRUCT = 'type.googleapis.com/google.protobuf.Struct';
/** One body for every answer: a non-empty Disks list, so that GET /api/disks/{diskId} finds its disk. */
const ANSWER = { RequestId: 'R-RESOURCES-1', Disks: { Disk: [{ DiskId: 'd-bp67acfmxazb4p****' }] } };

const I = 'i-bp67acfmxazb4p****';
const D = 'd-bp67acfmxazb4p****';
const S = 's-bp67acfmxazb4p****';
const SG = 'sg-bp67acfmxazb4p****';

/** operationId → the exact wire parameters its example must produce. */
const WIRE: Record<string, Record<string, string>> = {
  Instance_ListInstanceStatus: { RegionId: 'cn-hangzhou', 'InstanceId.1': I, PageSize: '50' },
  Instance_ModifyInstance: { InstanceId: I, InstanceName: 'web-1', Description: 'front end', HostName: 'web-1', 'SecurityGroupIds.1': SG },
  Instance_ModifyInstanceSpec: { InstanceId: I, InstanceType: 'ecs.g7.large', InternetMaxBandwidthOut: '10' },
  Instance_ReplaceSystemDisk: { InstanceId: I, ImageId: 'aliyun_3_x64_20G_alibase_20240819.vhd', 'SystemDisk.Size': '40' },
  Disk_ListDisks: { RegionId: 'cn-hangzhou', InstanceId: I, DiskType: 'data' },
  Disk_GetDisk: { RegionId: 'cn-hangzhou', DiskIds: `["${D}"]` },
  Disk_CreateDisk: { RegionId: 'cn-hangzhou', ZoneId: 'cn-hangzhou-i', Size: '40', DiskCategory: 'cloud_essd', DiskName: 'data-1', 'Tag.1.Key': 'env', 'Tag.1.Value': 'demo' },
  Disk_DeleteDisk: { DiskId: D },
  Disk_AttachDisk: { DiskId: D, InstanceId: I, DeleteWithInstance: 'true' },
  Disk_DetachDisk: { DiskId: D, InstanceId: I },
  Disk_ResizeDisk: { DiskId: D, NewSize: '80', Type: 'online' },
  Snapshot_ListSnapshots: { RegionId: 'cn-hangzhou', DiskId: D },
  Snapshot_CreateSnapshot: { DiskId: D, SnapshotName: 'data-1-backup' },
  Snapshot_DeleteSnapshot: { SnapshotId: S },
  Image_CreateImage: { RegionId: 'cn-hangzhou', InstanceId: I, ImageName: 'web-golden' },
  Image_DeleteImage: { RegionId: 'cn-hangzhou', ImageId: 'm-bp67acfmxazb4p****' },
  SecurityGroup_ListSecurityGroups: { RegionId: 'cn-hangzhou', VpcId: 'vpc-bp67acfmxazb4p****' },
  SecurityGroup_CreateSecurityGroup: { RegionId: 'cn-hangzhou', SecurityGroupName: 'web', Description: 'web servers', 'Tag.1.Key': 'env', 'Tag.1.Value': 'demo' },
  SecurityGroup_GetSecurityGroup: { RegionId: 'cn-hangzhou', SecurityGroupId: SG, Direction: 'ingress' },
  SecurityGroup_DeleteSecurityGroup: { RegionId: 'cn-hangzhou', SecurityGroupId: SG },
  SecurityGroup_AddRule: {
    RegionId: 'cn-hangzhou', SecurityGroupId: SG, 'Permissions.1.IpProtocol': 'TCP', 'Permissions.1.PortRange': '443/443',
    'Permissions.1.SourceCidrIp': '0.0.0.0/0', 'Permissions.1.Description': 'HTTPS',
  },
  SecurityGroup_RevokeRule: { RegionId: 'cn-hangzhou', SecurityGroupId: SG, 'Permissions.1.IpProtocol': 'TCP', 'Permissions.1.PortRange': '443/443', 'Permissions.1.SourceCidrIp': '0.0.0.0/0' },
  KeyPair_ListKeyPairs: { RegionId: 'cn-hangzhou', KeyPairName: 'demo-*' },
  KeyPair_CreateKeyPair: { RegionId: 'cn-hangzhou', KeyPairName: 'demo-key' },
  KeyPair_ImportKeyPair: { RegionId: 'cn-hangzhou', KeyPairName: 'my-laptop', PublicKeyBody: 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ… me@laptop' },
  KeyPair_DeleteKeyPair: { RegionId: 'cn-hangzhou', KeyPairNames: '["demo-key"]' },
  KeyPair_AttachKeyPair: { RegionId: 'cn-hangzhou', KeyPairName: 'demo-key', InstanceIds: `["${I}"]` },
  KeyPair_DetachKeyPair: { RegionId: 'cn-hangzhou', KeyPairName: 'demo-key', InstanceIds: `["${I}"]` },
  Tag_ListTags: { RegionId: 'cn-hangzhou', ResourceType: 'instance', 'ResourceId.1': I },
  Tag_TagResources: { RegionId: 'cn-hangzhou', ResourceType: 'instance', 'ResourceId.1': I, 'Tag.1.Key': 'env', 'Tag.1.Value': 'demo', 'Tag.2.Key': 'team', 'Tag.2.Value': 'web' },
  Tag_UntagResources: { RegionId: 'cn-hangzhou', ResourceType: 'instance', 'ResourceId.1': I, 'TagKey.1': 'team' },
  Network_ListVpcs: { RegionId: 'cn-hangzhou', IsDefault: 'true' },
  Network_ListVSwitches: { RegionId: 'cn-hangzhou', ZoneId: 'cn-hangzhou-i' },
  Command_RunCommand: { RegionId: 'cn-hangzhou', 'InstanceId.1': I, CommandContent: 'echo hello', Type: 'RunShellScript' },
  Command_ListInvocations: { RegionId: 'cn-hangzhou', InstanceId: I, ContentEncoding: 'PlainText' },
  Command_GetInvocationResults: { RegionId: 'cn-hangzhou', InvokeId: 't-hz0jdfwd9f****', ContentEncoding: 'PlainText' },
  Command_StopInvocation: { RegionId: 'cn-hangzhou', InvokeId: 't-hz0jdfwd9f****' },
  Pricing_ListAvailableResources: { RegionId: 'cn-hangzhou', DestinationResource: 'InstanceType', ZoneId: 'cn-hangzhou-i' },
  Pricing_DescribePrice: { RegionId: 'cn-hangzhou', InstanceType: 'ecs.g7.large', 'SystemDisk.Category': 'cloud_essd', 'SystemDisk.Size': '40', PriceUnit: 'Hour' },
};

/** The example of a path parameter, from its schema's metadata (the one the OpenAPI document shows). */
function pathExample(route: CuratedRoute, name: string): string {
  const field = route.pathParams?.[name];
  const schema = field instanceof z.ZodType ? field : field?.schema;
  const example = schema ? (z.globalRegistry.get(schema) as { example?: unknown } | undefined)?.example : undefined;
  if (typeof example !== 'string') throw new Error(`${route.operationId}: path parameter ${name} has no example`);
  return example;
}

/** The route's URL with its path parameters' examples. */
export function exampleUrl(route: CuratedRoute): string {
  return `/api${route.url.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(pathExample(route, name)))}`;
}

/** Sends `input` the way the route takes it: query string (GET, DELETE) or JSON body. */
export function sendTo(app: FastifyInstance, method: string, url: string, input: Record<string, unknown>) {
  const req = request(app.server)[method.toLowerCase() as 'get'](url);
  return method === 'GET' || method === 'DELETE' ? req.query(input) : req.send(input);
}

describe('every resource route has a wire row, an example, and a tag of its own', () => {
  it('the rows are exactly the routes', () => {
    expect(Object.keys(WIRE).sort()).toEqual(RESOURCE_ROUTES.map((r) => r.operationId).sort());
  });
  it.each(RESOURCE_ROUTES.map((r) => [r.operationId, r] as const))('%s', (_id, route) => {
    expect(route.example).toBeDefined();
    expect(route.tag ?? 'Instance').not.toBe('');
    if (!route.url.startsWith('/instances')) expect(route.tag).toBeDefined();
  });
});

describe.each(['v3', 'v1'] as const)('the example of every route reaches ECS as exactly its wire parameters (%s)', (version) => {
  let upstream: FakeUpstream;
  let app: FastifyInstance;
  useGatewayWithUpstream((ctx) => ({ upstream, app } = ctx), { ECS_SIGNATURE_VERSION: version });
  beforeEach(() => {
    upstream.reply = { body: ANSWER };
  });

  it.each(RESOURCE_ROUTES.map((r) => [`${r.method} ${r.url} → ${r.action}`, r] as const))('%s', async (_title, route) => {
    const { res, sent } = await upstream.exchange(sendTo(app, route.method, exampleUrl(route), { ...CREDS, ...route.example }));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ data: { '@type': STRUCT, value: { body: ANSWER } } });
    expect(sent).toHaveLength(1);
    const [call] = sent as [CapturedRequest];
    expectParamsInBodyOnly(call);
    expect(call.headers.host).toBe('ecs.cn-hangzhou.aliyuncs.com');
    if (version === 'v3') {
      expect(call.headers['x-acs-action']).toBe(route.action);
      expect(call.params).toEqual(withGatewayToken(route.action, WIRE[route.operationId]!));
    } else {
      expect(call.params.Action).toBe(route.action);
      expect(businessParams(call)).toEqual(withGatewayToken(route.action, WIRE[route.operationId]!));
    }
  });
});

describe('every resource route is in the OpenAPI main document, under its resource\'s tag, with examples', () => {
  type Op = { operationId?: string; tags?: string[]; requestBody?: unknown; parameters?: Array<{ in: string; name: string; schema?: { example?: unknown } }>; responses: Record<string, unknown> };
  const doc = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../src/gateway/openapi/openapi.json'), 'utf8')) as { paths: Record<string, Record<string, Op>> };
  const has = (node: unknown, key: string): boolean =>
    typeof node === 'object' && node !== null && Object.entries(node).some(([k, v]) => k === key || has(v, key));

  it.each(RESOURCE_ROUTES.map((r) => [`${r.method} ${r.url}`, r] as const))('%s', (_title, route) => {
    const op = doc.paths[`/api${route.url.replace(/:(\w+)/g, '{$1}')}`]?.[route.method.toLowerCase()];
    expect(op, 'in src/gateway/openapi/openapi.json (npm run openapi)').toBeDefined();
    expect(op!.operationId).toBe(route.operationId);
    expect(op!.tags).toEqual([route.tag ?? 'Instance']);
    expect(has(op!.responses['200'], 'example')).toBe(true);
    if (op!.requestBody) expect(has(op!.requestBody, 'example')).toBe(true);
    for (const p of op!.parameters?.filter((q) => q.in === 'path') ?? []) expect(p.schema?.example, p.name).toBeDefined();
  });
});
