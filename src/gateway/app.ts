import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import type { Config } from './config.js';
import { EcsClient } from './ecs/client.js';
import { ErrorCode, GatewayError } from './errors.js';
import { FieldAllowlist } from './http/allowlist.js';
import { bearerAuth } from './http/auth.js';
import { clientErrorHandler } from './http/client-error.js';
import { installErrorHandling, refuseShadowedMethods, sendError } from './http/error-handler.js';
import { installJsonBodyParser } from './http/json-body.js';
import { logCompletion, loggingOptions } from './http/logging.js';
import { RouteTable } from './http/methods.js';
import { catalogRoutes } from './routes/catalog.js';
import { instanceActionRoutes } from './routes/instance-actions.js';
import { instanceRoutes } from './routes/instances.js';
import { GATEWAY_VERSION } from './version.js';

/** Everything buildApp needs; only `config` is required, the rest is injected by tests. */
export interface AppOptions {
  config: Config;
  dispatcher?: Dispatcher;
  now?: () => Date;
  nonce?: () => string;
  /** Where logs go (default stdout); tests capture them here. */
  logStream?: NodeJS.WritableStream;
}

const OPENAPI_DESCRIPTION = `A validated, documented REST API in front of Alibaba Cloud ECS (RPC API 2014-05-26).

Every field is accepted in lowerCamelCase and in snake_case (\`regionId\` / \`region_id\`); giving both with different values is a 400.
Credentials (\`accessKeyId\`, \`accessKeySecret\`, optional \`securityToken\`) come from the query string (GET) or the JSON body,
or from the headers X-Access-Key-Id, X-Access-Key-Secret and X-Security-Token. When the gateway runs with GATEWAY_API_KEYS,
every /api route needs \`Authorization: Bearer <key>\`.`;

/** How many times the body limit the gateway reads and discards of a refused body, so its client reads the answer. */
const DRAIN_FACTOR = 4;

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

/** Builds the gateway app, not listening. Call `close()` to release the upstream Agent. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config } = options;
  // Both are filled from the routes as they are registered (onRoute below).
  const allowlist = new FieldAllowlist();
  const routes = new RouteTable();
  const drainLimitBytes = DRAIN_FACTOR * config.bodyLimitBytes;
  const requireKey = config.apiKeys.length > 0 ? bearerAuth(config.apiKeys) : undefined;
  const app: FastifyInstance = Fastify({
    ...loggingOptions(config.logLevel, allowlist, options.logStream),
    bodyLimit: config.bodyLimitBytes,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Fastify's own 503 while closing is not the documented error shape and never reaches /readyz; see healthRoutes.
    return503OnClosing: false,
    // Slowloris bounds; an upstream call may take up to timeoutMs.
    connectionTimeout: config.timeoutMs + 30_000,
    requestTimeout: config.timeoutMs + 30_000,
    keepAliveTimeout: 72_000,
    clientErrorHandler,
    // Errors the router raises before any route or hook runs (a path segment over 100 characters,
    // malformed percent-encoding in the path): the same shape, key check, header and log as the rest.
    frameworkErrors: (err, request, reply) => {
      // No route runs, so neither do the hooks that log a request's completion: log it here.
      reply.raw.once('finish', () => logCompletion(null, request, reply));
      reply.header('x-request-id', request.id);
      const checked = requireKey && !isPublicPath(request.url) ? requireKey(request, reply) : Promise.resolve();
      checked.then(() => err, (authErr: unknown) => authErr)
        .then((e) => sendError(e, request, reply, drainLimitBytes))
        .catch((e: unknown) => request.log.error({ err: e }, 'request failed'));
    },
  });
  app.addHook('onRoute', (route) => {
    routes.add(route.method, route.url);
    for (const location of ['querystring', 'body', 'params'] as const) {
      const schema = (route.schema as Record<string, unknown> | undefined)?.[location];
      if (schema instanceof z.ZodType) allowlist.add(location, schema);
    }
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // First hook of all, so every answer carries it (auth refusals and 503s included). Callback style:
  // this runs on every request, and an async hook costs a promise each time.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  installErrorHandling(app, { drainLimitBytes, routes });
  installJsonBodyParser(app);
  if (requireKey) {
    // Deny by default: everything but health and docs needs the key, unknown paths included,
    // so that a caller without a key cannot even map which routes exist.
    app.addHook('onRequest', async (request, reply) => {
      if (!isPublicPath(request.url)) await requireKey(request, reply);
    });
  }
  // After the key check, so that a 405 does not tell a caller without a key which routes exist.
  refuseShadowedMethods(app, routes);

  const client = new EcsClient({
    signatureVersion: config.signatureVersion,
    upstreamUrl: config.upstreamUrl,
    allowedEndpoints: config.allowedEndpoints,
    timeoutMs: config.timeoutMs,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.nonce ? { nonce: options.nonce } : {}),
  });
  app.addHook('onClose', async () => client.close());

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

  healthRoutes(app);
  const deps = { client, defaultCredentials: config.defaultCredentials };
  await app.register(async (api) => {
    await api.register(catalogRoutes(deps));
    await api.register(instanceRoutes(deps));
    await api.register(instanceActionRoutes(deps));
  }, { prefix: '/api' });
  return app;
}

/** Health probes and the API docs answer without a gateway API key. */
function isPublicPath(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return path === '/healthz' || path === '/readyz' || path === '/docs' || path.startsWith('/docs/');
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

/** Liveness and readiness; neither touches ECS, so an ECS outage does not restart the gateway. */
function healthRoutes(app: FastifyInstance): void {
  const status = z.object({ status: z.string() });
  let closing = false;
  app.addHook('preClose', async () => { closing = true; });
  // While draining, in-flight requests finish; new ones (except the probes) get a 503 in the one error shape.
  app.addHook('onRequest', (request, reply, done) => {
    if (!closing || request.routeOptions.url === '/healthz' || request.routeOptions.url === '/readyz') return done();
    reply.header('connection', 'close');
    done(new GatewayError(503, ErrorCode.shuttingDown, 'The gateway is shutting down; retry the request'));
  });
  // Close() reaps the connections idle at that moment; one that was busy goes idle after its answer and
  // would hold the server (and the process) open until its keep-alive timeout, so reap again after each
  // answer. A request already pipelined on the socket keeps it busy and is still answered.
  app.addHook('onResponse', (_request, _reply, done) => {
    if (closing) setImmediate(() => app.server.closeIdleConnections());
    done();
  });
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get('/healthz', {
    schema: { tags: ['Health'], summary: 'Liveness', security: [], response: { 200: status.meta({ example: { status: 'ok' } }) } },
  }, async () => ({ status: 'ok' }));
  typed.get('/readyz', {
    schema: { tags: ['Health'], summary: 'Readiness: 503 while shutting down', security: [], response: { 200: status.meta({ example: { status: 'ready' } }), 503: status } },
  }, async (_request, reply) => (closing ? reply.code(503).send({ status: 'shutting down' }) : { status: 'ready' }));
}
