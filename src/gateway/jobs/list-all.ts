/**
 * `all=true`: every page of a list route in one call (curated GET list routes, and POST /api/ecs/{Action}
 * for read-only actions with paging, where `all` and `maxItems` go in the QUERY string).
 *
 * - `all=true` pages with the pager (jobs/pager.ts) through the process's FanoutLimiter (jobs/limiter.ts),
 *   from the first page: NextToken/MaxResults where the action has them, else PageNumber/PageSize (pages
 *   after the first in parallel once TotalCount is known), at the largest page size the action allows
 *   (or the caller's `pageSize`/`maxResults`). `nextToken`/`pageNumber` with all=true are a 400.
 * - `maxItems` (1..GATEWAY_MAX_ITEMS, default GATEWAY_MAX_ITEMS) stops the job; without all=true it is a 400.
 * - JSON answer: the ECS shape of the first page with the list at its usual path holding every item,
 *   `TotalCount` (ECS's; the number of items when ECS gives none), `RequestIds` (every page's, in order) and
 *   `Truncated` (stopped at maxItems while ECS had more); the paging fields (NextToken, PageNumber,
 *   PageSize, MaxResults) are left out. The envelope's `headers` are the last page's.
 * - `Accept: application/x-ndjson`: a stream, one item per line as pages arrive, then one summary line
 *   `{"summary":{"totalCount","items","pages","truncated","requestIds"}}`. The first page is fetched before
 *   the 200 is sent, so a request that fails at once gets an ordinary error answer. A failure after that
 *   ends the stream with one line in the error shape `{"error":{code,message,status,requestId,...}}` (the
 *   status line was already sent) and no summary. The next page is only fetched when the socket has taken
 *   the previous ones (backpressure); memory stays flat in the number of items. A client that disconnects
 *   stops the job: no further upstream call is started.
 * - Policy: the call is authorized once per job (the same action and parameters on every page; only the
 *   paging parameters differ) and each page's outcome goes to auditCall, like a single call.
 */
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Action } from '../ecs/catalog/types.js';
import type { EcsResult } from '../ecs/client.js';
import type { WireParams } from '../ecs/signer.js';
import { ErrorCode, GatewayError, validationError } from '../errors.js';
import { errorBody, toGatewayError } from '../http/error-handler.js';
import { auditCall, authorizeCall, resourceIdsOf } from '../policy/index.js';
import { boolish, intish } from '../schemas/common.js';
import { envelopeJson, noStore, requestCredentials, type RouteDeps } from '../routes/factory.js';
import { defaultJobDeps } from './context.js';
import { isPageable, pageAll, PAGING_PARAMS, type Page } from './pager.js';
import { clientGoneSignal } from '../http/client-gone.js';

/** How long one job may keep backing off on throttling before it gives up (ms). */
export const JOB_DEADLINE_MS = 120_000;

/** The NDJSON media type. */
export const NDJSON = 'application/x-ndjson';

/** The query fields of `all=true` (curated list routes take them with their other query fields). */
export const listAllFields = {
  all: boolish().optional()
    .describe('true: every page in one answer (the list holds every item, plus TotalCount and RequestIds); with `Accept: application/x-ndjson`, a stream of one item per line and a summary line'),
  maxItems: intish(1, 1_000_000).optional()
    .describe('With all=true: stop after this many items (default and upper limit: GATEWAY_MAX_ITEMS, 10000)'),
};

/** The generic route's query string (POST /api/ecs/{Action}?all=true&maxItems=500): documentation; listAll validates it. */
export const listAllQuery = z.object(listAllFields);

/** Whether this request asks for a whole job (all=true, or a maxItems to refuse). */
export function wantsAll(request: FastifyRequest): boolean {
  const q = (request.query ?? {}) as Record<string, unknown>;
  return (q.all !== undefined && q.all !== false && q.all !== 'false') || q.maxItems !== undefined;
}

/** What the caller asked: the item cap, or a 400. */
function options(request: FastifyRequest, action: Action, wire: WireParams, cap: number): { maxItems: number } {
  const parsed = listAllQuery.safeParse(request.query ?? {});
  if (!parsed.success) {
    throw validationError(parsed.error.issues.map((i) => ({ location: 'querystring', field: i.path.join('.') || 'all', message: i.message })));
  }
  const { all, maxItems } = parsed.data;
  if (!all) throw validationError([{ location: 'querystring', field: 'maxItems', message: 'applies only with all=true' }]);
  if (!isPageable(action)) {
    throw validationError([{ location: 'querystring', field: 'all',
      message: `all=true applies to read-only actions with paging (Describe*/List* with NextToken or PageNumber); ${action.name} is not one` }]);
  }
  if (maxItems !== undefined && maxItems > cap) {
    throw validationError([{ location: 'querystring', field: 'maxItems', message: `must be at most ${cap} (GATEWAY_MAX_ITEMS)` }]);
  }
  const paging = Object.keys(wire).filter((k) => k === 'NextToken' || k === 'PageNumber');
  if (paging.length > 0) {
    throw new GatewayError(400, ErrorCode.conflictingFields,
      `all=true pages from the first page: leave out ${paging.map((k) => k[0]!.toLowerCase() + k.slice(1)).join(' and ')}`);
  }
  return { maxItems: maxItems ?? cap };
}

/** Whether the caller asked for NDJSON. */
function wantsNdjson(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return typeof accept === 'string' && accept.split(',').some((part) => part.trim().toLowerCase().startsWith(NDJSON));
}

/** One call planned by the factory: the action, the validated input, the wire params of the first page. */
export interface ListAllPlan {
  action: Action;
  input: Record<string, unknown>;
  wire: WireParams;
}

/**
 * Answers a whole job: validates all/maxItems, authorizes once, pages, and answers JSON or NDJSON (see the
 * module comment). Called from the route handlers in routes/factory.ts when wantsAll(request).
 */
export async function listAll(request: FastifyRequest, reply: FastifyReply, deps: RouteDeps, plan: ListAllPlan): Promise<FastifyReply> {
  const jobs = deps.jobs ?? defaultJobDeps();
  const { action, input, wire } = plan;
  const { maxItems } = options(request, action, wire, jobs.maxItems);
  const regionId = typeof input.regionId === 'string' ? input.regionId : undefined;
  const endpoint = typeof input.endpoint === 'string' ? input.endpoint : undefined;
  authorizeCall(request, { action: action.name, regionId, endpoint, params: wire, readOnly: action.readOnly });
  const credentials = await requestCredentials(request, deps, input);
  const audit = (params: WireParams, outcome: string, ecsRequestId: string | undefined): void =>
    auditCall(request, { action: action.name, regionId, readOnly: action.readOnly, resourceIds: resourceIdsOf(params), ecsRequestId, outcome });
  const call = async (params: WireParams): Promise<EcsResult> => {
    try {
      const result = await deps.client.call({ action: action.name, params, credentials, regionId, endpoint });
      audit(params, 'ok', typeof result.body.RequestId === 'string' ? result.body.RequestId : undefined);
      return result;
    } catch (err) {
      const id = err instanceof GatewayError && typeof err.extra.ecsRequestId === 'string' ? err.extra.ecsRequestId : undefined;
      audit(params, err instanceof GatewayError ? err.code : ErrorCode.internal, id);
      throw err;
    }
  };
  // A client that goes away stops the job: no further page is started.
  const gone = clientGoneSignal(reply, () => request.log.info({ action: action.name }, 'all=true: the client closed the connection; paging stopped'));
  const pages = pageAll({
    action, params: wire, call, maxItems, concurrency: jobs.concurrency, limiter: jobs.limiter,
    accountId: credentials.accessKeyId, deadline: jobs.now() + JOB_DEADLINE_MS, signal: gone.signal,
    onThrottled: (info) => request.log.warn({ action: action.name, ...info }, 'all=true: throttled by ECS; backing off'),
  });
  if (noStore(action)) reply.header('cache-control', 'no-store');
  if (wantsNdjson(request)) return streamNdjson(request, reply, pages, action);
  const text = await collectJson(pages, action);
  gone.release();
  return reply.type('application/json; charset=utf-8').send(text as never);
}

/** The ECS shape of the first page, the list at its path holding every item, plus TotalCount, RequestIds, Truncated. */
async function collectJson(pages: AsyncGenerator<Page>, action: Action): Promise<string> {
  const items: unknown[] = [];
  const requestIds: string[] = [];
  let first: Page | undefined;
  let last: Page | undefined;
  let totalCount: number | undefined;
  for await (const page of pages) {
    for (const item of page.items) items.push(item);
    if (page.requestId) requestIds.push(page.requestId);
    first ??= page;
    totalCount ??= page.totalCount;
    last = page;
  }
  const template = first!.result.body;
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(template)) if (!PAGING_PARAMS.includes(k) && k !== 'TotalCount') body[k] = v;
  setAt(body, action.list!, items);
  body.TotalCount = totalCount ?? items.length;
  body.RequestIds = requestIds;
  body.Truncated = last!.truncated;
  const result: EcsResult = { ...last!.result, body, bodyText: JSON.stringify(body) };
  return envelopeJson(result);
}

/** Sets the list at a dotted path, copying the objects on the way (the page's body is not changed). */
function setAt(body: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = body;
  keys.slice(0, -1).forEach((key) => {
    const next = node[key];
    const copy = typeof next === 'object' && next !== null && !Array.isArray(next) ? { ...(next as Record<string, unknown>) } : {};
    node[key] = copy;
    node = copy;
  });
  node[keys.at(-1)!] = value;
}

/** The NDJSON stream (see the module comment). */
async function streamNdjson(request: FastifyRequest, reply: FastifyReply, pages: AsyncGenerator<Page>, action: Action): Promise<FastifyReply> {
  // The first page before the status line: a job that fails at once is an ordinary error answer.
  const head = await pages.next();
  const summary = { totalCount: 0, items: 0, pages: 0, truncated: false, requestIds: [] as string[] };
  let totalCount: number | undefined;
  const lines = (page: Page): string => {
    summary.items += page.items.length;
    summary.pages++;
    summary.truncated = page.truncated;
    if (page.requestId) summary.requestIds.push(page.requestId);
    totalCount ??= page.totalCount;
    let text = '';
    for (const item of page.items) text += `${JSON.stringify(item)}\n`;
    return text;
  };
  async function* body(): AsyncGenerator<string> {
    try {
      if (!head.done) yield lines(head.value);
      for await (const page of pages) yield lines(page);
      summary.totalCount = totalCount ?? summary.items;
      yield `${JSON.stringify({ summary })}\n`;
    } catch (err) {
      if (reply.raw.destroyed || !reply.raw.writable) return;
      const error = toGatewayError(err, request);
      // The status line was sent with 200: the failure is the stream's last line (and logged).
      request.log.warn({ err: { type: error.name, code: error.code, statusCode: error.statusCode, message: error.logMessage }, action: action.name, pages: summary.pages, items: summary.items },
        'all=true: the stream ended with an error line');
      yield `${JSON.stringify(errorBody(error, request.id))}\n`;
    } finally {
      await pages.return(undefined);
      request.log.info({ action: action.name, pages: summary.pages, items: summary.items }, 'all=true: job ended');
    }
  }
  reply.header('x-content-type-options', 'nosniff');
  return reply.type(`${NDJSON}; charset=utf-8`).send(Readable.from(body(), { objectMode: false }));
}

/** The NDJSON answer as OpenAPI documents it (one media type next to application/json). */
const NDJSON_MEDIA = {
  schema: {
    type: 'string',
    description: 'Newline-delimited JSON (sent with `Accept: application/x-ndjson` and `all=true`): one item of the list per line, '
      + 'in order, as pages arrive; then one summary line `{"summary":{"totalCount":N,"items":N,"pages":N,"truncated":false,"requestIds":["…"]}}`. '
      + 'The status line (200) is sent once the first page answered: a failure after that ends the stream with one line in the error shape '
      + '`{"error":{"code","message","status","requestId",…}}` instead of the summary.',
    example: '{"InstanceId":"i-bp67acfmxazb4p****","Status":"Running"}\n{"InstanceId":"i-bp1i43l28m7u48p1****","Status":"Stopped"}\n'
      + '{"summary":{"totalCount":2,"items":2,"pages":1,"truncated":false,"requestIds":["473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E"]}}\n',
  },
};

const ALL_NOTE = ' With `all=true` (query string) every page is fetched in one call: the list holds every item (up to `maxItems`, '
  + 'default and cap GATEWAY_MAX_ITEMS), with `TotalCount`, `RequestIds` (every page\'s) and `Truncated`; the envelope\'s `headers` are the last page\'s. '
  + 'With `Accept: application/x-ndjson` the items are streamed one per line instead, ending with a summary line (or an error line: see the 200 answer).';

/**
 * The OpenAPI transform of a route that takes all=true (its querystring has listAllFields.all): the 200
 * answer gets the NDJSON media type next to JSON, and the description a note. Wraps the zod transform's
 * output (plugins/docs.ts).
 */
export function withListAllDocs<T>(out: T, route: { schema?: unknown }): T {
  const query = (route.schema as { querystring?: { shape?: Record<string, unknown> } } | undefined)?.querystring;
  if (query?.shape?.all !== listAllFields.all) return out;
  const schema = (out as { schema?: { description?: string; response?: Record<string, unknown> } }).schema;
  const ok = schema?.response?.[200] as Record<string, unknown> | undefined;
  if (!schema?.response || !ok) return out;
  const { description, ...json } = ok;
  schema.response[200] = { description: description ?? 'Default Response', content: { 'application/json': { schema: json }, [NDJSON]: NDJSON_MEDIA } };
  schema.description = `${schema.description ?? ''}${ALL_NOTE}`;
  return out;
}
