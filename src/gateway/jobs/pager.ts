/**
 * The pager: every page of an ECS list action, as one job.
 *
 * ## API
 *
 * ```ts
 * import { pageAll, collectAll, pagingPlan, isPageable } from '../jobs/pager.js';
 *
 * // Stream pages (in order), e.g. for NDJSON or a per-region inventory:
 * for await (const page of pageAll({ action, params, call, maxItems: 500, limiter, accountId })) {
 *   page.items;        // this page's items (already cut at maxItems)
 *   page.result;       // the page's EcsResult (body, bodyText, headers)
 *   page.params;       // the exact wire params sent for this page
 *   page.requestId;    // the page's ECS RequestId, if any
 *   page.totalCount;   // ECS's TotalCount, when the answer has one
 * }
 * // Or collect them all:
 * const all = await collectAll({ action, params, call });
 * all.items; all.totalCount; all.requestIds; all.pages; all.truncated; all.last; all.first;
 * ```
 *
 * - `action`: the catalog Action (must be pageable: `isPageable(action)`, i.e. it has `list` and `paging`).
 * - `params`: the wire params of the first call (from `toWire`), without paging: the pager removes
 *   `NextToken`, `PageNumber`, `MaxResults` and `PageSize` and sets its own. A size the caller put there
 *   (`MaxResults`/`PageSize`, within the action's limit) is kept as the page size; else the largest the
 *   action allows (`pagingPlan`).
 * - `call(params)`: performs ONE ECS call with those wire params and resolves with its EcsResult (or rejects
 *   with the GatewayError). The pager adds nothing else (credentials, region, endpoint are the call's).
 * - `maxItems`: stop after that many items (the last page is cut; no further page is fetched). Default: no cap.
 * - `limiter` + `accountId`: every call runs in the FanoutLimiter lane (accountId, action): shared
 *   concurrency with every other job, throttling back-off and retry (see limiter.ts). `deadline` (a
 *   limiter-clock timestamp) bounds the back-off. Without a limiter, calls are made directly.
 * - `concurrency`: how many PageNumber pages may be fetched at once once TotalCount is known (default 8).
 *   Pages are still yielded in order; at most `concurrency` pages are in flight or buffered, and more are
 *   only started when the consumer asks for the next page (backpressure: a slow consumer stops fetching).
 * - `onThrottled`: told of each throttled attempt the limiter backs off from (attempt, delayMs, code).
 * - `signal`: aborting stops the job: no further upstream call is started (in-flight ones are left to
 *   finish and are ignored); the iterator then throws the signal's reason.
 * - `prefer`: `'nextToken'` (default: `NextToken`/`MaxResults` where the action has them, as the issue
 *   asks) or `'pageNumber'` (PageNumber/PageSize where the action has both styles: once TotalCount is
 *   known the remaining pages are fetched in parallel, which shortens the critical path).
 *
 * Modes: `nextToken` follows the answer's `NextToken` until it is empty (sequential by nature); a token
 * ECS repeats is a 502 UPSTREAM_BAD_RESPONSE (it would loop). `pageNumber` asks page 1, reads `TotalCount`
 * (and the answer's `PageSize`, in case ECS clamped it) and then fetches pages 2..N in parallel; without a
 * TotalCount it goes on page by page until a page comes back short.
 */
import type { Action } from '../ecs/catalog/types.js';
import type { EcsResult } from '../ecs/client.js';
import type { WireParams } from '../ecs/signer.js';
import { ErrorCode, GatewayError } from '../errors.js';
import type { FanoutLimiter, RunOptions } from './limiter.js';

/** Performs one ECS call with these wire params. */
export type CallPage = (params: WireParams) => Promise<EcsResult>;

export interface PageAllOptions {
  action: Action;
  params: WireParams;
  call: CallPage;
  maxItems?: number | undefined;
  concurrency?: number | undefined;
  limiter?: FanoutLimiter | undefined;
  accountId?: string | undefined;
  deadline?: number | undefined;
  signal?: AbortSignal | undefined;
  prefer?: 'nextToken' | 'pageNumber' | undefined;
  /** Told of every throttled attempt the limiter backs off from (for logs and metrics). */
  onThrottled?: RunOptions['onThrottled'];
}

/** One page as the pager yields it. */
export interface Page {
  /** 1-based, in order. */
  index: number;
  /** The exact wire params sent for this page. */
  params: WireParams;
  result: EcsResult;
  /** This page's items (cut at maxItems). */
  items: unknown[];
  requestId: string | undefined;
  /** ECS's TotalCount on this page, when it has one. */
  totalCount: number | undefined;
  /** The last page of the job (no more will be yielded). */
  last: boolean;
  /** The job stopped at maxItems on this page while ECS had more (items cut from it, or pages left). */
  truncated: boolean;
}

/** How an action is paged. */
export interface PagingPlan {
  mode: 'nextToken' | 'pageNumber';
  /** The size parameter sent (`MaxResults`/`PageSize`); undefined when the action takes none. */
  sizeParam: 'MaxResults' | 'PageSize' | undefined;
  /** The page size asked for. */
  pageSize: number | undefined;
}

/** The page size used when the catalog states no maximum (the smallest common ECS maximum: never refused). */
export const DEFAULT_PAGE_SIZE = 50;

/** The paging parameters the pager owns; dropped from the first call's params. */
export const PAGING_PARAMS: readonly string[] = ['NextToken', 'PageNumber', 'MaxResults', 'PageSize'];

/** Whether `all=true` applies: a read-only action with a response list and a paging style. */
export function isPageable(action: Action): boolean {
  return action.readOnly && action.list !== undefined && action.paging !== undefined
    && (action.paging.nextToken !== undefined || action.paging.pageNumber !== undefined);
}

const positiveInt = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
};

const nonNegativeInt = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
};

/**
 * The mode and page size for `action`: NextToken where it has it (unless `prefer: 'pageNumber'` and it has
 * both), the caller's size when given and allowed, else the largest the catalog states (else
 * DEFAULT_PAGE_SIZE), never more than `maxItems` (nor less than the parameter's documented minimum).
 */
export function pagingPlan(action: Action, params: WireParams = {}, options: { maxItems?: number | undefined; prefer?: 'nextToken' | 'pageNumber' | undefined } = {}): PagingPlan {
  const paging = action.paging;
  if (!paging || !isPageable(action)) throw new Error(`${action.name} has no paging`);
  const mode = paging.nextToken && !(options.prefer === 'pageNumber' && paging.pageNumber) ? 'nextToken' : 'pageNumber';
  const style = (mode === 'nextToken' ? paging.nextToken : paging.pageNumber)!;
  const sizeParam = style.sizeParam;
  if (!sizeParam) return { mode, sizeParam: undefined, pageSize: undefined };
  const other = mode === 'nextToken' ? paging.pageNumber : paging.nextToken;
  // A PageSize never borrows the MaxResults maximum: ECS caps the two apart (DescribeDisks: MaxResults ≤ 500,
  // PageSize ≤ 100) and refuses a PageSize over its own cap. The catalog states the PageSize caps it knows
  // (from the docs, or overrides.json `pageSizeMax`).
  const max = style.maxSize ?? (sizeParam === 'PageSize' ? undefined : other?.maxSize) ?? DEFAULT_PAGE_SIZE;
  const param = action.params.find((p) => p.name === sizeParam);
  const min = param && 'minimum' in param && typeof param.minimum === 'number' ? param.minimum : 1;
  const asked = positiveInt(params[sizeParam]) ?? positiveInt(params.MaxResults) ?? positiveInt(params.PageSize);
  let size = asked !== undefined && asked <= max ? asked : max;
  if (options.maxItems !== undefined && options.maxItems < size) size = Math.max(min, options.maxItems);
  return { mode, sizeParam, pageSize: size };
}

/** The list at `path` (dotted) of a body; [] when absent. */
export function listAt(body: Record<string, unknown>, path: string): unknown[] {
  let node: unknown = body;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null) return [];
    node = (node as Record<string, unknown>)[key];
  }
  return Array.isArray(node) ? node : [];
}

const requestIdOf = (result: EcsResult): string | undefined =>
  typeof result.body.RequestId === 'string' && result.body.RequestId !== '' ? result.body.RequestId : undefined;

function aborted(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

/**
 * Every page of `options.action`, in order, as an async iterator (see the module comment). Breaking out
 * of the loop (or `return()`) stops the job: no further page is fetched.
 */
export async function* pageAll(options: PageAllOptions): AsyncGenerator<Page, void, undefined> {
  const { action, call, limiter, signal } = options;
  const maxItems = options.maxItems ?? Number.POSITIVE_INFINITY;
  const plan = pagingPlan(action, options.params, { maxItems: Number.isFinite(maxItems) ? maxItems : undefined, prefer: options.prefer });
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.params)) if (!PAGING_PARAMS.includes(k)) base[k] = v;
  if (plan.sizeParam && plan.pageSize !== undefined) base[plan.sizeParam] = String(plan.pageSize);
  const listPath = action.list!;

  const fetch = (params: WireParams): Promise<EcsResult> => {
    if (signal?.aborted) return Promise.reject(aborted(signal));
    if (!limiter) return call(params);
    return limiter.run({ accountId: options.accountId ?? '', action: action.name }, () => {
      // A call that waited for a slot or a back-off is not started once the job was stopped.
      if (signal?.aborted) return Promise.reject(aborted(signal));
      return call(params);
    }, { deadline: options.deadline, signal, onThrottled: options.onThrottled });
  };

  let count = 0;
  let index = 0;
  /** Cuts `items` at maxItems and builds the page; `more`: ECS has pages after this one. */
  const page = (params: WireParams, result: EcsResult, last: boolean, more: boolean): Page => {
    const all = listAt(result.body, listPath);
    let items = all;
    let truncated = false;
    if (count + all.length >= maxItems) {
      items = all.slice(0, Math.max(0, maxItems - count));
      truncated = items.length < all.length || more;
      last = true;
    }
    count += items.length;
    return { index: ++index, params, result, items, requestId: requestIdOf(result), totalCount: nonNegativeInt(result.body.TotalCount), last, truncated };
  };

  if (maxItems <= 0) return;

  if (plan.mode === 'nextToken') {
    const seen = new Set<string>();
    let token: string | undefined;
    for (;;) {
      const params: WireParams = token === undefined ? { ...base } : { ...base, NextToken: token };
      const result = await fetch(params);
      const next = typeof result.body.NextToken === 'string' && result.body.NextToken !== '' ? result.body.NextToken : undefined;
      const empty = listAt(result.body, listPath).length === 0;
      if (next !== undefined && seen.has(next)) {
        throw new GatewayError(502, ErrorCode.upstreamBadResponse, `ECS answered ${action.name} with a NextToken it had already given: paging would not end`);
      }
      if (next !== undefined) seen.add(next);
      const p = page(params, result, next === undefined || empty, next !== undefined && !empty);
      yield p;
      if (p.last) return;
      token = next;
    }
  }

  // PageNumber/PageSize.
  const first: WireParams = { ...base, PageNumber: '1' };
  const firstResult = await fetch(first);
  const answeredSize = positiveInt(firstResult.body.PageSize);
  // ECS may clamp the size it was asked for: the pages are counted in the size it used.
  const size = answeredSize !== undefined && (plan.pageSize === undefined || answeredSize < plan.pageSize) ? answeredSize : plan.pageSize;
  const total = nonNegativeInt(firstResult.body.TotalCount);
  const firstItems = listAt(firstResult.body, listPath).length;
  if (total === undefined || size === undefined) {
    // No TotalCount (or no size): page by page until a page comes back short or empty.
    const short = (got: number): boolean => got === 0 || (size !== undefined && got < size);
    let p = page(first, firstResult, short(firstItems), !short(firstItems));
    yield p;
    for (let n = 2; !p.last; n++) {
      const params: WireParams = { ...base, PageNumber: String(n) };
      const result = await fetch(params);
      const got = listAt(result.body, listPath).length;
      p = page(params, result, short(got), !short(got));
      yield p;
    }
    return;
  }
  const wanted = Math.min(total, maxItems);
  const pages = Math.max(1, Math.ceil(wanted / size));
  const p1 = page(first, firstResult, pages === 1, total > firstItems);
  yield p1;
  if (p1.last) return;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const inFlight = new Map<number, Promise<{ params: WireParams; result: EcsResult }>>();
  let nextToStart = 2;
  const topUp = (): void => {
    while (nextToStart <= pages && inFlight.size < concurrency && !signal?.aborted) {
      const params: WireParams = { ...base, PageNumber: String(nextToStart) };
      const pending = fetch(params).then((result) => ({ params, result }));
      // Settled later in order; a job stopped early must not leave an unhandled rejection behind.
      pending.catch(() => undefined);
      inFlight.set(nextToStart, pending);
      nextToStart++;
    }
  };
  try {
    for (let n = 2; n <= pages; n++) {
      topUp();
      if (signal?.aborted) throw aborted(signal);
      const { params, result } = await inFlight.get(n)!;
      inFlight.delete(n);
      const got = listAt(result.body, listPath).length;
      // The last planned page, or a page that came back empty (the list shrank meanwhile).
      const p = page(params, result, n === pages || got === 0, total > count + got);
      yield p;
      if (p.last) return;
    }
  } finally {
    inFlight.clear();
  }
}

/** Everything a whole job returns (collectAll). */
export interface Collected {
  items: unknown[];
  /** ECS's TotalCount of the first page that had one; else the number of items collected. */
  totalCount: number;
  /** Every page's ECS RequestId, in page order. */
  requestIds: string[];
  pages: number;
  /** Stopped at maxItems while ECS had more. */
  truncated: boolean;
  /** The first and last pages' results (headers of the answer are the last page's). */
  first: EcsResult | undefined;
  last: EcsResult | undefined;
}

/** Runs pageAll to the end and gathers every item (memory grows with the items: prefer pageAll to stream). */
export async function collectAll(options: PageAllOptions): Promise<Collected> {
  const items: unknown[] = [];
  const requestIds: string[] = [];
  let totalCount: number | undefined;
  let first: EcsResult | undefined;
  let last: EcsResult | undefined;
  let pages = 0;
  let lastPage: Page | undefined;
  for await (const p of pageAll(options)) {
    for (const item of p.items) items.push(item);
    if (p.requestId) requestIds.push(p.requestId);
    totalCount ??= p.totalCount;
    first ??= p.result;
    last = p.result;
    lastPage = p;
    pages++;
  }
  return {
    items, totalCount: totalCount ?? items.length, requestIds, pages, first, last,
    truncated: lastPage?.truncated ?? false,
  };
}
