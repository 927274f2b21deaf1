/**
 * `npm run bench`: the gateway against the SDK wrapper and the floor, side by side in one run.
 * See bench/README.md for the method. Every server is its own child process; this process only
 * drives the load (autocannon) and reads the children's RSS.
 *
 * Knobs (env, defaults are the spec's): BENCH_DURATION_S=8, BENCH_ROUNDS=3, BENCH_WARMUP_S=3,
 * BENCH_CONNECTIONS=32, BENCH_MEMORY_REQUESTS=200000, BENCH_SIGN_MS=500, BENCH_PROFILE=gateway[,floor,wrapper],
 * BENCH_STARTUPS=5, BENCH_BASELINE=<another checkout, built>, BENCH_OUT=bench/results/latest.md.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import autocannon, { type Result } from 'autocannon';
import { GENERIC_HEADERS, GENERIC_REQUEST_BODY, GENERIC_ROUTE, REQUEST_BODY, ROUTE, STOP_INSTANCES_BODY, STRUCT_TYPE_URL } from './fixtures.js';
import type { SignResults } from './sign.js';
import { cpuMs, rssMb } from './proc.js';
import { inProcessObserveCost, observeCost, observeCostRow, observeCostSection, observeInProcessRow, type InProcessObserveResult, type ObserveCostResult } from './observe-cost.js';
import { childEnv, cpuProfileArgs, freePort, keepStderrTail, numberEnv, stopProcess, waitUntilReady } from './children.js';
import { median } from './stats.js';

// ---- settings -------------------------------------------------------------------------------

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BENCH_DIST = fileURLToPath(new URL('./', import.meta.url));

const S = {
  durationS: numberEnv('BENCH_DURATION_S', 8, 1),
  rounds: numberEnv('BENCH_ROUNDS', 3, 1),
  warmupS: numberEnv('BENCH_WARMUP_S', 3, 0),
  connections: numberEnv('BENCH_CONNECTIONS', 32, 1),
  memoryRequests: numberEnv('BENCH_MEMORY_REQUESTS', 200_000, 0),
  signMs: numberEnv('BENCH_SIGN_MS', 500, 10),
  profile: new Set((process.env.BENCH_PROFILE ?? '').split(',').map((s) => s.trim()).filter(Boolean)),
  startups: numberEnv('BENCH_STARTUPS', 5, 0),
  /** Where the gateways' stdout (their logs) goes: /dev/null, or a pipe this process reads and discards, as a log collector would. */
  gatewayStdout: process.env.BENCH_GATEWAY_STDOUT === 'pipe' ? 'pipe' as const : 'null' as const,
  /** Another checkout of the gateway, built (`npm run build` there): measured side by side as `baseline`. */
  baseline: process.env.BENCH_BASELINE ? resolve(process.env.BENCH_BASELINE) : undefined,
  out: resolve(ROOT, process.env.BENCH_OUT ?? 'bench/results/latest.md'),
  /** The metrics + rate limiting A/B (bench/observe-cost.ts): pairs (0: skipped) and requests per batch. */
  observePairs: numberEnv('BENCH_OBSERVE_PAIRS', 24, 0),
  observeEpochs: numberEnv('BENCH_OBSERVE_EPOCHS', 6, 1),
  /** The same cost in one process (bench/route-ab.ts, ROUTE_AB_MODE=observe): pairs (0: skipped). */
  observeInProcessPairs: numberEnv('BENCH_OBSERVE_INPROCESS_PAIRS', 300, 0),
  /** Fresh processes the in-process pairs are shared between, building the two apps in alternating order. */
  observeInProcessEpochs: numberEnv('BENCH_OBSERVE_INPROCESS_EPOCHS', 3, 1),
  observeBatch: numberEnv('BENCH_OBSERVE_BATCH', 3000, 100),
};

/**
 * The targets, checked in the benchmark only: issue 8's (gateway ≥ 0.75× the floor; start-up ≤ 1.5× and
 * RSS after start-up ≤ +40 MB over the baseline) and the earlier ones.
 */
const GOALS = { genericVsCurated: 0.9, vsFloor: 0.75, vsWrapper: 2, p99VsFloor: 1.5, rssGrowthMb: 30, startupVsBaseline: 1.5, startupRssOverBaselineMb: 40 };

type TargetName = 'gateway' | 'generic' | 'baseline' | 'wrapper' | 'floor';
/**
 * `generic` is the same gateway process as `gateway`, loaded through `POST /api/ecs/StopInstances` instead of
 * `PUT /api/instances/stop`. BENCH_TARGETS (e.g. `gateway,generic`) measures a subset; `gateway` is always in it.
 */
const ONLY = new Set((process.env.BENCH_TARGETS ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const TARGETS: TargetName[] = (['gateway', 'generic', 'baseline', 'wrapper', 'floor'] as const)
  .filter((n) => (n !== 'baseline' || S.baseline) && (n === 'gateway' || ONLY.size === 0 || ONLY.has(n)));
const has = (name: TargetName) => TARGETS.includes(name);
const DESCRIPTION: Record<TargetName, string> = {
  gateway: 'the gateway as shipped (validation, V3 signing, info logging), curated `PUT /api/instances/stop`',
  generic: 'the same gateway process, generic `POST /api/ecs/StopInstances` (credentials as headers)',
  baseline: `the gateway as of the baseline (${S.baseline ? gitCommit(S.baseline) : '—'}), same settings`,
  wrapper: 'Fastify + official @alicloud/ecs20140526 client',
  floor: 'Fastify + hand-made V3 signing + undici, nothing else',
};
/** The gateway servers: this checkout's and, when BENCH_BASELINE is set, the baseline's. */
const GATEWAYS: Array<'gateway' | 'baseline'> = S.baseline ? ['gateway', 'baseline'] : ['gateway'];
const gatewayScript = (name: 'gateway' | 'baseline') => join(name === 'baseline' ? S.baseline! : ROOT, 'dist/src/gateway/server.js');
const gatewayEnv = (upstreamUrl: string) => ({
  LOG_LEVEL: process.env.BENCH_GATEWAY_LOG_LEVEL ?? 'info', ECS_UPSTREAM_URL: upstreamUrl, ECS_SIGNATURE_VERSION: 'v3',
});

// ---- child processes ------------------------------------------------------------------------

interface Child { name: string; proc: ChildProcess; url: string; stderr: string[] }
const children = new Set<Child>();



/**
 * Starts `node <script>` (stdout discarded: that is where the gateway's logs go; to /dev/null, or with
 * BENCH_GATEWAY_STDOUT=pipe through a pipe read here) and waits until GET /healthz answers.
 */
async function startChild(name: string, script: string, env: Record<string, string>, port: number): Promise<Child> {
  const nodeArgs = S.profile.has(name) ? cpuProfileArgs(ROOT, name) : [];
  const pipeStdout = S.gatewayStdout === 'pipe' && (name === 'gateway' || name === 'baseline');
  const proc = spawn(process.execPath, [...nodeArgs, script], {
    cwd: ROOT, env: childEnv({ ...env, HOST: '127.0.0.1', PORT: String(port) }), stdio: ['ignore', pipeStdout ? 'pipe' : 'ignore', 'pipe'],
  });
  proc.stdout?.resume();
  const child: Child = { name, proc, url: `http://127.0.0.1:${port}`, stderr: [] };
  children.add(child);
  keepStderrTail(proc, child.stderr);
  proc.once('exit', () => children.delete(child));
  await waitUntilReady(proc, name, `${child.url}/healthz`, child.stderr);
  return child;
}


const stopChild = (child: Child): Promise<void> => stopProcess(child.proc);

async function stopAll(): Promise<void> {
  await Promise.all([...children].map(stopChild));
}

// Never leave a server behind: on Ctrl-C, on errors, and (synchronously) on any exit.
process.on('exit', () => { for (const c of children) c.proc.kill('SIGKILL'); });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    process.stderr.write(`\n${signal}: stopping the bench servers\n`);
    void stopAll().finally(() => process.exit(130));
  });
}

// ---- measuring -------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));




/** What each target is asked: the curated route everywhere, the generic route for `generic`. */
interface BenchRequest { method: string; path: string; headers: Record<string, string>; body: string }
const CURATED_REQUEST: BenchRequest = { ...ROUTE, headers: { 'content-type': 'application/json' }, body: JSON.stringify(REQUEST_BODY) };
const GENERIC_REQUEST: BenchRequest = { ...GENERIC_ROUTE, headers: { 'content-type': 'application/json', ...GENERIC_HEADERS }, body: JSON.stringify(GENERIC_REQUEST_BODY) };
const requestOf = (name: string): BenchRequest => (name === 'generic' ? GENERIC_REQUEST : CURATED_REQUEST);

/** Loads one target; also returns the CPU time the target itself spent per request, in µs. */
async function load(child: Child, opts: { durationS?: number; amount?: number; request?: BenchRequest }): Promise<Result & { cpuUsPerReq: number }> {
  const cpu0 = cpuMs(child.proc.pid);
  const req = opts.request ?? CURATED_REQUEST;
  const result = await autocannon({
    url: `${child.url}${req.path}`,
    method: req.method as 'PUT',
    headers: req.headers,
    body: req.body,
    connections: S.connections,
    pipelining: 1,
    timeout: 10,
    ...(opts.amount !== undefined ? { amount: opts.amount } : { duration: opts.durationS ?? S.durationS }),
  });
  return { ...result, cpuUsPerReq: ((cpuMs(child.proc.pid) - cpu0) * 1000) / result.requests.total };
}

/** The last envelope each request got in sanityCheck (to compare the generic route's with the curated one's). */
const lastEnvelope = new Map<BenchRequest, unknown>();

/** The envelope without the headers that differ per answer (`date`). */
function comparable(envelope: unknown): unknown {
  const e = structuredClone(envelope) as { data?: { value?: { headers?: Record<string, string> } } };
  delete e.data?.value?.headers?.date;
  // Hop-by-hop, about the gateway's connection to the bench upstream: Node's server adds it or not by the state of
  // that connection (seen once: present on the curated answer, absent on the generic one, on one connection).
  delete e.data?.value?.headers?.['keep-alive'];
  return e;
}

/** One request through the target; the answer must be the gateway's envelope around the upstream's body. */
async function sanityCheck(child: Child, req: BenchRequest = CURATED_REQUEST): Promise<string> {
  const res = await fetch(`${child.url}${req.path}`, { method: req.method, headers: req.headers, body: req.body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${child.name}: ${req.method} ${req.path} answered ${res.status}: ${text.slice(0, 500)}`);
  lastEnvelope.set(req, JSON.parse(text) as unknown);
  const json = JSON.parse(text) as { data?: { '@type'?: string; value?: { body?: unknown; headers?: Record<string, string> } } };
  const value = json.data?.value;
  if (json.data?.['@type'] !== STRUCT_TYPE_URL || !value?.headers || typeof value.body !== 'object') {
    throw new Error(`${child.name}: not the gateway's envelope: ${text.slice(0, 500)}`);
  }
  if (value.headers['x-acs-request-id'] !== STOP_INSTANCES_BODY.RequestId) throw new Error(`${child.name}: upstream headers not passed on: ${text.slice(0, 500)}`);
  if (isDeepStrictEqual(value.body, STOP_INSTANCES_BODY)) return 'body identical to the upstream\'s';
  // The SDK maps the body through its model (e.g. Code 200 → "200"): close enough for a benchmark, but say so.
  if (isDeepStrictEqual(numbersAsStrings(value.body), numbersAsStrings(STOP_INSTANCES_BODY))) return 'body equal up to the SDK model\'s number-to-string mapping';
  throw new Error(`${child.name}: the body differs from the upstream's: ${JSON.stringify(value.body)}`);
}

/** Every number as its string form, recursively (the SDK model turns `Code: 200` into `"200"`). */
function numbersAsStrings(v: unknown): unknown {
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.map(numbersAsStrings);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, numbersAsStrings(x)]));
  return v;
}

interface Run { reqPerSec: number; p50: number; p99: number; total: number; bad: number; cpuUs: number }

function summarise(r: Result & { cpuUsPerReq: number }): Run {
  return {
    cpuUs: r.cpuUsPerReq,
    reqPerSec: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    total: r.requests.total,
    bad: r.errors + r.timeouts + r.non2xx,
  };
}

// ---- formatting ------------------------------------------------------------------------------

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a');
const ratio = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : 'n/a');
const verdict = (ok: boolean) => (ok ? '✅ holds' : '❌ missed');

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function gitCommit(dir = ROOT): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${sha} (src/ has uncommitted changes)` : sha;
  } catch {
    return 'unknown';
  }
}

const log = (msg: string) => process.stderr.write(`[bench ${((Date.now() - T0) / 1000).toFixed(0).padStart(3)}s] ${msg}\n`);
const T0 = Date.now();

// ---- the run ---------------------------------------------------------------------------------

interface Startup { readyMs: number[]; rssMb: number[] }

/**
 * Start-up: spawns the gateway (and the baseline), interleaved, `startups` times each; the time from
 * spawn to the first 200 from GET /healthz (polled every 5 ms), and the RSS 1 s after that (start-up
 * settled, before any request but the probes).
 */
async function startupBench(upstreamUrl: string): Promise<Record<'gateway' | 'baseline', Startup>> {
  const out: Record<'gateway' | 'baseline', Startup> = { gateway: { readyMs: [], rssMb: [] }, baseline: { readyMs: [], rssMb: [] } };
  for (let i = 0; i < S.startups; i++) {
    for (const name of GATEWAYS) {
      const port = await freePort();
      const t0 = performance.now();
      const proc = spawn(process.execPath, [gatewayScript(name)], {
        cwd: ROOT, env: childEnv({ ...gatewayEnv(upstreamUrl), HOST: '127.0.0.1', PORT: String(port) }), stdio: ['ignore', 'ignore', 'ignore'],
      });
      const child: Child = { name: `${name}-startup`, proc, url: `http://127.0.0.1:${port}`, stderr: [] };
      children.add(child);
      try {
        for (;;) {
          if (proc.exitCode !== null) throw new Error(`${name} exited during start-up (${proc.exitCode})`);
          const ok = await fetch(`${child.url}/healthz`).then(async (r) => { await r.arrayBuffer(); return r.ok; }, () => false);
          if (ok) break;
          if (performance.now() - t0 > 20_000) throw new Error(`${name} did not become ready in 20 s`);
          await sleep(5);
        }
        out[name].readyMs.push(performance.now() - t0);
        await sleep(1000);
        out[name].rssMb.push(rssMb(proc.pid));
      } finally {
        await stopChild(child);
        children.delete(child);
      }
    }
  }
  return out;
}

async function signBench(): Promise<SignResults> {
  const proc = spawn(process.execPath, [join(BENCH_DIST, 'sign.js')], {
    cwd: ROOT, env: childEnv({ BENCH_SIGN_MS: String(S.signMs) }), stdio: ['ignore', 'pipe', 'inherit'],
  });
  const child: Child = { name: 'sign', proc, url: '', stderr: [] };
  children.add(child);
  let out = '';
  proc.stdout?.setEncoding('utf8').on('data', (c: string) => { out += c; });
  const code = await new Promise<number | null>((resolve) => proc.once('exit', (c) => resolve(c)));
  children.delete(child);
  if (code !== 0) throw new Error(`signing micro-benchmark failed (exit ${code})`);
  return JSON.parse(out) as SignResults;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadStart = os.loadavg();
  log(`settings: ${S.rounds} rounds × ${S.durationS} s × ${TARGETS.length} targets at ${S.connections} connections, warm-up ${S.warmupS} s, memory ${fmt(S.memoryRequests)} requests`);

  log('signing micro-benchmark');
  const sign = await signBench();

  const upstreamPort = await freePort();
  const upstream = await startChild('upstream', join(BENCH_DIST, 'upstream.js'), {}, upstreamPort);
  const upstreamUrl = upstream.url;
  let startup: Record<'gateway' | 'baseline', Startup> | undefined;
  if (S.startups > 0) {
    log(`start-up: ${S.startups} × ${GATEWAYS.join(' and ')}`);
    startup = await startupBench(upstreamUrl);
    for (const name of GATEWAYS) log(`start-up ${name}: ready in ${fmt(median(startup[name].readyMs))} ms, RSS ${fmt(median(startup[name].rssMb), 1)} MB (medians)`);
  }
  const started: Partial<Record<TargetName, Child>> = {};
  started.gateway = await startChild('gateway', gatewayScript('gateway'), gatewayEnv(upstreamUrl), await freePort());
  const gatewayRssAtLaunch = rssMb(started.gateway.proc.pid);
  if (S.baseline) started.baseline = await startChild('baseline', gatewayScript('baseline'), gatewayEnv(upstreamUrl), await freePort());
  if (has('generic')) started.generic = started.gateway;
  if (has('wrapper')) started.wrapper = await startChild('wrapper', join(BENCH_DIST, 'targets/wrapper.js'), { UPSTREAM_URL: upstreamUrl }, await freePort());
  if (has('floor')) started.floor = await startChild('floor', join(BENCH_DIST, 'targets/floor.js'), { UPSTREAM_URL: upstreamUrl }, await freePort());
  const t = started as Record<TargetName, Child>;

  const sanity: Partial<Record<TargetName, string>> = {};
  for (const name of TARGETS) sanity[name] = await sanityCheck(t[name], requestOf(name));
  if (has('generic')) {
    // The generic route must answer exactly what the curated one does (the same envelope, body and headers).
    const curated = comparable(lastEnvelope.get(CURATED_REQUEST));
    const generic = comparable(lastEnvelope.get(GENERIC_REQUEST));
    if (!isDeepStrictEqual(curated, generic)) {
      throw new Error(`generic and curated answers differ:\n${JSON.stringify(generic)}\n${JSON.stringify(curated)}`);
    }
    sanity.generic = `${sanity.generic}, and the same envelope as the curated route's (headers included, but \`date\` and the hop-by-hop \`keep-alive\`)`;
  }
  log(`all targets answer correctly; warm-up ${S.warmupS} s each`);
  if (S.warmupS > 0) for (const name of TARGETS) await load(t[name], { durationS: S.warmupS, request: requestOf(name) });

  const runs: Record<TargetName, Run[]> = { gateway: [], generic: [], baseline: [], wrapper: [], floor: [] };
  for (let round = 1; round <= S.rounds; round++) {
    // ABBA: every other round runs the targets in reverse, so that no target always follows the same one
    // (gateway and generic share a process, and whatever ran just before a round colours it).
    for (const name of round % 2 ? TARGETS : [...TARGETS].reverse()) {
      const r = summarise(await load(t[name], { durationS: S.durationS, request: requestOf(name) }));
      runs[name].push(r);
      log(`round ${round}/${S.rounds} ${name.padEnd(7)} ${fmt(r.reqPerSec).padStart(7)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  ${fmt(r.cpuUs)} µs CPU/req${r.bad ? `  ${r.bad} errors/non-2xx` : ''}`);
    }
  }

  // Memory: the gateway's RSS before and after memoryRequests more requests, sampled along the way.
  let memory: { before: number; after: number; peak: number; samples: Array<[number, number]>; seconds: number; run: Run } | undefined;
  if (S.memoryRequests > 0) {
    const pid = t.gateway.proc.pid;
    const before = rssMb(pid);
    log(`memory: ${fmt(S.memoryRequests)} requests through the gateway (RSS before ${fmt(before, 1)} MB)`);
    const samples: Array<[number, number]> = [[0, before]];
    const phaseStart = Date.now();
    const timer = setInterval(() => samples.push([(Date.now() - phaseStart) / 1000, rssMb(pid)]), 2000);
    const result = await load(t.gateway, { amount: S.memoryRequests });
    clearInterval(timer);
    const seconds = (Date.now() - phaseStart) / 1000;
    await sleep(1000);
    const after = rssMb(pid);
    samples.push([(Date.now() - phaseStart) / 1000, after]);
    memory = { before, after, peak: Math.max(...samples.map(([, v]) => v)), samples, seconds, run: summarise(result) };
    log(`memory: RSS after ${fmt(after, 1)} MB (growth ${fmt(after - before, 1)} MB) in ${seconds.toFixed(0)} s`);
  }

  let observe: ObserveCostResult | undefined;
  if (S.observePairs > 0) {
    log(`metrics + rate limiting: ${S.observePairs} A/B pairs of ${fmt(S.observeBatch)} requests, observed vs bare gateway`);
    observe = await observeCost({
      start: async (name, env) => startChild(name, gatewayScript('gateway'), { ...gatewayEnv(upstreamUrl), ...env }, await freePort()),
      load: async (child, amount) => { const r = summarise(await load(child, { amount })); return { cpuUs: r.cpuUs, reqPerSec: r.reqPerSec, bad: r.bad }; },
      url: (child) => child.url,
      request: CURATED_REQUEST,
      stop: stopChild,
    }, { pairs: S.observePairs, batch: S.observeBatch, epochs: S.observeEpochs });
    log(`metrics + rate limiting: ${observeCostRow(observe)[1]} CPU per request, observed ÷ bare`);
  }
  let observeInProcess: InProcessObserveResult | undefined;
  if (S.observeInProcessPairs > 0) {
    log(`metrics + rate limiting in one process: ${S.observeInProcessPairs} A/B pairs over ${S.observeInProcessEpochs} processes (route-ab.js)`);
    observeInProcess = await inProcessObserveCost(S.observeInProcessPairs, S.observeInProcessEpochs);
    log(`metrics + rate limiting in one process: ${observeInProcessRow(observeInProcess)[1]} CPU per request, observed ÷ bare`);
  }

  await stopAll();
  const totalSeconds = (Date.now() - T0) / 1000;

  // ---- report ----
  const med = (name: TargetName, key: 'reqPerSec' | 'p50' | 'p99' | 'cpuUs') => median(runs[name].map((r) => r[key]));
  const rps = { gateway: med('gateway', 'reqPerSec'), generic: med('generic', 'reqPerSec'), baseline: med('baseline', 'reqPerSec'), wrapper: med('wrapper', 'reqPerSec'), floor: med('floor', 'reqPerSec') };
  const vsFloor = rps.gateway / rps.floor;
  const vsWrapper = rps.gateway / rps.wrapper;
  const p99VsFloor = med('gateway', 'p99') / med('floor', 'p99');
  const perRound = (f: (i: number) => number) => runs.gateway.map((_, i) => f(i).toFixed(2)).join(', ');
  const bad = TARGETS.reduce((n, name) => n + runs[name].reduce((m, r) => m + r.bad, 0), 0) + (memory?.run.bad ?? 0);

  const resultsTable = table(
    ['target', 'req/s (median)', 'p50 ms', 'p99 ms', 'target CPU µs/req', 'req/s per round', 'errors + non-2xx'],
    TARGETS.map((name) => [
      `**${name}**: ${DESCRIPTION[name]}`, fmt(rps[name]), fmt(med(name, 'p50'), 1), fmt(med(name, 'p99'), 1), fmt(med(name, 'cpuUs')),
      runs[name].map((r) => fmt(r.reqPerSec)).join(' / '), String(runs[name].reduce((m, r) => m + r.bad, 0)),
    ]),
  );
  const growth = memory ? memory.after - memory.before : NaN;
  const ratioRows: string[][] = [];
  if (has('generic')) {
    const g = rps.generic / rps.gateway;
    // Per CPU: curated CPU / generic CPU, i.e. how many generic requests one curated request's CPU buys.
    const c = med('gateway', 'cpuUs') / med('generic', 'cpuUs');
    ratioRows.push(
      ['generic / curated, req/s (`POST /api/ecs/StopInstances` / `PUT /api/instances/stop`)', ratio(g), `≥ ${GOALS.genericVsCurated}×`,
        perRound((i) => (runs.generic[i]?.reqPerSec ?? NaN) / (runs.gateway[i]?.reqPerSec ?? NaN)), verdict(g >= GOALS.genericVsCurated)],
      [`generic / curated, per CPU (curated CPU µs/req ÷ generic CPU µs/req: ${fmt(med('gateway', 'cpuUs'))} ÷ ${fmt(med('generic', 'cpuUs'))})`, ratio(c), `≥ ${GOALS.genericVsCurated}×`,
        perRound((i) => (runs.gateway[i]?.cpuUs ?? NaN) / (runs.generic[i]?.cpuUs ?? NaN)), verdict(c >= GOALS.genericVsCurated)],
    );
  }
  if (has('floor')) {
    ratioRows.push(['gateway / floor, req/s', ratio(vsFloor), `≥ ${GOALS.vsFloor}×`, perRound((i) => (runs.gateway[i]?.reqPerSec ?? NaN) / (runs.floor[i]?.reqPerSec ?? NaN)), verdict(vsFloor >= GOALS.vsFloor)]);
  }
  if (has('wrapper')) {
    ratioRows.push(['gateway / wrapper, req/s', ratio(vsWrapper), `≥ ${GOALS.vsWrapper}×`, perRound((i) => (runs.gateway[i]?.reqPerSec ?? NaN) / (runs.wrapper[i]?.reqPerSec ?? NaN)), verdict(vsWrapper >= GOALS.vsWrapper)]);
  }
  if (has('floor')) {
    ratioRows.push(['gateway p99 / floor p99', ratio(p99VsFloor), `≤ ${GOALS.p99VsFloor}×`, perRound((i) => (runs.gateway[i]?.p99 ?? NaN) / (runs.floor[i]?.p99 ?? NaN)), verdict(p99VsFloor <= GOALS.p99VsFloor)]);
  }
  if (S.baseline) {
    ratioRows.push(['baseline / floor, req/s (information: the same ratio for the baseline, same run)', ratio(rps.baseline / rps.floor), '—',
      perRound((i) => (runs.baseline[i]?.reqPerSec ?? NaN) / (runs.floor[i]?.reqPerSec ?? NaN)), '—']);
    ratioRows.push(['gateway / baseline, req/s', ratio(rps.gateway / rps.baseline), '—',
      perRound((i) => (runs.gateway[i]?.reqPerSec ?? NaN) / (runs.baseline[i]?.reqPerSec ?? NaN)), '—']);
  }
  if (has('floor')) {
    ratioRows.push(['floor CPU / gateway CPU per request (information: the CPU-bound ceiling of gateway / floor)',
      ratio(med('floor', 'cpuUs') / med('gateway', 'cpuUs')), '—', perRound((i) => (runs.floor[i]?.cpuUs ?? NaN) / (runs.gateway[i]?.cpuUs ?? NaN)), '—']);
  }
  if (memory) {
    ratioRows.push([`gateway RSS growth over ${fmt(S.memoryRequests)} requests`, `${fmt(growth, 1)} MB`, `< ${GOALS.rssGrowthMb} MB`,
      `${fmt(memory.before, 1)} → ${fmt(memory.after, 1)} MB (at launch ${fmt(gatewayRssAtLaunch, 1)} MB)`, verdict(growth < GOALS.rssGrowthMb)]);
  }
  if (startup && S.baseline) {
    const ready = median(startup.gateway.readyMs) / median(startup.baseline.readyMs);
    const extra = median(startup.gateway.rssMb) - median(startup.baseline.rssMb);
    ratioRows.push(['start-up to a ready /healthz, gateway / baseline', ratio(ready), `≤ ${GOALS.startupVsBaseline}×`,
      `${fmt(median(startup.gateway.readyMs))} ms vs ${fmt(median(startup.baseline.readyMs))} ms`, verdict(ready <= GOALS.startupVsBaseline)]);
    ratioRows.push(['RSS after start-up, gateway − baseline', `${extra >= 0 ? '+' : ''}${fmt(extra, 1)} MB`, `≤ +${GOALS.startupRssOverBaselineMb} MB`,
      `${fmt(median(startup.gateway.rssMb), 1)} MB vs ${fmt(median(startup.baseline.rssMb), 1)} MB`, verdict(extra <= GOALS.startupRssOverBaselineMb)]);
  }
  if (observeInProcess) ratioRows.push(observeInProcessRow(observeInProcess));
  if (observe) ratioRows.push(observeCostRow(observe, observeInProcess !== undefined));
  const ratiosTable = table(['ratio', 'value', 'target', 'per round', 'verdict'], ratioRows);

  let startupSection = '';
  if (startup) {
    startupSection = [
      `## Start-up (${S.startups} starts each, interleaved; spawn to the first 200 from GET /healthz, RSS 1 s later)`,
      '',
      table(['server', 'ready, median ms', 'ready, each ms', 'RSS after start-up, median MB', 'RSS, each MB'], GATEWAYS.map((name) => [
        `**${name}**`, fmt(median(startup![name].readyMs)), startup![name].readyMs.map((v) => fmt(v)).join(' / '),
        fmt(median(startup![name].rssMb), 1), startup![name].rssMb.map((v) => fmt(v, 1)).join(' / '),
      ])),
      '',
    ].join('\n');
  }

  const o = sign.opsPerSec;
  const signTable = table(
    ['signature', 'ours (src/gateway/ecs/signer.ts)', 'official SDK (@alicloud/openapi-core)', 'ours / SDK', 'same signature'],
    [
      ['V1 HMAC-SHA1', `${fmt(o.oursV1)}/s`, `${fmt(o.sdkV1)}/s`, ratio(o.oursV1 / o.sdkV1), sign.agree.v1 ? 'yes' : '**NO**'],
      ['V3 ACS3-HMAC-SHA256', `${fmt(o.oursV3)}/s`, `${fmt(o.sdkV3)}/s`, ratio(o.oursV3 / o.sdkV3), sign.agree.v3 ? 'yes' : '**NO**'],
    ],
  );

  let memorySection = '';
  if (memory) {
    const every = Math.max(1, Math.ceil(memory.samples.length / 12));
    const trend = memory.samples.filter((_, i) => i % every === 0 || i === memory!.samples.length - 1)
      .map(([s, v]) => `${s.toFixed(0)} s: ${fmt(v, 1)}`).join(' · ');
    memorySection = [
      '## Memory (gateway RSS)',
      '',
      table(['at launch', `before (after warm-up and ${S.rounds} rounds)`, `after ${fmt(S.memoryRequests)} more requests`, 'growth', 'peak', 'phase'], [[
        `${fmt(gatewayRssAtLaunch, 1)} MB`, `${fmt(memory.before, 1)} MB`, `${fmt(memory.after, 1)} MB`, `${fmt(growth, 1)} MB`, `${fmt(memory.peak, 1)} MB`,
        `${memory.seconds.toFixed(0)} s, ${fmt(memory.run.reqPerSec)} req/s, p99 ${fmt(memory.run.p99, 1)} ms, ${fmt(memory.run.cpuUs)} µs CPU/req, ${memory.run.bad} errors + non-2xx`,
      ]]),
      '',
      `RSS (MB) during the phase: ${trend}`,
      '',
    ].join('\n');
  }

  const cpus = os.cpus();
  const md = [
    '# ecs-gateway benchmark',
    '',
    `- date: ${startedAt.toISOString()}; whole run ${totalSeconds.toFixed(0)} s`,
    `- machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB RAM, ${os.type()} ${os.release()} ${os.arch()}`,
    `- node ${process.version}; gateway commit ${gitCommit()}${S.baseline ? `; baseline commit ${gitCommit(S.baseline)}` : ''}`,
    `- load average (1/5/15 min) at start ${loadStart.map((n) => n.toFixed(2)).join(' / ')}, at end ${os.loadavg().map((n) => n.toFixed(2)).join(' / ')}`,
    `- load: autocannon, ${S.connections} connections, ${ROUTE.method} ${ROUTE.path} with one instance id${has('generic') ? ` (generic: ${GENERIC_ROUTE.method} ${GENERIC_ROUTE.path}, body ${GENERIC_REQUEST.body} and the credential headers)` : ''}; ${S.rounds} interleaved rounds (${TARGETS.join(', ')}) of ${S.durationS} s after ${S.warmupS} s warm-up each; medians shown`,
    `- upstream: a local process answering at once with a real ECS StopInstances body and headers`,
    `- the gateways' stdout (their logs): ${S.gatewayStdout === 'pipe' ? 'a pipe, read and discarded by the bench process (as a log collector would)' : '/dev/null'}`,
    `- responses checked before loading: ${TARGETS.map((n) => `${n}: ${sanity[n]}`).join('; ')}`,
    ...(bad > 0 ? [`- **${bad} requests failed (errors, timeouts or non-2xx): the numbers above are suspect**`] : []),
    '',
    'Absolute numbers depend on the machine and whatever else runs on it; the ratios, taken side by side in one run, are the result.',
    '',
    '## Throughput and latency',
    '',
    resultsTable,
    '',
    '## Targets',
    '',
    ratiosTable,
    '',
    startupSection,
    memorySection,
    observe ? observeCostSection(observe) : '',
    `## Signing micro-benchmark (${sign.rounds} × ${sign.msPerMeasurement} ms per case, median)`,
    '',
    signTable,
    '',
  ].join('\n');

  mkdirSync(dirname(S.out), { recursive: true });
  writeFileSync(S.out, md);
  process.stdout.write(`\n${md}\n`);
  log(`written to ${relative(ROOT, S.out)}; whole run ${totalSeconds.toFixed(0)} s`);
}

main().catch(async (err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  await stopAll();
  process.exit(1);
});
