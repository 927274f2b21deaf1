import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ErrorCode, GatewayError } from '../errors.js';
import { boolish, dryRun, idList, intish, pageNumber, pageSize, regionId, tag, text, unicode } from '../schemas/common.js';
import { ecsRoute, type RouteDeps } from './factory.js';

const instanceStatus = z.enum(['Pending', 'Running', 'Starting', 'Stopping', 'Stopped']);

/** `key:value` (or just `key`) as a query-string tag filter. */
const queryTag = text(257).transform((s) => {
  const i = s.indexOf(':');
  return i < 0 ? { key: s, value: undefined } : { key: s.slice(0, i), value: s.slice(i + 1) };
}).pipe(z.object({ key: text(128), value: unicode(128).optional() }));

/**
 * The fields of each route, in documented order. Each fills the catalog parameter its name spells
 * (`instanceIds` → DescribeInstances `InstanceIds`) unless it names another; credentials and `endpoint`
 * are added by the factory, and `password`/`userData` are marked secret from the catalog.
 */
const listFields = {
  regionId: regionId(),
  instanceIds: idList(100).optional().describe('Instance IDs (up to 100): repeat the key, use instanceIds[]=, or separate with commas'),
  status: instanceStatus.optional().describe('Only instances in this state'),
  instanceName: text(128).optional().describe('Instance name; * is a wildcard'),
  zoneId: text(64).optional(),
  vpcId: text(64).optional(),
  tags: {
    schema: z.union([z.array(queryTag), queryTag.transform((t) => [t])]).pipe(z.array(z.object({ key: z.string(), value: z.string().optional() })).max(20))
      .optional().describe('Tag filters as key:value (or key); repeat for several (up to 20)'),
    param: 'Tag',
  },
  pageNumber: pageNumber(),
  pageSize: pageSize(100),
  nextToken: text(1024).optional().describe('NextToken from the previous page (token paging)'),
  maxResults: intish(1, 100).optional().describe('Entries per page with token paging, 1-100'),
  dryRun: dryRun(),
};

const getFields = { regionId: regionId() };
/**
 * ECS instance ids are `i-` and lowercase letters and digits (`i-bp1g6zv0ce8oghu7k1a2`; the emulator makes
 * them the same way); the docs mask their ends (`i-bp67acfmxazb4p****`), which is accepted too (and not
 * found). Anything else is refused before ECS is called, and a word such as `stop` is never an id.
 */
const instanceIdParam = {
  instanceId: {
    schema: z.string().max(64).regex(/^i-[a-z0-9]+\**$/, 'must be an ECS instance id: i- followed by lowercase letters and digits, e.g. i-bp67acfmxazb4p****')
      .describe('Instance ID: i- followed by lowercase letters and digits'),
    param: 'InstanceIds',
  },
};

const dataDisk = z.strictObject({
  size: intish(1, 65536).optional().describe('Size in GiB'),
  category: text(64).optional().describe('cloud_essd, cloud_ssd, cloud_efficiency, cloud_auto, …'),
  snapshotId: text(64).optional(),
  diskName: text(128).optional(),
  description: text(256).optional(),
  deleteWithInstance: boolish().optional(),
  encrypted: boolish().optional(),
  performanceLevel: z.enum(['PL0', 'PL1', 'PL2', 'PL3']).optional(),
  device: text(64).optional(),
});

const createFields = {
  regionId: regionId(),
  imageId: text(128).describe('Image ID'),
  instanceType: text(64).describe('Instance type, e.g. ecs.g7.large'),
  systemDiskSize: { schema: intish(1, 65536).optional().describe('System disk size in GiB; a number or a numeric string ("50")'), param: ['SystemDisk', 'Size'] },
  systemDiskCategory: { schema: text(64).optional().describe('System disk category, e.g. cloud_essd'), param: ['SystemDisk', 'Category'] },
  instanceName: text(128).optional(),
  uniqueSuffix: boolish().optional().describe('Append an ordered suffix (001, 002, …) to instanceName and hostName'),
  amount: intish(1, 100).optional().describe('How many instances to create, 1-100 (default 1)'),
  minAmount: intish(1, 100).optional().describe('The least number to create, else nothing is created'),
  password: unicode(30).pipe(z.string().min(1)).optional().describe('Instance login password. Never logged.'),
  dryRun: dryRun(),
  zoneId: text(64).optional(),
  securityGroupId: text(64).optional(),
  securityGroupIds: z.array(text(64)).min(1).max(16).optional(),
  vSwitchId: text(64).optional(),
  dataDisks: { schema: z.array(dataDisk).max(64).optional(), param: 'DataDisk' },
  internetMaxBandwidthOut: intish(0, 1024).optional().describe('Public bandwidth in Mbit/s; 0 means no public IP'),
  instanceChargeType: z.enum(['PrePaid', 'PostPaid']).optional(),
  keyPairName: text(128).optional(),
  hostName: text(64).optional(),
  description: text(256).optional(),
  userData: z.string().max(43_700).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be Base64').optional().describe('Base64-encoded user data. Never logged.'),
  tags: { schema: z.array(tag).max(20).optional(), param: 'Tag' },
  clientToken: z.string().regex(/^[\x20-\x7e]{1,64}$/, 'must be 1-64 ASCII characters').optional().describe('Idempotency token'),
};
const createExample = { regionId: 'cn-beijing', imageId: 'debian_10_12_x64_20G_alibase_20220328.vhd', instanceType: 'ecs.t1.xsmall', systemDiskSize: '50', instanceName: 'test', uniqueSuffix: true, amount: 2, dryRun: true };

/** Lists, looks up and creates instances. */
export function instanceRoutes(deps: RouteDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    ecsRoute(app, deps, {
      method: 'GET', url: '/instances', operationId: 'Instance_ListInstances', action: 'DescribeInstances',
      summary: 'List instances', description: 'Instances of a region (ECS DescribeInstances) with filters; page with pageNumber/pageSize or nextToken/maxResults. `region_id` works as well as `regionId`.',
      fields: listFields,
      exampleBody: { Instances: { Instance: [{ InstanceId: 'i-bp67acfmxazb4p****', InstanceName: 'test001', Status: 'Running', RegionId: 'cn-beijing', ZoneId: 'cn-beijing-h', InstanceType: 'ecs.t1.xsmall' }] }, NextToken: '', PageNumber: 1, PageSize: 10, TotalCount: 1, RequestId: '473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E' },
    });
    ecsRoute(app, deps, {
      method: 'GET', url: '/instances/:instanceId', operationId: 'Instance_GetInstance', action: 'DescribeInstances',
      summary: 'Get one instance', description: 'One instance by ID (ECS DescribeInstances with InstanceIds). 404 InvalidInstanceId.NotFound when it does not exist in the region.',
      fields: getFields,
      pathParams: instanceIdParam,
      check: (result, p) => {
        const found = (result.body.Instances as { Instance?: unknown[] } | undefined)?.Instance;
        if (!Array.isArray(found) || found.length === 0) {
          throw new GatewayError(404, ErrorCode.instanceNotFound, `Instance ${p.instanceId} does not exist in this region`, {
            ecsRequestId: typeof result.body.RequestId === 'string' ? result.body.RequestId : undefined,
          });
        }
      },
      exampleBody: { Instances: { Instance: [{ InstanceId: 'i-bp67acfmxazb4p****', InstanceName: 'test001', Status: 'Running' }] }, PageNumber: 1, PageSize: 10, TotalCount: 1, RequestId: '473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E' },
    });
    ecsRoute(app, deps, {
      method: 'POST', url: '/instances', operationId: 'Instance_CreateInstances', action: 'RunInstances',
      summary: 'Create instances', description: 'Create and start one or more instances (ECS RunInstances). `dryRun: true` only checks the request (ECS answers DryRunOperation).',
      fields: createFields,
      refine: (input) => input.refine((b) => b.minAmount === undefined || b.amount === undefined || (b.minAmount as number) <= (b.amount as number),
        { path: ['minAmount'], message: 'must not be greater than amount' }),
      example: createExample,
      exampleBody: { RequestId: '473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E', OrderId: '1234567890', TradePrice: 0.165, InstanceIdSets: { InstanceIdSet: ['i-bp67acfmxazb4pd2****', 'i-bp1i43l28m7u48p1****'] } },
    });
  };
}
