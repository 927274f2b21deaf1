import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { FakeUpstream } from './upstream.js';
import { buildApp } from '../../src/gateway/app.js';
import { loadConfig } from '../../src/gateway/config.js';
import { getAction } from '../../src/gateway/ecs/catalog/index.js';

/** Captures every log line the gateway writes. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

/** The fixed clock and nonce the tests sign with. */
export const FIXED_DATE = new Date('2026-11-23T10:00:00Z');
export const FIXED_NONCE = 'test-nonce-0001';
/** The ClientToken the test gateway adds to every action that takes one (RunInstances, CreateDisk, …) when the caller sent none. */
export const FIXED_CLIENT_TOKEN = 'test-client-token-0001';

/**
 * Builds a gateway against `upstreamUrl` with a test environment; returns the app and its captured logs.
 * The ECS deadline is generous (60 s) so that a loaded machine never turns a test into a 504; a test about
 * the deadline sets its own ECS_TIMEOUT_MS.
 */
export async function testGateway(upstreamUrl: string, env: Record<string, string> = {}): Promise<{ app: FastifyInstance; logs: LogCapture }> {
  const logs = new LogCapture();
  const config = loadConfig({ ECS_UPSTREAM_URL: upstreamUrl, LOG_LEVEL: 'debug', ECS_TIMEOUT_MS: '60000', ...env }, { homeDir: '/nonexistent' });
  const app = await buildApp({ config, logStream: logs, now: () => FIXED_DATE, nonce: () => FIXED_NONCE, clientToken: () => FIXED_CLIENT_TOKEN });
  await app.ready();
  return { app, logs };
}

/**
 * `wire` as the test gateway sends it for `action`: with ClientToken FIXED_CLIENT_TOKEN added when the
 * action takes one (the catalog's `idempotent`) and the caller sent none (test/gateway/client-retry.test.ts
 * pins that rule down on its own).
 */
export function withGatewayToken(action: string, wire: Record<string, string>): Record<string, string> {
  return getAction(action)?.idempotent && wire.ClientToken === undefined ? { ...wire, ClientToken: FIXED_CLIENT_TOKEN } : wire;
}

/** Demo credentials used across the gateway tests. */
export const CREDS = { accessKeyId: 'test-key-id', accessKeySecret: 'test-key-secret-value' } as const;

/** What useGatewayWithUpstream hands to its caller once both are running. */
export interface GatewayWithUpstream { app: FastifyInstance; upstream: FakeUpstream; logs: LogCapture }

/**
 * Starts a FakeUpstream and a gateway in front of it before the file's tests, closes both after.
 * `ready` receives them (assign them to the file's own variables).
 */
export function useGatewayWithUpstream(ready: (ctx: GatewayWithUpstream) => void, env: Record<string, string> = {}): void {
  let ctx: GatewayWithUpstream | undefined;
  beforeAll(async () => {
    const upstream = await new FakeUpstream().start();
    ctx = { upstream, ...(await testGateway(upstream.url, env)) };
    ready(ctx);
  });
  afterAll(async () => {
    await ctx?.app.close();
    await ctx?.upstream.close();
  });
}
