/**
 * Parameters every ECS RPC call may carry that are not the action's own: identity, signature and
 * protocol fields. The protocol layer strips them before the behaviour layer sees a call, and the
 * behaviour layer leaves them out of ClientToken fingerprints, so both read this one list.
 */
export const COMMON_PARAMS: ReadonlySet<string> = new Set([
  'Action',
  'Version',
  'Format',
  'AccessKeyId',
  'Signature',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'SignatureType',
  'Timestamp',
  'SecurityToken',
]);
