/**
 * `node dist/bench/first-use.js`: what the first call of an ECS action costs on the generic route, where its
 * zod schema is built on first use and cached (src/gateway/routes/factory.ts genericSchema), against later calls.
 *
 * 1. Through the gateway (one process, in-process `inject`, a local upstream answering every call at once): for
 *    one action of every catalog domain, the latency of its first `POST /api/ecs/{Action}` and the median of
 *    the next FIRST_USE_LATER (20) calls. The very first generic call of the process also warms the JIT.
 * 2. The schema alone, for every other action of the catalog: the time to build it (genericSchema) and to run
 *    its first parse, against the median of later parses of the same body. Per domain and over the catalog.
 *
 * Bodies are the action's required parameters with simple values (plus RegionId), so most pass validation;
 * the count that did not is reported (a refused body costs about as much to check).
 * Prints Markdown; FIRST_USE_OUT=<file> also writes it there.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { buildApp } from '../src/gateway/app.js';
import { loadConfig } from '../src/gateway/config.js';
import { listActions } from '../src/gateway/ecs/catalog/index.js';
import type { Action, Param, Shape } from '../src/gateway/ecs/catalog/types.js';
import { camelCase } from '../src/gateway/ecs/names.js';
import { genericSchema } from '../src/gateway/routes/factory.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, ECS_RESPONSE_HEADERS, STOP_INSTANCES_BODY } from './fixtures.js';
import { median } from './stats.js';

const LATER = Number(process.env.FIRST_USE_LATER ?? 20);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;
const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');

/** A simple value of a shape that its schema accepts in most cases. */
function sample(shape: Shape, name: string): unknown {
  switch (shape.type) {
    case 'array': return [sample(shape.items, name)];
    case 'object': return shape.members ? sampleObject(shape.members) : {};
    case 'boolean': return false;
    case 'integer':
    case 'number': return shape.minimum ?? 1;
    case 'string':
      if (shape.enum?.length) return shape.enum[0];
      if (name === 'RegionId') return 'cn-hangzhou';
      return 'x'.repeat(Math.max(1, Math.min(shape.minLength ?? 1, shape.maxLength ?? 64)));
  }
}

function sampleObject(members: readonly Param[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of members) if (!m.internal && (m.required || m.name === 'RegionId')) out[camelCase(m.name)] = sample(m, m.name);
  return out;
}

const bodyOf = (action: Action) => sampleObject(action.params);

async function main(): Promise<void> {
  const payload = Buffer.from(JSON.stringify(STOP_INSTANCES_BODY));
  const upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => { res.writeHead(200, { ...ECS_RESPONSE_HEADERS, 'content-length': String(payload.length) }); res.end(payload); });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const config = loadConfig({ ECS_UPSTREAM_URL: url, LOG_LEVEL: 'info', ECS_SIGNATURE_VERSION: 'v3' }, { homeDir: '/nonexistent' });
  const app = await buildApp({ config, logStream: sink });
  await app.ready();

  const actions = listActions();
  const byDomain = new Map<string, Action[]>();
  for (const a of actions) byDomain.set(a.domain, [...(byDomain.get(a.domain) ?? []), a]);

  // 1. Through the gateway: one action per domain (the first by name whose sample body passes).
  const call = async (action: Action) => {
    const t0 = performance.now();
    const res = await app.inject({
      method: 'POST', url: `/api/ecs/${action.name}`, payload: bodyOf(action),
      headers: { 'x-access-key-id': ACCESS_KEY_ID, 'x-access-key-secret': ACCESS_KEY_SECRET },
    });
    return { ms: performance.now() - t0, status: res.statusCode };
  };
  const e2e: Array<{ domain: string; action: string; first: number; later: number; status: number }> = [];
  const sampled = new Set<string>();
  for (const [domain, list] of [...byDomain].sort(([a], [b]) => a.localeCompare(b))) {
    const action = [...list].sort((a, b) => a.name.localeCompare(b.name))[0]!;
    sampled.add(action.name);
    const first = await call(action);
    const later: number[] = [];
    for (let i = 0; i < LATER; i++) later.push((await call(action)).ms);
    e2e.push({ domain, action: action.name, first: first.ms, later: median(later), status: first.status });
  }
  await app.close();
  upstream.close();

  // 2. The schema alone, for every action not called above.
  const rows: Array<{ domain: string; build: number; firstParse: number; later: number; ok: boolean }> = [];
  for (const action of actions) {
    if (sampled.has(action.name)) continue;
    const body = { ...bodyOf(action), accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET };
    const t0 = performance.now();
    const schema = genericSchema(action);
    const t1 = performance.now();
    const r = schema.safeParse(body);
    const t2 = performance.now();
    const later: number[] = [];
    for (let i = 0; i < LATER; i++) {
      const t = performance.now();
      schema.safeParse(body);
      later.push(performance.now() - t);
    }
    rows.push({ domain: action.domain, build: t1 - t0, firstParse: (t2 - t1) * 1000, later: median(later) * 1000, ok: r.success });
  }

  const domainRows = [...new Set(rows.map((r) => r.domain))].sort().map((d) => {
    const rs = rows.filter((r) => r.domain === d);
    return `| ${d} | ${rs.length} | ${f(median(rs.map((r) => r.build)), 2)} | ${f(Math.max(...rs.map((r) => r.build)), 2)} | ${f(median(rs.map((r) => r.firstParse)), 0)} | ${f(median(rs.map((r) => r.later)), 1)} |`;
  });
  const all = (k: 'build' | 'firstParse' | 'later') => rows.map((r) => r[k]);
  const md = [
    '# First use of an action on the generic route',
    '',
    `- date ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, load average ${os.loadavg().map((n) => n.toFixed(1)).join(' / ')}`,
    '',
    `## Through the gateway (in-process inject, one action per domain, first call vs median of the next ${LATER})`,
    '',
    '| domain | action | status | first call ms | later calls ms (median) |',
    '| --- | --- | ---: | ---: | ---: |',
    ...e2e.map((r) => `| ${r.domain} | ${r.action} | ${r.status} | ${f(r.first)} | ${f(r.later, 2)} |`),
    '',
    `## The schema alone (${rows.length} other actions; ${rows.filter((r) => !r.ok).length} sample bodies refused)`,
    '',
    `Over the catalog: build median ${f(median(all('build')), 2)} ms, p90 ${f(pct(all('build'), 0.9), 2)} ms, max ${f(Math.max(...all('build')), 2)} ms, all ${f(all('build').reduce((a, b) => a + b, 0), 0)} ms;`
      + ` first parse median ${f(median(all('firstParse')), 0)} µs; later parses median ${f(median(all('later')), 1)} µs.`,
    '',
    '| domain | actions | build ms (median) | build ms (max) | first parse µs (median) | later parse µs (median) |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...domainRows,
    '',
  ].join('\n');
  process.stdout.write(md);
  if (process.env.FIRST_USE_OUT) writeFileSync(process.env.FIRST_USE_OUT, md);
}

main().catch((err: unknown) => {
  process.stderr.write(`first-use failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
