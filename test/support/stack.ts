import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../../src/gateway/app.js';
import { loadConfig } from '../../src/gateway/config.js';
import { DEMO_ACCESS_KEY, startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { LogCapture } from './gateway.js';

/** The gateway listening on an ephemeral port in front of a real emulator. */
export interface Stack {
  emulator: RunningEmulator;
  gateway: FastifyInstance;
  /** http://127.0.0.1:PORT of the gateway */
  base: string;
  logs: LogCapture;
  close(): Promise<void>;
}

/**
 * Starts emulator + gateway (V1 or V3 signing), with fault control on and instant transitions. The gateway's
 * ECS_TIMEOUT_MS is a generous 60 s, so a loaded machine never turns a slow answer into a 504; a test of the
 * timeout itself passes its own short ECS_TIMEOUT_MS in `env`.
 */
export async function startStack(signatureVersion: 'v1' | 'v3', env: Record<string, string> = {}): Promise<Stack> {
  const emulator = await startEmulator({ port: 0, accessKeys: [DEMO_ACCESS_KEY], transitionMs: 0, faults: true });
  const logs = new LogCapture();
  const config = loadConfig({ ECS_UPSTREAM_URL: emulator.url, ECS_SIGNATURE_VERSION: signatureVersion, LOG_LEVEL: 'debug', ECS_TIMEOUT_MS: '60000', ...env }, { homeDir: '/nonexistent' });
  const gateway = await buildApp({ config, logStream: logs });
  await gateway.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`;
  return {
    emulator, gateway, base, logs,
    close: async () => {
      await gateway.close();
      await emulator.close();
    },
  };
}

/** Posts a fault rule to the emulator's control route. */
export async function injectFault(emulator: RunningEmulator, rule: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${emulator.url}/__emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rule) });
  if (!res.ok) throw new Error(`fault not accepted: ${res.status} ${await res.text()}`);
}

/** A gateway answer: status, parsed JSON and headers. */
export interface Answer {
  status: number;
  json: any;
  headers: Headers;
}

/** Calls the gateway with fetch. */
export async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
}

export { DEMO_ACCESS_KEY };
