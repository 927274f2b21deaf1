/**
 * `GET /api/inventory/{kind}`: every instance, disk, snapshot or security group of the account, in every
 * region (or the listed ones), counted by one key, as JSON or CSV. The work is in jobs/inventory.ts; this
 * file is the HTTP side: the query, credentials (fields or X-Access-Key-* headers, as on every GET route),
 * the access policy per region, and the shared pager and limiter (jobs/pager.ts, jobs/limiter.ts) per call.
 *
 * Access policy: DescribeRegions and each region's Describe* call go through authorizeCall, as any call.
 * With `regions=all`, a key limited to some regions lists those only (the others are not the key's to see,
 * and are left out of the answer); a region named in an explicit `regions` list that the key may not call is
 * reported in `regions.failed` with REGION_FORBIDDEN, and nothing is sent to ECS for it. A key that may not
 * call the kind's action at all gets 403 ACTION_FORBIDDEN for the whole inventory.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { getAction } from '../ecs/catalog/index.js';
import type { EcsResult } from '../ecs/client.js';
import type { Credentials, WireParams } from '../ecs/signer.js';
import { ErrorCode, validationError } from '../errors.js';
import { foldSpellings, mergeCredentialHeaders } from '../http/normalize.js';
import { defaultJobDeps } from '../jobs/context.js';
import {
  GROUP_BYS, INVENTORY_KINDS, KINDS, NO_VALUE, parseGroupBy, runInventory,
  type GroupBy, type InventoryKind, type InventoryResult, type Item,
} from '../jobs/inventory.js';
import { collectAll } from '../jobs/pager.js';
import { authorizeCall, refusalFor } from '../policy/index.js';
import { boolish, commonFields } from '../schemas/common.js';
import { errorResponses } from '../schemas/envelope.js';
import { requestCredentials, type RouteDeps } from './factory.js';
import { clientGoneSignal } from '../http/client-gone.js';

const REGION_ID = /^[a-z]{2,}(?:-[a-z0-9]+){1,4}$/;
/** More regions than ECS has (29) is never a real list. */
const MAX_REGIONS = 64;

/** `all`, or region ids separated by commas (or repeated keys). */
const regionsField = z.union([z.array(z.string()), z.string()])
  .transform((v, ctx) => {
    const list = (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s !== '');
    if (list.length === 1 && list[0] === 'all') return 'all' as const;
    if (list.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'must be all or a comma-separated list of region ids' });
      return z.NEVER;
    }
    const bad = list.filter((r) => !REGION_ID.test(r));
    if (bad.length > 0) {
      ctx.addIssue({ code: 'custom', message: `must be all or region ids such as cn-hangzhou (not ${bad.slice(0, 3).map((b) => JSON.stringify(b.slice(0, 40))).join(', ')})` });
      return z.NEVER;
    }
    if (list.length > MAX_REGIONS) {
      ctx.addIssue({ code: 'custom', message: `at most ${MAX_REGIONS} regions` });
      return z.NEVER;
    }
    return [...new Set(list)];
  })
  .optional()
  .describe('`all` (default): every region of the account (DescribeRegions); or region ids separated by commas, e.g. `cn-hangzhou,cn-beijing`')
  .meta({ example: 'all' });

const query = z.strictObject({
  accessKeyId: commonFields.accessKeyId,
  accessKeySecret: commonFields.accessKeySecret,
  securityToken: commonFields.securityToken,
  regions: regionsField,
  groupBy: z.string().max(132).optional()
    .describe(`What to count by: ${GROUP_BYS.join(', ')} or tag:<key> (default region). instances: all of them; disks: region, status, zoneId; snapshots: region, status; security-groups: region, vpcId; every kind: tag:<key>. Items without the key count under "${NO_VALUE}"`)
    .meta({ example: 'status' }),
  items: boolish().optional().describe('Include every item (default true); false answers the counts only'),
  format: z.enum(['json', 'csv']).optional().describe('json (default) or csv: one row per item with a header row (with items=false: one row per group)'),
});

const params = z.object({
  kind: z.enum(INVENTORY_KINDS).describe('instances, disks, snapshots or security-groups'),
});

const failure = z.object({ regionId: z.string(), code: z.string(), message: z.string() });

const answer = z.object({
  kind: z.enum(INVENTORY_KINDS),
  total: z.number().int().describe('Items in every region that answered'),
  groupBy: z.string(),
  groups: z.record(z.string(), z.number().int()).describe('Count per group. With groupBy=region every region that answered is a key, zeros included'),
  regions: z.object({
    ok: z.array(z.string()).describe('Regions that answered, every page'),
    failed: z.array(failure).describe('Regions that did not, with the code of their failure (an ECS code such as Forbidden.RAM or Throttling.User, or REGION_FORBIDDEN, UPSTREAM_TIMEOUT …)'),
  }),
  items: z.array(z.record(z.string(), z.unknown())).optional().describe('Every item as ECS listed it (RegionId added where ECS leaves it out), region by region; absent with items=false'),
}).meta({
  example: {
    kind: 'instances', total: 1, groupBy: 'region', groups: { 'cn-hangzhou': 1, 'cn-qingdao': 0 },
    regions: { ok: ['cn-hangzhou', 'cn-qingdao'], failed: [{ regionId: 'me-east-1', code: 'Forbidden.RAM', message: 'User not authorized to operate on the specified resource, or this API doesn\'t support RAM.' }] },
    items: [{ InstanceId: 'i-bp67acfmxazb4p****', RegionId: 'cn-hangzhou', ZoneId: 'cn-hangzhou-i', Status: 'Running', InstanceType: 'ecs.g7.large' }],
  },
});

type Query = z.output<typeof query>;

/** Runs one ECS call for the inventory with the caller's credentials (the pager adds paging). */
function caller(deps: RouteDeps, credentials: Credentials, action: string, regionId: string | undefined) {
  return (wire: WireParams): Promise<EcsResult> => deps.client.call({ action, params: wire, credentials, regionId });
}

/** The regions of the account: DescribeRegions (authorized like any call), through the limiter. */
async function listRegions(request: FastifyRequest, deps: RouteDeps, credentials: Credentials, signal: AbortSignal): Promise<string[]> {
  authorizeCall(request, { action: 'DescribeRegions', readOnly: true });
  const jobs = deps.jobs ?? defaultJobDeps();
  const result = await jobs.limiter.run({ accountId: credentials.accessKeyId, action: 'DescribeRegions' },
    () => caller(deps, credentials, 'DescribeRegions', undefined)({}), { signal });
  const list = (result.body.Regions as { Region?: unknown } | undefined)?.Region;
  const ids = Array.isArray(list) ? list.map((r) => (r as { RegionId?: unknown }).RegionId).filter((r): r is string => typeof r === 'string' && REGION_ID.test(r)) : [];
  // A key limited to regions sees its own regions: the others are not listed at all (see the module comment).
  const key = request.caller;
  return key ? ids.filter((regionId) => refusalFor(key, { action: 'DescribeRegions', regionId, readOnly: true })?.code !== ErrorCode.regionForbidden) : ids;
}

function csvOf(kind: InventoryKind, result: InventoryResult, items: readonly Item[], withItems: boolean): string {
  if (!withItems) {
    return stringify(Object.entries(result.groups), { header: true, columns: [result.groupBy, 'count'] });
  }
  const columns = KINDS[kind].columns;
  const rows = items.map((item) => columns.map(([, value]) => {
    const v = value(item);
    return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : v;
  }));
  return stringify(rows, { header: true, columns: columns.map(([name]) => name), cast: { boolean: (b) => String(b) } });
}

/** The items of one region as JSON array elements, without the brackets, UTF-8. */
function itemsJson(items: readonly Item[]): Buffer {
  const text = JSON.stringify(items);
  return Buffer.from(text.slice(1, -1));
}

/**
 * The JSON answer: the result's fields, then `items`, every answering region's items in region order (the
 * order of `regions.ok`), from the per-region encodings; one Buffer, so its length is known without
 * scanning a string (ECS text is not all ASCII: OSName reads "64位").
 */
function answerJson(result: InventoryResult, encoded: ReadonlyMap<string, Buffer>): Buffer {
  const head = JSON.stringify(result);
  const parts: Buffer[] = [Buffer.from(`${head.slice(0, -1)},"items":[`)];
  let first = true;
  for (const regionId of result.regions.ok) {
    const part = encoded.get(regionId);
    if (part === undefined) continue;
    if (!first) parts.push(COMMA);
    parts.push(part);
    first = false;
  }
  parts.push(CLOSE);
  return Buffer.concat(parts);
}
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']}');

export function inventoryRoutes(deps: RouteDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.withTypeProvider<ZodTypeProvider>().route({
      method: 'GET',
      url: '/inventory/:kind',
      schema: {
        operationId: 'Inventory_List',
        summary: 'Inventory across regions: every item of a kind in every region, counted',
        description: [
          'Lists every instance, disk, snapshot or security group in every region of the account (DescribeRegions, or `regions`), all pages, GATEWAY_FANOUT_CONCURRENCY regions at a time and at most GATEWAY_ACTION_CONCURRENCY calls in flight per account and action; throttled calls wait for ECS\'s retry-after and are retried, so a big inventory slows down instead of failing.',
          'One region\'s failure never fails the answer: it is listed in `regions.failed` with its code. When no region answers, the answer is an error: the regions\' common code and status when they all failed the same way (e.g. 403 REGION_FORBIDDEN), else 502 INVENTORY_FAILED; `error.failed` lists every region\'s failure.',
          'A key limited to some regions (access policies) lists those with `regions=all`; a region it may not call, named in `regions`, is reported as failed with REGION_FORBIDDEN.',
          'format=csv answers text/csv: a header row, then one row per item (or, with items=false, one row per group).',
        ].join('\n\n'),
        tags: ['Inventory'],
        params,
        querystring: query,
        response: {
          200: answer,
          ...errorResponses,
        },
      },
      preValidation: (request, _reply, done) => {
        try {
          request.query = mergeCredentialHeaders(foldSpellings(request.query ?? {}, { listBrackets: true }) as Record<string, unknown>, request.headers);
          done();
        } catch (err) {
          done(err as Error);
        }
      },
      handler: async (request, reply) => inventory(request, reply, deps, request.params.kind, request.query),
    });
  };
}

async function inventory(request: FastifyRequest, reply: FastifyReply, deps: RouteDeps, kind: InventoryKind, q: Query): Promise<FastifyReply> {
  const parsed = parseGroupBy(kind, q.groupBy ?? 'region');
  if ('problem' in parsed) throw validationError([{ location: 'querystring', field: 'groupBy', message: parsed.problem }]);
  const groupBy: GroupBy = parsed;
  const credentials = await requestCredentials(request, deps, q);
  const jobs = deps.jobs ?? defaultJobDeps();
  const spec = KINDS[kind];
  const action = getAction(spec.action)!;
  // The caller went away: nothing more is started.
  const gone = clientGoneSignal(reply);
  const withItems = q.items ?? true;
  // JSON items are encoded region by region as each region is listed, while the others are still in flight.
  const encoded = withItems && q.format !== 'csv' ? new Map<string, Buffer>() : undefined;
  try {
    const { result, items } = await runInventory({ kind, regions: q.regions === 'all' ? undefined : q.regions, groupBy }, {
      concurrency: jobs.concurrency,
      signal: gone.signal,
      onRegion: encoded ? (regionId, list) => { if (list.length > 0) encoded.set(regionId, itemsJson(list)); } : undefined,
      // Only CSV rows need the items at the end; JSON has them encoded by then, counts never need them.
      keepItems: withItems && q.format === 'csv',
      listRegions: () => listRegions(request, deps, credentials, gone.signal),
      pageRegion: async (regionId) => {
        authorizeCall(request, { action: action.name, regionId, readOnly: true });
        const all = await collectAll({
          action, params: { RegionId: regionId }, call: caller(deps, credentials, action.name, regionId),
          limiter: jobs.limiter, accountId: credentials.accessKeyId, concurrency: jobs.concurrency,
          prefer: 'pageNumber', signal: gone.signal,
        });
        return all.items as Item[];
      },
    });
    if (q.format === 'csv') {
      return reply.type('text/csv; charset=utf-8').send(csvOf(kind, result, items, withItems));
    }
    const body = encoded ? answerJson(result, encoded) : Buffer.from(JSON.stringify(result));
    return reply.type('application/json; charset=utf-8').send(body as never);
  } finally {
    gone.release();
  }
}
