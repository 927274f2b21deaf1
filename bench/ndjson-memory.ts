/**
 * `npm run bench:ndjson`: the gateway's RSS while `all=true` streams 10,000 items as NDJSON (issue 10's
 * figure: RSS stays flat, < 30 MB growth), next to 50,000 items (flat in the number of items), a slow
 * reader (backpressure), and the same 10,000 items as one JSON answer (which holds them all, for contrast).
 *
 * Each variant runs in a fresh gateway process (dist/src/gateway/server.js, LOG_LEVEL=info, stdout to
 * /dev/null) in front of an upstream in this process that answers DescribeInstances by NextToken pages of
 * 100 instances of about 1.4 KB each, generated on the fly. The gateway is warmed up with one NDJSON job
 * of 1,000 items; its RSS (/proc/<pid>/status VmRSS) is read after that (the base) and every 10 ms
 * during the measured job (the peak). Growth = peak − base. This process reads the stream (and checks every
 * line and the summary) at full speed, or, for the slow reader, pausing 20 ms after every 64 KiB.
 *
 * The 10,000-item NDJSON variant runs BENCH_NDJSON_ROUNDS times (default 3), each in a fresh process: the
 * target is checked against the largest growth of them (RSS growth on a busy machine varies with when the
 * collector runs).
 *
 * Env: BENCH_NDJSON_ITEMS=10000, BENCH_NDJSON_ROUNDS=3, BENCH_OUT_NDJSON=bench/results/ndjson-memory.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rssMb } from './proc.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ITEMS = Number(process.env.BENCH_NDJSON_ITEMS ?? 10_000);
const OUT = resolve(ROOT, process.env.BENCH_OUT_NDJSON ?? 'bench/results/ndjson-memory.md');
const ROUNDS = Number(process.env.BENCH_NDJSON_ROUNDS ?? 3);
const GOAL_MB = 30;
const KEY = { id: 'LTAIbenchndjson0001', secret: 'bench-ndjson-secret-value' };

/** One instance as ECS describes it (about 1.4 KB of JSON). */
function instance(i: number): Record<string, unknown> {
  const id = `i-bp${i.toString(36).padStart(18, '0')}`;
  return {
    InstanceId: id, InstanceName: `web-${i}`, HostName: `iZ${id}Z`, Description: 'bench instance', Status: i % 7 === 0 ? 'Stopped' : 'Running',
    RegionId: 'cn-hangzhou', ZoneId: `cn-hangzhou-${'hijk'[i % 4]}`, InstanceType: 'ecs.g7.large', InstanceTypeFamily: 'ecs.g7', Cpu: 2, Memory: 8192,
    ImageId: 'aliyun_3_x64_20G_alibase_20240819.vhd', OSName: 'Alibaba Cloud Linux 3.2104 LTS 64 bit', OSType: 'linux', OSNameEn: 'Alibaba Cloud Linux 3.2104 LTS 64 bit',
    InstanceChargeType: 'PostPaid', InternetChargeType: 'PayByTraffic', InternetMaxBandwidthOut: 5, InternetMaxBandwidthIn: 100,
    CreationTime: '2026-11-01T08:00Z', StartTime: '2026-11-01T08:01Z', ExpiredTime: '2099-12-31T15:59Z', DeletionProtection: false, SerialNumber: `5e1a0f5d-${i.toString(16).padStart(4, '0')}-4b2c-9a4e-1f2e3d4c5b6a`,
    VpcAttributes: { VpcId: 'vpc-bp1opxu1zkhn00gzv****', VSwitchId: 'vsw-bp1ddbrxdlrcbim46****', PrivateIpAddress: { IpAddress: [`172.16.${(i >> 8) & 255}.${i & 255}`] }, NatIpAddress: '' },
    PublicIpAddress: { IpAddress: [] }, EipAddress: { AllocationId: '', IpAddress: '', InternetChargeType: '' },
    SecurityGroupIds: { SecurityGroupId: ['sg-bp67acfmxazb4p****'] },
    NetworkInterfaces: { NetworkInterface: [{ NetworkInterfaceId: `eni-${id.slice(2)}`, MacAddress: '00:16:3e:12:34:56', PrimaryIpAddress: `172.16.${(i >> 8) & 255}.${i & 255}`, Type: 'Primary' }] },
    Tags: { Tag: [{ TagKey: 'team', TagValue: ['blue', 'green', 'red'][i % 3] }, { TagKey: 'env', TagValue: 'prod' }] },
    OperationLocks: { LockReason: [] }, ResourceGroupId: 'rg-acfmxazb4ph****', KeyPairName: 'bench-key',
  };
}

/** The upstream: DescribeInstances by NextToken (offset) pages; counts calls. */
function startUpstream(total: number): Promise<{ server: Server; url: string; calls: () => number }> {
  let calls = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls++;
      const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const size = Number(params.get('MaxResults') ?? 10);
      const offset = Number(params.get('NextToken') ?? 0);
      const end = Math.min(total, offset + size);
      const list: unknown[] = [];
      for (let i = offset; i < end; i++) list.push(instance(i));
      const body = JSON.stringify({
        RequestId: `BENCH-${calls}`, Instances: { Instance: list }, NextToken: end < total ? String(end) : '', TotalCount: total, MaxResults: size,
      });
      res.writeHead(200, { 'content-type': 'application/json;charset=utf-8', 'content-length': String(Buffer.byteLength(body)), 'x-acs-request-id': `BENCH-${calls}` });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 120_000;
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls: () => calls })));
}


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startGateway(upstreamUrl: string, env: Record<string, string>): Promise<{ proc: ChildProcess; base: string }> {
  // PORT=0 and the port read from the gateway's own "Server listening at" log line: a port picked beforehand
  // can be taken by another process on a shared machine before the gateway binds it. The rest of stdout is
  // read and discarded, as a log collector would.
  const proc = spawn(process.execPath, [resolve(ROOT, 'dist/src/gateway/server.js')], {
    env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ECS_UPSTREAM_URL: upstreamUrl, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await new Promise<string>((ok, fail) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      if (m) {
        proc.stdout!.off('data', onData);
        proc.stdout!.resume();
        ok(m[1]!);
      }
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => fail(new Error(`gateway exited (${code}) before listening`)));
  });
  const res = await fetch(`${base}/healthz`);
  if (!res.ok) throw new Error(`gateway /healthz answered ${res.status}`);
  return { proc, base };
}

/** GETs `path`; resolves with the number of item lines and the last line; `slow` pauses after every 64 KiB. */
function read(base: string, path: string, accept: string, slow = false): Promise<{ status: number; items: number; last: string; bytes: number }> {
  return new Promise((ok, fail) => {
    const req = httpRequest(`${base}${path}`, { headers: { accept, 'x-access-key-id': KEY.id, 'x-access-key-secret': KEY.secret } }, (res: IncomingMessage) => {
      let items = 0;
      let rest = '';
      let last = '';
      let bytes = 0;
      let since = 0;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        bytes += chunk.length;
        since += chunk.length;
        // Only split when a line ends (a JSON answer is one 14 MB line: re-splitting it per chunk would be quadratic).
        if (!chunk.includes('\n')) {
          rest += chunk;
          return;
        }
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          if (line.startsWith('{"summary"') || line.startsWith('{"error"')) last = line;
          else items++;
        }
        if (slow && since >= 64 * 1024) {
          since = 0;
          res.pause();
          setTimeout(() => res.resume(), 20);
        }
      });
      res.on('end', () => ok({ status: res.statusCode ?? 0, items, last: last || rest, bytes }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}

interface Variant { name: string; items: number; accept: string; slow?: boolean }
interface Measured { name: string; items: number; baseMb: number; peakMb: number; growthMb: number; seconds: number; upstreamCalls: number; bytesMb: number; check: string }

async function measure(v: Variant): Promise<Measured> {
  const upstream = await startUpstream(v.items);
  const { proc, base } = await startGateway(upstream.url, { GATEWAY_MAX_ITEMS: String(Math.max(10_000, v.items)) });
  try {
    const warm = await read(base, `/api/instances?regionId=cn-hangzhou&all=true&maxItems=1000`, 'application/x-ndjson');
    if (warm.items !== 1000) throw new Error(`warm-up read ${warm.items} items: status ${warm.status}, ${warm.last.slice(0, 300)}`);
    await sleep(500);
    const baseMb = rssMb(proc.pid!);
    const callsBefore = upstream.calls();
    let peakMb = baseMb;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peakMb = Math.max(peakMb, rssMb(proc.pid!));
        await sleep(10);
      }
    })();
    const started = performance.now();
    const got = await read(base, `/api/instances?regionId=cn-hangzhou&all=true&maxItems=${v.items}`, v.accept, v.slow);
    const seconds = (performance.now() - started) / 1000;
    sampling = false;
    await sampler;
    peakMb = Math.max(peakMb, rssMb(proc.pid!));
    let check: string;
    if (v.accept === 'application/x-ndjson') {
      const summary = JSON.parse(got.last) as { summary?: { items?: number; pages?: number } };
      check = got.status === 200 && got.items === v.items && summary.summary?.items === v.items ? `ok: ${got.items} lines + summary (${summary.summary.pages} pages)` : `FAILED: status ${got.status}, ${got.items} lines, last ${got.last.slice(0, 120)}`;
    } else {
      check = got.status === 200 ? `ok: one JSON answer` : `FAILED: status ${got.status}`;
    }
    return { name: v.name, items: v.items, baseMb, peakMb, growthMb: peakMb - baseMb, seconds, upstreamCalls: upstream.calls() - callsBefore, bytesMb: got.bytes / 1024 / 1024, check };
  } finally {
    proc.kill('SIGTERM');
    upstream.server.closeAllConnections();
    upstream.server.close();
  }
}

async function main(): Promise<void> {
  const variants: Variant[] = [
    ...Array.from({ length: ROUNDS }, (_, i) => ({ name: `NDJSON, ${ITEMS.toLocaleString('en')} items (round ${i + 1})`, items: ITEMS, accept: 'application/x-ndjson' })),
    { name: `NDJSON, ${(ITEMS * 5).toLocaleString('en')} items`, items: ITEMS * 5, accept: 'application/x-ndjson' },
    { name: `NDJSON, ${ITEMS.toLocaleString('en')} items, slow reader`, items: ITEMS, accept: 'application/x-ndjson', slow: true },
    { name: `JSON (one answer), ${ITEMS.toLocaleString('en')} items`, items: ITEMS, accept: 'application/json' },
  ];
  const results: Measured[] = [];
  for (const v of variants) {
    const r = await measure(v);
    results.push(r);
    console.error(`${r.name}: base ${r.baseMb.toFixed(1)} MB, peak ${r.peakMb.toFixed(1)} MB, growth ${r.growthMb.toFixed(1)} MB, ${r.seconds.toFixed(2)} s, ${r.upstreamCalls} upstream calls; ${r.check}`);
  }
  const rounds = results.slice(0, ROUNDS);
  const head = rounds.reduce((a, b) => (b.growthMb > a.growthMb ? b : a));
  const verdict = rounds.every((r) => r.growthMb < GOAL_MB && r.check.startsWith('ok')) ? 'met' : 'NOT met';
  const lines = [
    '# all=true streamed as NDJSON: gateway RSS',
    '',
    `${new Date().toISOString()} · node ${process.version} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'} · load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    '',
    '| variant | items | RSS base (MB) | RSS peak (MB) | growth (MB) | time (s) | upstream calls | streamed (MB) | check |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...results.map((r) => `| ${r.name} | ${r.items} | ${r.baseMb.toFixed(1)} | ${r.peakMb.toFixed(1)} | **${r.growthMb.toFixed(1)}** | ${r.seconds.toFixed(2)} | ${r.upstreamCalls} | ${r.bytesMb.toFixed(1)} | ${r.check} |`),
    '',
    `Target: NDJSON over ${ITEMS.toLocaleString('en')} items keeps RSS growth < ${GOAL_MB} MB: **${verdict}** (largest of ${ROUNDS} rounds: ${head.growthMb.toFixed(1)} MB).`,
    '',
  ];
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, lines.join('\n'));
  console.log(lines.join('\n'));
  if (verdict !== 'met') process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
