/**
 * Errors the emulator's protocol layer answers with, using the codes, HTTP statuses and
 * messages of the real ECS POP gateway (see the published error bodies and their sources in
 * test/fixtures/README.md, and the common error table of the ECS API reference).
 */

/** An error rendered as the ECS error body `{RequestId, HostId, Code, Message, Recommend}`. */
export class ProtocolError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers, e.g. `x-acs-retry-after` on throttling. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** `MissingParameter` 400 with the message ECS prints (its curly quotes included). */
export function missingParameter(name: string): ProtocolError {
  return new ProtocolError(
    400,
    'MissingParameter',
    `The input parameter “${name}” that is mandatory for processing this request is not supplied.`,
  );
}

/** `IncompleteSignature` 400: signature parts absent, garbled, or required headers unsigned. */
export function incompleteSignature(detail?: string): ProtocolError {
  const base = 'The request signature does not conform to Aliyun standards.';
  return new ProtocolError(400, 'IncompleteSignature', detail ? `${base} ${detail}` : base);
}

/** `SignatureDoesNotMatch` 400, carrying the server's string-to-sign like the live service. */
export function signatureDoesNotMatch(stringToSign: string): ProtocolError {
  return new ProtocolError(
    400,
    'SignatureDoesNotMatch',
    `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`,
  );
}

/** Errors with fixed code, status and message. */
export const fixedErrors = {
  accessKeyNotFound: () =>
    new ProtocolError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.'),
  nonceUsed: () =>
    new ProtocolError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.'),
  timestampExpired: (ts: string) =>
    new ProtocolError(
      400,
      'InvalidTimeStamp.Expired',
      `Specified time stamp or date value is expired. (Timestamp: ${ts})`,
    ),
  timestampFormat: () =>
    new ProtocolError(
      400,
      'InvalidTimeStamp.Format',
      'Specified time stamp or date value is not well formatted.',
    ),
  invalidVersion: () =>
    new ProtocolError(400, 'InvalidVersion', 'Specified parameter Version is not valid.'),
  actionNotFound: () =>
    new ProtocolError(
      404,
      'InvalidAction.NotFound',
      'Specified api is not found, please check your url and method.',
    ),
  unsupportedMethod: () =>
    new ProtocolError(403, 'UnsupportedHTTPMethod', 'This HTTP method is not supported.'),
  invalidSignatureParam: (name: 'SignatureMethod' | 'SignatureVersion') =>
    new ProtocolError(400, 'InvalidParameter', `The specified parameter “${name}” is not valid.`),
  tokenMissing: () =>
    new ProtocolError(400, 'InvalidSecurityToken.Malformed', 'Specified SecurityToken is malformed.'),
  tokenMismatch: () =>
    new ProtocolError(
      400,
      'InvalidSecurityToken.MismatchWithAccessKey',
      'Specified SecurityToken mismatch with the AccessKey.',
    ),
  contentHashMismatch: () =>
    new ProtocolError(
      400,
      'IncompleteSignature',
      'The request signature does not conform to Aliyun standards. x-acs-content-sha256 does not match the request body.',
    ),
  internal: () =>
    new ProtocolError(
      500,
      'InternalError',
      'The request processing has failed due to some unknown error, exception or failure.',
    ),
} as const;
