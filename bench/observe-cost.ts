/**
 * The cost of metrics and rate limiting on the hot path, measured inside `npm run bench` (bench/run.ts calls
 * `observeCost`): two gateway processes of this checkout, side by side in the same run,
 * - `observed`: GATEWAY_METRICS=on (the default) and rate limiting on with a limit no run reaches
 *   (GATEWAY_RATE_LIMIT_MAX=1000000000; a build without rate limiting ignores the variable, and the report says
 *   whether its /readyz or its answers showed a limit);
 * - `bare`: GATEWAY_METRICS=off, no rate limiting.
 * Batches of BENCH_OBSERVE_BATCH requests (curated `PUT /api/instances/stop`) alternate A B B A … for
 * BENCH_OBSERVE_PAIRS pairs, spread over BENCH_OBSERVE_EPOCHS epochs: each epoch starts both processes afresh
 * (in alternating order) and warms them with one pair, because two processes of one build differ by a few per
 * cent for their whole life (an A/A run, BENCH_OBSERVE_ONLY=none, shows it). Each batch's CPU time is the loaded
 * process's own (/proc/<pid>/task/<tid>/schedstat). The figure is the median over pairs of observed CPU µs/req ÷ bare
 * CPU µs/req (budget ≤ 1.05×), with the req/s ratio beside it. Machine drift falls on both within a pair.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median, medianInterval, quantile } from './stats.js';

export const OBSERVE_BUDGET = 1.05;

export interface ObservedBatch { cpuUs: number; reqPerSec: number; bad: number }

export interface ObserveCostDeps<C> {
  /** Starts a gateway of this checkout with these extra variables; resolves once it answers /healthz. */
  start(name: 'observed' | 'bare', env: Record<string, string>): Promise<C>;
  /** `amount` requests through it; its CPU µs per request and req/s. */
  load(child: C, amount: number): Promise<ObservedBatch>;
  /** The base URL of a started child. */
  url(child: C): string;
  /** The headers and body of the request loaded (the curated route's). */
  request: { method: string; path: string; headers: Record<string, string>; body: string };
  stop(child: C): Promise<void>;
}

export interface ObserveCostResult {
  pairs: number;
  batch: number;
  /** How many times both processes were started afresh (the pairs are spread over them). */
  epochs: number;
  cpuRatio: number[];
  rpsRatio: number[];
  cpuUs: { observed: number[]; bare: number[] };
  /** The rate-limit header the observed gateway answered with, if any (`x-ratelimit-limit: …`). */
  rateLimit: string | undefined;
  bad: number;
}


/**
 * The observed gateway's variables. `only`: `metrics` or `ratelimit`, one of the two (default: both); `none`,
 * neither: an A/A run that shows how far the two sides differ with nothing between them. Both A/Bs use it
 * (BENCH_OBSERVE_ONLY here, ROUTE_AB_OBSERVE in route-ab.ts).
 */
export function observedEnv(only: string | undefined): Record<string, string> {
  return {
    GATEWAY_METRICS: only === 'ratelimit' || only === 'none' ? 'off' : 'on',
    ...(only === 'metrics' || only === 'none' ? {} : { GATEWAY_RATE_LIMIT_MAX: '1000000000' }),
  };
}
export const OBSERVED_ENV = observedEnv(process.env.BENCH_OBSERVE_ONLY);
export const BARE_ENV = { GATEWAY_METRICS: 'off' } as const;

export async function observeCost<C>(deps: ObserveCostDeps<C>, opts: { pairs: number; batch: number; epochs?: number }): Promise<ObserveCostResult> {
  const epochs = Math.max(1, Math.min(opts.epochs ?? 1, opts.pairs));
  const result: ObserveCostResult = { pairs: opts.pairs, batch: opts.batch, epochs, cpuRatio: [], rpsRatio: [], cpuUs: { observed: [], bare: [] }, rateLimit: undefined, bad: 0 };
  for (let epoch = 0; epoch < epochs; epoch++) {
    // Fresh processes each epoch, started in alternating order: two processes of one build differ by a few
    // per cent for the whole of their life (JIT, heap layout), which no number of pairs inside one life averages out.
    const pairs = Math.floor(opts.pairs / epochs) + (epoch < opts.pairs % epochs ? 1 : 0);
    const both = epoch % 2
      ? { bare: await deps.start('bare', { ...BARE_ENV }), observed: await deps.start('observed', { ...OBSERVED_ENV }) }
      : { observed: await deps.start('observed', { ...OBSERVED_ENV }), bare: await deps.start('bare', { ...BARE_ENV }) };
    try {
      if (epoch === 0) result.rateLimit = await checkPair(deps, both.observed, both.bare);
      const run = async (name: 'observed' | 'bare') => deps.load(both[name], opts.batch);
      // Warm-up: one pair, not counted.
      await run('observed'); await run('bare');
      for (let i = 0; i < pairs; i++) {
        const order = (i + epoch) % 2 ? (['bare', 'observed'] as const) : (['observed', 'bare'] as const);
        const r: Partial<Record<'observed' | 'bare', ObservedBatch>> = {};
        for (const name of order) r[name] = await run(name);
        result.cpuUs.observed.push(r.observed!.cpuUs);
        result.cpuUs.bare.push(r.bare!.cpuUs);
        result.cpuRatio.push(r.observed!.cpuUs / r.bare!.cpuUs);
        result.rpsRatio.push(r.bare!.reqPerSec / r.observed!.reqPerSec);
        result.bad += r.observed!.bad + r.bare!.bad;
      }
    } finally {
      await deps.stop(both.observed);
      await deps.stop(both.bare);
    }
  }
  return result;
}

/** Both answer the request, and only `observed` serves /metrics (when its metrics are on); its rate-limit header, if any. */
async function checkPair<C>(deps: ObserveCostDeps<C>, observed: C, bare: C): Promise<string | undefined> {
  const req = deps.request;
  const once = async (c: C) => fetch(`${deps.url(c)}${req.path}`, { method: req.method, headers: req.headers, body: req.body });
  const a = await once(observed);
  const b = await once(bare);
  await a.arrayBuffer(); await b.arrayBuffer();
  if (a.status !== 200 || b.status !== 200) throw new Error(`observe-cost: answers ${a.status} / ${b.status}`);
  const metricsA = await fetch(`${deps.url(observed)}/metrics`);
  const metricsB = await fetch(`${deps.url(bare)}/metrics`);
  const text = await metricsA.text(); await metricsB.arrayBuffer();
  const metricsOn = OBSERVED_ENV.GATEWAY_METRICS === 'on';
  if (metricsA.status !== (metricsOn ? 200 : 404) || (metricsOn && !text.includes('gateway_http_request_duration_seconds')) || metricsB.status !== 404) {
    throw new Error(`observe-cost: /metrics answered ${metricsA.status} (observed) and ${metricsB.status} (bare)`);
  }
  // The x-ratelimit-* headers come with 429s only by default, so whether the limit is on is read from /readyz.
  const limit = a.headers.get('x-ratelimit-limit');
  if (limit !== null) return `x-ratelimit-limit: ${limit}`;
  const ready = await fetch(`${deps.url(observed)}/readyz`).then(async (r) => r.json() as Promise<{ details?: { rateLimit?: { enabled?: boolean; store?: string } } }>, () => undefined);
  const rl = ready?.details?.rateLimit;
  return rl?.enabled ? `/readyz: rate limit enabled, store ${rl.store}` : undefined;
}

/**
 * The ratio row of bench/run.ts's Targets table. With `crossCheck` (the in-process A/B ran too and is the
 * target's row), this one is information: two processes of one build differ by a few per cent (A/A), which
 * is as much as the budget.
 */
export function observeCostRow(r: ObserveCostResult, crossCheck = false): string[] {
  const m = median(r.cpuRatio);
  return [
    `metrics + rate limiting over HTTP, two processes${crossCheck ? ' (cross-check: per-process bias of a few %)' : ''}, CPU per request: observed ÷ bare (${median(r.cpuUs.observed).toFixed(0)} ÷ ${median(r.cpuUs.bare).toFixed(0)} µs; req/s bare ÷ observed ${median(r.rpsRatio).toFixed(3)}×)`,
    `${m.toFixed(3)}× (p25–p75 ${quantile(r.cpuRatio, 0.25).toFixed(3)}–${quantile(r.cpuRatio, 0.75).toFixed(3)})`,
    crossCheck ? '—' : `≤ ${OBSERVE_BUDGET}×`,
    r.cpuRatio.map((x) => x.toFixed(3)).join(', '),
    crossCheck ? '—' : Number.isFinite(m) && m <= OBSERVE_BUDGET ? '✅ holds' : '❌ missed',
  ];
}

/**
 * The same cost measured in one process (bench/route-ab.ts, ROUTE_AB_MODE=observe): a bare app and an observed
 * one side by side, requests by inject, batches alternating A B B A; the process's CPU per batch. No
 * per-process bias (its A/A, ROUTE_AB_OBSERVE=none, reads 0.996–1.004×). `epochs` fresh processes, which build
 * the two apps in alternating order, share the pairs; the pairs are pooled. One bias the other way, small: the
 * upstream-attempt channel is process-wide, so the bare app's client publishes its attempts too (the observed
 * app's metrics drop them, ~0.3 µs each).
 */
export async function inProcessObserveCost(pairs: number, epochs = 1): Promise<InProcessObserveResult> {
  const script = fileURLToPath(new URL('./route-ab.js', import.meta.url));
  const runs: RouteAbResult[] = [];
  const n = Math.max(1, Math.min(epochs, pairs));
  for (let epoch = 0; epoch < n; epoch++) {
    const share = Math.floor(pairs / n) + (epoch < pairs % n ? 1 : 0);
    const env = { ...process.env, ROUTE_AB_MODE: 'observe', ROUTE_AB_PAIRS: String(share), ROUTE_AB_JSON: '1', ROUTE_AB_FIRST: epoch % 2 ? 'b' : 'a' };
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [script], { env, maxBuffer: 1 << 22 },
        (err, stdout, stderr) => (err ? reject(new Error(`route-ab failed: ${stderr || err.message}`)) : resolve(stdout)));
    });
    const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
    if (!line) throw new Error(`route-ab printed no result line:\n${out}`);
    runs.push(JSON.parse(line.slice(RESULT_PREFIX.length)) as RouteAbResult);
  }
  const ratios = runs.flatMap((r) => r.ratios);
  return {
    pairs: ratios.length, batch: runs[0]!.batch, epochs: runs.map((r) => r.ratio.median),
    cpuUs: { a: median(runs.flatMap((r) => r.cpu.a)), b: median(runs.flatMap((r) => r.cpu.b)) },
    ratio: { median: median(ratios), p25: quantile(ratios, 0.25), p75: quantile(ratios, 0.75), ...medianInterval(ratios) },
    diffUs: median(runs.flatMap((r) => r.diffs)),
  };
}

/** The machine-readable last line route-ab.ts prints with ROUTE_AB_JSON=1. */
export const RESULT_PREFIX = 'ROUTE_AB_RESULT ';
/** One route-ab run: B ÷ A CPU per request (median of pairs, quartiles), the medians, B − A in µs, and every pair. */
export interface RouteAbResult {
  pairs: number;
  batch: number;
  cpuUs: { a: number; b: number };
  ratio: { median: number; p25: number; p75: number };
  diffUs: number;
  a: string;
  b: string;
  /** Per pair: B ÷ A CPU, B − A CPU µs, and each batch's CPU µs per request. */
  ratios: number[];
  diffs: number[];
  cpu: { a: number[]; b: number[] };
}

/** The in-process A/B over its epochs, pooled: observed ÷ bare per pair; `epochs` holds each run's own median. */
export interface InProcessObserveResult {
  pairs: number;
  batch: number;
  epochs: number[];
  cpuUs: { a: number; b: number };
  ratio: { median: number; p25: number; p75: number; low: number; high: number };
  diffUs: number;
}

/**
 * The budget's row. It holds when the whole 95% interval of the median is within the budget; a median within it
 * whose interval reaches past it is "on the line": the run cannot tell.
 */
export function observeInProcessRow(r: InProcessObserveResult): string[] {
  const { median: m, high } = r.ratio;
  const verdict = !(m <= OBSERVE_BUDGET) ? '❌ missed' : high <= OBSERVE_BUDGET ? '✅ holds' : '⚠️ on the line (the interval reaches past the budget)';
  return [
    `metrics + rate limiting in one process (${r.pairs} A/B pairs of ${r.batch} over ${r.epochs.length} processes), CPU per request: observed ÷ bare (${r.cpuUs.b.toFixed(0)} ÷ ${r.cpuUs.a.toFixed(0)} µs, B − A ${r.diffUs.toFixed(1)} µs)`,
    `${m.toFixed(3)}× (95% interval ${r.ratio.low.toFixed(3)}–${high.toFixed(3)}; p25–p75 ${r.ratio.p25.toFixed(3)}–${r.ratio.p75.toFixed(3)})`,
    `≤ ${OBSERVE_BUDGET}×`,
    r.epochs.map((x) => x.toFixed(3)).join(', '),
    verdict,
  ];
}

/** The section of the report that says what was compared. */
export function observeCostSection(r: ObserveCostResult): string {
  return [
    `## Cost of metrics and rate limiting (${r.pairs} A/B pairs of ${r.batch} requests, alternating, over ${r.epochs} pairs of fresh processes; each process's own CPU)`,
    '',
    `- observed: ${Object.entries(OBSERVED_ENV).map(([k, v]) => `${k}=${v}`).join(' ')}; rate limiting ${r.rateLimit ? `on (${r.rateLimit})` : '**not in this build** (no rate-limit header): metrics only'}`,
    `- bare: ${Object.entries(BARE_ENV).map(([k, v]) => `${k}=${v}`).join(' ')}, no rate limiting`,
    `- CPU µs/request, median: observed ${median(r.cpuUs.observed).toFixed(1)}, bare ${median(r.cpuUs.bare).toFixed(1)}; per-pair ratio median ${median(r.cpuRatio).toFixed(3)}× (budget ≤ ${OBSERVE_BUDGET}×), req/s bare ÷ observed ${median(r.rpsRatio).toFixed(3)}×`,
    ...(r.bad > 0 ? [`- **${r.bad} requests failed: the figure is suspect**`] : []),
    '',
  ].join('\n');
}
