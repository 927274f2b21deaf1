/**
 * The RPC endpoint pipeline: parse → Action/Version → authenticate → faults → behaviour
 * → render. Every failure becomes the ECS error body with the real code and status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultInjector } from '../faults.js';
import type { RateQuotas } from '../quotas.js';
import type { EmulatorStats } from '../stats.js';
import { authenticate, type AuthContext } from './auth.js';
import { fixedErrors, missingParameter, ProtocolError } from './errors.js';
import { renderError, renderSuccess, newRequestId, responseFormat, ecsHeaders, type RenderedResponse, type ResponseFormat } from './render.js';
import { actionParams, BodyTooLargeError, header, parseRpcRequest, readBody, type RpcRequest } from './request.js';
import { isV3Request } from './v3.js';

/** The only API version this endpoint serves. */
export const ECS_API_VERSION = '2014-05-26';

/** The behaviour layer as the protocol layer sees it (EcsEmulatorState satisfies it). */
export interface EcsBackend {
  call(action: string, params: Readonly<Record<string, string>>, ctx: { account: string }): Record<string, unknown>;
}

/** Everything the pipeline needs, injected so tests can use fakes. */
export interface RpcDeps {
  backend: EcsBackend;
  auth: AuthContext;
  faults?: FaultInjector | undefined;
  /** EMULATOR_QPS: per-account, per-action rate quotas; the excess is answered with Throttling.User. */
  quotas?: RateQuotas | undefined;
  /** Counts calls and outcomes (GET /__emulator/stats). */
  stats?: EmulatorStats | undefined;
  logger?: ((line: string) => void) | undefined;
}

/** Serves one request to `/`. Never throws: errors are rendered, sockets dropped only by a `drop` or `reset-after` fault. */
export async function handleRpc(req: IncomingMessage, res: ServerResponse, deps: RpcDeps): Promise<void> {
  const started = Date.now();
  const requestId = newRequestId();
  let format: ResponseFormat = 'JSON';
  let action = '-';
  let outcome: RenderedResponse | 'dropped' | 'reset';
  deps.stats?.begin();
  try {
    const request = await readRequest(req);
    format = responseFormat(request.params.get('Format'));
    action = checkActionAndVersion(request);
    outcome = await serve(request, action, requestId, format, deps);
  } catch (err) {
    outcome = renderError(toRenderable(err, deps.logger), requestId, format);
  }
  if (outcome === 'dropped' || outcome === 'reset') {
    req.socket.destroy();
  } else {
    res.writeHead(outcome.status, outcome.headers).end(outcome.body);
  }
  const status = typeof outcome === 'string' ? outcome : outcome.status;
  deps.stats?.end(action, status);
  deps.logger?.(`${req.method} ${action} ${status} ${Date.now() - started}ms requestId=${requestId}`);
}

/** Answers a CORS preflight like ECS: 200, its CORS headers, empty body. */
export function handlePreflight(res: ServerResponse): void {
  const headers = ecsHeaders(newRequestId(), 'JSON');
  res.writeHead(200, headers).end();
}

async function readRequest(req: IncomingMessage): Promise<RpcRequest> {
  const method = (req.method ?? '').toUpperCase();
  if (method !== 'GET' && method !== 'POST') throw fixedErrors.unsupportedMethod();
  try {
    return parseRpcRequest(req, await readBody(req));
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw new ProtocolError(413, 'RequestEntityTooLarge', 'The request body is too large.');
    throw err;
  }
}

/** V1 names Action/Version as parameters, V3 as x-acs-* headers. */
function checkActionAndVersion(request: RpcRequest): string {
  const v3 = isV3Request(request);
  const action = v3 ? header(request, 'x-acs-action') : request.params.get('Action');
  const version = v3 ? header(request, 'x-acs-version') : request.params.get('Version');
  if (!action) throw missingParameter('Action');
  if (!version) throw missingParameter('Version');
  if (version !== ECS_API_VERSION) throw fixedErrors.invalidVersion();
  // Action names are identifiers; anything else cannot exist (and must not reach the XML root).
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(action)) throw fixedErrors.actionNotFound();
  return action;
}

async function serve(
  request: RpcRequest,
  action: string,
  requestId: string,
  format: ResponseFormat,
  deps: RpcDeps,
): Promise<RenderedResponse | 'dropped' | 'reset'> {
  const caller = authenticate(request, deps.auth);
  const fault = deps.faults?.next();
  if (fault?.kind === 'drop') return 'dropped';
  if (fault?.kind === 'error') throw fault.error;
  if (fault?.kind === 'latency') await sleep(fault.ms);
  // After the injected latency, so a refused call costs the same round trip as a served one.
  deps.quotas?.check(caller.accessKeyId, action);
  if (fault?.kind === 'reset-after') {
    // The call runs (and may change the state), but its answer, success or error, never leaves: the
    // caller sees a reset and cannot tell whether anything happened.
    try {
      deps.backend.call(action, actionParams(request), { account: caller.accessKeyId });
    } catch { /* lost with the answer */ }
    return 'reset';
  }
  const body = deps.backend.call(action, actionParams(request), { account: caller.accessKeyId });
  return renderSuccess(action, body, requestId, format);
}

/** ProtocolError and the behaviour layer's EcsApiError render as is; anything else is a 500. */
function toRenderable(err: unknown, logger: ((line: string) => void) | undefined) {
  if (err instanceof ProtocolError) return err;
  if (isApiError(err)) return err;
  logger?.(`internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  return fixedErrors.internal();
}

// Duck-typed so the protocol layer does not depend on the behaviour layer's module.
function isApiError(err: unknown): err is { status: number; code: string; message: string; recommend?: string } {
  const e = err as { status?: unknown; code?: unknown } | null;
  return err instanceof Error && typeof e?.status === 'number' && typeof e.code === 'string';
}
