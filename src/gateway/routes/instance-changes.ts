import { z } from 'zod';
import { boolish, dryRun, idList, intish, pageNumber, pageSize, text, unicode } from '../schemas/common.js';
import { instanceId } from '../schemas/resources.js';
import { endpointRegion, region, requestId, routesPlugin } from './declare.js';
import type { CuratedRoute } from './factory.js';

/** The instance a route acts on: the path's `instanceId` fills the action's `InstanceId`. */
const onInstance = { instanceId: { schema: instanceId(), param: 'InstanceId' } };
const clientToken = () => z.string().regex(/^[\x20-\x7e]{1,64}$/, 'must be 1-64 ASCII characters').optional().describe('Idempotency token');
const password = () => unicode(30).pipe(z.string().min(1)).optional().describe('Login password. Never logged.');
const userData = () => z.string().max(43_700).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be Base64').optional().describe('Base64-encoded user data. Never logged.');

/** Instance status, attributes, specification and system disk. */
export const INSTANCE_CHANGE_ROUTES: CuratedRoute[] = [
  {
    method: 'GET', url: '/instances/status', operationId: 'Instance_ListInstanceStatus', action: 'DescribeInstanceStatus',
    summary: 'Instance statuses', description: 'The status of the instances of a region (ECS DescribeInstanceStatus), paged.',
    fields: {
      regionId: region(),
      instanceIds: { schema: idList(100).optional().describe('Instance IDs (up to 100): repeat the key, use instanceIds[]=, or separate with commas'), param: 'InstanceId' },
      zoneId: text(64).optional(),
      pageNumber: pageNumber(),
      pageSize: pageSize(50),
    },
    example: { regionId: 'cn-hangzhou', instanceIds: 'i-bp67acfmxazb4p****', pageSize: '50' },
    exampleBody: { InstanceStatuses: { InstanceStatus: [{ InstanceId: 'i-bp67acfmxazb4p****', Status: 'Running' }] }, PageNumber: 1, PageSize: 50, TotalCount: 1, RequestId: requestId },
  },
  {
    method: 'PATCH', url: '/instances/:instanceId', operationId: 'Instance_ModifyInstance', action: 'ModifyInstanceAttribute',
    summary: 'Change an instance\'s attributes',
    description: 'Name, description, host name, password, user data and security groups of an instance (ECS ModifyInstanceAttribute). A new password or host name takes effect after a restart. `password` and `userData` are never logged.',
    pathParams: onInstance,
    fields: {
      regionId: endpointRegion(),
      name: { schema: text(128).optional().describe('Instance name'), param: 'InstanceName' },
      description: text(256).optional(),
      hostName: text(64).optional().describe('Host name (takes effect after a restart)'),
      password: password(),
      userData: userData(),
      securityGroupIds: z.array(z.string().regex(/^sg-[a-z0-9]+\**$/, 'must be a security group id (sg-…)')).min(1).max(16).optional().describe('Replace the instance\'s security groups (1-16 ids)'),
    },
    refine: (input) => input.refine((b) => ['name', 'description', 'hostName', 'password', 'userData', 'securityGroupIds'].some((k) => b[k] !== undefined),
      { path: ['name'], message: 'give at least one of name, description, hostName, password, userData, securityGroupIds' }),
    example: { regionId: 'cn-hangzhou', name: 'web-1', description: 'front end', hostName: 'web-1', securityGroupIds: ['sg-bp67acfmxazb4p****'] },
    exampleBody: { RequestId: requestId },
  },
  {
    method: 'POST', url: '/instances/:instanceId/spec', operationId: 'Instance_ModifyInstanceSpec', action: 'ModifyInstanceSpec',
    summary: 'Change an instance\'s type or bandwidth', description: 'Instance type and public bandwidth of a pay-as-you-go instance (ECS ModifyInstanceSpec). The instance type changes only while the instance is Stopped.',
    pathParams: onInstance,
    fields: {
      regionId: endpointRegion(),
      instanceType: text(64).optional().describe('The new instance type, e.g. ecs.g7.large'),
      internetMaxBandwidthOut: intish(0, 100).optional().describe('Public outbound bandwidth, Mbit/s'),
      internetMaxBandwidthIn: intish(1, 10240).optional().describe('Public inbound bandwidth, Mbit/s'),
      systemDiskCategory: { schema: z.enum(['cloud_efficiency', 'cloud_ssd']).optional().describe('Change a basic-disk system disk to this category'), param: ['SystemDisk', 'Category'] },
      allowMigrateAcrossZone: boolish().optional(),
      async: boolish().optional().describe('Return at once, before the change is done'),
      clientToken: clientToken(),
      dryRun: dryRun(),
    },
    example: { regionId: 'cn-hangzhou', instanceType: 'ecs.g7.large', internetMaxBandwidthOut: 10 },
    exampleBody: { RequestId: requestId },
  },
  {
    method: 'POST', url: '/instances/:instanceId/system-disk', operationId: 'Instance_ReplaceSystemDisk', action: 'ReplaceSystemDisk',
    summary: 'Replace the system disk', description: 'Re-create the system disk of a Stopped instance from an image (ECS ReplaceSystemDisk). `password` is never logged.',
    pathParams: onInstance,
    fields: {
      regionId: endpointRegion(),
      imageId: text(128).describe('The image of the new system disk'),
      systemDiskSize: { schema: intish(1, 2048).optional().describe('System disk size in GiB'), param: ['SystemDisk', 'Size'] },
      password: password(),
      passwordInherit: boolish().optional().describe('Keep the password the image sets'),
      keyPairName: text(128).optional().describe('Key pair to bind (Linux)'),
      securityEnhancementStrategy: z.enum(['Active', 'Deactive']).optional(),
      clientToken: clientToken(),
    },
    example: { regionId: 'cn-hangzhou', imageId: 'aliyun_3_x64_20G_alibase_20240819.vhd', systemDiskSize: 40 },
    exampleBody: { DiskId: 'd-bp67acfmxazb4p****', RequestId: requestId },
  },
];

export const instanceChangeRoutes = routesPlugin(INSTANCE_CHANGE_ROUTES);
