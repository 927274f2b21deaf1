/**
 * The singular instance actions the old `aliyun-sdk` (and scripts written for it) still call:
 * StartInstance, StopInstance, RebootInstance and DeleteInstance. One `InstanceId`, no RegionId of its own
 * (the instance is found in whichever region the caller holds it; a RegionId, when sent, must match), and an
 * empty answer `{RequestId}`. Same state machine and errors as the batch actions:
 * - InvalidInstanceId.NotFound (404) for an instance the caller does not hold;
 * - IncorrectInstanceStatus (403) when the instance is not in the status the operation needs
 *   (Start: Stopped; Stop and Reboot: Running; Delete: Stopped, or any status with Force=true);
 * - InvalidOperation.DeletionProtection (403) for DeleteInstance on a protected instance, Force or not;
 * - DryRunOperation (400) for DryRun=true once every check has passed; nothing changes.
 * ForceStop, ConfirmStop, Hibernate, InitLocalDisk and TerminateSubscription are accepted (type-checked by the
 * spec) and do not change the emulated outcome; StoppedMode is recorded like StopInstances does.
 */
import { requireRegion } from '../catalog/index.js';
import { EcsErrors } from '../errors.js';
import { begin, REQUIRED_STATUS, type PowerOperation } from '../lifecycle.js';
import type { InstanceRecord } from '../model.js';
import type { ActionEnv, ActionHandler, ActionResult } from './context.js';
import { releaseInstanceDisks } from './disks.js';

/**
 * The instance named by `InstanceId`, found in whichever region the caller holds it (a RegionId, when sent, must
 * be a region and is where it is looked up), or InvalidInstanceId.NotFound.
 */
export function theInstance(env: ActionEnv): InstanceRecord {
  const { params, store, account, now } = env;
  const id = params.required('InstanceId');
  const regionId = params.str('RegionId');
  if (regionId !== undefined) requireRegion(regionId);
  const rec = regionId !== undefined ? store.find(account, regionId, id, now) : store.findInAnyRegion(account, id, now);
  if (!rec) throw EcsErrors.instanceNotFound();
  return rec;
}

function powerAction(op: PowerOperation): ActionHandler {
  return (env: ActionEnv): ActionResult => {
    const { params } = env;
    const dryRun = params.bool('DryRun');
    const stoppedMode = op === 'stop' ? params.oneOf('StoppedMode', ['KeepCharging', 'StopCharging', 'Not-applicable'], 'KeepCharging') : undefined;
    const rec = theInstance(env);
    const expected = REQUIRED_STATUS[op];
    if (rec.status !== expected) throw EcsErrors.incorrectStatus(rec.status, [expected]);
    if (dryRun) throw EcsErrors.dryRunOperation();
    if (stoppedMode !== undefined) rec.stoppedMode = stoppedMode === 'StopCharging' ? 'StopCharging' : 'KeepCharging';
    begin(rec, op, env.now, env.transitionMs);
    return { body: {}, mutated: true };
  };
}

/** StartInstance: Stopped -> Starting -> Running. */
export const startInstance = powerAction('start');
/** StopInstance: Running -> Stopping -> Stopped. */
export const stopInstance = powerAction('stop');
/** RebootInstance: Running -> Stopping -> Starting -> Running. */
export const rebootInstance = powerAction('reboot');

/** DeleteInstance: releases one instance, which must be Stopped unless Force=true. */
export function deleteInstance(env: ActionEnv): ActionResult {
  const { params, store, account } = env;
  const force = params.bool('Force');
  const dryRun = params.bool('DryRun');
  const rec = theInstance(env);
  if (rec.deletionProtection) throw EcsErrors.deletionProtected();
  if (!force && rec.status !== 'Stopped') throw EcsErrors.incorrectStatus(rec.status, ['Stopped']);
  if (dryRun) throw EcsErrors.dryRunOperation();
  releaseInstanceDisks(env, new Set([rec.instanceId]));
  store.remove(account, new Set([rec.instanceId]));
  return { body: {}, mutated: true };
}
