/**
 * The floor: the fastest this stack (Fastify + undici) can serve the route. The body is trusted as
 * is (no validation, no logging, no request ids, no error mapping), V3 is signed by hand with
 * node:crypto, and the ECS answer is wrapped in the same envelope as the gateway's.
 * Env: PORT (required), HOST, UPSTREAM_URL (required).
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { Agent, request } from 'undici';

const VERSION = '2014-05-26';
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');
const STRUCT_TYPE_URL = 'type.googleapis.com/google.protobuf.Struct';
const upstream = process.env.UPSTREAM_URL ?? '';
const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 256 });

const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

interface StopBody { accessKeyId: string; accessKeySecret: string; regionId: string; instanceIds: string[] }

/**
 * ACS3-HMAC-SHA256 over POST / with the parameters in a form body (hashed into x-acs-content-sha256)
 * and an empty query: the request the gateway's signer sends (src/gateway/ecs/signer.ts), so floor
 * and gateway do the same work.
 */
function signV3(action: string, params: Record<string, string>, host: string, id: string, secret: string) {
  const body = Object.keys(params).sort().map((k) => `${enc(k)}=${enc(params[k] ?? '')}`).join('&');
  const payloadHash = body ? createHash('sha256').update(body).digest('hex') : EMPTY_SHA256;
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    host,
    'x-acs-action': action,
    'x-acs-content-sha256': payloadHash,
    'x-acs-date': new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'x-acs-signature-nonce': randomUUID(),
    'x-acs-version': VERSION,
  };
  const names = Object.keys(headers); // already sorted and lower-case
  const canonical = ['POST', '/', '', names.map((n) => `${n}:${headers[n]}\n`).join(''), names.join(';'), payloadHash].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical).digest('hex')}`;
  const signature = createHmac('sha256', secret).update(stringToSign).digest('hex');
  headers.authorization = `ACS3-HMAC-SHA256 Credential=${id},SignedHeaders=${names.join(';')},Signature=${signature}`;
  return { body, headers };
}

const app = Fastify({ logger: false });
app.get('/healthz', async () => ({ status: 'ok' }));
app.put('/api/instances/stop', async (req) => {
  const b = req.body as StopBody;
  const params: Record<string, string> = { RegionId: b.regionId };
  b.instanceIds.forEach((id, i) => { params[`InstanceId.${i + 1}`] = id; });
  const host = `ecs.${b.regionId}.aliyuncs.com`;
  const { body: form, headers } = signV3('StopInstances', params, host, b.accessKeyId, b.accessKeySecret);
  const res = await request(`${upstream}/`, { method: 'POST', headers, body: form, dispatcher });
  const body = await res.body.json();
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
  return { data: { '@type': STRUCT_TYPE_URL, value: { body, headers: flat } } };
});

await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' });
const stop = () => { void app.close().then(() => dispatcher.close()).finally(() => process.exit(0)); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
