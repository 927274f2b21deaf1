/**
 * `node dist/bench/cancel-ab.js`: what cancelling an ECS call when its client goes away costs per call.
 *
 * One EcsClient in this process against the bench upstream (a child process), real undici over 127.0.0.1,
 * the StopInstances call of fixtures.ts. Batches of CANCEL_AB_BATCH (500) calls, CANCEL_AB_CONCURRENCY (16) in
 * flight, in rounds A B C, C B A, … for CANCEL_AB_ROUNDS (30) rounds after a warm-up; each batch's CPU time
 * (process.cpuUsage) is read and divided by its calls. The result is the median per variant, and the
 * median over rounds of each round's difference to A:
 *
 * - A `none`: no cancel registration (what a call cost before);
 * - B `socket`: the gateway's way (src/gateway/http/client-gone.ts): one 'close' listener on the request's
 *   socket, taken off when the call settles; the cancel aborts through undici's dispatch controller;
 * - C `abortcontroller`: a per-call AbortController whose signal is wired to the same socket 'close' and
 *   listened to (what the issue measured at 30–50 µs with undici's request(); here without undici's own
 *   signal plumbing, so a lower bound of that design).
 */
import { spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import type { FastifyRequest } from 'fastify';
import { EcsClient, type EcsCall } from '../src/gateway/ecs/client.js';
import { cancelOnClientGone } from '../src/gateway/http/client-gone.js';
import { freePort } from './children.js';
import { median } from './stats.js';

const BATCH = Number(process.env.CANCEL_AB_BATCH ?? 500);
const CONCURRENCY = Number(process.env.CANCEL_AB_CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.CANCEL_AB_ROUNDS ?? 30);



type Variant = 'none' | 'socket' | 'abortcontroller';

async function main(): Promise<void> {
  const port = await freePort();
  const upstream = spawn(process.execPath, [fileURLToPath(new URL('./upstream.js', import.meta.url))], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' }, stdio: 'ignore',
  });
  process.on('exit', () => upstream.kill('SIGKILL'));
  // A loaded machine may take a while to start the child: wait until it accepts connections.
  for (let i = 0; i < 200; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = new Socket();
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
      s.connect(port, '127.0.0.1');
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }

  const client = new EcsClient({ signatureVersion: 'v3', upstreamUrl: `http://127.0.0.1:${port}`, allowedEndpoints: [], timeoutMs: 10_000 });
  const base: EcsCall = {
    action: 'StopInstances', params: { RegionId: 'cn-hangzhou', 'InstanceId.1': 'i-bp67acfmxazb4p****' },
    credentials: { accessKeyId: 'LTAIbenchkey', accessKeySecret: 'bench-secret' }, regionId: 'cn-hangzhou',
  };
  // Stand-ins for the incoming requests' sockets: real (unconnected) net.Sockets, one per slot in flight.
  const sockets = Array.from({ length: CONCURRENCY }, () => new Socket());
  const requests = sockets.map((socket) => ({ raw: { socket } }) as unknown as FastifyRequest);

  const one = async (variant: Variant, slot: number): Promise<void> => {
    if (variant === 'none') {
      await client.call(base);
    } else if (variant === 'socket') {
      await client.call({ ...base, cancelOn: cancelOnClientGone(requests[slot]!) });
    } else {
      const socket = sockets[slot]!;
      const controller = new AbortController();
      const onClose = () => controller.abort();
      socket.on('close', onClose);
      let aborted = false;
      controller.signal.addEventListener('abort', () => { aborted = true; }, { once: true });
      try {
        await client.call({ ...base });
      } finally {
        socket.off('close', onClose);
      }
      if (aborted) throw new Error('unexpected abort');
    }
  };

  const batch = async (variant: Variant): Promise<number> => {
    let next = 0;
    const start = process.cpuUsage();
    await Promise.all(Array.from({ length: CONCURRENCY }, async (_, slot) => {
      while (next < BATCH) {
        next++;
        await one(variant, slot);
      }
    }));
    const used = process.cpuUsage(start);
    return (used.user + used.system) / BATCH;
  };

  for (const v of ['none', 'socket', 'abortcontroller', 'none'] as const) await batch(v);
  const per: Record<Variant, number[]> = { none: [], socket: [], abortcontroller: [] };
  const dSocket: number[] = [];
  const dAc: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order: Variant[] = r % 2 === 0 ? ['none', 'socket', 'abortcontroller'] : ['abortcontroller', 'socket', 'none'];
    const round: Partial<Record<Variant, number>> = {};
    for (const v of order) round[v] = await batch(v);
    for (const v of order) per[v].push(round[v]!);
    dSocket.push(round.socket! - round.none!);
    dAc.push(round.abortcontroller! - round.none!);
  }
  await client.close();
  upstream.kill('SIGTERM');
  const f = (x: number) => x.toFixed(1);
  console.log([
    `cancel-ab: node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    `${ROUNDS} rounds × 3 batches of ${BATCH} calls, ${CONCURRENCY} in flight; CPU µs per call (this process)`,
    `| variant | median µs/call | median Δ vs none |`,
    `|---|---|---|`,
    `| none | ${f(median(per.none))} | — |`,
    `| socket (the gateway's) | ${f(median(per.socket))} | ${f(median(dSocket))} |`,
    `| AbortController per call | ${f(median(per.abortcontroller))} | ${f(median(dAc))} |`,
  ].join('\n'));
}

void main();
