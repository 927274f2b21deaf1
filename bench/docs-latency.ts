/**
 * `npm run bench:docs`: what the OpenAPI documents cost the gateway, against a baseline gateway built from
 * an earlier commit, side by side in one run (issue 8's targets, as same-run ratios):
 *
 * - start-up: spawn → first 200 from GET /healthz (≤ 1.5× the baseline's);
 * - RSS once ready (≤ baseline + 40 MB), and again after both documents were fetched;
 * - the gateway's CPU time for the first (cold) fetch of each document and per later fetch, sequentially:
 *   the most one fetch can block its event loop, and a figure that the machine's load disturbs less;
 * - latency of `PUT /api/instances/stop` (through a local fake upstream) with and without clients fetching
 *   /docs/json and /docs/ecs/json in a loop, the first fetch of each cold (p99 ≤ 50 ms while they are fetched).
 *
 * The baseline is `git archive <ref>` of this repository, built with tsc into a temporary folder that uses
 * this checkout's node_modules. Knobs (env): DOCS_BENCH_BASELINE_REF (default 192cf95, the last commit before
 * issue 8's routes and documents), DOCS_BENCH_STARTS=7 (start-ups per gateway, interleaved),
 * DOCS_BENCH_DURATION_S=10 (each latency phase), DOCS_BENCH_CONNECTIONS=8, DOCS_BENCH_FETCHERS=2 (concurrent
 * document fetchers), DOCS_BENCH_PAUSE_MS=100 (pause between one fetcher's fetches; 0 = back to back), DOCS_BENCH_OUT=bench/results/docs-latency.md. See bench/README.md.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { REQUEST_BODY, ROUTE } from './fixtures.js';
import { freePort, numberEnv } from './children.js';
import { cpuMs, rssMb } from './proc.js';
import { median } from './stats.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BENCH_DIST = fileURLToPath(new URL('./', import.meta.url));

const S = {
  baselineRef: process.env.DOCS_BENCH_BASELINE_REF || '192cf95',
  starts: numberEnv('DOCS_BENCH_STARTS', 7, 1),
  durationS: numberEnv('DOCS_BENCH_DURATION_S', 10, 1),
  connections: numberEnv('DOCS_BENCH_CONNECTIONS', 8, 1),
  fetchers: numberEnv('DOCS_BENCH_FETCHERS', 2, 1),
  pauseMs: process.env.DOCS_BENCH_PAUSE_MS ? Number(process.env.DOCS_BENCH_PAUSE_MS) : 100,
  out: resolve(ROOT, process.env.DOCS_BENCH_OUT ?? 'bench/results/docs-latency.md'),
};
const GOALS = { startupRatio: 1.5, rssExtraMb: 40, p99Ms: 50 };
const DOC_PATHS = ['/docs/json', '/docs/ecs/json'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number, digits = 1): string => n.toFixed(digits);



// ---- processes -------------------------------------------------------------------------------

const children = new Set<ChildProcess>();
process.on('exit', () => { for (const c of children) c.kill('SIGKILL'); });

interface Running { proc: ChildProcess; url: string; readyMs: number }

/** Starts `node <script>` and polls GET /healthz every 5 ms; `readyMs` is spawn → first 200. */
async function start(script: string, env: Record<string, string>): Promise<Running> {
  const port = await freePort();
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(ALIBABA_CLOUD_|ALICLOUD_|GATEWAY_API_KEYS|ECS_)/.test(k)));
  const t0 = performance.now();
  const proc = spawn(process.execPath, [script], {
    cwd: dirname(script), env: { ...cleanEnv, NODE_ENV: 'production', LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: String(port), ...env }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  let stderr = '';
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => { stderr = (stderr + c).slice(-4000); });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${script} exited during start-up:\n${stderr}`);
    try {
      const res = await fetch(`${url}/healthz`);
      await res.arrayBuffer();
      if (res.ok) return { proc, url, readyMs: performance.now() - t0 };
    } catch { /* not listening yet */ }
    if (performance.now() - t0 > 20_000) throw new Error(`${script} not ready in 20 s:\n${stderr}`);
    await sleep(5);
  }
}

async function stop({ proc }: Running): Promise<void> {
  if (proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

/** The baseline: `git archive <ref>`, built with tsc, using this checkout's node_modules. */
function buildBaseline(ref: string): { dir: string; server: string; commit: string } {
  const commit = execFileSync('git', ['rev-parse', '--short', ref], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dir = mkdtempSync(join(os.tmpdir(), 'docs-bench-baseline-'));
  execFileSync('bash', ['-c', `git archive ${commit} | tar -x -C "${dir}"`], { cwd: ROOT });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: dir, stdio: 'inherit' });
  return { dir, server: join(dir, 'dist/src/gateway/server.js'), commit };
}

// ---- phases ----------------------------------------------------------------------------------


interface StartResult { readyMs: number[]; rssMb: number[]; rssAfterDocsMb: number[]; cpuFirstMs: Record<string, number[]>; cpuPerFetchMs: Record<string, number[]> }

const WARM_FETCHES = 20;

/**
 * The gateway's own CPU time for its first fetch of each document (cold), then per fetch over
 * WARM_FETCHES more: the most a fetch can block its event loop. Sequential, nothing else running.
 */
async function docsCpu(g: Running, result: StartResult): Promise<void> {
  const get = async (path: string) => { const res = await fetch(`${g.url}${path}`); await res.arrayBuffer(); };
  for (const path of DOC_PATHS) {
    let c = cpuMs(g.proc.pid);
    await get(path);
    (result.cpuFirstMs[path] ??= []).push(cpuMs(g.proc.pid) - c);
    c = cpuMs(g.proc.pid);
    for (let i = 0; i < WARM_FETCHES; i++) await get(path);
    (result.cpuPerFetchMs[path] ??= []).push((cpuMs(g.proc.pid) - c) / WARM_FETCHES);
  }
}

async function startups(servers: Record<string, string>): Promise<Record<string, StartResult>> {
  const out: Record<string, StartResult> = {};
  for (const name of Object.keys(servers)) out[name] = { readyMs: [], rssMb: [], rssAfterDocsMb: [], cpuFirstMs: {}, cpuPerFetchMs: {} };
  for (let i = 0; i < S.starts; i++) {
    for (const [name, script] of Object.entries(servers)) {
      const g = await start(script, {});
      await sleep(500);
      out[name]!.readyMs.push(g.readyMs);
      out[name]!.rssMb.push(rssMb(g.proc.pid));
      await docsCpu(g, out[name]!);
      await sleep(200);
      out[name]!.rssAfterDocsMb.push(rssMb(g.proc.pid));
      await stop(g);
    }
  }
  return out;
}

interface LoadResult { p50: number; p99: number; max: number; requests: number; errors: number; docMs: Record<string, number[]> }


/**
 * The document fetchers, in a process of their own (receiving megabytes in the load generator's process
 * would delay its own timing of the API requests): `S.fetchers` clients fetch the documents in turn, with
 * `pauseMs` between fetches, until SIGTERM; then it prints each document's fetch times as JSON.
 */
async function fetcherMain(url: string, clients: number, pauseMs: number): Promise<void> {
  let running = true;
  process.once('SIGTERM', () => { running = false; });
  const docMs: Record<string, number[]> = Object.fromEntries(DOC_PATHS.map((p) => [p, []]));
  await Promise.all(Array.from({ length: clients }, async () => {
    while (running) {
      for (const path of DOC_PATHS) {
        const t = performance.now();
        const res = await fetch(`${url}${path}`);
        await res.arrayBuffer();
        docMs[path]!.push(performance.now() - t);
        if (pauseMs > 0) await sleep(pauseMs);
      }
    }
  }));
  process.stdout.write(JSON.stringify(docMs));
}

/**
 * Load on the API route for `durationS`; with `docs`, a fetcher process fetches /docs/json and
 * /docs/ecs/json the whole time, starting with the cold first fetch of each.
 */
async function loadPhase(url: string, docs: boolean): Promise<LoadResult> {
  const load = autocannon({
    url: `${url}${ROUTE.path}`, method: ROUTE.method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(REQUEST_BODY),
    connections: S.connections, pipelining: 1, timeout: 10, duration: S.durationS,
  });
  let docMs: Record<string, number[]> = {};
  let fetcher: ChildProcess | undefined;
  let output = '';
  if (docs) {
    // It starts with the load, so the first (cold) fetch of each document falls inside it.
    await sleep(300);
    fetcher = spawn(process.execPath, [fileURLToPath(import.meta.url), '--fetcher', url, String(S.fetchers), String(S.pauseMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(fetcher);
    fetcher.stdout!.setEncoding('utf8').on('data', (c: string) => { output += c; });
  }
  const r = await load;
  if (fetcher) {
    const exited = new Promise((res) => fetcher.once('exit', res));
    fetcher.kill('SIGTERM');
    await exited;
    children.delete(fetcher);
    docMs = JSON.parse(output) as Record<string, number[]>;
  }
  return { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, requests: r.requests.total, errors: r.errors + r.timeouts + r.non2xx, docMs };
}

async function latencies(servers: Record<string, string>, upstreamUrl: string): Promise<Record<string, { quiet: LoadResult; docs: LoadResult }>> {
  const out: Record<string, { quiet: LoadResult; docs: LoadResult }> = {};
  for (const [name, script] of Object.entries(servers)) {
    const results: Partial<{ quiet: LoadResult; docs: LoadResult }> = {};
    for (const docs of [false, true]) {
      // A fresh gateway for each phase, so the first document fetch is the first ever.
      const g = await start(script, { ECS_UPSTREAM_URL: upstreamUrl });
      await autocannon({ url: `${g.url}${ROUTE.path}`, method: ROUTE.method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(REQUEST_BODY), connections: S.connections, duration: 2 });
      results[docs ? 'docs' : 'quiet'] = await loadPhase(g.url, docs);
      await stop(g);
    }
    out[name] = results as { quiet: LoadResult; docs: LoadResult };
  }
  return out;
}

// ---- report ----------------------------------------------------------------------------------

async function main(): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
  const here = join(BENCH_DIST, '../src/gateway/server.js');
  if (!existsSync(here)) throw new Error(`${here} is missing: run npm run build first`);
  const headCommit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  process.stderr.write(`building the baseline (${S.baselineRef})…\n`);
  const baseline = buildBaseline(S.baselineRef);
  try {
    const servers = { baseline: baseline.server, 'this build': here };
    process.stderr.write(`start-ups (${S.starts} each, interleaved)…\n`);
    const st = await startups(servers);
    const upstream = await start(join(BENCH_DIST, 'upstream.js'), {});
    process.stderr.write(`latency phases (${S.durationS} s each)…\n`);
    let lat: Awaited<ReturnType<typeof latencies>>;
    try {
      lat = await latencies(servers, upstream.url);
    } finally {
      await stop(upstream);
    }

    const b = st.baseline!;
    const h = st['this build']!;
    const startupRatio = median(h.readyMs) / median(b.readyMs);
    const rssExtra = median(h.rssMb) - median(b.rssMb);
    const worstP99 = Math.max(lat['this build']!.docs.p99, lat['this build']!.quiet.p99);
    const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');
    const lines = [
      `# Docs cost: this build (${headCommit}) against the baseline (${baseline.commit})`,
      '',
      `${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}.`,
      `${S.starts} start-ups each (interleaved); latency phases of ${S.durationS} s at ${S.connections} connections on ${ROUTE.method} ${ROUTE.path}, with ${S.fetchers} clients (in a process of their own) fetching /docs/json and /docs/ecs/json in turn${S.pauseMs ? `, ${S.pauseMs} ms apart` : ', back to back'} (the baseline has no /docs/ecs/json: a 404).`,
      '',
      '| | baseline | this build | ratio / difference | target |',
      '| --- | ---: | ---: | ---: | --- |',
      `| start-up to a ready /healthz, median ms | ${fmt(median(b.readyMs))} | ${fmt(median(h.readyMs))} | ${fmt(startupRatio, 2)}× | ≤ ${GOALS.startupRatio}×: ${verdict(startupRatio <= GOALS.startupRatio)} |`,
      `| RSS once ready, median MB | ${fmt(median(b.rssMb))} | ${fmt(median(h.rssMb))} | ${rssExtra >= 0 ? '+' : ''}${fmt(rssExtra)} MB | ≤ +${GOALS.rssExtraMb} MB: ${verdict(rssExtra <= GOALS.rssExtraMb)} |`,
      `| RSS after fetching both documents, median MB | ${fmt(median(b.rssAfterDocsMb))} | ${fmt(median(h.rssAfterDocsMb))} | ${fmt(median(h.rssAfterDocsMb) - median(b.rssAfterDocsMb))} MB | |`,
    ];
    for (const [phase, label] of [['quiet', 'no document fetches'], ['docs', 'documents fetched throughout']] as const) {
      const lb = lat.baseline![phase];
      const lh = lat['this build']![phase];
      lines.push(`| API p99 ms, ${label} | ${lb.p99} | ${lh.p99} | ${fmt(lh.p99 / lb.p99, 2)}× | ${phase === 'docs' ? `≤ ${GOALS.p99Ms} ms: ${verdict(lh.p99 <= GOALS.p99Ms)}` : ''} |`);
      lines.push(`| API p50 / max ms, ${label} | ${lb.p50} / ${lb.max} | ${lh.p50} / ${lh.max} | | |`);
      lines.push(`| API requests (errors), ${label} | ${lb.requests} (${lb.errors}) | ${lh.requests} (${lh.errors}) | | |`);
    }
    for (const path of DOC_PATHS) {
      const cb = b.cpuFirstMs[path]!;
      const ch = h.cpuFirstMs[path]!;
      lines.push(`| ${path}: gateway CPU ms, first fetch (cold) / per later fetch, medians | ${fmt(median(cb), 0)} / ${fmt(median(b.cpuPerFetchMs[path]!))} | ${fmt(median(ch), 0)} / ${fmt(median(h.cpuPerFetchMs[path]!))} | | |`);
    }
    for (const path of DOC_PATHS) {
      const msB = lat.baseline!.docs.docMs[path]!;
      const msH = lat['this build']!.docs.docMs[path]!;
      lines.push(`| ${path}: first fetch / median ms (fetches) | ${fmt(msB[0] ?? NaN)} / ${fmt(median(msB))} (${msB.length}) | ${fmt(msH[0] ?? NaN)} / ${fmt(median(msH))} (${msH.length}) | | |`);
    }
    lines.push('', `Start-up ms, baseline: ${b.readyMs.map((x) => fmt(x, 0)).join(', ')}; this build: ${h.readyMs.map((x) => fmt(x, 0)).join(', ')}.`);
    lines.push(`Worst API p99 of this build: ${worstP99} ms.`, '');
    const report = lines.join('\n');
    process.stdout.write(`${report}\n`);
    mkdirSync(dirname(S.out), { recursive: true });
    writeFileSync(S.out, report);
    process.stderr.write(`written to ${S.out}\n`);
  } finally {
    rmSync(baseline.dir, { recursive: true, force: true });
  }
}

const run = process.argv[2] === '--fetcher'
  ? fetcherMain(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]))
  : main();
run.catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
