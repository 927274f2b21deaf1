/**
 * Pure request signing for the ECS RPC API (2014-05-26): V1 (HMAC-SHA1) and V3 (ACS3-HMAC-SHA256).
 * Clock and nonce are injected, nothing here does I/O, and the caller's objects are never mutated.
 * Every canonicalisation rule below was checked against the official SDKs (@alicloud/pop-core,
 * @alicloud/openapi-core, @alicloud/openapi-util); test/ecs/signer-oracle.test.ts keeps it that way.
 */
import { createHash, createHmac } from 'node:crypto';

/** AccessKey pair, optionally with an STS token. */
export interface Credentials { accessKeyId: string; accessKeySecret: string; securityToken?: string | undefined }
/** Business parameters already in ECS wire form, e.g. { RegionId: 'cn-hangzhou', 'InstanceId.1': 'i-1' } (no common params). */
export type WireParams = Readonly<Record<string, string>>;
/** Everything needed to sign one ECS call; `date` and `nonce` are injected so signing is deterministic. */
export interface SignInput {
  action: string;
  version: string;
  params: WireParams;
  credentials: Credentials;
  host: string;
  date: Date;
  nonce: string;
}
/**
 * A signed request, ready to send as-is to `https://<host>/`. There is no query: V1 and V3 both carry
 * every parameter in a form body, so passwords and user data never reach a URL (which proxies log and
 * whose length servers cap).
 */
export interface SignedRequest {
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

/** The content type of both signed bodies. */
export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/** Hex SHA-256 of the empty string: the V3 payload hash of a call without parameters. */
export const EMPTY_PAYLOAD_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** The V3 algorithm name, which prefixes both the string to sign and the Authorization header. */
export const V3_ALGORITHM = 'ACS3-HMAC-SHA256';

/**
 * RFC 3986 percent-encoding of UTF-8 (unreserved A-Z a-z 0-9 - _ . ~ kept). encodeURIComponent
 * leaves ! ' ( ) * alone, which the signature algorithms require encoded, hence the extra step.
 */
export function percentEncode(value: string): string {
  // Most ECS values (ids, region names, dates) need no encoding at all: skip the work for them.
  if (UNRESERVED_ONLY.test(value)) return value;
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const UNRESERVED_ONLY = /^[A-Za-z0-9\-_.~]*$/;

/** ISO 8601 UTC without milliseconds (`2016-02-23T12:46:24Z`), the only form ECS accepts. */
export function formatTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * `k=v&k=v` with keys and values percent-encoded, sorted by key. The SDKs sort the raw keys with
 * JS's default (UTF-16 code unit) order, so `InstanceId.10` precedes `InstanceId.2`; so do we.
 * Empty values stay as `k=`, exactly as the SDKs sign them.
 */
export function canonicalQueryString(params: WireParams): string {
  return Object.keys(params)
    .sort()
    .map((key) => `${percentEncode(key)}=${percentEncode(params[key] ?? '')}`)
    .join('&');
}

/** HMAC-SHA1 of `data` under `key`, Base64. */
export function hmacSha1Base64(key: string, data: string): string {
  return createHmac('sha1', key).update(data, 'utf8').digest('base64');
}

/** HMAC-SHA256 of `data` under `key`, lower-case hex. */
export function hmacSha256Hex(key: string, data: string): string {
  return createHmac('sha256', key).update(data, 'utf8').digest('hex');
}

/** SHA-256 of `data` (UTF-8), lower-case hex. */
export function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

// ---- V1: HMAC-SHA1, SignatureVersion 1.0 ------------------------------------------------------

/** V1 string to sign: `METHOD&%2F&` + percentEncode(canonical query of every parameter except Signature). */
export function stringToSignV1(method: string, params: WireParams): string {
  return `${method}&${percentEncode('/')}&${percentEncode(canonicalQueryString(params))}`;
}

/** V1 signature: Base64 HMAC-SHA1 keyed with `AccessKeySecret + '&'` (the empty token-secret slot of RFC 2104 usage). */
export function signatureV1(stringToSign: string, secret: string): string {
  return hmacSha1Base64(`${secret}&`, stringToSign);
}

/** Business params plus V1 common params; common ones win so a caller cannot override identity or nonce. */
export function paramsV1(input: SignInput): Record<string, string> {
  const { credentials } = input;
  return {
    ...input.params,
    AccessKeyId: credentials.accessKeyId,
    Action: input.action,
    Format: 'JSON',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: input.nonce,
    SignatureVersion: '1.0',
    Timestamp: formatTimestamp(input.date),
    Version: input.version,
    ...(credentials.securityToken ? { SecurityToken: credentials.securityToken } : {}),
  };
}

/**
 * Signs a V1 POST: every parameter goes in the form body, Signature appended last (as pop-core does),
 * so the URL carries nothing sensitive and long repeat lists cannot hit URL length limits.
 */
export function signV1(input: SignInput): SignedRequest {
  const params = paramsV1(input);
  const signature = signatureV1(stringToSignV1('POST', params), input.credentials.accessKeySecret);
  return {
    method: 'POST',
    headers: { 'content-type': FORM_CONTENT_TYPE },
    body: `${canonicalQueryString(params)}&Signature=${percentEncode(signature)}`,
  };
}

// ---- V3: ACS3-HMAC-SHA256 -------------------------------------------------------------------

/** Canonical header block (`name:value\n` each) and the `;`-joined signed-header list. */
export interface CanonicalHeadersV3 { canonical: string; signed: string }

/**
 * Lower-cases names, trims values, sorts by name. Names that collide after lower-casing are merged
 * as sorted values joined by `,`, which is what openapi-util's getAuthorization does.
 */
export function canonicalHeadersV3(headers: Readonly<Record<string, string>>): CanonicalHeadersV3 {
  // Sorted by name, then value, so the values of a merged name come out sorted too.
  const entries = Object.entries(headers)
    .map(([name, value]) => [name.toLowerCase(), value.trim()] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  let canonical = '';
  let signed = '';
  for (let i = 0; i < entries.length; i++) {
    const [name, value] = entries[i]!;
    if (i > 0 && entries[i - 1]![0] === name) {
      canonical = `${canonical.slice(0, -1)},${value}\n`;
      continue;
    }
    canonical += `${name}:${value}\n`;
    signed += signed ? `;${name}` : name;
  }
  return { canonical, signed };
}

/** The parts of a request that V3 signs. */
export interface RequestToSignV3 {
  method: string;
  path: string;
  params: WireParams;
  headers: CanonicalHeadersV3;
  payloadHash: string;
}

/** V3 canonical request: method, path, canonical query, headers, signed-header list, payload hash. */
export function canonicalRequestV3(req: RequestToSignV3): string {
  const { method, path, params, headers, payloadHash } = req;
  return [method, path, canonicalQueryString(params), headers.canonical, headers.signed, payloadHash].join('\n');
}

/** V3 string to sign: the algorithm name and the hex SHA-256 of the canonical request. */
export function stringToSignV3(canonicalRequest: string): string {
  return `${V3_ALGORITHM}\n${sha256Hex(canonicalRequest)}`;
}

/** The V3 `Authorization` header value for a request, signed with the AccessKey secret. */
export function authorizationV3(req: RequestToSignV3, credentials: Credentials): string {
  const signature = hmacSha256Hex(credentials.accessKeySecret, stringToSignV3(canonicalRequestV3(req)));
  return `${V3_ALGORITHM} Credential=${credentials.accessKeyId},SignedHeaders=${req.headers.signed},Signature=${signature}`;
}

/**
 * signV3 with additional headers that are sent and signed too (the official SDK adds e.g.
 * `x-acs-credentials-provider`; the oracle tests use this to reproduce its signatures exactly).
 */
export function signV3WithHeaders(input: SignInput, extraHeaders: Readonly<Record<string, string>>): SignedRequest {
  const token = input.credentials.securityToken;
  // The business parameters go in the body, as openapi-core sends an RPC call whose request has a
  // `body` (reqBodyType formData): the URL stays `/`, and the body is covered by its hash.
  const body = canonicalQueryString(input.params);
  const payloadHash = body ? sha256Hex(body) : EMPTY_PAYLOAD_SHA256;
  const headers: Record<string, string> = {
    ...extraHeaders,
    host: input.host,
    // No parameters, no body and no content type: the request the SDK sends for such a call.
    ...(body ? { 'content-type': FORM_CONTENT_TYPE } : {}),
    'x-acs-action': input.action,
    'x-acs-version': input.version,
    'x-acs-date': formatTimestamp(input.date),
    'x-acs-signature-nonce': input.nonce,
    'x-acs-content-sha256': payloadHash,
    ...(token ? { 'x-acs-security-token': token } : {}),
  };
  const toSign = { method: 'POST', path: '/', params: {}, headers: canonicalHeadersV3(headers), payloadHash };
  headers.authorization = authorizationV3(toSign, input.credentials);
  return { method: 'POST', headers, body };
}

/**
 * Signs a V3 POST: parameters in a form body hashed into `x-acs-content-sha256`, an empty query,
 * every header sent is signed (content-type included, as the SDK does).
 */
export function signV3(input: SignInput): SignedRequest {
  return signV3WithHeaders(input, {});
}
