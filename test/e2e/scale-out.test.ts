/**
 * Scale-out: three gateway processes (src/gateway/server.ts, each its own Node process) in front of one emulator,
 * sharing one real redis-server. A key's rate limit holds across them exactly: the figure bench/README.md
 * records. The window (1 h) cannot roll over during the test, so the count is exact whatever the machine's speed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCESS_KEY, startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { startRedis, type RedisServer } from '../support/redis.js';

const root = resolve(__dirname, '../..');
const KEY_A = 'scale-out-key-aaaaaaaaaaaaaaaa-1';
const KEY_B = 'scale-out-key-bbbbbbbbbbbbbbbb-2';
const LIMIT = 30;
const REPLICAS = 3;

interface Replica { child: ChildProcess; base: string; output: () => string }

/** Runs src/gateway/server.ts (through tsx) and resolves once it listens and its rate limiter uses Redis. */
function startReplica(env: Record<string, string>): Promise<Replica> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/gateway/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolvePromise, reject) => {
    let base: string | undefined;
    let shared = false;
    const check = () => {
      base ??= /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(out)?.[1];
      shared ||= out.includes('rate limits: Redis connected');
      if (base && shared) resolvePromise({ child, base, output: () => out });
    };
    const collect = (c: Buffer) => { out += c.toString('utf8'); check(); };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.once('exit', (code) => reject(new Error(`gateway exited (${code}) before it was ready:\n${out}`)));
  });
}

const stop = (child: ChildProcess): Promise<void> => new Promise((r) => {
  if (child.exitCode !== null || child.signalCode !== null) return r();
  child.once('exit', () => r());
  child.kill('SIGTERM');
});

describe(`${REPLICAS} gateway processes sharing one Redis`, () => {
  let redis: RedisServer;
  let emulator: RunningEmulator;
  let replicas: Replica[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    emulator = await startEmulator({ port: 0, accessKeys: [DEMO_ACCESS_KEY], transitionMs: 0 });
    const env = {
      PORT: '0', LOG_LEVEL: 'info', ECS_UPSTREAM_URL: emulator.url, ECS_TIMEOUT_MS: '60000',
      GATEWAY_API_KEYS: `${KEY_A},${KEY_B}`, GATEWAY_RATE_LIMIT_MAX: String(LIMIT), GATEWAY_RATE_LIMIT_WINDOW_MS: '3600000',
      REDIS_URL: redis.url,
    };
    replicas = await Promise.all(Array.from({ length: REPLICAS }, () => startReplica(env)));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => stop(r.child)));
    await emulator?.close();
    await redis?.stop();
  });

  it(`holds a key's limit of ${LIMIT} exactly: ${2 * LIMIT} concurrent requests spread round-robin, ${LIMIT} answered, ${LIMIT} refused`, async () => {
    const query = new URLSearchParams({ accessKeyId: DEMO_ACCESS_KEY.accessKeyId, accessKeySecret: DEMO_ACCESS_KEY.accessKeySecret });
    const call = async (i: number, key: string) => {
      const res = await fetch(`${replicas[i % REPLICAS]!.base}/api/regions?${query}`, { headers: { authorization: `Bearer ${key}` } });
      const body = (await res.json()) as { error?: { code: string } };
      return { replica: i % REPLICAS, status: res.status, code: body.error?.code };
    };
    // Warm each process up first (its first API call compiles the route's code), with the other key.
    for (let r = 0; r < REPLICAS; r++) expect((await call(r, KEY_B)).status).toBe(200);
    const answers = await Promise.all(Array.from({ length: 2 * LIMIT }, (_, i) => call(i, KEY_A)));
    const ok = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 429);
    // Redis answered every count (none was counted in memory instead).
    const warnings = replicas.flatMap((r) => r.output().split('\n').filter((l) => l.includes('Redis is unreachable')));
    expect(warnings).toEqual([]);
    expect(ok).toHaveLength(LIMIT);
    expect(refused).toHaveLength(LIMIT);
    expect(new Set(refused.map((a) => a.code))).toEqual(new Set(['RATE_LIMITED']));
    // Every replica both answered and refused: no replica counted on its own.
    const perReplica = Array.from({ length: REPLICAS }, (_, r) => ({
      ok: ok.filter((a) => a.replica === r).length,
      refused: refused.filter((a) => a.replica === r).length,
    }));
    for (const counts of perReplica) expect(counts.ok + counts.refused).toBe((2 * LIMIT) / REPLICAS);
    // Then one more on each replica: all refused; the other key is not held back.
    for (let r = 0; r < REPLICAS; r++) expect((await call(r, KEY_A)).status).toBe(429);
    for (let r = 0; r < REPLICAS; r++) expect((await call(r, KEY_B)).status).toBe(200);
    for (const replica of replicas) expect((await (await fetch(`${replica.base}/readyz`)).json())).toEqual({ status: 'ready', details: { rateLimit: { enabled: true, store: 'redis', redis: 'ok' } } });
    console.log(`scale-out: ${REPLICAS} gateway processes, one Redis, limit ${LIMIT}/window: ${2 * LIMIT} concurrent requests -> ${ok.length} x 200, ${refused.length} x 429 RATE_LIMITED; per replica ${JSON.stringify(perReplica)}`);
  }, 120_000);
});
