/**
 * StartInstances, StopInstances and RebootInstances, with BatchOptimization
 * AllTogether (one bad instance fails the call, nothing changes) or
 * SuccessFirst (each instance answers for itself).
 */
import { EcsErrors, incorrectStatusMessage } from '../errors.js';
import { begin, REQUIRED_STATUS, type PowerOperation } from '../lifecycle.js';
import type { InstanceRecord } from '../model.js';
import type { ActionEnv, ActionHandler, ActionResult } from './context.js';
import { instanceIdList, regionParam } from './instance-ids.js';

type Found = { id: string; rec: InstanceRecord | undefined };

function success(rec: InstanceRecord, previous: string): Record<string, unknown> {
  return { Code: '200', Message: 'success', InstanceId: rec.instanceId, PreviousStatus: previous, CurrentStatus: rec.status };
}

function failure(id: string, code: string, message: string, status: string): Record<string, unknown> {
  return { Code: code, Message: message, InstanceId: id, PreviousStatus: status, CurrentStatus: status };
}

/** Moves one instance onto the operation's path and answers for it. */
function apply(env: ActionEnv, op: PowerOperation, rec: InstanceRecord): Record<string, unknown> {
  const previous = rec.status;
  if (op === 'stop') rec.stoppedMode = env.params.str('StoppedMode') === 'StopCharging' ? 'StopCharging' : 'KeepCharging';
  begin(rec, op, env.now, env.transitionMs);
  return success(rec, previous);
}

function allTogether(env: ActionEnv, op: PowerOperation, found: Found[], dryRun: boolean): Record<string, unknown>[] {
  const expected = REQUIRED_STATUS[op];
  if (found.some((f) => f.rec === undefined)) throw EcsErrors.instanceNotFound();
  const recs = found.map((f) => f.rec!);
  const bad = recs.find((r) => r.status !== expected);
  if (bad) throw EcsErrors.incorrectStatus(bad.status, [expected]);
  if (dryRun) throw EcsErrors.dryRunSuccess();
  return recs.map((r) => apply(env, op, r));
}

function successFirst(env: ActionEnv, op: PowerOperation, found: Found[]): Record<string, unknown>[] {
  const expected = REQUIRED_STATUS[op];
  return found.map(({ id, rec }) => {
    if (!rec) return failure(id, 'InvalidInstanceId.NotFound', 'The specified InstanceId does not exist.', '');
    if (rec.status !== expected) {
      return failure(id, 'IncorrectInstanceStatus', incorrectStatusMessage(rec.status, [expected]), rec.status);
    }
    return apply(env, op, rec);
  });
}

function powerAction(op: PowerOperation): ActionHandler {
  return (env: ActionEnv): ActionResult => {
    const { params, store, account, now } = env;
    const regionId = regionParam(params);
    const ids = instanceIdList(params);
    const mode = params.oneOf('BatchOptimization', ['AllTogether', 'SuccessFirst'] as const, 'AllTogether');
    const dryRun = params.bool('DryRun');
    params.bool(op === 'reboot' ? 'ForceReboot' : 'ForceStop');
    if (op === 'stop') params.oneOf('StoppedMode', ['KeepCharging', 'StopCharging', 'Not-applicable'], 'KeepCharging');
    const found = ids.map((id) => ({ id, rec: store.find(account, regionId, id, now) }));
    if (dryRun && mode === 'SuccessFirst') throw EcsErrors.dryRunSuccess();
    const answers = mode === 'AllTogether' ? allTogether(env, op, found, dryRun) : successFirst(env, op, found);
    return {
      body: { InstanceResponses: { InstanceResponse: answers } },
      mutated: answers.some((a) => a.Code === '200'),
    };
  };
}

/** StartInstances: Stopped -> Starting -> Running. */
export const startInstances = powerAction('start');
/** StopInstances: Running -> Stopping -> Stopped. */
export const stopInstances = powerAction('stop');
/** RebootInstances: Running -> Stopping -> Starting -> Running. */
export const rebootInstances = powerAction('reboot');
