/**
 * The actions the emulator keeps state for, by ECS action name. Every other action of the spec answers
 * synthetically (../synthetic.ts).
 */
import type { ActionHandler } from './context.js';
import { deleteInstances } from './delete-instances.js';
import { describeInstanceStatus, describeInstances } from './describe-instances.js';
import { describeImages } from './images.js';
import { describeInstanceTypes } from './instance-types.js';
import { attachKeyPair, createKeyPair, deleteKeyPairs, describeKeyPairs, detachKeyPair, importKeyPair } from './key-pairs.js';
import { modifyInstanceAttribute } from './modify-instance.js';
import { rebootInstances, startInstances, stopInstances } from './power.js';
import { describeRegions, describeZones } from './regions.js';
import { createSecurityGroup, deleteSecurityGroup, describeSecurityGroupAttribute, describeSecurityGroups } from './security-groups.js';
import { authorizeSecurityGroup, authorizeSecurityGroupEgress, revokeSecurityGroup, revokeSecurityGroupEgress } from './sg-rules.js';
import { runInstances } from './run-instances.js';
import { deleteInstance, rebootInstance, startInstance, stopInstance } from './single-instance.js';
import { listTagResources, tagResources, untagResources } from './tags.js';
import { describeVSwitches, describeVpcs } from './vpcs.js';

/** Handlers by action name. */
export const HANDLERS: Readonly<Record<string, ActionHandler>> = {
  DescribeRegions: describeRegions,
  DescribeZones: describeZones,
  DescribeImages: describeImages,
  DescribeInstanceTypes: describeInstanceTypes,
  DescribeInstances: describeInstances,
  DescribeInstanceStatus: describeInstanceStatus,
  RunInstances: runInstances,
  StartInstances: startInstances,
  StopInstances: stopInstances,
  RebootInstances: rebootInstances,
  DeleteInstances: deleteInstances,
  StartInstance: startInstance,
  StopInstance: stopInstance,
  RebootInstance: rebootInstance,
  DeleteInstance: deleteInstance,
  // networking, access and tags (issue 9)
  DescribeVpcs: describeVpcs,
  DescribeVSwitches: describeVSwitches,
  CreateSecurityGroup: createSecurityGroup,
  DescribeSecurityGroups: describeSecurityGroups,
  DescribeSecurityGroupAttribute: describeSecurityGroupAttribute,
  DeleteSecurityGroup: deleteSecurityGroup,
  AuthorizeSecurityGroup: authorizeSecurityGroup,
  AuthorizeSecurityGroupEgress: authorizeSecurityGroupEgress,
  RevokeSecurityGroup: revokeSecurityGroup,
  RevokeSecurityGroupEgress: revokeSecurityGroupEgress,
  CreateKeyPair: createKeyPair,
  ImportKeyPair: importKeyPair,
  DescribeKeyPairs: describeKeyPairs,
  DeleteKeyPairs: deleteKeyPairs,
  AttachKeyPair: attachKeyPair,
  DetachKeyPair: detachKeyPair,
  TagResources: tagResources,
  UntagResources: untagResources,
  ListTagResources: listTagResources,
  ModifyInstanceAttribute: modifyInstanceAttribute,
};
