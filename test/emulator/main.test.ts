/**
 * The entry point as a process: it refuses bad configuration listing every problem,
 * logs one line when listening, serves, and exits 0 on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { rawRequest } from './helpers.js';

function runMain(env: Record<string, string>): { child: ChildProcess; out: () => string; err: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/emulator/main.ts'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exit };
}

describe('emulator main', () => {
  it('exits 1 listing every configuration problem', async () => {
    const run = runMain({ EMULATOR_PORT: 'abc', EMULATOR_ACCESS_KEYS: 'broken', EMULATOR_FAULTS: 'maybe' });
    expect(await run.exit).toBe(1);
    expect(run.err()).toContain('EMULATOR_PORT must be an integer');
    expect(run.err()).toContain('EMULATOR_ACCESS_KEYS entry 1');
    expect(run.err()).toContain('EMULATOR_FAULTS must be');
  });

  it('listens, serves, and shuts down gracefully on SIGTERM', async () => {
    const run = runMain({ EMULATOR_PORT: '0', EMULATOR_ACCESS_KEYS: 'id:secret', EMULATOR_FAULTS: '1' });
    const deadline = Date.now() + 15_000;
    let url: string | undefined;
    while (!url && Date.now() < deadline) {
      url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.out())?.[1];
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(url, run.err()).toBeDefined();
    expect((await rawRequest(url as string, { path: '/__emulator/health' })).status).toBe(200);
    expect((await rawRequest(url as string, { path: '/__emulator/faults' })).status).toBe(200);
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    expect(run.out()).toContain('SIGTERM received, shutting down');
    expect(run.out()).not.toContain('secret');
  });
});
