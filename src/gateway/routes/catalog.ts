import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { boolish, intish, idList, pageNumber, pageSize, regionId, text } from '../schemas/common.js';
import { ecsRoute, type RouteDeps } from './factory.js';

const acceptLanguage = z.enum(['zh-CN', 'en-US', 'ja']).optional().describe('Language of LocalName: zh-CN (default), en-US or ja');
const instanceChargeType = z.enum(['PrePaid', 'PostPaid']).optional().describe('PrePaid (subscription) or PostPaid (pay-as-you-go, default)');

/**
 * The fields of each route, in documented order. Each fills the catalog parameter its name spells
 * (`osType` → `OSType`) unless it says otherwise; credentials and `endpoint` are added by the factory.
 */
const regionsFields = {
  // DescribeRegions takes no RegionId: the field only picks the endpoint.
  regionId: { schema: regionId().optional(), param: null },
  instanceChargeType,
  resourceType: z.enum(['instance', 'disk', 'reservedinstance', 'scu']).optional().describe('Resource type (default instance)'),
  acceptLanguage,
};

const zonesFields = {
  regionId: regionId(),
  acceptLanguage,
  instanceChargeType,
  spotStrategy: z.enum(['NoSpot', 'SpotWithPriceLimit', 'SpotAsPriceGo']).optional().describe('Spot strategy filter'),
  verbose: boolish().optional().describe('Return full zone details (default true)'),
};

const imagesFields = {
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
};

const instanceTypesFields = {
  // DescribeInstanceTypes takes no RegionId: the field only picks the endpoint.
  regionId: { schema: regionId().optional(), param: null },
  instanceTypeFamily: text(64).optional().describe('Instance type family, e.g. ecs.g7'),
  instanceTypes: idList(10, 64).optional().describe('Instance types to describe (up to 10): repeat the key, use instanceTypes[]=, or separate with commas'),
  nextToken: text(1024).optional().describe('NextToken from the previous page'),
  maxResults: intish(1, 1600).optional().describe('Entries per page, 1-1600 (default 1600)'),
};

/** Regions, zones, images and instance types: the read-only catalog. */
export function catalogRoutes(deps: RouteDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    ecsRoute(app, deps, {
      method: 'GET', url: '/regions', operationId: 'Instance_ListRegions', action: 'DescribeRegions',
      summary: 'List regions', description: 'The Alibaba Cloud regions you can use (ECS DescribeRegions).',
      fields: regionsFields,
      exampleBody: { Regions: { Region: [{ LocalName: '华北1（青岛）', RegionEndpoint: 'ecs.cn-qingdao.aliyuncs.com', RegionId: 'cn-qingdao', Status: 'available' }] }, RequestId: '473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E' },
    });
    ecsRoute(app, deps, {
      method: 'GET', url: '/zones', operationId: 'Instance_ListZones', action: 'DescribeZones',
      summary: 'List zones of a region', description: 'The zones of a region (ECS DescribeZones).',
      fields: zonesFields,
      exampleBody: { Zones: { Zone: [{ ZoneId: 'cn-hangzhou-h', LocalName: '杭州 可用区H' }] }, RequestId: '473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E' },
    });
    ecsRoute(app, deps, {
      method: 'GET', url: '/images', operationId: 'Instance_ListImages', action: 'DescribeImages',
      summary: 'List images', description: 'The images you can use in a region (ECS DescribeImages), with filters and paging.',
      fields: imagesFields,
      exampleBody: { Images: { Image: [{ ImageId: 'debian_10_12_x64_20G_alibase_20220328.vhd', OSType: 'linux', Architecture: 'x86_64', Status: 'Available', Size: 20 }] }, PageNumber: 1, PageSize: 10, RegionId: 'cn-beijing', TotalCount: 136, RequestId: '473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E' },
    });
    ecsRoute(app, deps, {
      method: 'GET', url: '/instance-types', operationId: 'Instance_ListInstanceTypes', action: 'DescribeInstanceTypes',
      summary: 'List instance types', description: 'Instance type specifications (ECS DescribeInstanceTypes), paged with nextToken.',
      fields: instanceTypesFields,
      exampleBody: { InstanceTypes: { InstanceType: [{ InstanceTypeId: 'ecs.t1.xsmall', InstanceTypeFamily: 'ecs.t1', CpuCoreCount: 1, MemorySize: 0.5 }] }, NextToken: '', RequestId: '4E47123B-014C-5D2C-B00B-C8A3B671DA16' },
    });
  };
}
