/**
 * The ECS errors of the networking, key pair, tag and ModifyInstanceAttribute actions, with their HTTP status
 * and message as Alibaba's API reference lists them (see README "The emulator" for the ones whose exact wording
 * could not be confirmed there).
 */
import { EcsApiError } from './errors.js';

const e = (status: number, code: string, message: string) => () => new EcsApiError(status, code, message);

export const NetErrors = {
  vpcNotFound: e(404, 'InvalidVpcId.NotFound', 'Specified virtual private cloud does not exist.'),
  vSwitchNotFound: e(404, 'InvalidVSwitchId.NotFound', 'Specified virtual switch does not exist.'),
  securityGroupNotFound: e(404, 'InvalidSecurityGroupId.NotFound', 'The specified SecurityGroupId does not exist.'),
  sourceGroupNotFound: e(404, 'InvalidSourceGroupId.NotFound', 'The specified SourceGroupId does not exist.'),
  destGroupNotFound: e(404, 'InvalidDestGroupId.NotFound', 'The specified DestGroupId does not exist.'),
  securityGroupInUse: e(403, 'DependencyViolation', 'There is still instance(s) in the specified security group.'),
  securityGroupReferenced: e(403, 'DependencyViolation', 'There is other security group authorizing the specified security group.'),
  securityGroupVpcMismatch: e(400, 'InvalidSecurityGroup.VpcMismatch', 'Specified security group and virtual switch are not in the same private network.'),
  securityGroupNameMalformed: e(400, 'InvalidSecurityGroupName.Malformed', 'Specified security group name is not valid.'),
  securityGroupTypeInvalid: e(400, 'InvalidSecurityGroupType.ValueNotSupported', 'The specified parameter SecurityGroupType is not valid.'),
  descriptionMalformed: e(400, 'InvalidDescription.Malformed', 'The specified description is wrongly formed.'),
  ipProtocolMalformed: e(400, 'InvalidIpProtocol.Malformed', 'The specified parameter IpProtocol is not valid.'),
  portRangeMalformed: e(400, 'InvalidPortRange.Malformed', 'The specified parameter PortRange is not valid.'),
  sourcePortRangeMalformed: e(400, 'InvalidSourcePortRange.Malformed', 'The specified parameter SourcePortRange is not valid.'),
  sourceCidrMalformed: e(400, 'InvalidSourceCidrIp.Malformed', 'The specified parameter SourceCidrIp is not valid.'),
  destCidrMalformed: e(400, 'InvalidDestCidrIp.Malformed', 'The specified parameter DestCidrIp is not valid.'),
  ipv6CidrMalformed: (name: string) => new EcsApiError(400, `Invalid${name}.Malformed`, `The specified parameter ${name} is not valid.`),
  policyMalformed: e(400, 'InvalidPolicy.Malformed', 'The specified parameter Policy is not valid.'),
  priorityMalformed: e(400, 'InvalidPriority.Malformed', 'The specified parameter Priority is not valid.'),
  nicTypeInvalid: e(400, 'InvalidNicType.ValueNotSupported', 'The specified parameter NicType is not valid.'),
  permissionDuplicate: e(400, 'InvalidPermission.Duplicate', 'The specified rule already exists.'),
  ruleLimit: e(403, 'AuthorizationLimitExceed', 'The limit of authorization records in the security group reaches.'),
  ruleIdNotFound: e(404, 'InvalidSecurityGroupRuleId.NotFound', 'The specified SecurityGroupRuleId does not exist.'),
  keyPairNameMalformed: e(400, 'InvalidKeyPairName.Malformed', 'The specified parameter KeyPairName is not valid.'),
  keyPairExists: e(400, 'KeyPair.AlreadyExist', 'The key pair already exist.'),
  keyPairNotFound: e(404, 'InvalidKeyPairName.NotFound', 'The specified KeyPairName does not exist in our records.'),
  keyPairNamesInvalid: e(400, 'InvalidKeyPairNames.ValueNotSupported', 'The specified parameter "KeyPairNames" is not valid.'),
  keyPairInUse: e(
    400,
    'InvalidParameter.KeypairAlreadyAttachedInstance',
    'The specified parameter "KeyPairNames" attached to instances can not be deleted.',
  ),
  publicKeyMalformed: e(400, 'InvalidPublicKeyBody.Malformed', 'The specified parameter PublicKeyBody is not valid.'),
  resourceTypeNotFound: e(404, 'InvalidResourceType.NotFound', 'The ResourceType provided does not exist in our records.'),
  resourceNotFound: e(404, 'InvalidResourceId.NotFound', 'The specified ResourceIds are not found in our records.'),
  tagCount: e(400, 'InvalidTagCount', 'The specified tags are beyond the permitted range.'),
  tagKeyMalformed: e(400, 'InvalidTagKey.Malformed', 'The specified parameter "Tag.N.Key" is not valid.'),
  tagValueMalformed: e(400, 'InvalidTagValue.Malformed', 'The specified parameter "Tag.N.Value" is not valid.'),
} as const;
