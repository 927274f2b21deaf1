import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { GATEWAY_VERSION } from '../version.js';

const OPENAPI_DESCRIPTION = `A validated, documented REST API in front of Alibaba Cloud ECS (RPC API 2014-05-26).

Every field is accepted in lowerCamelCase and in snake_case (\`regionId\` / \`region_id\`); giving both with different values is a 400.
Credentials (\`accessKeyId\`, \`accessKeySecret\`, optional \`securityToken\`) come from the query string (GET) or the JSON body,
or from the headers X-Access-Key-Id, X-Access-Key-Secret and X-Security-Token. When the gateway runs with GATEWAY_API_KEYS,
every /api route needs \`Authorization: Bearer <key>\`.`;

/**
 * The OpenAPI security requirements of an /api route. Alternatives, each listing schemes sent together:
 * the gateway key and the AccessKey headers are each optional, the id and secret go together, and the
 * token only with them. Swagger UI sends every scheme the user authorised that appears here.
 */
const API_SECURITY: Record<string, string[]>[] = [
  { gatewayApiKey: [], accessKeyId: [], accessKeySecret: [], securityToken: [] },
  { gatewayApiKey: [], accessKeyId: [], accessKeySecret: [] },
  { gatewayApiKey: [] },
  { accessKeyId: [], accessKeySecret: [], securityToken: [] },
  { accessKeyId: [], accessKeySecret: [] },
  {},
];

/** Paths that answer without a gateway API key: health probes and the API docs. */
export function isPublicPath(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return path === '/healthz' || path === '/readyz' || path === '/docs' || path.startsWith('/docs/');
}

/** The OpenAPI document (built from the route schemas) at /docs/json and its UI at /docs. */
export async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'ecs-gateway', version: GATEWAY_VERSION, description: OPENAPI_DESCRIPTION },
      tags: [{ name: 'Instance', description: 'ECS regions, images, instance types and instances' }, { name: 'Health' }],
      components: {
        securitySchemes: {
          gatewayApiKey: { type: 'http', scheme: 'bearer', description: 'The gateway API key. Required on /api routes when GATEWAY_API_KEYS is set' },
          accessKeyId: { type: 'apiKey', in: 'header', name: 'X-Access-Key-Id', description: 'AccessKey ID (or the accessKeyId field). Optional when the gateway has server-side credentials' },
          accessKeySecret: { type: 'apiKey', in: 'header', name: 'X-Access-Key-Secret', description: 'AccessKey secret, sent with X-Access-Key-Id (or the accessKeySecret field). A header keeps it out of URLs and proxy logs' },
          securityToken: { type: 'apiKey', in: 'header', name: 'X-Security-Token', description: 'STS security token, for temporary credentials; only with the AccessKey pair it was issued with' },
        },
      },
      security: API_SECURITY,
    },
    transform: jsonSchemaTransform,
    transformObject: (document) => withoutUnusedComponents(jsonSchemaTransformObject(document)),
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
}

/** zod registers every named schema for input and output; drop the copies no operation references. */
function withoutUnusedComponents<T>(doc: T): T {
  const schemas = (doc as { components?: { schemas?: Record<string, unknown> } }).components?.schemas;
  if (!schemas) return doc;
  const text = JSON.stringify({ ...doc, components: {} });
  for (const name of Object.keys(schemas)) {
    if (!text.includes(`"#/components/schemas/${name}"`)) delete schemas[name];
  }
  return doc;
}
