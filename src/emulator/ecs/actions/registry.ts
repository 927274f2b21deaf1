/**
 * The actions the emulator keeps state for, by ECS action name. Every other action of the spec answers
 * synthetically (../synthetic.ts).
 */
import { describeAvailableResource } from './available-resource.js';
import { runCommand, stopInvocation } from './cloud-assistant.js';
import type { ActionHandler } from './context.js';
import { deleteInstances } from './delete-instances.js';
import { describeInstanceStatus, describeInstances } from './describe-instances.js';
import { describeImages } from './images.js';
import { describeInvocationResults, describeInvocations } from './invocation-describe.js';
import { describeInstanceTypes } from './instance-types.js';
import { describePrice } from './prices.js';
import { attachKeyPair, createKeyPair, deleteKeyPairs, describeKeyPairs, detachKeyPair, importKeyPair } from './key-pairs.js';
import { modifyInstanceAttribute } from './modify-instance.js';
import { rebootInstances, startInstances, stopInstances } from './power.js';
import { describeRegions, describeZones } from './regions.js';
import { createSecurityGroup, deleteSecurityGroup, describeSecurityGroupAttribute, describeSecurityGroups } from './security-groups.js';
import { authorizeSecurityGroup, authorizeSecurityGroupEgress, revokeSecurityGroup, revokeSecurityGroupEgress } from './sg-rules.js';
import { runInstances } from './run-instances.js';
import { createImage, deleteImage } from './custom-images.js';
import { attachDisk, createDisk, deleteDisk, describeDisks, detachDisk, resizeDisk } from './disks.js';
import { modifyInstanceSpec, replaceSystemDisk } from './instance-disks.js';
import { createSnapshot, deleteSnapshot, describeSnapshots } from './snapshots.js';
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
  RunCommand: runCommand,
  DescribeInvocations: describeInvocations,
  DescribeInvocationResults: describeInvocationResults,
  StopInvocation: stopInvocation,
  DescribePrice: describePrice,
  DescribeAvailableResource: describeAvailableResource,
  CreateDisk: createDisk,
  DescribeDisks: describeDisks,
  DeleteDisk: deleteDisk,
  AttachDisk: attachDisk,
  DetachDisk: detachDisk,
  ResizeDisk: resizeDisk,
  CreateSnapshot: createSnapshot,
  DescribeSnapshots: describeSnapshots,
  DeleteSnapshot: deleteSnapshot,
  CreateImage: createImage,
  DeleteImage: deleteImage,
  ReplaceSystemDisk: replaceSystemDisk,
  ModifyInstanceSpec: modifyInstanceSpec,
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
