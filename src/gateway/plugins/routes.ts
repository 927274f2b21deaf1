import type { FastifyInstance } from 'fastify';
import { catalogRoutes } from '../routes/catalog.js';
import type { RouteDeps } from '../routes/ecs-route.js';
import { instanceActionRoutes } from '../routes/instance-actions.js';
import { instanceRoutes } from '../routes/instances.js';

/** Every ECS route, under /api. */
export async function registerRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  await app.register(async (api) => {
    await api.register(catalogRoutes(deps));
    await api.register(instanceRoutes(deps));
    await api.register(instanceActionRoutes(deps));
  }, { prefix: '/api' });
}
