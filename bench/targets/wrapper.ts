/**
 * The SDK wrapper: what most teams would write instead of the gateway. A minimal Fastify route
 * that calls the official @alicloud/ecs20140526 client (V3 signing, one cached client per access
 * key), with the SDK's defaults, and wraps the answer in the same envelope as the gateway's.
 * Env: PORT (required), HOST, UPSTREAM_URL (required; the SDK's endpoint is pointed at it).
 */
import Ecs, { StopInstancesRequest } from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import Fastify from 'fastify';

/** CJS `exports.default`: Node hands us the module object, some loaders the class itself. */
function cjsDefault<T>(mod: { default: T }): T {
  return (typeof mod === 'function' ? mod : mod.default) as T;
}
const EcsClient = cjsDefault(Ecs);
type Client = InstanceType<typeof EcsClient>;

const STRUCT_TYPE_URL = 'type.googleapis.com/google.protobuf.Struct';
const upstream = new URL(process.env.UPSTREAM_URL ?? '');
const clients = new Map<string, Client>();

function clientFor(accessKeyId: string, accessKeySecret: string, regionId: string): Client {
  const key = `${accessKeyId}\n${accessKeySecret}\n${regionId}`;
  let client = clients.get(key);
  if (!client) {
    client = new EcsClient(new $OpenApiUtil.Config({
      accessKeyId, accessKeySecret, regionId, endpoint: upstream.host, protocol: upstream.protocol.replace(':', ''),
    }));
    clients.set(key, client);
  }
  return client;
}

interface StopBody { accessKeyId: string; accessKeySecret: string; regionId: string; instanceIds: string[] }

const app = Fastify({ logger: false });
app.get('/healthz', async () => ({ status: 'ok' }));
app.put('/api/instances/stop', async (req) => {
  const b = req.body as StopBody;
  const res = await clientFor(b.accessKeyId, b.accessKeySecret, b.regionId)
    .stopInstances(new StopInstancesRequest({ regionId: b.regionId, instanceId: b.instanceIds }));
  return { data: { '@type': STRUCT_TYPE_URL, value: { body: res.body?.toMap() ?? {}, headers: res.headers ?? {} } } };
});

await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' });
const stop = () => { void app.close().finally(() => process.exit(0)); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
