import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDS } from '../support/gateway.js';
import { FakeUpstream } from '../support/upstream.js';

const root = resolve(__dirname, '../..');

/** Runs src/server.ts as its own process (through tsx), collecting its output. */
function startServer(env: Record<string, string>): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString('utf8'); });
  child.stderr!.on('data', (c: Buffer) => { out += c.toString('utf8'); });
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => out, exit };
}

async function listeningUrl(output: () => string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const url = /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(output())?.[1];
    if (url) return url;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not start:\n${output()}`);
}

describe('the gateway process (src/server.ts)', () => {
  let upstream: FakeUpstream;
  beforeAll(async () => { upstream = await new FakeUpstream().start(); });
  afterAll(async () => { await upstream.close(); });

  it('refuses a bad configuration listing every problem, with exit status 78', async () => {
    const { exit, output } = startServer({ PORT: 'eighty', LOG_LEVEL: 'loud', ECS_SIGNATURE_VERSION: 'v2', ALIBABA_CLOUD_ACCESS_KEY_ID: 'id', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'server-secret-value' });
    expect(await exit).toBe(78);
    for (const name of ['PORT', 'LOG_LEVEL', 'ECS_SIGNATURE_VERSION', 'GATEWAY_API_KEYS']) expect(output()).toContain(name);
    expect(output()).not.toContain('server-secret-value');
  }, 30_000);

  it('on SIGTERM stops accepting, finishes the in-flight request, and exits 0', async () => {
    const server = startServer({ PORT: '0', ECS_UPSTREAM_URL: upstream.url });
    const base = await listeningUrl(server.output);
    upstream.reply = { body: { RequestId: 'slow-1', Regions: { Region: [] } }, delayMs: 700 };
    const inFlight = fetch(`${base}/api/regions?${new URLSearchParams(CREDS)}`);
    while (upstream.requests.length === 0) await new Promise((r) => setTimeout(r, 20));
    server.child.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { value: { body: { RequestId: string } } } }).data.value.body.RequestId).toBe('slow-1');
    expect(await server.exit).toBe(0);
    expect(server.output()).toContain('"msg":"shutting down"');
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  }, 30_000);
});
