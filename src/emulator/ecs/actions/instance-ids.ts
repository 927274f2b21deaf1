/**
 * The `InstanceId.N` list of the batch actions (1 to 100 IDs) and the region
 * they act in.
 */
import { requireRegion } from '../catalog/index.js';
import { EcsErrors } from '../errors.js';
import type { Params } from '../params.js';

/** Most IDs one call may name. */
export const MAX_INSTANCE_IDS = 100;

/** The validated RegionId of a call. */
export function regionParam(params: Params): string {
  const regionId = params.required('RegionId');
  requireRegion(regionId);
  return regionId;
}

/** Distinct `InstanceId.N` values in order; MissingParameter if none, 403 TooManyInstanceIds above 100. */
export function instanceIdList(params: Params): string[] {
  const ids = [...new Set(params.list('InstanceId'))];
  if (ids.length === 0) throw EcsErrors.missingParameter('InstanceId.1');
  if (ids.length > MAX_INSTANCE_IDS) throw EcsErrors.tooManyInstanceIds();
  return ids;
}
