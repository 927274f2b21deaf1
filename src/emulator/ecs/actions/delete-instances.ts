/**
 * DeleteInstances: releases instances, which must be Stopped unless Force=true.
 */
import { EcsErrors } from '../errors.js';
import type { ActionEnv, ActionResult } from './context.js';
import { releaseInstanceDisks } from './disks.js';
import { instanceIdList, regionParam } from './instance-ids.js';

/** DeleteInstances: all or nothing; answers `{}`. */
export function deleteInstances(env: ActionEnv): ActionResult {
  const { params, store, account, now } = env;
  const regionId = regionParam(params);
  const ids = instanceIdList(params);
  const force = params.bool('Force');
  params.bool('ForceStop', true);
  params.bool('TerminateSubscription');
  const dryRun = params.bool('DryRun');
  const recs = ids.map((id) => store.find(account, regionId, id, now));
  if (recs.some((r) => r === undefined)) throw EcsErrors.instanceNotFound();
  for (const rec of recs) {
    if (rec!.deletionProtection) throw EcsErrors.deletionProtected();
    if (!force && rec!.status !== 'Stopped') throw EcsErrors.incorrectStatus(rec!.status, ['Stopped']);
  }
  if (dryRun) throw EcsErrors.dryRunOperation();
  releaseInstanceDisks(env, new Set(ids));
  store.remove(account, new Set(ids));
  return { body: {}, mutated: true };
}
