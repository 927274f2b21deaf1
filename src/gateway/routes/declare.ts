import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { getAction } from '../ecs/catalog/index.js';
import type { EcsResult } from '../ecs/client.js';
import { ErrorCode, GatewayError } from '../errors.js';
import { regionId, text, unicode } from '../schemas/common.js';
import { ecsRoute, type CuratedRoute, type RouteDeps } from './factory.js';

/** The RegionId a call carries, or (`param: null`) only picks the endpoint and the policy region when the action takes none. */
export const region = () => regionId();
export const endpointRegion = () => ({ schema: regionId(), param: null } as const);

export const requestId = '473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E';

/**
 * A lookup by id (`GET /api/disks/{diskId}`) answers 404 NOT_FOUND when ECS's list (the catalog's `list`
 * path of the action) comes back empty: the id is well-formed but not in this region.
 */
export function emptyIs404(action: string, what: string, pathParam: string): CuratedRoute['check'] {
  const path = getAction(action)?.list?.split('.') ?? [];
  return (result: EcsResult, params: Record<string, unknown>) => {
    let node: unknown = result.body;
    for (const key of path) node = (node as Record<string, unknown> | undefined)?.[key];
    if (!Array.isArray(node) || node.length === 0) {
      throw new GatewayError(404, ErrorCode.notFound, `${what} ${String(params[pathParam])} does not exist in this region`, {
        ecsRequestId: typeof result.body.RequestId === 'string' ? result.body.RequestId : undefined,
      });
    }
  };
}

/** `key:value` (or just `key`) as a query-string tag filter; repeat the key for several. */
const queryTag = text(257).transform((s) => {
  const i = s.indexOf(':');
  return i < 0 ? { key: s, value: undefined } : { key: s.slice(0, i), value: s.slice(i + 1) };
}).pipe(z.object({ key: text(128), value: unicode(128).optional() }));

export const queryTags = () => ({
  schema: z.union([z.array(queryTag), queryTag.transform((t) => [t])]).pipe(z.array(z.object({ key: z.string(), value: z.string().optional() })).max(20))
    .optional().describe('Tag filters as key:value (or key); repeat for several (up to 20)'),
  param: 'Tag',
});

/** A plugin that registers `routes`. */
export function routesPlugin(routes: readonly CuratedRoute[]) {
  return (deps: RouteDeps) => async (app: FastifyInstance): Promise<void> => {
    for (const route of routes) ecsRoute(app, deps, route);
  };
}
