/**
 * The local ECS emulator's HTTP server: the RPC endpoint on `/` (V1 and V3 signatures,
 * JSON/XML), plus control routes under `/__emulator/`. Behaviour lives in `./ecs/`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EcsEmulatorState } from './ecs/index.js';
import { DEMO_ACCESS_KEY as CONFIG_DEMO_KEY } from './config.js';
import { FaultInjector, type FaultRule } from './faults.js';
import { loadStateFile, StateFileWriter } from './persistence.js';
import { RateQuotas, type QpsQuotas } from './quotas.js';
import type { AccessKey } from './protocol/auth.js';
import { handleControl } from './protocol/control.js';
import { fixedErrors } from './protocol/errors.js';
import { handlePreflight, handleRpc, type RpcDeps } from './protocol/handler.js';
import { NonceStore } from './protocol/nonces.js';
import { newRequestId, renderError } from './protocol/render.js';
import { EmulatorStats } from './stats.js';

/** An access key pair the emulator accepts; with `securityToken` it is an STS pair and the token is required. */
export type EmulatorKey = AccessKey;

/** Options of `startEmulator`. */
export interface EmulatorOptions {
  host?: string;
  /** 0 picks an ephemeral port. Default 9000. */
  port?: number;
  accessKeys: EmulatorKey[];
  /** Duration of each transitional state (Pending, Starting, Stopping). Default 2000. */
  transitionMs?: number;
  /** Persist state to this JSON file (loaded at start, written atomically after changes). */
  stateFile?: string;
  /** Enables `/__emulator/faults`, `/__emulator/reset` and `/__emulator/stats` (404 otherwise). */
  faults?: boolean;
  /** Fault rules active from the start (EMULATOR_FAULTS_PRESET). */
  faultRules?: FaultRule[];
  /** EMULATOR_QPS: per-account, per-action calls per second; the excess gets Throttling.User (400) and x-acs-retry-after. */
  qps?: QpsQuotas | undefined;
  now?: () => number;
  /** Randomness for fault `rate` decisions; inject for deterministic tests. */
  random?: () => number;
  logger?: (line: string) => void;
}

/** A listening emulator. `close()` is idempotent and flushes the state file. */
export interface RunningEmulator {
  /** `http://127.0.0.1:PORT` (the configured host). */
  url: string;
  port: number;
  state: EcsEmulatorState;
  close(): Promise<void>;
}

/** The one documented demo key pair (`npm run emulator` accepts it by default). */
export const DEMO_ACCESS_KEY: EmulatorKey = CONFIG_DEMO_KEY;

/** Starts the emulator and resolves once it listens. */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  if (options.accessKeys.length === 0) throw new Error('startEmulator: at least one access key is required');
  const now = options.now ?? Date.now;
  const state = new EcsEmulatorState({ transitionMs: options.transitionMs ?? 2000, now });
  const writer = options.stateFile ? attachStateFile(state, options.stateFile, options.logger) : undefined;
  const nonces = new NonceStore();
  const faults = options.faults || options.faultRules?.length ? new FaultInjector(options.random) : undefined;
  for (const rule of options.faultRules ?? []) faults?.add(rule);
  const quotas = options.qps ? new RateQuotas(options.qps, now) : undefined;
  const stats = new EmulatorStats();
  const deps: RpcDeps = {
    backend: state,
    auth: { keys: new Map(options.accessKeys.map((k) => [k.accessKeyId, k])), nonces, now },
    faults,
    quotas,
    stats,
    logger: options.logger,
  };
  const reset = () => {
    state.reset();
    nonces.clear();
    faults?.clear();
    quotas?.clear();
    stats.clear();
    writer?.schedule();
  };
  const control = { faults: options.faults ? faults : undefined, reset, stats: () => stats.report(state.counts()) };
  const server = createServer((req, res) => void route(req, res, deps, control));
  // Explicit limits: node's defaults (300 s request timeout) are far longer than any RPC call.
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  server.keepAliveTimeout = 5_000;
  const host = options.host ?? '127.0.0.1';
  await listen(server, options.port ?? 9000, host);
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  options.logger?.(`ECS emulator listening on ${url}`);
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= shutdown(server, writer));
  return { url, port, state, close };
}

function attachStateFile(state: EcsEmulatorState, path: string, logger?: (line: string) => void): StateFileWriter {
  const saved = loadStateFile(path);
  if (saved !== undefined) state.restore(saved);
  const writer = new StateFileWriter(path, () => state.snapshot(), 50, (err) =>
    logger?.(`state file write failed: ${String(err)}`),
  );
  state.onChange = () => writer.schedule();
  return writer;
}

async function route(req: IncomingMessage, res: ServerResponse, deps: RpcDeps, control: Parameters<typeof handleControl>[3]) {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  try {
    if (path.startsWith('/__emulator/')) return await handleControl(req, res, path, control);
    if (path !== '/') {
      const out = renderError(fixedErrors.actionNotFound(), newRequestId(), 'JSON');
      return void res.writeHead(out.status, out.headers).end(out.body);
    }
    if (req.method === 'OPTIONS') return handlePreflight(res);
    await handleRpc(req, res, deps);
  } catch (err) {
    deps.logger?.(`unhandled: ${String(err)}`);
    if (!res.headersSent) res.writeHead(500).end();
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function shutdown(server: Server, writer: StateFileWriter | undefined): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // In-flight calls get a short grace period; then keep-alive sockets are cut.
  const force = setTimeout(() => server.closeAllConnections(), 2_000);
  force.unref();
  await closed;
  clearTimeout(force);
  await writer?.flush();
}
