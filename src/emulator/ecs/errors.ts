/**
 * ECS API errors: the exception type the emulator throws, and factories for
 * every error code it produces, with the real HTTP status and message.
 */

/**
 * An ECS API error with its real HTTP status and code, e.g.
 * `new EcsApiError(404, 'InvalidInstanceId.NotFound', 'The specified InstanceId does not exist.')`.
 */
export class EcsApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly recommend?: string | undefined;

  constructor(status: number, code: string, message: string, recommend?: string) {
    super(message);
    this.name = 'EcsApiError';
    this.status = status;
    this.code = code;
    this.recommend = recommend;
  }
}

/** The message of IncorrectInstanceStatus, as real ECS words it. */
export function incorrectStatusMessage(actual: string, expected: readonly string[]): string {
  return (
    'The specified instance is in an incorrect status for the requested action; ' +
    `Status of the specified instance is ${actual} but the expected status is in (${expected.join(',')}).`
  );
}

/** Factories for every ECS error the emulator raises. */
export const EcsErrors = {
  actionNotFound: () =>
    new EcsApiError(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.'),
  missingParameter: (name: string) =>
    new EcsApiError(
      400,
      'MissingParameter',
      `The input parameter “${name}” that is mandatory for processing this request is not supplied.`,
    ),
  invalidParameter: (name: string) =>
    new EcsApiError(400, 'InvalidParameter', `The specified parameter "${name}" is not valid.`),
  tooManyInstanceIds: () =>
    new EcsApiError(
      403,
      'InvalidParameter.TooManyInstanceIds',
      'The number of specified instance IDs exceeds the upper limit of 100.',
    ),
  regionNotFound: () => new EcsApiError(404, 'InvalidRegionId.NotFound', 'The specified RegionId does not exist.'),
  zoneNotFound: () => new EcsApiError(404, 'InvalidZoneId.NotFound', 'The specified zone does not exist.'),
  imageNotFound: () => new EcsApiError(404, 'InvalidImageId.NotFound', 'The specified ImageId does not exist.'),
  instanceTypeNotSupported: () =>
    new EcsApiError(400, 'InvalidInstanceType.ValueNotSupported', 'The specified instanceType beyond the permitted range.'),
  instanceNotFound: () =>
    new EcsApiError(404, 'InvalidInstanceId.NotFound', 'The specified InstanceId does not exist.'),
  incorrectStatus: (actual: string, expected: readonly string[]) =>
    new EcsApiError(403, 'IncorrectInstanceStatus', incorrectStatusMessage(actual, expected)),
  deletionProtected: () =>
    new EcsApiError(
      403,
      'InvalidOperation.DeletionProtection',
      'The specified instance is protected by deletion protection and cannot be released.',
    ),
  idempotentMismatch: () =>
    new EcsApiError(
      400,
      'IdempotentParameterMismatch',
      'Request uses a client token in a previous request but is not identical to that request.',
    ),
  invalidClientToken: () =>
    new EcsApiError(400, 'InvalidClientToken.ValueNotSupported', 'The ClientToken provided is invalid.'),
  dryRunOperation: () =>
    new EcsApiError(400, 'DryRunOperation', 'Request validation has been passed with DryRun flag set.'),
  dryRunSuccess: () =>
    new EcsApiError(400, 'DRYRUN.SUCCESS', 'This request is a dryrun request with successful result.'),
  malformed: (code: string, name: string) =>
    new EcsApiError(400, code, `The specified parameter "${name}" is not valid.`),
  userDataNotBase64: () =>
    new EcsApiError(400, 'InvalidUserData.Base64FormatInvalid', 'The specified parameter UserData must be base64 encoded.'),
  userDataTooLarge: () =>
    new EcsApiError(400, 'InvalidUserData.SizeExceeded', 'The specified parameter UserData exceeds the size.'),
  systemDiskTooSmall: () =>
    new EcsApiError(
      400,
      'InvalidSystemDiskSize.LessThanImageSize',
      'The specified parameter SystemDisk.Size is less than the image size.',
    ),
} as const;
