import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');

/** Runs src/gateway/server.ts (through tsx) to its exit; resolves with its exit code and output. */
function runServer(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/gateway/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => { output += c.toString('utf8'); });
  child.stderr.on('data', (c: Buffer) => { output += c.toString('utf8'); });
  return new Promise((done) => child.once('exit', (code) => done({ code, output })));
}

describe('an invalid access policy file stops the gateway at startup', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'policy-startup-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 78 listing every problem, never quoting what may be a key', async () => {
    const file = join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify({ keys: [
      { name: 'inventory', sha256: 'my-real-bearer-key-0123456789', allow: ['describe*'] },
      { name: 'inventory', sha256: '0'.repeat(64), allow: [], regions: ['Hangzhou'] },
    ] }));
    const { code, output } = await runServer({ GATEWAY_ACCESS_POLICY_FILE: file, LOG_LEVEL: 'loud' });
    expect(code).toBe(78);
    expect(output).toContain('Invalid configuration:');
    for (const problem of [
      /LOG_LEVEL/,
      /keys\[0\] \(inventory\)\.sha256: must be 64 hex digits/,
      /keys\[0\] \(inventory\)\.allow\[0\]: "describe\*" matches no ECS action/,
      /keys\[1\] \(inventory\)\.allow: must not be empty/,
      /keys\[1\] \(inventory\)\.regions\[0\]: "Hangzhou" is not a region id/,
      /keys\[1\]\.name: "inventory" is also the name of keys\[0\]/,
    ]) expect(output).toMatch(problem);
    expect(output).not.toContain('my-real-bearer-key-0123456789');
  });

  it('exits 78 when the file does not exist', async () => {
    const { code, output } = await runServer({ GATEWAY_ACCESS_POLICY_FILE: join(dir, 'missing.json') });
    expect(code).toBe(78);
    expect(output).toMatch(/GATEWAY_ACCESS_POLICY_FILE: .*missing\.json does not exist/);
  });
});
