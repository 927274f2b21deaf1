import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { wire } from '../ecs/params.js';
import { boolish, commonFields, intish, idList, pageNumber, pageSize, regionId, text } from '../schemas/common.js';
import { ecsRoute, type RouteDeps } from './ecs-route.js';

const acceptLanguage = z.enum(['zh-CN', 'en-US', 'ja']).optional().describe('Language of LocalName: zh-CN (default), en-US or ja');
const instanceChargeType = z.enum(['PrePaid', 'PostPaid']).optional().describe('PrePaid (subscription) or PostPaid (pay-as-you-go, default)');

const regionsQuery = z.strictObject({
  ...commonFields,
  regionId: regionId().optional(),
  instanceChargeType,
  resourceType: z.enum(['instance', 'disk', 'reservedinstance', 'scu']).optional().describe('Resource type (default instance)'),
  acceptLanguage,
});

const zonesQuery = z.strictObject({
  ...commonFields,
  regionId: regionId(),
  acceptLanguage,
  instanceChargeType,
  spotStrategy: z.enum(['NoSpot', 'SpotWithPriceLimit', 'SpotAsPriceGo']).optional().describe('Spot strategy filter'),
  verbose: boolish().optional().describe('Return full zone details (default true)'),
});

const imagesQuery = z.strictObject({
  ...commonFields,
  regionId: regionId(),
  imageId: text(4096).optional().describe('Image ID; several may be given comma-separated'),
  imageName: text(128).optional().describe('Image name (wildcard * supported by ECS)'),
  imageOwnerAlias: z.enum(['system', 'self', 'others', 'marketplace']).optional().describe('Image source'),
  osType: z.enum(['linux', 'windows']).optional().describe('Operating system type'),
  architecture: z.enum(['i386', 'x86_64', 'arm64']).optional().describe('Architecture'),
  status: text(256).optional().describe('Creating, Waiting, Available (default), UnAvailable, CreateFailed, Deprecated; comma-separated for several'),
  instanceType: text(64).optional().describe('Only images that can run on this instance type'),
  showExpired: boolish().optional().describe('Include expired subscription images'),
  pageNumber: pageNumber(),
  pageSize: pageSize(100),
});

const instanceTypesQuery = z.strictObject({
  ...commonFields,
  regionId: regionId().optional(),
  instanceTypeFamily: text(64).optional().describe('Instance type family, e.g. ecs.g7'),
  instanceTypes: idList(10, 64).optional().describe('Instance types to describe (up to 10): repeat the key, use instanceTypes[]=, or separate with commas'),
  nextToken: text(1024).optional().describe('NextToken from the previous page'),
  maxResults: intish(1, 1600).optional().describe('Entries per page, 1-1600 (default 1600)'),
});

/** Regions, zones, images and instance types: the read-only catalog. */
export function catalogRoutes(deps: RouteDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    ecsRoute(app, deps, {
      method: 'GET', url: '/regions', operationId: 'Instance_ListRegions', action: 'DescribeRegions',
      summary: 'List regions', description: 'The Alibaba Cloud regions you can use (ECS DescribeRegions).',
      input: regionsQuery,
      toWire: (q) => wire().flat('InstanceChargeType', q.instanceChargeType).flat('ResourceType', q.resourceType)
        .flat('AcceptLanguage', q.acceptLanguage).build(),
      exampleBody: { Regions: { Region: [{ LocalName: '华北1（青岛）', RegionEndpoint: 'ecs.cn-qingdao.aliyuncs.com', RegionId: 'cn-qingdao', Status: 'available' }] }, RequestId: '473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E' },
    });
    ecsRoute(app, deps, {
      method: 'GET', url: '/zones', operationId: 'Instance_ListZones', action: 'DescribeZones',
      summary: 'List zones of a region', description: 'The zones of a region (ECS DescribeZones).',
      input: zonesQuery,
      toWire: (q) => wire().flat('RegionId', q.regionId).flat('AcceptLanguage', q.acceptLanguage)
        .flat('InstanceChargeType', q.instanceChargeType).flat('SpotStrategy', q.spotStrategy).flat('Verbose', q.verbose).build(),
      exampleBody: { Zones: { Zone: [{ ZoneId: 'cn-hangzhou-h', LocalName: '杭州 可用区H' }] }, RequestId: '473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E' },
    });
    ecsRoute(app, deps, {
      method: 'GET', url: '/images', operationId: 'Instance_ListImages', action: 'DescribeImages',
      summary: 'List images', description: 'The images you can use in a region (ECS DescribeImages), with filters and paging.',
      input: imagesQuery,
      toWire: (q) => wire().flat('RegionId', q.regionId).flat('ImageId', q.imageId).flat('ImageName', q.imageName)
        .flat('ImageOwnerAlias', q.imageOwnerAlias).flat('OSType', q.osType).flat('Architecture', q.architecture)
        .flat('Status', q.status).flat('InstanceType', q.instanceType).flat('ShowExpired', q.showExpired)
        .flat('PageNumber', q.pageNumber).flat('PageSize', q.pageSize).build(),
      exampleBody: { Images: { Image: [{ ImageId: 'debian_10_12_x64_20G_alibase_20220328.vhd', OSType: 'linux', Architecture: 'x86_64', Status: 'Available', Size: 20 }] }, PageNumber: 1, PageSize: 10, RegionId: 'cn-beijing', TotalCount: 136, RequestId: '473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E' },
    });
    ecsRoute(app, deps, {
      method: 'GET', url: '/instance-types', operationId: 'Instance_ListInstanceTypes', action: 'DescribeInstanceTypes',
      summary: 'List instance types', description: 'Instance type specifications (ECS DescribeInstanceTypes), paged with nextToken.',
      input: instanceTypesQuery,
      toWire: (q) => wire().flat('InstanceTypeFamily', q.instanceTypeFamily).list('InstanceTypes', q.instanceTypes)
        .flat('NextToken', q.nextToken).flat('MaxResults', q.maxResults).build(),
      exampleBody: { InstanceTypes: { InstanceType: [{ InstanceTypeId: 'ecs.t1.xsmall', InstanceTypeFamily: 'ecs.t1', CpuCoreCount: 1, MemorySize: 0.5 }] }, NextToken: '', RequestId: '4E47123B-014C-5D2C-B00B-C8A3B671DA16' },
    });
  };
}
