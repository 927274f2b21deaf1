import { z } from 'zod';
import { intish, text } from '../schemas/common.js';
import { region, requestId, routesPlugin } from './declare.js';
import type { CuratedRoute } from './factory.js';

const category = () => z.enum(['cloud', 'cloud_efficiency', 'cloud_ssd', 'ephemeral_ssd', 'cloud_essd', 'cloud_auto']);

/** What can be created where, and what it costs. */
export const PRICING_ROUTES: CuratedRoute[] = [
  {
    method: 'GET', url: '/available-resources', operationId: 'Pricing_ListAvailableResources', action: 'DescribeAvailableResource', tag: 'Pricing',
    summary: 'What can be created where', description: 'Zones, instance types and disk categories available in a region (ECS DescribeAvailableResource); `destinationResource` says which.',
    fields: {
      regionId: region(),
      destinationResource: z.enum(['Zone', 'IoOptimized', 'InstanceType', 'Network', 'ddh', 'SystemDisk', 'DataDisk']).describe('What to list: Zone, InstanceType, SystemDisk, DataDisk, …'),
      zoneId: text(64).optional(),
      instanceType: text(64).optional(),
      instanceChargeType: z.enum(['PrePaid', 'PostPaid']).optional(),
      resourceType: z.enum(['instance', 'disk', 'reservedinstance', 'ddh']).optional(),
      systemDiskCategory: category().optional(),
      dataDiskCategory: category().optional(),
      networkCategory: z.enum(['vpc', 'classic']).optional(),
      cores: intish(1, 1024).optional(),
      memory: z.union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?$/, 'must be a number').transform(Number)]).optional().describe('Memory in GiB'),
      spotStrategy: z.enum(['NoSpot', 'SpotWithPriceLimit', 'SpotAsPriceGo']).optional(),
    },
    example: { regionId: 'cn-hangzhou', destinationResource: 'InstanceType', zoneId: 'cn-hangzhou-i' },
    exampleBody: { AvailableZones: { AvailableZone: [{ ZoneId: 'cn-hangzhou-i', RegionId: 'cn-hangzhou', Status: 'Available', StatusCategory: 'WithStock', AvailableResources: { AvailableResource: [{ Type: 'InstanceType', SupportedResources: { SupportedResource: [{ Value: 'ecs.g7.large', Status: 'Available', StatusCategory: 'WithStock' }] } }] } }] }, RequestId: requestId },
  },
  {
    method: 'POST', url: '/prices', operationId: 'Pricing_DescribePrice', action: 'DescribePrice', tag: 'Pricing',
    summary: 'Price of a configuration', description: 'The price of an instance, disk or bandwidth configuration (ECS DescribePrice). The emulator\'s prices are fictional.',
    fields: {
      regionId: region(),
      resourceType: z.enum(['instance', 'disk', 'diskperformance', 'bandwidth', 'ddh']).optional().describe('instance (default), disk, bandwidth, …'),
      instanceType: text(64).optional(),
      zoneId: text(64).optional(),
      imageId: text(128).optional(),
      systemDiskCategory: { schema: category().optional(), param: ['SystemDisk', 'Category'] },
      systemDiskSize: { schema: intish(1, 2048).optional().describe('System disk size in GiB'), param: ['SystemDisk', 'Size'] },
      dataDisks: {
        schema: z.array(z.strictObject({ category: category().optional(), size: intish(1, 65536).optional(), performanceLevel: z.enum(['PL0', 'PL1', 'PL2', 'PL3']).optional() })).max(16).optional(),
        param: 'DataDisk',
      },
      period: intish(1, 60).optional().describe('Subscription length, in priceUnit'),
      priceUnit: z.enum(['Month', 'Year', 'Hour', 'Week']).optional().describe('Month, Year, Hour (pay-as-you-go, default) or Week'),
      amount: intish(1, 1000).optional(),
      internetChargeType: z.enum(['PayByBandwidth', 'PayByTraffic']).optional(),
      internetMaxBandwidthOut: intish(0, 100).optional(),
      instanceNetworkType: z.enum(['vpc', 'classic']).optional(),
      spotStrategy: z.enum(['NoSpot', 'SpotWithPriceLimit', 'SpotAsPriceGo']).optional(),
    },
    example: { regionId: 'cn-hangzhou', instanceType: 'ecs.g7.large', systemDiskCategory: 'cloud_essd', systemDiskSize: 40, priceUnit: 'Hour' },
    exampleBody: { PriceInfo: { Price: { OriginalPrice: 0.55, DiscountPrice: 0, TradePrice: 0.55, Currency: 'CNY' }, Rules: { Rule: [] } }, RequestId: requestId },
  },
];

export const pricingRoutes = routesPlugin(PRICING_ROUTES);
