import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { GATEWAY_VERSION } from '../version.js';

const OPENAPI_DESCRIPTION = `A validated, documented REST API in front of Alibaba Cloud ECS (RPC API 2014-05-26).

Every field is accepted in lowerCamelCase and in snake_case (\`regionId\` / \`region_id\`); giving both with different values is a 400.
Credentials (\`accessKeyId\`, \`accessKeySecret\`, optional \`securityToken\`) come from the query string (GET) or the JSON body,
or from the headers X-Access-Key-Id, X-Access-Key-Secret and X-Security-Token. When the gateway runs with GATEWAY_API_KEYS,
every /api route needs \`Authorization: Bearer <key>\`.

Every ECS action (all 380 of them) is also reachable through \`POST /api/ecs/{Action}\`, documented one operation per
action at [/docs/ecs](/docs/ecs) ([JSON](/docs/ecs/json)).`;

/**
 * The OpenAPI security requirements of an /api route. Alternatives, each listing schemes sent together:
 * the gateway key and the AccessKey headers are each optional, the id and secret go together, and the
 * token only with them. Swagger UI sends every scheme the user authorised that appears here.
 */
export const API_SECURITY: Record<string, string[]>[] = [
  { gatewayApiKey: [], accessKeyId: [], accessKeySecret: [], securityToken: [] },
  { gatewayApiKey: [], accessKeyId: [], accessKeySecret: [] },
  { gatewayApiKey: [] },
  { accessKeyId: [], accessKeySecret: [], securityToken: [] },
  { accessKeyId: [], accessKeySecret: [] },
  {},
];

/** How callers authenticate: the gateway key (bearer) and the AccessKey headers. Both documents use these. */
export const SECURITY_SCHEMES = {
  gatewayApiKey: { type: 'http', scheme: 'bearer', description: 'The gateway API key. Required on /api routes when GATEWAY_API_KEYS is set' },
  accessKeyId: { type: 'apiKey', in: 'header', name: 'X-Access-Key-Id', description: 'AccessKey ID (or the accessKeyId field). Optional when the gateway has server-side credentials' },
  accessKeySecret: { type: 'apiKey', in: 'header', name: 'X-Access-Key-Secret', description: 'AccessKey secret, sent with X-Access-Key-Id (or the accessKeySecret field). A header keeps it out of URLs and proxy logs' },
  securityToken: { type: 'apiKey', in: 'header', name: 'X-Security-Token', description: 'STS security token, for temporary credentials; only with the AccessKey pair it was issued with' },
} as const;

/** The tags of the document's operations, in the order Swagger UI shows them; every operation's tag is one of these. */
export const OPENAPI_TAGS = [
  { name: 'Instance', description: 'ECS regions, zones, images, instance types and instances: create, list, power, modify, resize' },
  { name: 'Security groups', description: 'Security groups and their ingress and egress rules (`{"protocol": "tcp", "port": 443, "source": "0.0.0.0/0"}`)' },
  { name: 'Key pairs', description: 'SSH key pairs: create (the private key is answered once, never logged), import, attach to and detach from instances' },
  { name: 'Disks', description: 'Block storage disks: create, attach, detach, resize, delete' },
  { name: 'Snapshots', description: 'Snapshots of disks' },
  { name: 'Images', description: 'Custom images, from an instance or a snapshot' },
  { name: 'Tags', description: 'Tags on ECS resources (instances, disks, snapshots, images, security groups, key pairs, …): add, remove, and find resources by tag' },
  { name: 'Networking', description: 'VPCs and vSwitches' },
  { name: 'Cloud Assistant', description: 'Running commands on instances and reading their output (plain text by default)' },
  { name: 'Pricing', description: 'Available resources per zone and prices' },
  { name: 'ECS', description: 'Every ECS action at `POST /api/ecs/{Action}`, and the action catalog (each action documented at /docs/ecs)' },
  { name: 'Health', description: 'Liveness and readiness probes (no credentials, no gateway key)' },
];

/** Paths that answer without a gateway API key: health probes and the API docs. */
export function isPublicPath(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return path === '/healthz' || path === '/readyz' || path === '/docs' || path.startsWith('/docs/');
}

/**
 * The document of every ECS action, generated at build time by `npm run openapi` (scripts/ecs-openapi.ts).
 * The build copies it next to the compiled code (tsconfig.build.json), so this path works from src/ and dist/src/.
 */
export const ECS_DOCUMENT_URL = new URL('../openapi/ecs.json', import.meta.url);

interface Served { body: Buffer; etag: string }

/**
 * The ECS document's bytes, read once, on the first request for them, without blocking the event loop
 * (no parse, no serialisation: the file is served as it is). A failed read is not kept, so it is tried again.
 */
function ecsDocumentLoader(url: URL): () => Promise<Served> {
  let loading: Promise<Served> | undefined;
  return () => {
    loading ??= readFile(url).then(
      (body) => ({ body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` }),
      (err: unknown) => {
        loading = undefined;
        throw err;
      },
    );
    return loading;
  };
}

/** Swagger UI for the ECS document: the assets @fastify/swagger-ui serves under /docs/static, pointed at /docs/ecs/json. */
export const ECS_UI_HTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<title>ecs-gateway: every ECS action</title>
<link rel="stylesheet" type="text/css" href="/docs/static/swagger-ui.css" />
<link rel="stylesheet" type="text/css" href="/docs/static/index.css" />
<link rel="icon" type="image/png" href="/docs/static/favicon-32x32.png" sizes="32x32" />
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/static/swagger-ui-bundle.js" charset="UTF-8"></script>
<script src="/docs/static/swagger-ui-standalone-preset.js" charset="UTF-8"></script>
<script>
window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/docs/ecs/json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout',
    validatorUrl: null,
    // 380 operations: tags folded, a filter box, no models section.
    docExpansion: 'none',
    filter: true,
    defaultModelsExpandDepth: -1,
  });
};
</script>
</body>
</html>
`;

/** The document of every ECS action at /docs/ecs/json and its UI at /docs/ecs (public, like /docs). */
export function registerEcsDocs(app: FastifyInstance, documentUrl: URL = ECS_DOCUMENT_URL): void {
  const load = ecsDocumentLoader(documentUrl);
  for (const url of ['/docs/ecs', '/docs/ecs/']) {
    app.get(url, { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(ECS_UI_HTML));
  }
  app.get('/docs/ecs/json', { schema: { hide: true } }, async (request, reply) => {
    const { body, etag } = await load();
    reply.header('etag', etag).header('cache-control', 'no-cache');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(body);
  });
}

/**
 * The main document, generated at build time by `npm run openapi` from the route schemas (the same zod schemas
 * that validate; CI fails when the committed file is stale) and copied next to the compiled code like the ECS
 * document. Serving it as a file costs nothing at start-up; building it from 50+ routes took ~190 ms there.
 */
export const MAIN_DOCUMENT_URL = new URL('../openapi/openapi.json', import.meta.url);

/**
 * The OpenAPI document at /docs/json and its UI at /docs; the ECS document at /docs/ecs. `fromRoutes` builds the
 * main document from the registered routes instead of serving the generated file: what `npm run openapi` does.
 */
export async function registerDocs(app: FastifyInstance, options: { fromRoutes?: boolean } = {}): Promise<void> {
  if (options.fromRoutes) {
    await app.register(fastifySwagger, {
      openapi: {
        openapi: '3.0.3',
        info: { title: 'ecs-gateway', version: GATEWAY_VERSION, description: OPENAPI_DESCRIPTION },
        tags: OPENAPI_TAGS,
        components: { securitySchemes: SECURITY_SCHEMES },
        security: API_SECURITY,
      },
      transform: jsonSchemaTransform,
      transformObject: (document) => withoutUnusedComponents(jsonSchemaTransformObject(document)),
    });
  } else {
    const document = JSON.parse(readFileSync(MAIN_DOCUMENT_URL, 'utf8')) as Record<string, unknown>;
    await app.register(fastifySwagger, { mode: 'static', specification: { document: document as never } });
  }
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  registerEcsDocs(app);
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
