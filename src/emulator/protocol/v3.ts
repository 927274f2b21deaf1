/**
 * V3 (ACS3-HMAC-SHA256) signature verification, from the published algorithm:
 * CanonicalRequest = METHOD \n URI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n HashedPayload,
 * StringToSign = "ACS3-HMAC-SHA256" \n hex(sha256(CanonicalRequest)), Signature = hex(HMAC-SHA256(secret, StringToSign)).
 */
import { createHash, createHmac } from 'node:crypto';
import { canonicalQuery, type ParamPair } from './encoding.js';
import { fixedErrors, incompleteSignature, missingParameter } from './errors.js';
import { header, type RpcRequest } from './request.js';
import { safeEqual } from './compare.js';

/** The only V3 algorithm the emulator verifies (the one the official SDKs use by default). */
export const V3_ALGORITHM = 'ACS3-HMAC-SHA256';

/** Headers that must be present and covered by `SignedHeaders`, besides every other `x-acs-*`. */
const REQUIRED_HEADERS = [
  'host',
  'x-acs-action',
  'x-acs-version',
  'x-acs-date',
  'x-acs-signature-nonce',
  'x-acs-content-sha256',
] as const;

/** The parsed `Authorization` header plus the claims it relies on. */
export interface V3Claims {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
  nonce: string;
  timestamp: string;
  securityToken: string | undefined;
}

/** True when the request uses V3 (an `Authorization: ACS3-...` header). */
export function isV3Request(request: RpcRequest): boolean {
  return (header(request, 'authorization') ?? '').trimStart().startsWith('ACS3-');
}

/** Parses `ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..` strictly. */
export function parseAuthorization(value: string): Pick<V3Claims, 'accessKeyId' | 'signedHeaders' | 'signature'> {
  const m = /^(\S+) +(.*)$/.exec(value.trim());
  if (!m) throw incompleteSignature('The Authorization header is malformed.');
  if (m[1] !== V3_ALGORITHM) throw incompleteSignature(`Unsupported signature algorithm ${m[1]}.`);
  const fields = new Map<string, string>();
  for (const part of (m[2] as string).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKeyId = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signedHeaders || !signature || !/^[0-9a-f]{64}$/.test(signature)) {
    throw incompleteSignature('The Authorization header is malformed.');
  }
  return { accessKeyId, signedHeaders: signedHeaders.split(';'), signature };
}

/** Validates the V3 headers (presence, coverage by SignedHeaders, body hash) and returns the claims. */
export function extractV3Claims(request: RpcRequest): V3Claims {
  const auth = parseAuthorization(header(request, 'authorization') ?? '');
  for (const name of REQUIRED_HEADERS) {
    if (!header(request, name)) throw missingParameter(name);
  }
  const signed = new Set(auth.signedHeaders);
  const mustSign = [...REQUIRED_HEADERS, ...[...request.headers.keys()].filter((h) => h.startsWith('x-acs-'))];
  const unsigned = mustSign.filter((h) => !signed.has(h));
  if (unsigned.length > 0) throw incompleteSignature(`Headers not signed: ${[...new Set(unsigned)].join(';')}.`);
  const bodyHash = createHash('sha256').update(request.body).digest('hex');
  if (header(request, 'x-acs-content-sha256') !== bodyHash) throw fixedErrors.contentHashMismatch();
  return {
    ...auth,
    nonce: header(request, 'x-acs-signature-nonce') as string,
    timestamp: header(request, 'x-acs-date') as string,
    securityToken: header(request, 'x-acs-security-token'),
  };
}

/** The canonical request for `request` under the claimed `signedHeaders`. */
export function v3CanonicalRequest(request: RpcRequest, signedHeaders: readonly string[]): string {
  const names = [...signedHeaders].sort();
  const canonicalHeaders = names
    .map((n) => `${n}:${(request.headers.get(n) ?? []).map((v) => v.trim()).sort().join(',')}\n`)
    .join('');
  const query = canonicalQuery(request.queryPairs as ParamPair[]);
  // Only `/` is routed to the RPC endpoint, so the canonical URI is always `/`.
  const path = '/';
  const payloadHash = header(request, 'x-acs-content-sha256') ?? '';
  return [request.method, path, query, canonicalHeaders, names.join(';'), payloadHash].join('\n');
}

/** `ACS3-HMAC-SHA256\n<hex sha256 of the canonical request>`. */
export function v3StringToSign(canonicalRequest: string): string {
  return `${V3_ALGORITHM}\n${createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')}`;
}

/** Hex HMAC-SHA256 of the string to sign. */
export function v3Sign(stringToSign: string, secret: string): string {
  return createHmac('sha256', secret).update(stringToSign, 'utf8').digest('hex');
}

/** Returns the server's string-to-sign when the signature does not match, else undefined. */
export function checkV3Signature(request: RpcRequest, claims: V3Claims, secret: string): string | undefined {
  const stringToSign = v3StringToSign(v3CanonicalRequest(request, claims.signedHeaders));
  return safeEqual(v3Sign(stringToSign, secret), claims.signature) ? undefined : stringToSign;
}
