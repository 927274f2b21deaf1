/**
 * V1 (HMAC-SHA1) signature verification, as ECS documents it:
 * StringToSign = METHOD + "&" + percentEncode("/") + "&" + percentEncode(canonicalised query),
 * where the canonicalised query is every parameter except `Signature`, each key and value
 * percent-encoded, sorted by encoded key; key = AccessKeySecret + "&"; base64 HMAC-SHA1.
 */
import { createHmac } from 'node:crypto';
import { canonicalQuery, percentEncode, type ParamPair } from './encoding.js';
import { fixedErrors, incompleteSignature, missingParameter } from './errors.js';
import type { RpcRequest } from './request.js';
import { safeEqual } from './compare.js';

/** What a V1 request claims about its signer, extracted before verification. */
export interface V1Claims {
  accessKeyId: string;
  signature: string;
  nonce: string;
  timestamp: string;
  securityToken: string | undefined;
}

/** The string V1 signs for `method` over `params` (any `Signature` entry is left out). */
export function v1StringToSign(method: string, params: Iterable<ParamPair>): string {
  const pairs = [...params].filter(([k]) => k !== 'Signature');
  return `${method}&${percentEncode('/')}&${percentEncode(canonicalQuery(pairs))}`;
}

/** Base64 HMAC-SHA1 of `stringToSign` keyed with `secret + "&"`. */
export function v1Sign(stringToSign: string, secret: string): string {
  return createHmac('sha1', `${secret}&`).update(stringToSign, 'utf8').digest('base64');
}

/** Checks the V1 signature parameters are present and supported; throws the ECS error otherwise. */
export function extractV1Claims(request: RpcRequest): V1Claims {
  const p = request.params;
  const accessKeyId = p.get('AccessKeyId');
  if (!accessKeyId) throw missingParameter('AccessKeyId');
  const signature = p.get('Signature');
  if (!signature) throw incompleteSignature('The parameter “Signature” is missing.');
  const method = p.get('SignatureMethod');
  if (method === undefined) throw incompleteSignature('The parameter “SignatureMethod” is missing.');
  if (method !== 'HMAC-SHA1') throw fixedErrors.invalidSignatureParam('SignatureMethod');
  const version = p.get('SignatureVersion');
  if (version === undefined) throw incompleteSignature('The parameter “SignatureVersion” is missing.');
  if (version !== '1.0') throw fixedErrors.invalidSignatureParam('SignatureVersion');
  const nonce = p.get('SignatureNonce');
  if (!nonce) throw missingParameter('SignatureNonce');
  const timestamp = p.get('Timestamp');
  if (!timestamp) throw missingParameter('Timestamp');
  return { accessKeyId, signature, nonce, timestamp, securityToken: p.get('SecurityToken') };
}

/** Returns the server's string-to-sign when the signature does not match, else undefined. */
export function checkV1Signature(request: RpcRequest, claims: V1Claims, secret: string): string | undefined {
  const stringToSign = v1StringToSign(request.method, request.params);
  return safeEqual(v1Sign(stringToSign, secret), claims.signature) ? undefined : stringToSign;
}
