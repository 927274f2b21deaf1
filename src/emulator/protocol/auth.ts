/**
 * Authenticates an RPC request the way the ECS gateway does: signature parameters present,
 * timestamp within 15 minutes, access key known, STS token right, signature matching,
 * nonce never seen. V1 and V3 differ only in where the claims come from and what is signed.
 */
import { fixedErrors, signatureDoesNotMatch } from './errors.js';
import type { NonceStore } from './nonces.js';
import type { RpcRequest } from './request.js';
import { checkV1Signature, extractV1Claims } from './v1.js';
import { checkV3Signature, extractV3Claims, isV3Request } from './v3.js';

/** An access key pair the emulator accepts; a `securityToken` makes it an STS pair that requires the token. */
export interface AccessKey {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** What authentication needs: known keys, the nonce memory and the clock. */
export interface AuthContext {
  keys: ReadonlyMap<string, AccessKey>;
  nonces: NonceStore;
  now: () => number;
}

/** The authenticated caller. */
export interface AuthResult {
  accessKeyId: string;
  signatureVersion: 'V1' | 'V3';
}

/** Largest accepted clock difference between caller and server, both directions. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** Parses an ISO-8601 UTC timestamp (`2024-01-01T00:00:00Z`) or throws InvalidTimeStamp.Format. */
export function parseTimestamp(value: string): number {
  const ms = ISO_UTC.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw fixedErrors.timestampFormat();
  return ms;
}

/** Verifies the request or throws the ProtocolError ECS would answer with. */
export function authenticate(request: RpcRequest, ctx: AuthContext): AuthResult {
  const v3 = isV3Request(request);
  const { claims, check } = v3 ? v3Verifier(request) : v1Verifier(request);
  const now = ctx.now();
  if (Math.abs(now - parseTimestamp(claims.timestamp)) > MAX_CLOCK_SKEW_MS) {
    throw fixedErrors.timestampExpired(claims.timestamp);
  }
  const key = ctx.keys.get(claims.accessKeyId);
  if (!key) throw fixedErrors.accessKeyNotFound();
  if (key.securityToken !== undefined) {
    if (!claims.securityToken) throw fixedErrors.tokenMissing();
    if (claims.securityToken !== key.securityToken) throw fixedErrors.tokenMismatch();
  } else if (claims.securityToken) {
    throw fixedErrors.tokenMismatch();
  }
  const mismatch = check(key.accessKeySecret);
  if (mismatch !== undefined) throw signatureDoesNotMatch(mismatch);
  // Only a correctly signed request burns its nonce, so garbage cannot block a legitimate one.
  if (!ctx.nonces.use(claims.accessKeyId, claims.nonce, now)) throw fixedErrors.nonceUsed();
  return { accessKeyId: claims.accessKeyId, signatureVersion: v3 ? 'V3' : 'V1' };
}

interface Verifier {
  claims: { accessKeyId: string; nonce: string; timestamp: string; securityToken: string | undefined };
  /** Returns the server's string-to-sign on mismatch. */
  check: (secret: string) => string | undefined;
}

function v1Verifier(request: RpcRequest): Verifier {
  const claims = extractV1Claims(request);
  return { claims, check: (secret) => checkV1Signature(request, claims, secret) };
}

function v3Verifier(request: RpcRequest): Verifier {
  const claims = extractV3Claims(request);
  return { claims, check: (secret) => checkV3Signature(request, claims, secret) };
}
