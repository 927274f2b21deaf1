import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDS } from '../support/gateway.js';
import { FakeUpstream, gate } from '../support/upstream.js';

const root = resolve(__dirname, '../..');

/** What startServer hands back: the child, its output so far, its exit, and a wait for a line of output. */
interface ServerProcess {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
  /** Resolves once the process has exited and its output has been read to the end. */
  closed: Promise<void>;
  /** Resolves with the first match of `pattern` in the output, as soon as it is written; rejects if the process exits first. */
  printed: (pattern: RegExp) => Promise<RegExpExecArray>;
}

/** Runs src/gateway/server.ts as its own process (through tsx), collecting its output. */
function startServer(env: Record<string, string>): ServerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/gateway/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const watchers = new Set<() => void>();
  const collect = (c: Buffer) => {
    out += c.toString('utf8');
    for (const check of watchers) check();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const closed = new Promise<void>((r) => child.once('close', () => r()));
  const printed = (pattern: RegExp) => new Promise<RegExpExecArray>((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(out);
      if (!match) return;
      watchers.delete(check);
      resolve(match);
    };
    watchers.add(check);
    check();
    void exit.then((code) => {
      if (watchers.delete(check)) reject(new Error(`exited (${code}) before printing ${pattern}:\n${out}`));
    });
  });
  return { child, output: () => out, exit, closed, printed };
}

describe('the gateway process (src/gateway/server.ts)', () => {
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
    const [, base] = await server.printed(/"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/);
    // ECS holds the call until the gateway has begun shutting down.
    const held = gate();
    upstream.reply = { body: { RequestId: 'slow-1', Regions: { Region: [] } }, until: held.promise };
    const inFlight = fetch(`${base}/api/regions?${new URLSearchParams(CREDS)}`);
    await upstream.received(1);
    server.child.kill('SIGTERM');
    await server.printed(/"msg":"shutting down"/);
    held.open();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { value: { body: { RequestId: string } } } }).data.value.body.RequestId).toBe('slow-1');
    expect(await server.exit).toBe(0);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    // pino writes stdout asynchronously; none of the last lines is lost on exit: the in-flight request's
    // line and the final one both come after "shutting down".
    await server.closed;
    const lines = server.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; req?: { url: string }; res?: { statusCode: number } });
    const msgs = lines.map((l) => l.msg);
    const shuttingDown = msgs.indexOf('shutting down');
    expect(shuttingDown).toBeGreaterThan(-1);
    const completed = lines.findIndex((l) => l.msg === 'request completed' && l.req?.url.startsWith('/api/regions?') && l.res?.statusCode === 200);
    expect(completed).toBeGreaterThan(shuttingDown);
    expect(msgs.indexOf('stopped')).toBeGreaterThan(shuttingDown);
  }, 30_000);
});
