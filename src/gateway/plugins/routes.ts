import type { FastifyInstance } from 'fastify';
import { catalogRoutes } from '../routes/catalog.js';
import { cloudAssistantRoutes } from '../routes/cloud-assistant.js';
import { discoveryRoutes } from '../routes/discovery.js';
import type { RouteDeps } from '../routes/factory.js';
import { genericRoutes } from '../routes/generic.js';
import { instanceActionRoutes } from '../routes/instance-actions.js';
import { instanceChangeRoutes } from '../routes/instance-changes.js';
import { instanceRoutes } from '../routes/instances.js';
import { inventoryRoutes } from '../routes/inventory.js';
import { keyPairRoutes } from '../routes/key-pairs.js';
import { networkRoutes } from '../routes/networking.js';
import { pricingRoutes } from '../routes/pricing.js';
import { securityGroupRoutes } from '../routes/security-groups.js';
import { storageRoutes } from '../routes/storage.js';
import { tagRoutes } from '../routes/tags.js';

/**
 * Every ECS route, under /api: the curated resources (regions … instances; disks, snapshots, images,
 * security groups, key pairs, tags, networking, Cloud Assistant, pricing), every ECS action at
 * POST /api/ecs/{Action}, and the action catalog at GET /api/ecs and GET /api/ecs/{Action}.
 */
export async function registerRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  await app.register(async (api) => {
    await api.register(catalogRoutes(deps));
    await api.register(instanceRoutes(deps));
    await api.register(instanceActionRoutes(deps));
    await api.register(instanceChangeRoutes(deps));
    await api.register(storageRoutes(deps));
    await api.register(securityGroupRoutes(deps));
    await api.register(keyPairRoutes(deps));
    await api.register(tagRoutes(deps));
    await api.register(networkRoutes(deps));
    await api.register(cloudAssistantRoutes(deps));
    await api.register(pricingRoutes(deps));
    await api.register(genericRoutes(deps));
    await api.register(discoveryRoutes());
    await api.register(inventoryRoutes(deps));
  }, { prefix: '/api' });
}
