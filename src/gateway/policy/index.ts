import type { FastifyRequest } from 'fastify';

/**
 * The contract between the routes and the per-key access policies (issue 8). Routes, curated and
 * generic alike, call `authorizeCall` after validation and before anything is signed or sent, and
 * `auditCall` once the call has an outcome. The auth/policy plugin fills `request.caller`.
 *
 * STUB: both are no-ops until the policy plugin lands.
 */

/** One ECS call a route is about to make. */
export interface PlannedCall {
  /** The exact ECS action, e.g. `StopInstances`. */
  action: string;
  /** The RegionId the call targets, when it has one. */
  regionId?: string | undefined;
}

/** The outcome of a call, for the audit line. */
export interface CallOutcome extends PlannedCall {
  readOnly: boolean;
  /** Resource ids the call names (instance, disk, security group …), from its parameters. */
  resourceIds: readonly string[];
  /** ECS's RequestId, when ECS answered. */
  ecsRequestId?: string | undefined;
  /** `ok`, or the error code the caller got. */
  outcome: string;
}

/** Throws a 403 GatewayError (ACTION_FORBIDDEN / REGION_FORBIDDEN) when the caller's key may not make this call. */
export function authorizeCall(_request: FastifyRequest, _call: PlannedCall): void {
  // Stub: allowed.
}

/** Writes one audit log line for a call that is not read-only. */
export function auditCall(_request: FastifyRequest, _outcome: CallOutcome): void {
  // Stub: nothing yet.
}
