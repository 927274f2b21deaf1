import type { FastifyInstance } from 'fastify';
import { catalogRoutes } from '../routes/catalog.js';
import { discoveryRoutes } from '../routes/discovery.js';
import type { RouteDeps } from '../routes/factory.js';
import { genericRoutes } from '../routes/generic.js';
import { instanceActionRoutes } from '../routes/instance-actions.js';
import { instanceRoutes } from '../routes/instances.js';

/**
 * Every ECS route, under /api: the curated resources (regions … instances), every ECS action at
 * POST /api/ecs/{Action}, and the action catalog at GET /api/ecs and GET /api/ecs/{Action}.
 */
export async function registerRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  await app.register(async (api) => {
    await api.register(catalogRoutes(deps));
    await api.register(instanceRoutes(deps));
    await api.register(instanceActionRoutes(deps));
    await api.register(genericRoutes(deps));
    await api.register(discoveryRoutes());
  }, { prefix: '/api' });
}
