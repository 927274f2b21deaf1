/**
 * ModifyInstanceAttribute: InstanceName, Description, HostName, Password, UserData, SecurityGroupIds.N,
 * DeletionProtection and CreditSpecification of one instance (found in whichever region the caller holds it; a
 * RegionId, when sent, must match). Every value is checked as RunInstances checks it, and nothing changes
 * unless all pass:
 * - InvalidInstanceName.Malformed, InvalidDescription.Malformed, InvalidHostName.Malformed,
 *   InvalidPassword.Malformed (8-30 characters of three classes), InvalidUserData.Base64FormatInvalid / SizeExceeded;
 * - UserData only while the instance is Stopped → IncorrectInstanceStatus otherwise;
 * - SecurityGroupIds.N (1-16) replace the instance's groups; each must exist in its region
 *   (InvalidSecurityGroupId.NotFound) and VPC (InvalidSecurityGroup.VpcMismatch).
 * The password itself is never stored (only that the instance has one). The other documented parameters are
 * type-checked and accepted.
 */
import { IMAGES } from '../catalog/index.js';
import { EcsErrors } from '../errors.js';
import type { InstanceRecord } from '../model.js';
import { NetErrors } from '../net-errors.js';
import type { ActionEnv, ActionResult } from './context.js';
import { ensureDefaultNetwork } from './default-network.js';
import { description, hasValidPassword, validHostName, validName, validUserData } from './run-params.js';
import { theInstance } from './single-instance.js';

function securityGroups(env: ActionEnv, rec: InstanceRecord): string[] | undefined {
  const ids = [...new Set(env.params.list('SecurityGroupIds'))];
  if (ids.length === 0) return undefined;
  if (ids.length > 16) throw EcsErrors.invalidParameter('SecurityGroupIds');
  ensureDefaultNetwork(env.store, env.account, rec.regionId, env.now);
  for (const id of ids) {
    const sg = env.store.net.findSecurityGroup(env.account, rec.regionId, id);
    if (!sg) throw NetErrors.securityGroupNotFound();
    if (sg.vpcId !== rec.vpcId) throw NetErrors.securityGroupVpcMismatch();
  }
  return ids;
}

/** ModifyInstanceAttribute: answers `{}`. */
export function modifyInstanceAttribute(env: ActionEnv): ActionResult {
  const { params } = env;
  const rec = theInstance(env);
  const isWindows = IMAGES.find((i) => i.imageId === rec.imageId)?.osType === 'windows';
  const name = validName(params.str('InstanceName'), 'InvalidInstanceName.Malformed', 'InstanceName');
  const desc = params.str('Description') === undefined ? undefined : description(params);
  const hostName = validHostName(params.str('HostName'), isWindows);
  const password = hasValidPassword(params.str('Password'), isWindows);
  const userData = params.str('UserData') === undefined ? undefined : validUserData(params.str('UserData'));
  if (userData !== undefined && rec.status !== 'Stopped') throw EcsErrors.incorrectStatus(rec.status, ['Stopped']);
  const groups = securityGroups(env, rec);
  const protection = params.str('DeletionProtection') === undefined ? undefined : params.bool('DeletionProtection');
  const credit = params.str('CreditSpecification');
  if (credit !== undefined && credit !== 'Standard' && credit !== 'Unlimited') throw EcsErrors.invalidParameter('CreditSpecification');
  params.bool('Recyclable');
  params.bool('EnableJumboFrame');
  params.bool('EnableNetworkEncryption');
  if (name !== undefined) rec.instanceName = name;
  if (desc !== undefined) rec.description = desc;
  if (hostName !== undefined) rec.hostName = hostName;
  if (password) rec.hasPassword = true;
  if (userData !== undefined) rec.userData = userData;
  if (groups !== undefined) rec.securityGroupIds = groups;
  if (protection !== undefined) rec.deletionProtection = protection;
  if (credit !== undefined) rec.creditSpecification = credit;
  return { body: {}, mutated: true };
}
