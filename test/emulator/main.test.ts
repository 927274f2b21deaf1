/**
 * The entry point as a process: it refuses bad configuration listing every problem,
 * logs one line when listening, serves, and exits 0 on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { rawRequest } from './helpers.js';

interface MainProcess {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<number | null>;
  /** Resolves with the first group of `pattern` once stdout shows it; rejects if the process exits first. */
  printed: (pattern: RegExp) => Promise<string>;
}

function runMain(env: Record<string, string>): MainProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/emulator/main.ts'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const printed = (pattern: RegExp) => new Promise<string>((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(out);
      if (!match) return;
      child.stdout?.off('data', check);
      resolve(match[1] ?? match[0]);
    };
    child.stdout?.on('data', check);
    check();
    void exit.then((code) => reject(new Error(`exited (${code}) before printing ${pattern}:\n${out}${err}`)));
  });
  return { child, out: () => out, err: () => err, exit, printed };
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
    const url = await run.printed(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    expect((await rawRequest(url, { path: '/__emulator/health' })).status).toBe(200);
    expect((await rawRequest(url, { path: '/__emulator/faults' })).status).toBe(200);
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    expect(run.out()).toContain('SIGTERM received, shutting down');
    expect(run.out()).not.toContain('secret');
  });
});
