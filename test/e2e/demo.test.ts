import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(__dirname, '../..');

/** Starts `npm run demo` on ephemeral ports and resolves with everything it printed once it is ready. */
function startDemo(): Promise<{ child: ChildProcess; output: string }> {
  const child = spawn('npm', ['run', 'demo'], {
    cwd: root,
    detached: true, // its own process group, so Ctrl-C (SIGINT) reaches npm and node alike
    env: { ...process.env, PORT: '0', EMULATOR_PORT: '0', EMULATOR_TRANSITION_MS: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not become ready:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('Ctrl-C stops both.')) {
        clearTimeout(timer);
        resolvePromise({ child, output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`demo exited early (${code}):\n${output}`)));
  });
}

describe('npm run demo', () => {
  let demo: { child: ChildProcess; output: string } | undefined;
  afterAll(() => {
    try {
      if (demo?.child.pid) process.kill(-demo.child.pid, 'SIGKILL');
    } catch { /* already gone */ }
  });

  it('prints the URLs and the demo key pair, every printed curl works, and Ctrl-C stops both', async () => {
    demo = await startDemo();
    const { output, child } = demo;
    const gateway = /gateway\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    const emulator = /emulator\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    expect(gateway).toBeDefined();
    expect(emulator).toBeDefined();
    expect(output).toContain('accessKeyId=demo-access-key-id');
    expect(output).toContain('accessKeySecret=demo-access-key-secret');

    const commands = output.split('\n').filter((line) => line.startsWith('curl '));
    expect(commands.length).toBeGreaterThanOrEqual(12);
    for (const command of commands) {
      const { stdout } = await run('bash', ['-c', command]);
      const json = JSON.parse(stdout) as { data?: { '@type': string }; error?: { code: string } };
      if (command.includes('"dry_run":true')) expect(json.error?.code, command).toBe('DryRunOperation');
      else expect(json.data?.['@type'], `${command}\n${stdout}`).toBe('type.googleapis.com/google.protobuf.Struct');
    }

    // Ctrl-C signals the whole foreground group: npm dies of the SIGINT, the demo itself closes both servers.
    const exited = new Promise<string>((r) => child.once('exit', (code, signal) => r(signal ?? `code ${code}`)));
    process.kill(-child.pid!, 'SIGINT');
    expect(['SIGINT', 'code 0', 'code 130']).toContain(await exited);
    expect(demo.output).not.toMatch(/error|failed/i);
    await expect(fetch(`${gateway}/healthz`)).rejects.toThrow();
    await expect(fetch(`${emulator}/`)).rejects.toThrow();
  }, 120_000);
});
