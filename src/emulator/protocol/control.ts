/**
 * The emulator's own control routes under `/__emulator/`, never part of ECS:
 * - `GET /__emulator/health` — always on, for readiness probes.
 * - `GET|POST|DELETE /__emulator/faults`, `POST /__emulator/reset`, `GET /__emulator/stats` (calls by
 *   action and outcome, calls in flight, resource counts) — only when fault control is enabled (404
 *   otherwise), because a shared emulator must not be wiped or broken, or its accounts counted, by any caller.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultInjector, parseFaultRule } from '../faults.js';
import { readBody } from './request.js';

/** What the control routes act on. */
export interface ControlDeps {
  faults: FaultInjector | undefined;
  /** Clears instances, nonces, faults and call counts. */
  reset: () => void;
  /** The body of `GET /__emulator/stats`. */
  stats?: (() => unknown) | undefined;
}

/** Serves a `/__emulator/*` request. */
export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  deps: ControlDeps,
): Promise<void> {
  const method = req.method ?? 'GET';
  if (path === '/__emulator/health' && method === 'GET') return sendJson(res, 200, { status: 'ok' });
  const faults = deps.faults;
  if (!faults) return sendJson(res, 404, { error: 'not found' });
  if (path === '/__emulator/reset' && method === 'POST') {
    deps.reset();
    return sendJson(res, 200, { reset: true });
  }
  if (path === '/__emulator/stats' && method === 'GET' && deps.stats) return sendJson(res, 200, deps.stats());
  if (path !== '/__emulator/faults') return sendJson(res, 404, { error: 'not found' });
  if (method === 'GET') return sendJson(res, 200, { faults: faults.list() });
  if (method === 'DELETE') {
    faults.clear();
    return sendJson(res, 200, { faults: [] });
  }
  if (method === 'POST') return addFaults(req, res, faults);
  return sendJson(res, 405, { error: 'method not allowed' });
}

/** Accepts one rule or an array of rules; all are validated before any is added. */
async function addFaults(req: IncomingMessage, res: ServerResponse, faults: FaultInjector): Promise<void> {
  let input: unknown;
  try {
    input = JSON.parse((await readBody(req)).toString('utf8'));
  } catch {
    return sendJson(res, 400, { error: 'body must be JSON' });
  }
  const parsed = (Array.isArray(input) ? input : [input]).map(parseFaultRule);
  const problems = parsed.flatMap((p, i) => ('problems' in p ? p.problems.map((m) => `rule ${i}: ${m}`) : []));
  if (problems.length > 0) return sendJson(res, 400, { error: 'invalid fault rule', problems });
  for (const rule of parsed) if (!('problems' in rule)) faults.add(rule);
  return sendJson(res, 200, { faults: faults.list() });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' }).end(JSON.stringify(body));
}
