/**
 * `npm run demo`: the local ECS emulator and the gateway in one process, wired by ECS_UPSTREAM_URL.
 * Prints the URLs, the demo key pair and ready-to-paste curl commands; Ctrl-C stops both cleanly.
 */
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { DEMO_ACCESS_KEY, startEmulator, type RunningEmulator } from '../src/emulator/server.js';

const REGION = 'cn-beijing';
const ENDPOINT = `ecs.${REGION}.aliyuncs.com`;

const env = process.env;
const host = env.HOST ?? '127.0.0.1';

/** Single-quotes a string for a POSIX shell. */
const sh = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The seed's calls, made ready to paste: the demo key pair and a real instance id filled in. */
export function demoCommands(base: string, instanceId: string): { title: string; command: string }[] {
  const creds = { accessKeyId: DEMO_ACCESS_KEY.accessKeyId, accessKeySecret: DEMO_ACCESS_KEY.accessKeySecret };
  const query = (params: Record<string, string>) => new URLSearchParams({ ...creds, ...params }).toString();
  const get = (path: string, params: Record<string, string> = {}) => `curl -sS ${sh(`${base}${path}?${query(params)}`)}`;
  const send = (method: string, path: string, body: Record<string, unknown>) =>
    `curl -sS -X ${method} ${sh(`${base}${path}`)} -H 'Content-Type: application/json' -d ${sh(JSON.stringify({ ...creds, endpoint: ENDPOINT, regionId: REGION, ...body }))}`;
  return [
    { title: 'List regions', command: get('/api/regions') },
    { title: 'List zones', command: get('/api/zones', { regionId: REGION }) },
    { title: 'List images', command: get('/api/images', { endpoint: ENDPOINT, regionId: REGION }) },
    { title: 'List instance types', command: get('/api/instance-types', { endpoint: ENDPOINT }) },
    { title: 'Create instances (dry run: ECS answers DryRunOperation)', command: send('POST', '/api/instances', { imageId: 'debian_10_12_x64_20G_alibase_20220328.vhd', instanceType: 'ecs.t1.xsmall', systemDiskSize: '50', instanceName: 'test', uniqueSuffix: true, amount: 10, password: 'Demo-Passw0rd', dry_run: true }) },
    { title: 'Create two instances', command: send('POST', '/api/instances', { imageId: 'debian_10_12_x64_20G_alibase_20220328.vhd', instanceType: 'ecs.t1.xsmall', systemDiskSize: '50', instanceName: 'test', uniqueSuffix: true, amount: 2 }) },
    { title: 'List instances', command: get('/api/instances', { endpoint: ENDPOINT, region_id: REGION }) },
    { title: 'Get one instance', command: get(`/api/instances/${instanceId}`, { regionId: REGION }) },
    { title: 'Stop it', command: send('PUT', '/api/instances/stop', { instanceIds: [instanceId] }) },
    { title: 'Start it (once it is Stopped)', command: send('PUT', '/api/instances/start', { instanceIds: [instanceId] }) },
    { title: 'Reboot it (once it is Running)', command: send('PUT', '/api/instances/reboot', { instanceIds: [instanceId] }) },
    { title: 'Release it (force: it may be running)', command: send('PUT', '/api/instances/terminate', { instanceIds: [instanceId], force: true }) },
  ];
}

/** Creates the demo instance through the gateway itself, so the printed commands name a real id. */
async function createDemoInstance(base: string): Promise<string> {
  const res = await fetch(`${base}/api/instances`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...DEMO_ACCESS_KEY, regionId: REGION, imageId: 'aliyun_2_1903_x64_20G_alibase_20220408.vhd', instanceType: 'ecs.t1.xsmall', instanceName: 'demo-instance' }),
  });
  const json = await res.json() as { data?: { value?: { body?: { InstanceIdSets?: { InstanceIdSet?: string[] } } } } };
  const id = json.data?.value?.body?.InstanceIdSets?.InstanceIdSet?.[0];
  if (!res.ok || !id) throw new Error(`could not create the demo instance: HTTP ${res.status} ${JSON.stringify(json)}`);
  return id;
}

async function main(): Promise<void> {
  const emulator: RunningEmulator = await startEmulator({
    host,
    port: Number(env.EMULATOR_PORT ?? 9000),
    accessKeys: [DEMO_ACCESS_KEY],
    transitionMs: Number(env.EMULATOR_TRANSITION_MS ?? 2000),
  });
  let gateway: FastifyInstance | undefined;
  const stop = async (code: number) => {
    await gateway?.close();
    await emulator.close();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  try {
    // Only the demo's own settings: server-side credentials from the shell must not leak into the demo.
    const config = loadConfig({
      HOST: host, PORT: env.PORT ?? '8000', LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
      ECS_SIGNATURE_VERSION: env.ECS_SIGNATURE_VERSION ?? 'v3', ECS_UPSTREAM_URL: emulator.url,
    }, { homeDir: '/nonexistent' });
    gateway = await buildApp({ config });
    await gateway.listen({ host: config.host, port: config.port });
    const { port } = gateway.server.address() as AddressInfo;
    const base = `http://${host}:${port}`;
    const instanceId = await createDemoInstance(base);
    const lines = [
      '',
      'ecs-gateway demo: the gateway in front of the local ECS emulator',
      `  gateway   ${base}   (API docs: ${base}/docs)`,
      `  emulator  ${emulator.url}   (ECS RPC, signature ${config.signatureVersion.toUpperCase()})`,
      `  demo key  accessKeyId=${DEMO_ACCESS_KEY.accessKeyId}  accessKeySecret=${DEMO_ACCESS_KEY.accessKeySecret}`,
      `  a demo instance ${instanceId} is running in ${REGION}`,
      '',
      'Try it (paste any line):',
      ...demoCommands(base, instanceId).flatMap(({ title, command }) => [`# ${title}`, command]),
      '',
      'Ctrl-C stops both.',
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (err) {
    process.stderr.write(`demo failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    await stop(1);
  }
}

void main();
