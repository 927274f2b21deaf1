/**
 * `node dist/bench/route-ab.js`: the generic route against the curated one in fine-grained alternation, for a
 * machine too loaded for `npm run bench`'s seconds-long rounds to resolve a 10% difference.
 *
 * One gateway app in this process (Fastify `inject`: no sockets on the client side, the same for both routes),
 * the bench upstream in a child process. Batches of ROUTE_AB_BATCH (200) requests, ROUTE_AB_CONCURRENCY (16)
 * in flight, alternate A B B A … between `PUT /api/instances/stop` and `POST /api/ecs/StopInstances` (the
 * bodies of fixtures.ts) for ROUTE_AB_PAIRS (100) pairs after a warm-up; each batch's CPU time
 * (process.cpuUsage: this process, all its threads) and wall time are read. Drift of the machine then falls on
 * both routes alike within ~100 ms; the result is the median over pairs of the per-pair ratio.
 * The CPU includes what inject and the app's logging cost (same for both), so the difference in µs is the
 * more telling figure, and the ratio a conservative one.
 *
 * ROUTE_AB_MODE=observe: the cost of metrics and rate limiting instead: the curated route on a bare app (metrics off,
 * no rate limiting) against an observed one (metrics on, rate limiting with a limit no run reaches), both in this
 * process (issue 12's budget: B ÷ A ≤ 1.05×).
 *
 * ROUTE_AB_HTTP=1: over real HTTP instead. The gateway (dist/src/gateway/server.js) runs as its own process, as
 * in `npm run bench`; batches of ROUTE_AB_HTTP_BATCH (3000) requests by autocannon (`amount`, 32 connections)
 * alternate A B B A …; each batch's CPU is the gateway process's own (the scheduler's run time of its threads, in ns, from
 * /proc/<pid>/task/<tid>/schedstat), ROUTE_AB_PAIRS defaults to 20 there.
 */
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { buildApp } from '../src/gateway/app.js';
import { loadConfig } from '../src/gateway/config.js';
import { processCpuUs as procCpuUs } from './proc.js';
import { GENERIC_HEADERS, GENERIC_REQUEST_BODY, GENERIC_ROUTE, REQUEST_BODY, ROUTE } from './fixtures.js';
import { freePort } from './children.js';
import { observedEnv, RESULT_PREFIX, type RouteAbResult } from './observe-cost.js';
import { median, quantile } from './stats.js';

const BATCH = Number(process.env.ROUTE_AB_BATCH ?? 200);
const CONCURRENCY = Number(process.env.ROUTE_AB_CONCURRENCY ?? 16);
const PAIRS = Number(process.env.ROUTE_AB_PAIRS ?? 100);




async function overHttp(upstreamUrl: string): Promise<void> {
  const pairs = Number(process.env.ROUTE_AB_PAIRS ?? 20);
  const amount = Number(process.env.ROUTE_AB_HTTP_BATCH ?? 3000);
  const port = await freePort();
  const gw = spawn(process.execPath, [fileURLToPath(new URL('../src/gateway/server.js', import.meta.url))], {
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info', ECS_UPSTREAM_URL: upstreamUrl, ECS_SIGNATURE_VERSION: 'v3', HOST: '127.0.0.1', PORT: String(port) },
    stdio: 'ignore',
  });
  process.on('exit', () => gw.kill('SIGKILL'));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break;
    if (i > 400) throw new Error('gateway did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  const reqs = {
    curated: { url: `${base}${ROUTE.path}`, method: ROUTE.method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(REQUEST_BODY) },
    // ROUTE_AB_GENERIC_CREDS=body: the credentials as body fields, as the curated request sends them.
    generic: process.env.ROUTE_AB_GENERIC_CREDS === 'body'
      ? { url: `${base}${GENERIC_ROUTE.path}`, method: GENERIC_ROUTE.method, headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ accessKeyId: REQUEST_BODY.accessKeyId, accessKeySecret: REQUEST_BODY.accessKeySecret, ...GENERIC_REQUEST_BODY }) }
      : { url: `${base}${GENERIC_ROUTE.path}`, method: GENERIC_ROUTE.method, headers: { 'content-type': 'application/json', ...GENERIC_HEADERS }, body: JSON.stringify(GENERIC_REQUEST_BODY) },
  } as const;
  const batch = async (name: 'curated' | 'generic') => {
    const c0 = procCpuUs(gw.pid!);
    const r = await autocannon({ ...reqs[name], method: reqs[name].method as 'PUT', connections: 32, amount });
    if (r.non2xx || r.errors || r.timeouts) throw new Error(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
    return { cpuUs: (procCpuUs(gw.pid!) - c0) / r.requests.total };
  };
  for (let i = 0; i < 3; i++) { await batch('curated'); await batch('generic'); }
  const cpu = { curated: [] as number[], generic: [] as number[] };
  const cpuRatio: number[] = [];
  const diff: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const order = i % 2 ? ['generic', 'curated'] as const : ['curated', 'generic'] as const;
    const r: Record<string, { cpuUs: number }> = {};
    for (const name of order) r[name] = await batch(name);
    cpu.curated.push(r.curated!.cpuUs); cpu.generic.push(r.generic!.cpuUs);
    cpuRatio.push(r.curated!.cpuUs / r.generic!.cpuUs);
    diff.push(r.generic!.cpuUs - r.curated!.cpuUs);
  }
  gw.kill('SIGTERM');
  process.stdout.write([
    `# generic vs curated route over HTTP, A/B in batches of ${amount} requests (32 connections), ${pairs} pairs; gateway process CPU from /proc/<pid>/task/*/schedstat (ns); generic credentials in ${process.env.ROUTE_AB_GENERIC_CREDS === 'body' ? 'the body' : 'headers'}`,
    '',
    `- date ${new Date().toISOString()}, node ${process.version}, load average ${os.loadavg().map((n) => n.toFixed(1)).join(' / ')}`,
    '',
    `| CPU µs/request (median) | curated ${median(cpu.curated).toFixed(0)} | generic ${median(cpu.generic).toFixed(0)} | curated ÷ generic ${median(cpuRatio).toFixed(3)}× (p25–p75 ${quantile(cpuRatio, 0.25).toFixed(2)}–${quantile(cpuRatio, 0.75).toFixed(2)}) |`,
    `| generic − curated CPU µs/request, per pair | | | median ${median(diff).toFixed(1)} (p25 ${quantile(diff, 0.25).toFixed(1)}, p75 ${quantile(diff, 0.75).toFixed(1)}) |`,
    '',
  ].join('\n'));
}

async function main(): Promise<void> {
  const port = await freePort();
  const upstream = spawn(process.execPath, [fileURLToPath(new URL('./upstream.js', import.meta.url))], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' }, stdio: 'ignore',
  });
  process.on('exit', () => upstream.kill('SIGKILL'));
  await new Promise((r) => setTimeout(r, 500));
  if (process.env.ROUTE_AB_HTTP === '1') {
    await overHttp(`http://127.0.0.1:${port}`);
    upstream.kill('SIGTERM');
    return;
  }
  const gateway = async (env: Record<string, string> = {}) => {
    const config = loadConfig({ ECS_UPSTREAM_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'info', ECS_SIGNATURE_VERSION: 'v3', ...env }, { homeDir: '/nonexistent' });
    const app = await buildApp({ config, logStream: new Writable({ write: (_c, _e, done) => done() }) });
    await app.ready();
    return app;
  };
  const curated = { method: ROUTE.method, url: ROUTE.path, payload: REQUEST_BODY } as const;
  const generic = { method: GENERIC_ROUTE.method, url: GENERIC_ROUTE.path, payload: GENERIC_REQUEST_BODY, headers: GENERIC_HEADERS } as const;
  type Target = { label: string; app: Awaited<ReturnType<typeof gateway>>; req: typeof curated | typeof generic };
  // A and B: the two routes on one app, or (ROUTE_AB_MODE=observe) the curated route on a bare app (metrics off, no
  // rate limiting) and on an observed one (metrics on, rate limiting with a limit no run reaches), in one process.
  let a: Target;
  let b: Target;
  if (process.env.ROUTE_AB_MODE === 'observe') {
    // ROUTE_AB_OBSERVE=metrics or ratelimit: one of the two only (default: both); none: neither (an A/A run).
    const env = observedEnv(process.env.ROUTE_AB_OBSERVE);
    const bLabel = `observed (${Object.entries(env).map(([k, v]) => `\`${k}=${v}\``).join(', ')})`;
    const aLabel = 'bare (`GATEWAY_METRICS=off`, no rate limiting)';
    if (process.env.ROUTE_AB_FIRST === 'b') {
      b = { label: bLabel, app: await gateway(env), req: curated };
      a = { label: aLabel, app: await gateway({ GATEWAY_METRICS: 'off' }), req: curated };
    } else {
      a = { label: aLabel, app: await gateway({ GATEWAY_METRICS: 'off' }), req: curated };
      b = { label: bLabel, app: await gateway(env), req: curated };
    }
  } else {
    const app = await gateway();
    a = { label: 'curated `PUT /api/instances/stop`', app, req: curated };
    b = { label: 'generic `POST /api/ecs/StopInstances`', app, req: generic };
  }
  for (const t of [a, b]) {
    const res = await t.app.inject(t.req);
    if (res.statusCode !== 200) throw new Error(`${t.label} answered ${res.statusCode}: ${res.body}`);
  }

  const batch = async (t: Target) => {
    let left = BATCH;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) {
        const res = await t.app.inject(t.req);
        if (res.statusCode !== 200) throw new Error(`${t.req.url} answered ${res.statusCode}: ${res.body}`);
      }
    }));
    const c = process.cpuUsage(c0);
    return { cpuUs: (c.user + c.system) / BATCH, wallUs: ((performance.now() - t0) * 1000) / BATCH };
  };

  for (let i = 0; i < 20; i++) { await batch(a); await batch(b); } // warm-up
  const cpu = { a: [] as number[], b: [] as number[] };
  const wall = { a: [] as number[], b: [] as number[] };
  const cpuRatio: number[] = [];
  const wallRatio: number[] = [];
  const diff: number[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const order = i % 2 ? [b, a] : [a, b];
    const r = new Map<Target, { cpuUs: number; wallUs: number }>();
    for (const t of order) r.set(t, await batch(t));
    const ra = r.get(a)!;
    const rb = r.get(b)!;
    cpu.a.push(ra.cpuUs); cpu.b.push(rb.cpuUs);
    wall.a.push(ra.wallUs); wall.b.push(rb.wallUs);
    cpuRatio.push(ra.cpuUs / rb.cpuUs);
    wallRatio.push(ra.wallUs / rb.wallUs);
    diff.push(rb.cpuUs - ra.cpuUs);
  }
  await a.app.close();
  if (b.app !== a.app) await b.app.close();
  upstream.kill('SIGTERM');

  const f = (n: number, d = 0) => n.toFixed(d);
  const inverse = cpuRatio.map((x) => 1 / x);
  process.stdout.write([
    `# A: ${a.label} vs B: ${b.label}, in-process A/B in batches of ${BATCH} (${CONCURRENCY} in flight), ${PAIRS} pairs`,
    '',
    `- date ${new Date().toISOString()}, node ${process.version}, load average ${os.loadavg().map((n) => n.toFixed(1)).join(' / ')}`,
    '',
    '| | A | B | A / B (median of pairs; p25–p75) |',
    '| --- | ---: | ---: | ---: |',
    `| CPU µs/request (median) | ${f(median(cpu.a))} | ${f(median(cpu.b))} | ${median(cpuRatio).toFixed(3)}× (${quantile(cpuRatio, 0.25).toFixed(2)}–${quantile(cpuRatio, 0.75).toFixed(2)}) A ÷ B; B ÷ A ${median(inverse).toFixed(3)}× (${quantile(inverse, 0.25).toFixed(2)}–${quantile(inverse, 0.75).toFixed(2)}) |`,
    `| wall µs/request (median) | ${f(median(wall.a))} | ${f(median(wall.b))} | ${median(wallRatio).toFixed(3)}× (${quantile(wallRatio, 0.25).toFixed(2)}–${quantile(wallRatio, 0.75).toFixed(2)}) throughput B ÷ A |`,
    `| B − A CPU µs/request, per pair | | | median ${f(median(diff), 1)} (p25 ${f(quantile(diff, 0.25), 1)}, p75 ${f(quantile(diff, 0.75), 1)}) |`,
    '',
  ].join('\n'));
  // ROUTE_AB_JSON=1: one more line for bench/run.ts, which runs this A/B inside `npm run bench`.
  if (process.env.ROUTE_AB_JSON === '1') {
    const result: RouteAbResult = {
      pairs: PAIRS, batch: BATCH, cpuUs: { a: median(cpu.a), b: median(cpu.b) },
      ratio: { median: median(inverse), p25: quantile(inverse, 0.25), p75: quantile(inverse, 0.75) }, diffUs: median(diff), a: a.label, b: b.label,
      ratios: inverse, diffs: diff, cpu,
    };
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
  }
}


main().catch((err: unknown) => {
  process.stderr.write(`route-ab failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
