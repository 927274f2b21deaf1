/**
 * `npm run bench:inventory`: the inventory across regions (`GET /api/inventory/instances`) against what
 * users write instead, over the emulator with an injected latency of 100 ms per call. See bench/README.md,
 * "Inventory across regions".
 *
 * The fleet: 29 regions (every region DescribeRegions lists), 250 instances in each of 5 of them, spread
 * unevenly (0 to 180) across the other 24. Seeded with RunInstances (Amount ≤ 100) before the latency is
 * switched on. Measured, in interleaved rounds (median shown):
 * - the gateway's inventory, at GATEWAY_FANOUT_CONCURRENCY=8 (the default) and at 32, with items and counts only;
 * - the skill seed's loop: DescribeRegions, then region after region, PageNumber/PageSize=100 pages one after
 *   the other until `page × size ≥ TotalCount` (the seed's Python SDK pattern, here with the official
 *   TypeScript SDK @alicloud/ecs20140526);
 * - the official SDK paging by hand, regions in parallel (Promise.all), NextToken/MaxResults=100 in each.
 * The critical path: the longest chain of dependent calls (DescribeRegions → page 1 of a region → its other
 * pages, which PageNumber paging may fetch in parallel once TotalCount is known) × 100 ms.
 * Then, with EMULATOR_QPS=*=20 and *=5 (another emulator on the same state file), the gateway's inventory again:
 * failed regions, throttled answers, wall time against the quota's lower bound (DescribeInstances calls ÷ 20/s).
 *
 * Every server is a child process; this process only drives them. Knobs: BENCH_INVENTORY_PROFILE=1 (the gateways
 * under --cpu-prof), BENCH_INVENTORY_ROUNDS=3,
 * BENCH_INVENTORY_LATENCY_MS=100, BENCH_INVENTORY_QPS=20,5 (one quota run per value), BENCH_INVENTORY_OUT=bench/results/inventory.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ecs, { DescribeInstancesRequest, DescribeRegionsRequest, RunInstancesRequest } from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { childEnv, cpuProfileArgs, freePort, keepStderrTail, numberEnv, stopProcess, waitUntilReady } from './children.js';
import { cpuMs } from './proc.js';
import { median } from './stats.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const S = {
  rounds: numberEnv('BENCH_INVENTORY_ROUNDS', 3, 1),
  latencyMs: numberEnv('BENCH_INVENTORY_LATENCY_MS', 100, 0),
  /** The quotas to run under (the issue's 20, and a tighter one that throttles even on a slow machine). */
  qps: (process.env.BENCH_INVENTORY_QPS ?? '20,5').split(',').map((q) => Number(q.trim())).filter((q) => q > 0),
  out: resolve(ROOT, process.env.BENCH_INVENTORY_OUT ?? 'bench/results/inventory.md'),
};
const PAGE_SIZE = 100;
const KEY = { accessKeyId: 'demo-access-key-id', accessKeySecret: 'demo-access-key-secret' };
const BIG = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'ap-southeast-1', 'us-west-1'];
/** The other 24 regions' instance counts, in DescribeRegions order: uneven, some empty, some over one page. */
const SMALL_COUNTS = [0, 1, 3, 7, 12, 20, 33, 55, 90, 140, 0, 2, 5, 9, 15, 26, 44, 70, 110, 180, 0, 4, 11, 30];

// ---- children -------------------------------------------------------------------------------

interface Child { name: string; proc: ChildProcess; url: string; stderr: string[]; stdout: string[] }
const children = new Set<Child>();
const stopChild = (child: Child): Promise<void> => stopProcess(child.proc);



const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `node <script>` and waits for `health` to answer 200; `keepStdout` keeps its stdout lines. */
async function startChild(name: string, script: string, env: Record<string, string>, port: number, health: string, keepStdout = false): Promise<Child> {
  // BENCH_INVENTORY_PROFILE=1: the gateways run under --cpu-prof (bench/results/profiles; read with profile-summary.js).
  const nodeArgs = process.env.BENCH_INVENTORY_PROFILE === '1' && name.startsWith('gateway') ? cpuProfileArgs(ROOT, `inventory-${name}`) : [];
  const proc = spawn(process.execPath, [...nodeArgs, join(ROOT, script)], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const child: Child = { name, proc, url: `http://127.0.0.1:${port}`, stderr: [], stdout: [] };
  children.add(child);
  let partial = '';
  proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    if (!keepStdout) return;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    child.stdout.push(...lines);
  });
  keepStderrTail(proc, child.stderr);
  proc.once('exit', () => children.delete(child));
  await waitUntilReady(proc, name, `${child.url}${health}`, child.stderr);
  return child;
}


process.on('exit', () => { for (const c of children) c.proc.kill('SIGKILL'); });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void Promise.all([...children].map(stopChild)).finally(() => process.exit(130)));
}

// ---- the SDK ---------------------------------------------------------------------------------

function cjsDefault<T>(mod: { default: T }): T {
  return (typeof mod === 'function' ? mod : mod.default) as T;
}
const EcsClient = cjsDefault(Ecs);
type Client = InstanceType<typeof EcsClient>;

function sdkClient(emulatorUrl: string, regionId = 'cn-hangzhou'): Client {
  const url = new URL(emulatorUrl);
  return new EcsClient(new $OpenApiUtil.Config({ ...KEY, regionId, endpoint: url.host, protocol: 'http', readTimeout: 60_000, connectTimeout: 10_000 }));
}

/** The skill seed's loop: DescribeRegions, then each region in turn, PageNumber pages in turn. */
async function seedLoop(emulatorUrl: string): Promise<{ items: number; calls: number }> {
  const regions = await sdkClient(emulatorUrl).describeRegions(new DescribeRegionsRequest({}));
  let items = 0;
  let calls = 1;
  for (const region of regions.body?.regions?.region ?? []) {
    const regionId = region.regionId!;
    const client = sdkClient(emulatorUrl, regionId);
    for (let pageNumber = 1; ; pageNumber++) {
      const resp = await client.describeInstances(new DescribeInstancesRequest({ regionId, pageNumber, pageSize: PAGE_SIZE }));
      calls++;
      items += resp.body?.instances?.instance?.length ?? 0;
      if (pageNumber * PAGE_SIZE >= (resp.body?.totalCount ?? 0)) break;
    }
  }
  return { items, calls };
}

/** The official SDK paging by hand, as a TypeScript user would: regions in parallel, NextToken in each. */
async function sdkByHand(emulatorUrl: string): Promise<{ items: number; calls: number }> {
  const regions = await sdkClient(emulatorUrl).describeRegions(new DescribeRegionsRequest({}));
  let calls = 1;
  const counts = await Promise.all((regions.body?.regions?.region ?? []).map(async (region) => {
    const regionId = region.regionId!;
    const client = sdkClient(emulatorUrl, regionId);
    let n = 0;
    let nextToken: string | undefined;
    do {
      const resp = await client.describeInstances(new DescribeInstancesRequest({ regionId, maxResults: PAGE_SIZE, ...(nextToken ? { nextToken } : {}) }));
      calls++;
      n += resp.body?.instances?.instance?.length ?? 0;
      nextToken = resp.body?.nextToken || undefined;
    } while (nextToken);
    return n;
  }));
  return { items: counts.reduce((a, b) => a + b, 0), calls };
}

// ---- fleet and faults ------------------------------------------------------------------------

async function seedFleet(emulatorUrl: string): Promise<Map<string, number>> {
  const regions = await sdkClient(emulatorUrl).describeRegions(new DescribeRegionsRequest({}));
  const ids = (regions.body?.regions?.region ?? []).map((r) => r.regionId!);
  const others = ids.filter((r) => !BIG.includes(r));
  if (ids.length !== 29 || others.length !== SMALL_COUNTS.length) throw new Error(`expected 29 regions, 5 of them big; DescribeRegions listed ${ids.length}`);
  const fleet = new Map<string, number>();
  ids.forEach((r) => fleet.set(r, BIG.includes(r) ? 250 : SMALL_COUNTS[others.indexOf(r)]!));
  await Promise.all([...fleet].map(async ([regionId, count]) => {
    const client = sdkClient(emulatorUrl, regionId);
    for (let left = count; left > 0; left -= 100) {
      await client.runInstances(new RunInstancesRequest({
        regionId, imageId: 'aliyun_3_x64_20G_alibase_20240528.vhd', instanceType: 'ecs.g7.large', amount: Math.min(100, left),
      }));
    }
  }));
  return fleet;
}

async function injectLatency(emulatorUrl: string, ms: number): Promise<void> {
  if (ms <= 0) return;
  const res = await fetch(`${emulatorUrl}/__emulator/faults`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode: 'latency', rate: 1, latencyMs: ms }),
  });
  if (!res.ok) throw new Error(`latency fault refused: ${res.status} ${await res.text()}`);
}

interface InventoryRun { ms: number; total: number; ok: number; failed: Array<{ regionId: string; code: string }> }

async function gatewayInventory(gatewayUrl: string, items = true): Promise<InventoryRun> {
  const started = performance.now();
  const res = await fetch(`${gatewayUrl}/api/inventory/instances?regions=all&groupBy=region${items ? '' : '&items=false'}`, {
    headers: { 'x-access-key-id': KEY.accessKeyId, 'x-access-key-secret': KEY.accessKeySecret },
  });
  const body = await res.json() as { total: number; regions: { ok: string[]; failed: Array<{ regionId: string; code: string }> } };
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`inventory answered ${res.status}: ${JSON.stringify(body).slice(0, 500)}`);
  return { ms, total: body.total, ok: body.regions.ok.length, failed: body.regions.failed };
}


async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

// ---- the run ---------------------------------------------------------------------------------

const fmt = (n: number, d = 0) => n.toFixed(d);
const log = (line: string) => process.stderr.write(`[bench:inventory] ${line}\n`);

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadStart = os.loadavg();
  const stateDir = mkdtempSync(join(os.tmpdir(), 'bench-inventory-'));
  const stateFile = join(stateDir, 'state.json');
  const emuPort = await freePort();
  const emuEnv = { EMULATOR_PORT: String(emuPort), EMULATOR_FAULTS: '1', EMULATOR_TRANSITION_MS: '0', EMULATOR_STATE_FILE: stateFile };
  let emulator = await startChild('emulator', 'dist/src/emulator/main.js', emuEnv, emuPort, '/__emulator/health');
  log('seeding the fleet');
  const fleet = await seedFleet(emulator.url);
  const fleetTotal = [...fleet.values()].reduce((a, b) => a + b, 0);
  const pagesOf = (n: number) => Math.max(1, Math.ceil(n / PAGE_SIZE));
  const describeCalls = [...fleet.values()].reduce((a, n) => a + pagesOf(n), 0);
  const maxPages = Math.max(...[...fleet.values()].map(pagesOf));
  // DescribeRegions → page 1 → (pages 2..N in parallel, once TotalCount is known).
  const chainPageNumber = 1 + 1 + (maxPages > 1 ? 1 : 0);
  // DescribeRegions → page 1 → page 2 → … (NextToken: each page needs the previous one's token).
  const chainNextToken = 1 + maxPages;
  const criticalMs = chainPageNumber * S.latencyMs;
  await injectLatency(emulator.url, S.latencyMs);

  const gatewayEnv = (upstream: string, extra: Record<string, string> = {}) => ({
    HOST: '127.0.0.1', ECS_UPSTREAM_URL: upstream, LOG_LEVEL: 'info', ECS_TIMEOUT_MS: '60000', ...extra,
  });
  const startGateway = async (name: string, upstream: string, extra: Record<string, string> = {}) => {
    const port = await freePort();
    return startChild(name, 'dist/src/gateway/server.js', { ...gatewayEnv(upstream, extra), PORT: String(port) }, port, '/healthz');
  };
  const gateways = {
    gw8: await startGateway('gateway (concurrency 8)', emulator.url, { GATEWAY_FANOUT_CONCURRENCY: '8' }),
    gw32: await startGateway('gateway (concurrency 32)', emulator.url, { GATEWAY_FANOUT_CONCURRENCY: '32' }),
  };

  type Name = 'gateway8' | 'gateway8counts' | 'gateway32' | 'gateway32counts' | 'seedLoop' | 'sdkByHand';
  const samples: Record<Name, number[]> = { gateway8: [], gateway8counts: [], gateway32: [], gateway32counts: [], seedLoop: [], sdkByHand: [] };
  /** CPU ms used per run by the gateway (or this process, for the SDK loops) and by the emulator. */
  const cpu: Record<Name, { client: number[]; emulator: number[] }> = {
    gateway8: { client: [], emulator: [] }, gateway8counts: { client: [], emulator: [] }, gateway32: { client: [], emulator: [] }, gateway32counts: { client: [], emulator: [] },
    seedLoop: { client: [], emulator: [] }, sdkByHand: { client: [], emulator: [] },
  };
  const measure = async <T>(name: Name, pid: number | undefined, fn: () => Promise<T>): Promise<T> => {
    const [c0, e0, self0] = [cpuMs(pid), cpuMs(emulator.proc.pid), process.cpuUsage()];
    const value = await fn();
    const self = process.cpuUsage(self0);
    cpu[name].client.push(pid === undefined ? (self.user + self.system) / 1000 : cpuMs(pid) - c0);
    cpu[name].emulator.push(cpuMs(emulator.proc.pid) - e0);
    return value;
  };
  const checks: string[] = [];
  const check = (name: string, items: number) => {
    if (items !== fleetTotal) throw new Error(`${name} listed ${items} instances, the fleet has ${fleetTotal}`);
  };
  // One warm-up of each gateway (connections, JIT), not counted.
  await gatewayInventory(gateways.gw8.url);
  await gatewayInventory(gateways.gw32.url);
  await gatewayInventory(gateways.gw8.url, false);
  for (let round = 1; round <= S.rounds; round++) {
    log(`round ${round}/${S.rounds}`);
    for (const [name, gw, items] of [['gateway8', gateways.gw8, true], ['gateway8counts', gateways.gw8, false], ['gateway32', gateways.gw32, true], ['gateway32counts', gateways.gw32, false]] as const) {
      const run = await measure(name, gw.proc.pid, () => gatewayInventory(gw.url, items));
      check(name, run.total);
      if (run.failed.length > 0) throw new Error(`${name}: failed regions ${JSON.stringify(run.failed)}`);
      samples[name].push(run.ms);
    }
    const seed = await measure('seedLoop', undefined, () => timed(() => seedLoop(emulator.url)));
    check('seed loop', seed.value.items);
    samples.seedLoop.push(seed.ms);
    const hand = await measure('sdkByHand', undefined, () => timed(() => sdkByHand(emulator.url)));
    check('SDK by hand', hand.value.items);
    samples.sdkByHand.push(hand.ms);
    if (round === 1) checks.push(`seed loop ${seed.value.calls} calls, SDK by hand ${hand.value.calls} calls`);
  }
  await Promise.all(Object.values(gateways).map(stopChild));
  await stopChild(emulator);

  // Under a quota: the same fleet (state file), every action limited to `qps` per second per account.
  type QuotaRun = InventoryRun & { throttled: number; describeCalls: number };
  const quotaResults: Array<{ qps: number; runs: QuotaRun[] }> = [];
  for (const qps of S.qps) {
    log(`under EMULATOR_QPS=*=${qps}`);
    emulator = await startChild('emulator (quota)', 'dist/src/emulator/main.js', { ...emuEnv, EMULATOR_QPS: `*=${qps}` }, emuPort, '/__emulator/health', true);
    await injectLatency(emulator.url, S.latencyMs);
    const runs: QuotaRun[] = [];
    const gwq = await startGateway('gateway (quota)', emulator.url);
    for (let round = 1; round <= S.rounds; round++) {
      // Full buckets at the start of every round: more than a second since the last call.
      await sleep(1500);
      const before = emulator.stdout.length;
      const run = await gatewayInventory(gwq.url);
      await sleep(200);
      const lines = emulator.stdout.slice(before);
      const throttled = lines.filter((l) => / DescribeInstances 400 /.test(l)).length;
      const served = lines.filter((l) => / DescribeInstances 200 /.test(l)).length;
      runs.push({ ...run, throttled, describeCalls: served });
      check('gateway under quota', run.total);
    }
    quotaResults.push({ qps, runs });
    await stopChild(gwq);
    await stopChild(emulator);
  }
  rmSync(stateDir, { recursive: true, force: true });

  // ---- report ----
  const med = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) as Record<Name, number>;
  const row = (label: string, name: Name) => {
    const ms = med[name];
    return `| ${label} | ${fmt(ms)} | ${fmt(ms / criticalMs, 2)}× | ${fmt(med.seedLoop / ms, 1)}× | ${fmt(med.sdkByHand / ms, 2)}× | ${fmt(median(cpu[name].client))} | ${fmt(median(cpu[name].emulator))} | ${samples[name].map((x) => fmt(x)).join(', ')} |`;
  };
  const cpus = os.cpus();
  const md = [
    `# Inventory across regions (${startedAt.toISOString()})`,
    '',
    `- fleet: ${fleet.size} regions, ${fleetTotal} instances (${BIG.map((r) => `${r} ${fleet.get(r)}`).join(', ')}; the other 24: ${SMALL_COUNTS.join(', ')})`,
    `- emulator latency: ${S.latencyMs} ms on every call (fault \`latency\`, rate 1); page size ${PAGE_SIZE}; ${describeCalls} DescribeInstances pages + 1 DescribeRegions`,
    `- critical path: ${chainPageNumber} dependent calls (DescribeRegions → page 1 → the other pages in parallel) × ${S.latencyMs} ms = ${criticalMs} ms (with NextToken paging it would be ${chainNextToken} calls, ${chainNextToken * S.latencyMs} ms)`,
    `- ${S.rounds} interleaved rounds, medians; machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? '?'}, node ${process.version}; load average at start ${loadStart.map((n) => n.toFixed(2)).join(' / ')}, at end ${os.loadavg().map((n) => n.toFixed(2)).join(' / ')}`,
    `- checked: every run listed all ${fleetTotal} instances with no failed region; ${checks.join('; ')}`,
    '',
    '| what | wall ms (median) | × critical path | faster than the seed loop | faster than SDK by hand | client CPU ms | emulator CPU ms | samples (ms) |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
    row('gateway, GATEWAY_FANOUT_CONCURRENCY=8 (default), items', 'gateway8'),
    row('gateway, concurrency 8, counts only (items=false)', 'gateway8counts'),
    row('gateway, GATEWAY_FANOUT_CONCURRENCY=32, items', 'gateway32'),
    row('gateway, concurrency 32, counts only (items=false)', 'gateway32counts'),
    row('skill seed loop (sequential regions and pages, SDK)', 'seedLoop'),
    row('official SDK by hand (regions in parallel, NextToken)', 'sdkByHand'),
    '',
    '"client CPU ms": the gateway process\'s CPU time during the run (for the SDK loops, this bench process\'s, which runs them); "emulator CPU ms": the emulator\'s (rendering the pages). On an idle machine, wall time ≈ critical path + CPU that cannot overlap.',
    '',
    `Targets: inventory ≤ 1.5× the critical path (${fmt(1.5 * criticalMs)} ms): default ${med.gateway8 <= 1.5 * criticalMs ? 'met' : 'NOT met'} (${fmt(med.gateway8 / criticalMs, 2)}×), concurrency 32 ${med.gateway32 <= 1.5 * criticalMs ? 'met' : 'NOT met'} (${fmt(med.gateway32 / criticalMs, 2)}×); ≥ 6× faster than the seed loop: default ${med.seedLoop / med.gateway8 >= 6 ? 'met' : 'NOT met'} (${fmt(med.seedLoop / med.gateway8, 1)}×).`,
    '',
    ...quotaResults.flatMap(({ qps, runs }) => {
      const lowerBoundMs = (describeCalls / qps) * 1000;
      const wall = median(runs.map((r) => r.ms));
      return [
        `## Under EMULATOR_QPS=*=${qps} (gateway at its defaults)`,
        '',
        '| round | wall ms | × lower bound | failed regions | DescribeInstances served | throttled (Throttling.User) |',
        '|---:|---:|---:|---:|---:|---:|',
        ...runs.map((r, i) => `| ${i + 1} | ${fmt(r.ms)} | ${fmt(r.ms / lowerBoundMs, 2)}× | ${r.failed.length} | ${r.describeCalls} | ${r.throttled} |`),
        '',
        `Lower bound: ${describeCalls} DescribeInstances calls ÷ ${qps}/s = ${fmt(lowerBoundMs)} ms (the emulator's bucket starts full with ${qps} calls, so ${fmt((Math.max(0, describeCalls - qps) / qps) * 1000)} ms would be the floor after that burst). Median wall ${fmt(wall)} ms = ${fmt(wall / lowerBoundMs, 2)}× the lower bound; failed regions per round: ${runs.map((r) => r.failed.length).join(', ')}.`,
        '',
      ];
    }),
  ].join('\n');
  mkdirSync(dirname(S.out), { recursive: true });
  writeFileSync(S.out, md);
  process.stdout.write(`\n${md}\n`);
  log(`written to ${relative(ROOT, S.out)}`);
}

main().catch(async (err: unknown) => {
  process.stderr.write(`bench:inventory failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  await Promise.all([...children].map(stopChild));
  process.exit(1);
});
