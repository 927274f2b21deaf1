/**
 * DescribeInstances and DescribeInstanceStatus.
 */
import { EcsErrors } from '../errors.js';
import { renderInstance } from '../render.js';
import { read, type ActionEnv, type ActionResult } from './context.js';
import { MAX_INSTANCE_IDS, regionParam } from './instance-ids.js';
import { instanceFilter } from './instance-filters.js';
import { pageByNumber, pageByToken } from './paging.js';

/**
 * DescribeInstances: filters, and PageNumber/PageSize (default 10, max 100) or,
 * when NextToken or MaxResults is given, NextToken/MaxResults (1-100).
 */
export function describeInstances(env: ActionEnv): ActionResult {
  const { params, store, account, now } = env;
  const regionId = regionParam(params);
  const matches = store.list(account, regionId, now).filter(instanceFilter(params));
  const tokenMode = params.str('NextToken') !== undefined || params.str('MaxResults') !== undefined;
  const limits = { defaultSize: 10, maxSize: 100 };
  const page = tokenMode
    ? pageByToken(matches, params, `DescribeInstances|${account}|${regionId}`, limits)
    : pageByNumber(matches, params, limits);
  if (params.bool('DryRun')) throw EcsErrors.dryRunOperation();
  return read({
    Instances: { Instance: page.items.map(renderInstance) },
    TotalCount: page.totalCount,
    PageNumber: page.pageNumber,
    PageSize: page.pageSize,
    NextToken: page.nextToken,
  });
}

/** DescribeInstanceStatus: `InstanceStatuses.InstanceStatus[]`, PageSize max 50. */
export function describeInstanceStatus(env: ActionEnv): ActionResult {
  const { params, store, account, now } = env;
  const regionId = regionParam(params);
  const ids = params.list('InstanceId');
  if (ids.length > MAX_INSTANCE_IDS) throw EcsErrors.tooManyInstanceIds();
  const zoneId = params.str('ZoneId');
  params.str('ClusterId');
  const matches = store
    .list(account, regionId, now)
    .filter((r) => (ids.length === 0 || ids.includes(r.instanceId)) && (zoneId === undefined || r.zoneId === zoneId));
  const page = pageByNumber(matches, params, { defaultSize: 10, maxSize: 50 });
  return read({
    InstanceStatuses: { InstanceStatus: page.items.map((r) => ({ InstanceId: r.instanceId, Status: r.status })) },
    TotalCount: page.totalCount,
    PageNumber: page.pageNumber,
    PageSize: page.pageSize,
  });
}
