import { spawn } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A port that is already taken is a configuration problem, not a crash: the demo and the emulator
 * entry say which port and which variable to change, in one line, and exit non-zero (real processes,
 * the port held by a listening socket of this test).
 */

const root = resolve(__dirname, '../..');

interface Outcome { code: number | null; stdout: string; stderr: string }

/** Runs a TypeScript entry point (through tsx) to completion with only `env` (plus PATH) set. */
function run(entry: string, env: Record<string, string>): Promise<Outcome> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString('utf8'); });
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
  // 'close' waits for the output streams too, so nothing printed is missed.
  return new Promise((r) => child.once('close', (code) => r({ code, stdout, stderr })));
}

let holder: Server;
let taken = 0;
beforeAll(async () => {
  holder = createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
  taken = (holder.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((r) => holder.close(r));
});

/** Exactly one line on stderr, and no stack frame anywhere. */
function expectOneCleanLine(out: Outcome): string {
  expect(out.stderr.endsWith('\n')).toBe(true);
  expect(out.stderr.trimEnd().split('\n'), out.stderr).toHaveLength(1);
  expect(`${out.stdout}${out.stderr}`).not.toMatch(/^\s+at /m);
  return out.stderr.trimEnd();
}

describe('a taken port', () => {
  it('the demo, emulator port taken: names the port and EMULATOR_PORT, exits 1', async () => {
    const out = await run('scripts/demo.ts', { EMULATOR_PORT: String(taken), PORT: '0' });
    expect(out.code).toBe(1);
    expect(expectOneCleanLine(out)).toBe(
      `demo failed to start: port ${taken} is already in use (127.0.0.1:${taken}); set EMULATOR_PORT to a free port`);
  }, 60_000);

  it('the demo, gateway port taken: names the port and PORT, exits 1', async () => {
    const out = await run('scripts/demo.ts', { EMULATOR_PORT: '0', PORT: String(taken) });
    expect(out.code).toBe(1);
    expect(expectOneCleanLine(out)).toBe(
      `demo failed to start: port ${taken} is already in use (127.0.0.1:${taken}); set PORT to a free port`);
  }, 60_000);

  it('the emulator entry (npm run emulator): names the port and EMULATOR_PORT, exits 1', async () => {
    const out = await run('src/emulator/main.ts', { EMULATOR_PORT: String(taken) });
    expect(out.code).toBe(1);
    expect(expectOneCleanLine(out)).toBe(
      `emulator failed to start: port ${taken} is already in use (127.0.0.1:${taken}); set EMULATOR_PORT to a free port`);
  }, 60_000);

  it('the demo refuses invalid settings in one line with status 78, naming every variable', async () => {
    const out = await run('scripts/demo.ts', { EMULATOR_PORT: 'ninety', PORT: '70000' });
    expect(out.code).toBe(78);
    const line = expectOneCleanLine(out);
    expect(line).toMatch(/^demo failed to start: /);
    expect(line).toContain('EMULATOR_PORT');
    expect(line).toContain('PORT:');
  }, 60_000);
});
