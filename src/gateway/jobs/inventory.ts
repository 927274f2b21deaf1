/**
 * Inventory across regions (`GET /api/inventory/{kind}`): the regions to list (DescribeRegions, or the
 * caller's list), then every page of the kind's Describe* action in each region, with at most
 * `concurrency` regions in flight, then counts by one key. One region's failure is reported with its code
 * and never fails the others; only when no region answers does the whole inventory fail.
 *
 * This module knows nothing of HTTP: the route (routes/inventory.ts) gives it one function that pages one
 * region fully (through the shared pager and its per-account, per-action limiter) and one that lists the
 * account's regions, both already authorized and credentialed.
 */
import { ErrorCode, GatewayError } from '../errors.js';

/** The kinds of resource an inventory lists. */
export const INVENTORY_KINDS = ['instances', 'disks', 'snapshots', 'security-groups'] as const;
export type InventoryKind = (typeof INVENTORY_KINDS)[number];

/** The keys an inventory can count by (`tag:<key>` besides). */
export const GROUP_BYS = ['region', 'status', 'instanceType', 'zoneId', 'vpcId'] as const;
export type GroupByKey = (typeof GROUP_BYS)[number];

/** The group of an item that lacks the key counted by (no such tag, no VPC). */
export const NO_VALUE = '(none)';

/** An ECS list item, as ECS returned it (plus RegionId where ECS leaves it out). */
export type Item = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const at = (item: Item, ...path: string[]): unknown => path.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), item);

/** The tags of an item, `Tags.Tag[]` of `{TagKey, TagValue}` (ECS's shape in every list answer). */
export function tagsOf(item: Item): Array<{ key: string; value: string }> {
  const list = at(item, 'Tags', 'Tag');
  if (!Array.isArray(list)) return [];
  return list.flatMap((t) => {
    const key = str((t as Item | null)?.TagKey);
    return key === undefined ? [] : [{ key, value: typeof (t as Item).TagValue === 'string' ? (t as Item).TagValue as string : '' }];
  });
}

/** One kind: its action, where its items are in the answer, what it can be counted by, and its CSV columns. */
export interface KindSpec {
  action: string;
  /** The keys this kind can be counted by (`region` and `tag:<key>` are always possible). */
  groupBys: readonly GroupByKey[];
  /** The value of each key of `groupBys` (besides region) for one item. */
  value: Partial<Record<GroupByKey, (item: Item) => string | undefined>>;
  /** CSV columns: header and value. */
  columns: ReadonlyArray<readonly [string, (item: Item) => unknown]>;
}

const tagsText = (item: Item) => tagsOf(item).map((t) => `${t.key}=${t.value}`).join(';');
const col = (name: string, ...path: string[]) => [name, (item: Item) => at(item, ...(path.length > 0 ? path : [name]))] as const;
const firstOf = (...path: string[]) => (item: Item) => {
  const list = at(item, ...path);
  return Array.isArray(list) ? list.join(';') : '';
};

/** The four kinds. */
export const KINDS: Readonly<Record<InventoryKind, KindSpec>> = {
  instances: {
    action: 'DescribeInstances',
    groupBys: ['region', 'status', 'instanceType', 'zoneId', 'vpcId'],
    value: {
      status: (i) => str(i.Status),
      instanceType: (i) => str(i.InstanceType),
      zoneId: (i) => str(i.ZoneId),
      vpcId: (i) => str(at(i, 'VpcAttributes', 'VpcId')),
    },
    columns: [
      col('RegionId'), col('ZoneId'), col('InstanceId'), col('InstanceName'), col('Status'), col('InstanceType'),
      col('VpcId', 'VpcAttributes', 'VpcId'), ['PrivateIpAddress', firstOf('VpcAttributes', 'PrivateIpAddress', 'IpAddress')],
      ['PublicIpAddress', firstOf('PublicIpAddress', 'IpAddress')], col('CreationTime'), ['Tags', tagsText],
    ],
  },
  disks: {
    action: 'DescribeDisks',
    groupBys: ['region', 'status', 'zoneId'],
    value: { status: (d) => str(d.Status), zoneId: (d) => str(d.ZoneId) },
    columns: [
      col('RegionId'), col('ZoneId'), col('DiskId'), col('DiskName'), col('Status'), col('Type'), col('Category'),
      col('Size'), col('InstanceId'), col('CreationTime'), ['Tags', tagsText],
    ],
  },
  snapshots: {
    action: 'DescribeSnapshots',
    groupBys: ['region', 'status'],
    value: { status: (s) => str(s.Status) },
    columns: [
      col('RegionId'), col('SnapshotId'), col('SnapshotName'), col('Status'), col('SourceDiskId'), col('SourceDiskSize'),
      col('Progress'), col('CreationTime'), ['Tags', tagsText],
    ],
  },
  'security-groups': {
    action: 'DescribeSecurityGroups',
    groupBys: ['region', 'vpcId'],
    value: { vpcId: (g) => str(g.VpcId) },
    columns: [
      col('RegionId'), col('SecurityGroupId'), col('SecurityGroupName'), col('SecurityGroupType'), col('VpcId'),
      col('Description'), col('CreationTime'), ['Tags', tagsText],
    ],
  },
};

/** A parsed `groupBy`: one of GROUP_BYS, or a tag key. */
export type GroupBy = { key: GroupByKey } | { tag: string };

/** The text of a GroupBy, as the answer echoes it. */
export const groupByText = (g: GroupBy): string => ('tag' in g ? `tag:${g.tag}` : g.key);

/** Parses `groupBy` for `kind`; a message when it is not one this kind can be counted by. */
export function parseGroupBy(kind: InventoryKind, raw: string): GroupBy | { problem: string } {
  const allowed = [...KINDS[kind].groupBys, 'tag:<key>'].join(', ');
  if (raw.startsWith('tag:')) {
    const tag = raw.slice(4);
    if (tag === '' || tag.length > 128) return { problem: 'tag:<key> needs a tag key of 1 to 128 characters' };
    return { tag };
  }
  if ((GROUP_BYS as readonly string[]).includes(raw) && KINDS[kind].groupBys.includes(raw as GroupByKey)) return { key: raw as GroupByKey };
  return { problem: `${kind} can be counted by ${allowed}, not "${raw}"` };
}

/** The group of one item. */
function groupOf(spec: KindSpec, groupBy: GroupBy, regionId: string, item: Item): string {
  if ('tag' in groupBy) return tagsOf(item).find((t) => t.key === groupBy.tag)?.value ?? NO_VALUE;
  if (groupBy.key === 'region') return regionId;
  return spec.value[groupBy.key]?.(item) ?? NO_VALUE;
}

/** A region that did not answer, with the code the caller would have got from it. */
export interface RegionFailure {
  regionId: string;
  code: string;
  message: string;
}

/** A failure as kept internally: with the HTTP status the region's error had. */
interface KeptFailure extends RegionFailure {
  status: number;
}

/** The JSON answer but its `items`, which the route appends (see README, "Inventory across regions"). */
export interface InventoryResult {
  kind: InventoryKind;
  total: number;
  groupBy: string;
  groups: Record<string, number>;
  regions: { ok: string[]; failed: RegionFailure[] };
}

/** What an inventory needs from its caller. */
export interface InventoryDeps {
  /** The account's region ids (DescribeRegions), for `regions=all`. May throw: then the inventory fails with it. */
  listRegions: () => Promise<string[]>;
  /**
   * Every item of the kind's action in `regionId`, all pages. Throws a GatewayError (ECS's code, or
   * REGION_FORBIDDEN / ACTION_FORBIDDEN from the access policy) when the region cannot be listed.
   */
  pageRegion: (regionId: string) => Promise<Item[]>;
  /** Regions in flight at once (GATEWAY_FANOUT_CONCURRENCY). */
  concurrency: number;
  /**
   * Told of each region's items (RegionId filled in) as soon as the region is listed, while other regions are
   * still being listed: the route encodes them there, off the answer's critical path.
   */
  onRegion?: ((regionId: string, items: readonly Item[]) => void) | undefined;
  /** Told when the caller went away: no region not yet started is started. */
  signal?: AbortSignal | undefined;
  /**
   * Whether the answer needs every item (the CSV rows); default true. False: each region's items are counted as
   * the region is listed and let go (after `onRegion`), so a large inventory does not hold them to the end.
   */
  keepItems?: boolean | undefined;
}

/** What to list and how to count it. */
export interface InventoryQuery {
  kind: InventoryKind;
  /** Explicit region ids; undefined: every region of the account. */
  regions?: readonly string[] | undefined;
  groupBy: GroupBy;
}

/** Runs `task` over `inputs` with at most `limit` at once, keeping input order in the results. */
async function mapBounded<T, R>(inputs: readonly T[], limit: number, task: (input: T) => Promise<R>, signal?: AbortSignal): Promise<R[]> {
  const results = new Array<R>(inputs.length);
  let next = 0;
  const worker = async () => {
    while (next < inputs.length && !signal?.aborted) {
      const i = next++;
      results[i] = await task(inputs[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, inputs.length)) }, worker));
  return results;
}

/** The failure of a region as the answer reports it: the gateway's or ECS's code and message. */
function failureOf(regionId: string, err: unknown): KeptFailure {
  if (err instanceof GatewayError) return { regionId, code: err.code, message: err.message, status: err.statusCode };
  return { regionId, code: ErrorCode.internal, message: 'Internal error', status: 500 };
}

/**
 * Lists every region, all pages, and counts. Resolves with the answer when at least one region answered;
 * rejects when none did (see `noRegionAnswered`), or when the region list itself could not be had.
 */
export async function runInventory(query: InventoryQuery, deps: InventoryDeps): Promise<{ result: InventoryResult; items: Item[] }> {
  const spec = KINDS[query.kind];
  const keepItems = deps.keepItems ?? true;
  const regionIds = query.regions ? [...query.regions] : await deps.listRegions();
  // A region's counts by group, in the order its items first name them; merged in region order below, so the
  // answer's groups come in the same order whatever order the regions finish in.
  type Listed = { regionId: string; total: number; groups: Map<string, number>; items: Item[] | undefined };
  type Outcome = Listed | { regionId: string; failure: KeptFailure };
  const outcomes = await mapBounded<string, Outcome>(regionIds, deps.concurrency, async (regionId) => {
    try {
      const items = (await deps.pageRegion(regionId)).map((raw) => (typeof raw.RegionId === 'string' ? raw : { RegionId: regionId, ...raw }));
      deps.onRegion?.(regionId, items);
      const groups = new Map<string, number>();
      for (const item of items) {
        const group = groupOf(spec, query.groupBy, regionId, item);
        groups.set(group, (groups.get(group) ?? 0) + 1);
      }
      return { regionId, total: items.length, groups, items: keepItems ? items : undefined };
    } catch (err) {
      // The same refusal for every region (the key may not call this action at all): the inventory's own answer.
      if (err instanceof GatewayError && err.code === ErrorCode.actionForbidden) throw err;
      return { regionId, failure: failureOf(regionId, err) };
    }
  }, deps.signal);
  if (deps.signal?.aborted) throw new GatewayError(499, ErrorCode.clientClosedRequest, 'The client closed the request');

  const groups: Record<string, number> = {};
  const ok: string[] = [];
  const failed: KeptFailure[] = [];
  const items: Item[] = [];
  let total = 0;
  for (const outcome of outcomes) {
    if ('failure' in outcome) {
      failed.push(outcome.failure);
      continue;
    }
    ok.push(outcome.regionId);
    if ('key' in query.groupBy && query.groupBy.key === 'region') groups[outcome.regionId] = 0;
    for (const [group, count] of outcome.groups) groups[group] = (groups[group] ?? 0) + count;
    total += outcome.total;
    if (outcome.items) for (const item of outcome.items) items.push(item);
  }
  if (ok.length === 0) throw noRegionAnswered(query.kind, failed);
  const result: InventoryResult = {
    kind: query.kind, total, groupBy: groupByText(query.groupBy), groups, regions: { ok, failed: failed.map(publicFailure) },
  };
  return { result, items };
}

/**
 * No region answered. When every region failed with the same code (all REGION_FORBIDDEN, all
 * Forbidden.RAM, all InvalidAccessKeyId…), that error is the answer, with its status; when they failed in
 * different ways, 502 INVENTORY_FAILED. Either way `failed` lists every region's failure.
 */
export function noRegionAnswered(kind: InventoryKind, failed: readonly KeptFailure[]): GatewayError {
  if (failed.length === 0) {
    return new GatewayError(400, ErrorCode.validation, 'No regions to list', {
      details: [{ location: 'querystring', field: 'regions', message: 'names no region' }],
    });
  }
  const codes = new Set(failed.map((f) => f.code));
  const message = `No region answered the ${kind} inventory (${failed.length} failed)`;
  const first = failed[0]!;
  if (codes.size === 1) {
    return new GatewayError(first.status, first.code, `${message}: ${first.message}`, { failed: failed.map(publicFailure) });
  }
  return new GatewayError(502, ErrorCode.inventoryFailed, message, { failed: failed.map(publicFailure) });
}

const publicFailure = ({ regionId, code, message }: KeptFailure): RegionFailure => ({ regionId, code, message });
