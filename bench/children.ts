import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/**
 * Node arguments that write a CPU profile of a child to `<root>/bench/results/profiles/<label>-<time>.cpuprofile`
 * (read it with profile-summary.js); creates the folder.
 */
export function cpuProfileArgs(root: string, label: string): string[] {
  const dir = join(root, 'bench/results/profiles');
  mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${label.replace(/\W+/g, '-')}-${Date.now()}.cpuprofile`];
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it; it is released before it is returned). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/**
 * The environment a bench child process gets: ours, minus anything that would hand it real cloud credentials or
 * settings of ours (ALIBABA_CLOUD_*, ALICLOUD_*, GATEWAY_*, ECS_*, EMULATOR_*, proxies), in production mode,
 * plus `extra`.
 */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(ALIBABA_CLOUD_|ALICLOUD_|GATEWAY_|ECS_|EMULATOR_|HTTPS?_PROXY|NO_PROXY)/i.test(k)) env[k] = v;
  }
  return { ...env, NODE_ENV: 'production', ...extra };
}

/** Stops a child process: SIGTERM, then SIGKILL if it has not exited 5 s later; resolves once it has exited. */
export async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * A numeric setting from the environment: `fallback` when unset or empty; otherwise a finite number within
 * [min, max], or an error naming the variable.
 */
export function numberEnv(name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new Error(`${name} must be a number ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]`}, got ${raw}`);
  }
  return n;
}

/** Keeps the last 50 chunks of a child's stderr in `tail`, for the error that says why it died. */
export function keepStderrTail(proc: ChildProcess, tail: string[]): void {
  proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    tail.push(chunk);
    if (tail.length > 50) tail.shift();
  });
}

/**
 * Waits until GET `url` answers 2xx (polling every 100 ms); throws, with the child's stderr tail, if the process
 * exits first or 20 s pass.
 */
export async function waitUntilReady(proc: ChildProcess, name: string, url: string, stderr: string[]): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`${name} exited during start-up (${proc.exitCode ?? proc.signalCode}):\n${stderr.join('')}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`${name} did not become ready in 20 s:\n${stderr.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
