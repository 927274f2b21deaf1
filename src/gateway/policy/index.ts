import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { WireParams } from '../ecs/signer.js';
import { ErrorCode, GatewayError } from '../errors.js';
import { toGatewayError } from '../http/error-handler.js';
import { allowsAction, isReadOnlyAction, takesRegionId, type ApiKey } from './keys.js';

export { isReadOnlyAction, type ApiKey } from './keys.js';

/**
 * The contract between the routes and the per-key access policies (issue 8). Routes, curated and
 * generic alike, call `authorizeCall` after validation and before anything is signed or sent, and
 * `auditCall` once the call has an outcome. The auth hook (plugins/auth.ts) fills `request.caller`.
 *
 * - authorizeCall throws 403 ACTION_FORBIDDEN or REGION_FORBIDDEN when the caller's key may not make the
 *   call. A refused call that is not read-only is audited right there, by authorizeCall itself.
 * - auditCall writes one audit line for a call that is not read-only (see README, "Audit lines").
 * - A call that was authorized but that no auditCall reported (the route threw: ECS refused, timed out,
 *   …) is audited when its answer is sent, with the error code as the outcome (installPolicy's hooks).
 *   So every call that is not read-only has exactly one audit line, whatever path it took.
 */

/** One ECS call a route is about to make. */
export interface PlannedCall {
  /** The exact ECS action, e.g. `StopInstances`. */
  action: string;
  /** The RegionId the call targets, when it has one. */
  regionId?: string | undefined;
  /**
   * The `endpoint` the caller named, if any. For a key limited to regions it must be the regional endpoint
   * (`ecs.<region>.aliyuncs.com`, `ecs-vpc.<region>.aliyuncs.com`) of one of them.
   */
  endpoint?: string | undefined;
  /** The wire parameters about to be sent; the audit line takes the resource ids from them. */
  params?: WireParams | undefined;
  /** Whether the call only reads; defaults to the catalog's verdict (false for an action it does not know). */
  readOnly?: boolean | undefined;
}

/** The outcome of a call, for the audit line. */
export interface CallOutcome extends PlannedCall {
  readOnly: boolean;
  /** Resource ids the call names (instance, disk, security group …), from its parameters (see resourceIdsOf). */
  resourceIds: readonly string[];
  /** ECS's RequestId, when ECS answered. */
  ecsRequestId?: string | undefined;
  /** `ok`, or the error code the caller got. */
  outcome: string;
}

/** The audit line's `audit` object: a stable shape, every field present (null when unknown). */
export interface AuditRecord {
  /** The key's name (policy `name`, or `key-1`… for GATEWAY_API_KEYS); null without API keys. */
  key: string | null;
  action: string;
  regionId: string | null;
  resourceIds: string[];
  ecsRequestId: string | null;
  /** `ok`, or the error code the caller got (ACTION_FORBIDDEN, an ECS code, UPSTREAM_TIMEOUT, …). */
  outcome: string;
  /** The gateway's request id (x-request-id). */
  requestId: string;
}

/** An authorized call not yet audited, and the error it ended with, if any. */
interface PendingAudit {
  call: PlannedCall;
  error?: GatewayError;
}

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The API key the request was made with, set by the auth hook. null when the gateway runs without
     * API keys: the caller is anonymous and allowed everything.
     */
    caller: ApiKey | null;
    /** Internal to the policy: the authorized, not read-only call still to be audited. */
    pendingAudit: PendingAudit | null;
  }
}

/** Region ids in ECS hostnames: `ecs.cn-hangzhou.aliyuncs.com`, `ecs-vpc.cn-hangzhou.aliyuncs.com`. */
const REGIONAL_ENDPOINT = /^ecs(?:-vpc)?\.([a-z]{2,}(?:-[a-z0-9]+){1,4})\.aliyuncs\.com$/;

/** The region of a regional ECS endpoint; undefined for the central endpoint and any other host. */
export function regionOfEndpoint(endpoint: string): string | undefined {
  return REGIONAL_ENDPOINT.exec(endpoint)?.[1];
}

const forbidden = (code: string, message: string) => new GatewayError(403, code, message);

/**
 * Why `key` may not make `call`, or undefined when it may. Deny wins over allow. For a key limited to
 * regions: the call's regionId, and the region of the endpoint it names, must be among them; a call that
 * names no region at all is allowed only for a read-only action that takes no RegionId (DescribeRegions,
 * DescribeInstanceTypes: global lists), since any other would reach whichever region ECS picks.
 */
export function refusalFor(key: ApiKey, call: PlannedCall): GatewayError | undefined {
  const who = `The key "${key.name}"`;
  if (!allowsAction(key, call.action)) {
    return forbidden(ErrorCode.actionForbidden, `${who} may not call ${call.action}`);
  }
  const regions = key.regions;
  if (!regions) return undefined;
  const limited = `it may call only in ${regions.join(', ')}`;
  const endpoint = call.endpoint || undefined;
  const endpointRegion = endpoint ? regionOfEndpoint(endpoint) : undefined;
  if (endpoint && (!endpointRegion || !regions.includes(endpointRegion))) {
    const what = endpointRegion ? `in region ${endpointRegion} (endpoint ${endpoint})` : `through endpoint ${endpoint}, which is not a regional ECS endpoint`;
    return forbidden(ErrorCode.regionForbidden, `${who} may not call ${call.action} ${what}: ${limited}`);
  }
  const regionId = call.regionId || undefined;
  if (regionId !== undefined && !regions.includes(regionId)) {
    return forbidden(ErrorCode.regionForbidden, `${who} may not call ${call.action} in region ${regionId}: ${limited}`);
  }
  if (regionId === undefined && endpointRegion === undefined && (takesRegionId(call.action) || !(call.readOnly ?? isReadOnlyAction(call.action)))) {
    return forbidden(ErrorCode.regionForbidden, `${who} may not call ${call.action} without a region: ${limited}; send regionId`);
  }
  return undefined;
}

/** Throws a 403 GatewayError (ACTION_FORBIDDEN / REGION_FORBIDDEN) when the caller's key may not make this call. */
export function authorizeCall(request: FastifyRequest, call: PlannedCall): void {
  const caller = request.caller ?? null;
  const refusal = caller ? refusalFor(caller, call) : undefined;
  const readOnly = call.readOnly ?? isReadOnlyAction(call.action);
  if (refusal) {
    if (!readOnly) writeAudit(request, { ...call, readOnly, resourceIds: resourceIdsOf(call.params), outcome: refusal.code });
    throw refusal;
  }
  if (!readOnly) request.pendingAudit = { call };
}

/**
 * Writes one audit log line for a call that is not read-only. A refusal (ACTION_FORBIDDEN,
 * REGION_FORBIDDEN) was already audited by authorizeCall and is not written again.
 */
export function auditCall(request: FastifyRequest, outcome: CallOutcome): void {
  if (outcome.readOnly) return;
  if (outcome.outcome === ErrorCode.actionForbidden || outcome.outcome === ErrorCode.regionForbidden) return;
  const pending = request.pendingAudit ?? null;
  request.pendingAudit = null;
  const resourceIds = outcome.resourceIds.length > 0 || !pending ? outcome.resourceIds : resourceIdsOf(pending.call.params);
  writeAudit(request, { ...outcome, resourceIds });
}

/**
 * Request decorators (`caller`, `pendingAudit`) and the two hooks that audit an authorized call the
 * route did not report: onError keeps the error, onResponse writes the line. Register once, on the root.
 */
export function installPolicy(app: FastifyInstance): void {
  app.decorateRequest('caller', null);
  app.decorateRequest('pendingAudit', null);
  app.addHook('onError', (request, _reply, error, done) => {
    if (request.pendingAudit) request.pendingAudit.error = toGatewayError(error, request);
    done();
  });
  // Callback style: it runs on every request, and an async hook costs a promise each time.
  app.addHook('onResponse', (request, reply, done) => {
    const pending = request.pendingAudit;
    if (pending) {
      request.pendingAudit = null;
      const error = pending.error;
      const outcome = error?.code ?? (reply.statusCode < 400 ? 'ok' : `HTTP_${reply.statusCode}`);
      const ecsRequestId = error?.extra.ecsRequestId;
      writeAudit(request, {
        ...pending.call,
        readOnly: false,
        resourceIds: resourceIdsOf(pending.call.params),
        ecsRequestId: typeof ecsRequestId === 'string' ? ecsRequestId : undefined,
        outcome,
      });
    }
    done();
  });
}

/** Wire names that end in Id but name no resource. */
const NOT_A_RESOURCE = /(?:^|[a-z])(?:Region|Zone|Owner)Id$|^OwnerId$/;

/**
 * The resource ids a call names: the values of wire parameters whose name ends in `Id` or `Ids`
 * (`InstanceId.1`, `DiskId`, `NetworkInterface.1.SecurityGroupIds.1`, and JSON-valued lists such as
 * DescribeInstances `InstanceIds='["i-1"]'`), except region, zone and owner ids. In order, without repeats.
 */
export function resourceIdsOf(params: WireParams | undefined): string[] {
  if (!params) return [];
  const ids = new Set<string>();
  for (const [wireName, value] of Object.entries(params)) {
    const name = wireName.split('.').filter((s) => !/^\d+$/.test(s)).pop() ?? '';
    if (!/Ids?$/.test(name) || NOT_A_RESOURCE.test(name) || value === '') continue;
    if (value.startsWith('[')) {
      try {
        const list: unknown = JSON.parse(value);
        if (Array.isArray(list)) {
          for (const v of list) if (typeof v === 'string' && v !== '') ids.add(v);
          continue;
        }
      } catch { /* not JSON: keep the value as it is */ }
    }
    ids.add(value);
  }
  return [...ids];
}

const INFO_OR_LOWER = new Set(['info', 'debug', 'trace']);

/**
 * Audit lines are written at info, also when LOG_LEVEL is warn, error or fatal (a child logger at info);
 * only LOG_LEVEL=silent turns them off.
 */
function auditLogger(log: FastifyBaseLogger): FastifyBaseLogger | undefined {
  if (INFO_OR_LOWER.has(log.level)) return log;
  if (log.level === 'silent') return undefined;
  return log.child({}, { level: 'info' });
}

/** The one audit line: `{"audit": {...}, "msg": "audit"}`. Nothing in it is secret. */
function writeAudit(request: FastifyRequest, outcome: CallOutcome): void {
  const audit: AuditRecord = {
    key: request.caller?.name ?? null,
    action: outcome.action,
    regionId: outcome.regionId || null,
    resourceIds: [...outcome.resourceIds],
    ecsRequestId: outcome.ecsRequestId || null,
    outcome: outcome.outcome,
    requestId: request.id,
  };
  auditLogger(request.log)?.info({ audit }, 'audit');
}
