import { z } from 'zod';
import { boolish, idList, text } from '../schemas/common.js';
import { tags } from '../schemas/resources.js';
import { queryTags, region, requestId, routesPlugin } from './declare.js';
import type { CuratedRoute } from './factory.js';

const resourceType = () => z.enum(['instance', 'disk', 'snapshot', 'image', 'securitygroup', 'volume', 'eni', 'ddh', 'ddhcluster', 'keypair', 'launchtemplate', 'reservedinstance', 'snapshotpolicy', 'elasticityassurance', 'capacityreservation', 'command', 'invocation'])
  .describe('The kind of the resources: instance, disk, snapshot, image, securitygroup, keypair, …').meta({ example: 'instance' });
const resourceIds = (max: number) => ({ schema: z.array(text(128)).min(1).max(max).describe(`Resource IDs (1-${max}), all of resourceType`), param: 'ResourceId' });

/** Tags on any resource: list, add, remove. */
export const TAG_ROUTES: CuratedRoute[] = [
  {
    method: 'GET', url: '/tags', operationId: 'Tag_ListTags', action: 'ListTagResources', tag: 'Tags',
    summary: 'List tags', description: 'The tags of resources (ECS ListTagResources), by resource ids or by tag.',
    fields: {
      regionId: region(),
      resourceType: resourceType(),
      resourceIds: { schema: idList(50).optional().describe('Resource IDs (up to 50): repeat the key, use resourceIds[]=, or separate with commas'), param: 'ResourceId' },
      tags: queryTags(),
      nextToken: text(1024).optional(),
    },
    example: { regionId: 'cn-hangzhou', resourceType: 'instance', resourceIds: 'i-bp67acfmxazb4p****' },
    exampleBody: { TagResources: { TagResource: [{ ResourceType: 'instance', ResourceId: 'i-bp67acfmxazb4p****', TagKey: 'env', TagValue: 'demo' }] }, NextToken: '', RequestId: requestId },
  },
  {
    method: 'POST', url: '/tags', operationId: 'Tag_TagResources', action: 'TagResources', tag: 'Tags',
    summary: 'Tag resources', description: 'Add tags to resources of one kind (ECS TagResources); `tags` is {"key": "value"} or [{key, value}]. A key already there takes the new value.',
    fields: {
      regionId: region(),
      resourceType: resourceType(),
      resourceIds: resourceIds(50),
      tags: { schema: tags(), param: 'Tag' },
    },
    example: { regionId: 'cn-hangzhou', resourceType: 'instance', resourceIds: ['i-bp67acfmxazb4p****'], tags: { env: 'demo', team: 'web' } },
    exampleBody: { RequestId: requestId },
  },
  {
    method: 'POST', url: '/tags/remove', operationId: 'Tag_UntagResources', action: 'UntagResources', tag: 'Tags',
    summary: 'Remove tags', description: 'Remove tags from resources of one kind (ECS UntagResources): the keys in `tagKeys`, or every tag with `all: true`.',
    fields: {
      regionId: region(),
      resourceType: resourceType(),
      resourceIds: resourceIds(50),
      tagKeys: { schema: z.array(text(128)).min(1).max(20).optional().describe('Tag keys to remove (1-20)'), param: 'TagKey' },
      all: boolish().optional().describe('Remove every tag (when tagKeys is not given)'),
    },
    refine: (input) => input.refine((b) => b.tagKeys !== undefined || b.all === true, { path: ['tagKeys'], message: 'give tagKeys, or all: true' }),
    example: { regionId: 'cn-hangzhou', resourceType: 'instance', resourceIds: ['i-bp67acfmxazb4p****'], tagKeys: ['team'] },
    exampleBody: { RequestId: requestId },
  },
];

export const tagRoutes = routesPlugin(TAG_ROUTES);
