import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { EcsClient } from '../../src/gateway/ecs/client.js';
import { ecsRoute, type CuratedRoute } from '../../src/gateway/routes/factory.js';

const deps = { client: new EcsClient({ signatureVersion: 'v3', allowedEndpoints: [], timeoutMs: 1000 }) };

/**
 * For the factory's start-up checks: `declare(overrides)` gives a function that registers one curated route (the
 * `base` declaration with `overrides` on top) on a fresh app, so a test can expect it to throw or not.
 */
export function curatedDeclarer(base: Pick<CuratedRoute, 'method' | 'operationId' | 'action'>): (overrides: Partial<CuratedRoute>) => () => void {
  return (overrides) => () => {
    const app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    ecsRoute(app, deps, { url: '/x', summary: 's', description: 'd', exampleBody: {}, fields: {}, ...base, ...overrides } as CuratedRoute);
  };
}
