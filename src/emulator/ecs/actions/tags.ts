/**
 * TagResources, UntagResources and ListTagResources over every kind of tag-kinds.ts, and the tag checks shared
 * with the actions that take `Tag.N` at creation.
 * - Keys: 1-128 characters, not starting with `aliyun` or `acs:`, no `http://` or `https://` →
 *   InvalidTagKey.Malformed; values: up to 128 characters, no `http://`/`https://`, not starting with `acs:` →
 *   InvalidTagValue.Malformed.
 * - At most 20 tags per resource (TagResources overwrites a key's value; counting the tags it keeps and adds)
 *   → InvalidTagCount, and nothing changes.
 * - 1-50 ResourceId.N, all of the caller's in the region → InvalidResourceId.NotFound otherwise; an unknown
 *   ResourceType → InvalidResourceType.NotFound.
 * - ListTagResources pages 50 tags at a time with NextToken.
 */
import type { TagRecord } from '../model.js';
import { NetErrors } from '../net-errors.js';
import type { Params, TagParam } from '../params.js';
import { EcsErrors } from '../errors.js';
import { read, type ActionEnv, type ActionResult } from './context.js';
import { regionParam } from './instance-ids.js';
import { pageByToken } from './paging.js';
import { TAGGABLE, type Taggable } from './tag-kinds.js';

/** Most tags on one resource. */
export const MAX_TAGS = 20;

function checkTag(t: TagParam): TagRecord {
  if (t.key === '' || t.key.length > 128 || /^(aliyun|acs:)/i.test(t.key) || /https?:\/\//.test(t.key)) throw NetErrors.tagKeyMalformed();
  if (t.value.length > 128 || /https?:\/\//.test(t.value) || /^acs:/i.test(t.value)) throw NetErrors.tagValueMalformed();
  return { key: t.key, value: t.value };
}

/** Validated `Tag.N` tags (at most 20, last value of a repeated key wins). */
export function tagParams(params: Params, prefix: string): TagRecord[] {
  const byKey = new Map<string, TagRecord>();
  for (const t of params.tags(prefix, MAX_TAGS)) byKey.set(t.key, checkTag(t));
  return [...byKey.values()];
}

/** Whether `tags` has every filter tag (an empty filter key or value matches any). */
export function tagsMatch(filter: readonly TagParam[], tags: readonly TagRecord[]): boolean {
  return filter.every((f) => tags.some((t) => (f.key === '' || t.key === f.key) && (f.value === '' || t.value === f.value)));
}

function resourceType(params: Params): string {
  const type = params.required('ResourceType').toLowerCase();
  if (!Object.hasOwn(TAGGABLE, type)) throw NetErrors.resourceTypeNotFound();
  return type;
}

/** The named resources (1-50, de-duplicated), each of the caller's, or InvalidResourceId.NotFound. */
function namedResources(env: ActionEnv, regionId: string, type: string): Taggable[] {
  const ids = [...new Set(env.params.list('ResourceId'))];
  if (ids.length === 0) throw EcsErrors.missingParameter('ResourceId');
  if (ids.length > 50) throw EcsErrors.invalidParameter('ResourceId');
  const all = TAGGABLE[type]!(env.store, env.account, regionId, env.now);
  return ids.map((id) => {
    const found = all.find((r) => r.id === id);
    if (!found) throw NetErrors.resourceNotFound();
    return found;
  });
}

/** TagResources: adds or overwrites tags on 1-50 resources of one type. */
export function tagResources(env: ActionEnv): ActionResult {
  const regionId = regionParam(env.params);
  const type = resourceType(env.params);
  const tags = tagParams(env.params, 'Tag');
  if (tags.length === 0) throw EcsErrors.missingParameter('Tag');
  const targets = namedResources(env, regionId, type);
  const merged = targets.map((r) => {
    const next = r.tags.filter((t) => !tags.some((n) => n.key === t.key)).concat(tags.map((t) => ({ ...t })));
    if (next.length > MAX_TAGS) throw NetErrors.tagCount();
    return next;
  });
  targets.forEach((r, i) => r.tags.splice(0, r.tags.length, ...merged[i]!));
  return { body: {}, mutated: true };
}

/** UntagResources: removes the TagKey.N tags (up to 20), or every tag with All=true and no TagKey.N. */
export function untagResources(env: ActionEnv): ActionResult {
  const regionId = regionParam(env.params);
  const type = resourceType(env.params);
  const keys = env.params.list('TagKey');
  if (keys.length > MAX_TAGS) throw EcsErrors.invalidParameter('TagKey');
  const all = env.params.bool('All');
  const targets = namedResources(env, regionId, type);
  const drop = (t: TagRecord) => (keys.length > 0 ? keys.includes(t.key) : all);
  let changed = false;
  for (const r of targets) {
    const kept = r.tags.filter((t) => !drop(t));
    if (kept.length !== r.tags.length) changed = true;
    r.tags.splice(0, r.tags.length, ...kept);
  }
  return { body: {}, mutated: changed };
}

/** TagFilter.N: a key and, optionally, the values it may have. */
function tagFilters(params: Params): Array<{ key: string; values: string[] }> {
  const indexes = [...new Set(params.indexed(/^TagFilter\.(\d+)\./).map(([n]) => n))];
  if (indexes.length > 5) throw EcsErrors.invalidParameter('TagFilter');
  return indexes.map((n) => ({ key: params.required(`TagFilter.${n}.TagKey`), values: params.list(`TagFilter.${n}.TagValues`) }));
}

/** ListTagResources: one row per resource and tag, filtered by ResourceId.N, Tag.N and TagFilter.N. */
export function listTagResources(env: ActionEnv): ActionResult {
  const { params, account } = env;
  const regionId = regionParam(params);
  const type = resourceType(params);
  const ids = params.list('ResourceId');
  if (ids.length > 50) throw EcsErrors.invalidParameter('ResourceId');
  const filter = params.tags('Tag', 20);
  const filters = tagFilters(params);
  const resources = TAGGABLE[type]!(env.store, account, regionId, env.now).filter(
    (r) =>
      (ids.length === 0 || ids.includes(r.id)) &&
      tagsMatch(filter, r.tags) &&
      filters.every((f) => r.tags.some((t) => t.key === f.key && (f.values.length === 0 || f.values.includes(t.value)))),
  );
  const rows = resources.flatMap((r) =>
    r.tags.map((t) => ({ ResourceId: r.id, ResourceType: type, TagKey: t.key, TagValue: t.value })),
  );
  const page = pageByToken(rows, params, `ListTagResources|${account}|${regionId}|${type}`, { defaultSize: 50, maxSize: 50 });
  return read({ TagResources: { TagResource: page.items }, NextToken: page.nextToken });
}
