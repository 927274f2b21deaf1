import { describe, expect, it } from 'vitest';
import { getAction } from '../../src/gateway/ecs/catalog/index.js';
import type { Action } from '../../src/gateway/ecs/catalog/types.js';
import type { EcsResult } from '../../src/gateway/ecs/client.js';
import type { WireParams } from '../../src/gateway/ecs/signer.js';
import { GatewayError } from '../../src/gateway/errors.js';
import { FanoutLimiter } from '../../src/gateway/jobs/limiter.js';
import { collectAll, isPageable, pageAll, pagingPlan } from '../../src/gateway/jobs/pager.js';

const action = (name: string): Action => getAction(name)!;

function result(body: Record<string, unknown>): EcsResult {
  const text = JSON.stringify(body);
  return { status: 200, headers: { 'x-acs-request-id': String(body.RequestId) }, body, bodyText: text };
}

/** A fake ECS list of `n` instances, paged by NextToken (offset tokens) or PageNumber; records every call's params. */
function fakeInstances(n: number, opts: { totalCount?: boolean; clampTo?: number } = {}) {
  const all = Array.from({ length: n }, (_, i) => ({ InstanceId: `i-${i + 1}` }));
  const calls: WireParams[] = [];
  const call = async (params: WireParams): Promise<EcsResult> => {
    calls.push(params);
    const id = `req-${calls.length}`;
    if (params.PageNumber !== undefined) {
      const size = Math.min(Number(params.PageSize), opts.clampTo ?? Infinity);
      const start = (Number(params.PageNumber) - 1) * size;
      return result({
        RequestId: id, Instances: { Instance: all.slice(start, start + size) }, PageNumber: Number(params.PageNumber), PageSize: size,
        ...(opts.totalCount === false ? {} : { TotalCount: n }),
      });
    }
    const size = Number(params.MaxResults ?? 10);
    const offset = params.NextToken ? Number(params.NextToken.slice(4)) : 0;
    const end = offset + size;
    return result({ RequestId: id, Instances: { Instance: all.slice(offset, end) }, NextToken: end < n ? `tok-${end}` : '', TotalCount: n });
  };
  return { all, calls, call };
}

describe('pagingPlan', () => {
  it('prefers NextToken/MaxResults at the catalog maximum, and PageNumber/PageSize where only that exists', () => {
    expect(pagingPlan(action('DescribeInstances'))).toEqual({ mode: 'nextToken', sizeParam: 'MaxResults', pageSize: 100 });
    expect(pagingPlan(action('DescribeDisks'))).toEqual({ mode: 'nextToken', sizeParam: 'MaxResults', pageSize: 500 });
    expect(pagingPlan(action('DescribeKeyPairs'))).toEqual({ mode: 'pageNumber', sizeParam: 'PageSize', pageSize: 50 });
    expect(pagingPlan(action('ListTagResources'))).toEqual({ mode: 'nextToken', sizeParam: undefined, pageSize: undefined });
    expect(pagingPlan(action('DescribeInstances'), {}, { prefer: 'pageNumber' })).toEqual({ mode: 'pageNumber', sizeParam: 'PageSize', pageSize: 100 });
  });

  it('a PageSize never borrows the MaxResults maximum: the reference\'s PageSize cap, else 50', () => {
    const pageSize = (name: string, params = {}) => pagingPlan(action(name), params, { prefer: 'pageNumber' });
    expect(pageSize('DescribeDisks')).toEqual({ mode: 'pageNumber', sizeParam: 'PageSize', pageSize: 100 });
    expect(pageSize('DescribeDisks', { MaxResults: '300' }).pageSize).toBe(100);
    expect(pageSize('DescribeDisks', { PageSize: '40' }).pageSize).toBe(40);
    expect(pageSize('DescribeSecurityGroups').pageSize).toBe(50);
    expect(pageSize('DescribeSnapshots').pageSize).toBe(100);
    // The catalog states these caps (overrides.json pageSizeMax); without one a PageSize is 50, never MaxResults' cap.
    expect(action('DescribeSecurityGroups').paging?.pageNumber?.maxSize).toBe(50);
    expect(pageSize('DescribeNetworkInterfaces').pageSize).toBe(50);
    expect(pagingPlan(action('DescribeNetworkInterfaces')).pageSize).toBe(500);
    // NextToken still takes its own maximum.
    expect(pagingPlan(action('DescribeSecurityGroups')).pageSize).toBe(100);
  });

  it('keeps a size the caller gave within the limit, never asks more than maxItems, nor less than the minimum', () => {
    expect(pagingPlan(action('DescribeInstances'), { MaxResults: '20' }).pageSize).toBe(20);
    expect(pagingPlan(action('DescribeInstances'), { PageSize: '30' }).pageSize).toBe(30);
    expect(pagingPlan(action('DescribeInstances'), { MaxResults: '5000' }).pageSize).toBe(100);
    expect(pagingPlan(action('DescribeInstances'), {}, { maxItems: 7 }).pageSize).toBe(7);
    expect(pagingPlan(action('DescribeSecurityGroupAttribute'), {}, { maxItems: 3 }).pageSize).toBe(10);
  });

  it('only pages read-only actions with a list and paging', () => {
    expect(isPageable(action('DescribeInstances'))).toBe(true);
    expect(isPageable(action('DescribeRegions'))).toBe(false);
    expect(isPageable(action('StopInstances'))).toBe(false);
  });
});

describe('pageAll / collectAll', () => {
  it('follows NextToken with the largest MaxResults, sending exactly those params, and collects every RequestId', async () => {
    const ecs = fakeInstances(250);
    const all = await collectAll({ action: action('DescribeInstances'), params: { RegionId: 'cn-hangzhou', PageNumber: '4', NextToken: 'stale' }, call: ecs.call });
    expect(ecs.calls).toEqual([
      { RegionId: 'cn-hangzhou', MaxResults: '100' },
      { RegionId: 'cn-hangzhou', MaxResults: '100', NextToken: 'tok-100' },
      { RegionId: 'cn-hangzhou', MaxResults: '100', NextToken: 'tok-200' },
    ]);
    expect(all.items).toEqual(ecs.all);
    expect(all).toMatchObject({ totalCount: 250, requestIds: ['req-1', 'req-2', 'req-3'], pages: 3, truncated: false });
    expect(all.last?.body.RequestId).toBe('req-3');
  });

  it('stops at maxItems: the last page is cut and no further page is fetched', async () => {
    const ecs = fakeInstances(250);
    const all = await collectAll({ action: action('DescribeInstances'), params: { RegionId: 'r', MaxResults: '40' }, call: ecs.call, maxItems: 90 });
    expect(ecs.calls.map((p) => p.NextToken)).toEqual([undefined, 'tok-40', 'tok-80']);
    expect(all.items).toEqual(ecs.all.slice(0, 90));
    expect(all).toMatchObject({ totalCount: 250, truncated: true, pages: 3 });
  });

  it('is not truncated when maxItems equals what exists', async () => {
    const ecs = fakeInstances(80);
    const all = await collectAll({ action: action('DescribeInstances'), params: { MaxResults: '40' }, call: ecs.call, maxItems: 80 });
    expect(all).toMatchObject({ truncated: false, pages: 2 });
    expect(ecs.calls).toHaveLength(2);
  });

  it('PageNumber: reads TotalCount from page 1, then fetches the other pages in parallel, yielding them in order', async () => {
    const all = Array.from({ length: 120 }, (_, i) => ({ KeyPairName: `k${i}` }));
    const started: string[] = [];
    const release = new Map<string, () => void>();
    const call = (params: WireParams): Promise<EcsResult> => {
      started.push(params.PageNumber!);
      const n = Number(params.PageNumber);
      const answer = result({ RequestId: `req-p${n}`, KeyPairs: { KeyPair: all.slice((n - 1) * 50, n * 50) }, TotalCount: 120, PageSize: 50, PageNumber: n });
      if (n === 1) return Promise.resolve(answer);
      return new Promise((resolve) => release.set(params.PageNumber!, () => resolve(answer)));
    };
    const it = pageAll({ action: action('DescribeKeyPairs'), params: { RegionId: 'r' }, call });
    expect((await it.next()).value).toMatchObject({ index: 1, requestId: 'req-p1', last: false });
    const second = it.next();
    // Pages 2 and 3 are both in flight before either answers.
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['1', '2', '3']);
    release.get('3')!();
    release.get('2')!();
    const p2 = (await second).value!;
    const p3 = (await it.next()).value!;
    expect([p2.index, p3.index, p3.last]).toEqual([2, 3, true]);
    expect(p2.params).toEqual({ RegionId: 'r', PageSize: '50', PageNumber: '2' });
    expect([...p2.items, ...p3.items]).toEqual(all.slice(50));
    expect((await it.next()).done).toBe(true);
  });

  it('PageNumber: starts no more pages than the consumer has asked for beyond the window (backpressure)', async () => {
    const ecs = fakeInstances(1000);
    const it = pageAll({ action: action('DescribeInstances'), params: { PageSize: '10' }, call: ecs.call, prefer: 'pageNumber', concurrency: 3 });
    await it.next();
    await it.next();
    // Page 1 and the window of 3 after it; nothing else until the consumer pulls again.
    expect(ecs.calls.map((p) => p.PageNumber)).toEqual(['1', '2', '3', '4']);
    await it.return();
    expect(ecs.calls).toHaveLength(4);
  });

  it('PageNumber: counts pages in the size ECS used when it clamped the size asked', async () => {
    const ecs = fakeInstances(95, { clampTo: 30 });
    const all = await collectAll({ action: action('DescribeInstances'), params: {}, call: ecs.call, prefer: 'pageNumber' });
    expect(ecs.calls.map((p) => [p.PageNumber, p.PageSize])).toEqual([['1', '100'], ['2', '100'], ['3', '100'], ['4', '100']]);
    expect(all.items).toEqual(ecs.all);
  });

  it('PageNumber without TotalCount: goes on until a page comes back short', async () => {
    const ecs = fakeInstances(25, { totalCount: false });
    const all = await collectAll({ action: action('DescribeInstances'), params: { PageSize: '10' }, call: ecs.call, prefer: 'pageNumber' });
    expect(ecs.calls.map((p) => p.PageNumber)).toEqual(['1', '2', '3']);
    expect(all).toMatchObject({ totalCount: 25, pages: 3 });
    expect(all.items).toEqual(ecs.all);
  });

  it('a NextToken ECS repeats is a 502, not an endless loop', async () => {
    const call = async (): Promise<EcsResult> => result({ RequestId: 'x', Instances: { Instance: [{}] }, NextToken: 'same' });
    const err = await collectAll({ action: action('DescribeInstances'), params: {}, call }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ statusCode: 502, code: 'UPSTREAM_BAD_RESPONSE' });
  });

  it('an aborted signal stops the job: no further call is made', async () => {
    const ecs = fakeInstances(500);
    const controller = new AbortController();
    const seen: number[] = [];
    const err = await (async () => {
      for await (const p of pageAll({ action: action('DescribeInstances'), params: { MaxResults: '10' }, call: ecs.call, signal: controller.signal })) {
        seen.push(p.index);
        if (p.index === 2) controller.abort(new Error('client gone'));
      }
    })().catch((e: unknown) => e);
    expect((err as Error).message).toBe('client gone');
    expect(seen).toEqual([1, 2]);
    expect(ecs.calls).toHaveLength(2);
  });

  it('a page that fails fails the job with that error', async () => {
    const ecs = fakeInstances(300);
    const call = (params: WireParams) => (params.NextToken === 'tok-100'
      ? Promise.reject(new GatewayError(403, 'Forbidden.RAM', 'no'))
      : ecs.call(params));
    const got: number[] = [];
    const err = await (async () => {
      for await (const p of pageAll({ action: action('DescribeInstances'), params: {}, call })) got.push(p.items.length);
    })().catch((e: unknown) => e);
    expect(got).toEqual([100]);
    expect(err).toMatchObject({ code: 'Forbidden.RAM' });
  });

  it('through the limiter: a throttled page is retried after retry-after, with an injected sleep', async () => {
    const ecs = fakeInstances(200);
    const sleeps: number[] = [];
    const limiter = new FanoutLimiter({ concurrency: 4, sleep: async (ms) => { sleeps.push(ms); }, now: () => 0, random: () => 0 });
    let throttled = false;
    const call = (params: WireParams) => {
      if (params.NextToken === 'tok-100' && !throttled) {
        throttled = true;
        const err = new GatewayError(400, 'Throttling.User', 'Request was denied due to user flow control.');
        err.responseHeaders['retry-after'] = '2';
        return Promise.reject(err);
      }
      return ecs.call(params);
    };
    const all = await collectAll({ action: action('DescribeInstances'), params: {}, call, limiter, accountId: 'AK1' });
    expect(all.items).toHaveLength(200);
    expect(sleeps).toEqual([2000]);
    expect(ecs.calls.map((p) => p.NextToken)).toEqual([undefined, 'tok-100']);
  });
});
