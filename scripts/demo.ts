/**
 * `npm run demo`: the local ECS emulator and the gateway in one process, wired by ECS_UPSTREAM_URL.
 * Prints the URLs, the demo key pair and ready-to-paste curl commands; Ctrl-C stops both cleanly.
 */
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../src/gateway/app.js';
import { ConfigError, loadConfig, type Config } from '../src/gateway/config.js';
import { EmulatorConfigError, listenFailure, loadEmulatorConfig, type EmulatorConfig } from '../src/emulator/config.js';
import { DEMO_ACCESS_KEY, startEmulator, type RunningEmulator } from '../src/emulator/server.js';

const REGION = 'cn-beijing';
const ENDPOINT = `ecs.${REGION}.aliyuncs.com`;

const env = process.env;

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

/** The demo's own settings, validated like the real ones (an empty variable counts as unset). */
function loadDemoConfig(): { gateway: Config; emulator: EmulatorConfig } {
  const problems: string[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (err) {
      if (err instanceof ConfigError || err instanceof EmulatorConfigError) problems.push(...err.problems);
      else throw err;
      return undefined;
    }
  };
  // Only the demo's own settings: server-side credentials from the shell must not leak into the demo.
  // The upstream is a placeholder until the emulator listens (EMULATOR_PORT may be 0).
  const gateway = attempt(() => loadConfig({
    HOST: env.HOST, PORT: env.PORT, LOG_LEVEL: env.LOG_LEVEL || 'warn', ECS_SIGNATURE_VERSION: env.ECS_SIGNATURE_VERSION,
    ECS_UPSTREAM_URL: 'http://127.0.0.1',
  }, { homeDir: '/nonexistent' }));
  const emulator = attempt(() => loadEmulatorConfig({ EMULATOR_PORT: env.EMULATOR_PORT, EMULATOR_TRANSITION_MS: env.EMULATOR_TRANSITION_MS }));
  if (!gateway || !emulator) throw new ConfigError(problems);
  return { gateway, emulator };
}

/** Stops the demo with one line on stderr (no stack trace) and a non-zero status. */
function fail(message: string, code = 1): never {
  process.stderr.write(`demo failed to start: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let settings: ReturnType<typeof loadDemoConfig>;
  try {
    settings = loadDemoConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.problems.join('; '), 78);
    throw err;
  }
  const { host } = settings.gateway;
  const emulatorPort = settings.emulator.port;
  const emulator: RunningEmulator = await startEmulator({
    host, port: emulatorPort, accessKeys: [DEMO_ACCESS_KEY], transitionMs: settings.emulator.transitionMs,
  }).catch((err: unknown) => fail(listenFailure(err, { host, port: emulatorPort, portVariable: 'EMULATOR_PORT', hostVariable: 'HOST' })));
  let gateway: FastifyInstance | undefined;
  const stop = async (code: number) => {
    await gateway?.close();
    await emulator.close();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  const config: Config = { ...settings.gateway, upstreamUrl: emulator.url };
  try {
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
    // A listen error names PORT; any other failure passes its message through.
    const message = listenFailure(err, { host, port: config.port, portVariable: 'PORT', hostVariable: 'HOST' });
    process.stderr.write(`demo failed to start: ${message}\n`);
    await stop(1);
  }
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
