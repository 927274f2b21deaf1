/**
 * `waitFor` on the curated lifecycle routes (the routes of WAIT_TARGETS): the factory asks `waitHook` once per
 * route, adds its fields to the route's input, and calls `start` before the ECS call and `finish` after it.
 *
 * - `waitFor` and `waitTimeoutMs` go where the route's other fields go: the JSON body of POST and PUT, the
 *   query string of GET. A waitFor the route does not offer is a 400 naming the states it offers;
 *   waitTimeoutMs runs from 0 to GATEWAY_MAX_WAIT_MS (a larger one is a 400: the gateway never waits less
 *   than asked without saying so) and defaults to GATEWAY_MAX_WAIT_MS; waitTimeoutMs without waitFor is a 400.
 * - Policy: every observation is a read call of the caller's key (authorizeCall, like any call). It is
 *   checked before the lifecycle call too, so a key that may start instances but not describe them gets
 *   403 ACTION_FORBIDDEN for `waitFor` and nothing is sent to ECS: no half-done call.
 * - The answer is the route's envelope, with the read route's body being the last observation's, plus
 *   `data.value.wait` (see WaitReport). An error (504 WAIT_TIMEOUT, 409 WAIT_UNREACHABLE, a read action's
 *   error) carries `waitFor` and `states` (without command output).
 * - A client that disconnects (the response closes before it was written) aborts the wait.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { getAction } from '../ecs/catalog/index.js';
import type { EcsResult } from '../ecs/client.js';
import { toWire } from '../ecs/wire.js';
import { ErrorCode, validationError } from '../errors.js';
import { authorizeCall, refusalFor } from '../policy/index.js';
import { intish } from '../schemas/common.js';
import { envelopeSchema } from '../schemas/envelope.js';
import { envelopeJson, requestCredentials, type CuratedRoute, type RouteDeps } from '../routes/factory.js';
import { DEFAULT_MAX_WAIT_MS, Waiter, type Observation } from './wait.js';
import { RESOURCES, WAIT_TARGETS, type WaitTarget } from './wait-targets.js';
import { clientGoneSignal } from '../http/client-gone.js';

/** A wait under way for one request. */
export interface ActiveWait {
  /** Waits after the call; resolves with the answer's text (the envelope plus `wait`). */
  finish: (envelopeText: string) => Promise<string>;
}

/** What the factory needs from the wait of one route. */
export interface WaitHook {
  /** The input fields `waitFor` and `waitTimeoutMs`. */
  fields: Record<string, z.ZodType>;
  /** The route's description, saying what it may wait for. */
  describe: (description: string) => string;
  /** The 200 schema: the envelope with the optional `wait` section. */
  responseSchema: (exampleBody: Record<string, unknown>) => z.ZodType;
  /** Before the call: undefined without waitFor; throws 400 / 403 before anything is sent. */
  start: (request: FastifyRequest, reply: FastifyReply, values: Record<string, unknown>, params: Record<string, unknown>) => ActiveWait | undefined;
}

const defaultWaiter = new Waiter({ maxWaitMs: DEFAULT_MAX_WAIT_MS });

const stateSchema = z.looseObject({
  id: z.string().describe('The resource id (for a command: the instance id)'),
  status: z.string().describe('Its last observed state; NotFound when the read action no longer lists it'),
}).describe('One resource\'s last observed state. A command adds invokeId, invocationStatus, exitCode, errorCode, errorInfo and (in a 200 only) output, as plain text');

/** The `wait` section, for the OpenAPI document. */
export const waitReportSchema = z.object({
  waitFor: z.string().describe('The state waited for'),
  reached: z.literal(true),
  resource: z.enum(['instance', 'disk', 'snapshot', 'invocation']),
  polls: z.number().int().describe('Read calls made while waiting'),
  elapsedMs: z.number().int(),
  states: z.array(stateSchema),
}).describe('Present when the request had waitFor: every resource reached it');

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The wait of a curated route, or undefined when it takes no waitFor. */
export function waitHook(deps: RouteDeps & { waiter?: Waiter }, decl: CuratedRoute): WaitHook | undefined {
  const target: WaitTarget | undefined = WAIT_TARGETS[decl.operationId];
  if (!target) return undefined;
  const waiter = deps.waiter ?? defaultWaiter;
  const kind = RESOURCES[target.resource];
  const readAction = getAction(kind.action)!;
  const location = decl.method === 'GET' || decl.method === 'DELETE' ? 'querystring' : 'body';
  const states = target.states.join(', ');
  const fields = {
    waitFor: z.enum(target.states).optional()
      .describe(`Answer only once every ${target.resource} is ${states} (polling ${kind.action}); the answer then has data.value.wait`),
    waitTimeoutMs: intish(0, waiter.maxWaitMs).optional()
      .describe(`With waitFor: the longest wait in ms, 0-${waiter.maxWaitMs} (GATEWAY_MAX_WAIT_MS; the default). Past it: 504 WAIT_TIMEOUT with the last states`),
  };

  const start: WaitHook['start'] = (request, reply, values, params) => {
    const waitFor = values.waitFor as string | undefined;
    if (waitFor === undefined) {
      if (values.waitTimeoutMs !== undefined) throw validationError([{ location, field: 'waitTimeoutMs', message: 'needs waitFor' }]);
      return undefined;
    }
    const regionId = str(values.regionId);
    const endpoint = str(values.endpoint);
    // The observations are the caller's read calls: refused now, before the lifecycle call, rather than after it.
    // A lifecycle call the key may not make at all is left to the route, which refuses and audits it as such.
    const mainRefused = request.caller ? refusalFor(request.caller, { action: decl.action, regionId, endpoint }) : undefined;
    if (!mainRefused) authorizeCall(request, { action: kind.action, regionId, endpoint, readOnly: true });
    const { signal } = clientGoneSignal(reply);
    const read = async (ids: readonly string[]): Promise<Observation<EcsResult>> => {
      let body: Record<string, unknown> | undefined;
      let result: EcsResult | undefined;
      let token: string | undefined;
      const states = [];
      do {
        const wire = toWire(readAction, { ...kind.input(ids), ...(regionId ? { RegionId: regionId } : {}), ...(token ? { NextToken: token } : {}) });
        authorizeCall(request, { action: kind.action, regionId, endpoint, params: wire, readOnly: true });
        result = await deps.client.call({ action: kind.action, params: wire, credentials: await requestCredentials(request, deps, values), regionId, endpoint });
        body = result.body;
        states.push(...kind.observe(body, ids));
        token = kind.nextToken?.(body);
      } while (token && states.length < 1000);
      return { states, result };
    };

    const finish = async (text: string): Promise<string> => {
      const value = (JSON.parse(text) as { data: { value: { body: Record<string, unknown>; headers: Record<string, string> } } }).data.value;
      const answer: EcsResult = { status: 200, headers: value.headers, body: value.body, bodyText: '' };
      const ids = target.ids({ values, params, result: answer });
      // Nothing to observe (ECS named no resource): nothing to wait for, and no read call that would list every resource.
      if (ids.length === 0) return `${text.slice(0, -3)},"wait":${JSON.stringify({ waitFor, reached: true, resource: target.resource, polls: 0, elapsedMs: 0, states: [] })}}}}`;
      const { report, last } = await waiter.run({
        target, waitFor, action: getAction(decl.action)?.name ?? decl.action,
        timeoutMs: (values.waitTimeoutMs as number | undefined) ?? waiter.maxWaitMs,
        observe: () => read(ids),
        initial: target.readRoute ? { states: kind.observe(answer.body, ids), result: answer } : undefined,
        signal,
      }).catch((err: unknown) => {
        if ((err as { code?: string }).code === ErrorCode.waitCancelled) request.log.info('wait cancelled: the client disconnected');
        throw err;
      });
      // Command output may hold anything the script printed: no cache keeps it.
      if (target.resource === 'invocation') reply.header('cache-control', 'no-store');
      // The read route answers with the freshest view; a lifecycle route with its own call's answer.
      const envelope = target.readRoute && last && last.result !== answer ? envelopeJson(last.result) : text;
      return `${envelope.slice(0, -3)},"wait":${JSON.stringify(report)}}}}`;
    };
    return { finish };
  };

  return {
    fields,
    describe: (description) => `${description} With \`waitFor\` (${states}) the answer waits until every ${target.resource} is in that state (see "Waiting for a state" in the README).`,
    responseSchema: (exampleBody) => waitEnvelopeSchema(exampleBody, target),
    start,
  };
}

/** The envelope of a route that can wait: the ECS body, its headers and, with waitFor, `wait`. */
function waitEnvelopeSchema(exampleBody: Record<string, unknown>, target: WaitTarget) {
  const exampleWait = {
    waitFor: target.states[0], reached: true, resource: target.resource, polls: 3, elapsedMs: 4200,
    states: [target.resource === 'invocation'
      ? { id: 'i-bp67acfmxazb4p****', status: 'Finished', invokeId: 't-hz0jdfwd9f****', invocationStatus: 'Success', exitCode: 0, output: 'hello\n' }
      : { id: target.resource === 'disk' ? 'd-bp67acfmxazb4p****' : target.resource === 'snapshot' ? 's-bp67acfmxazb4p****' : 'i-bp67acfmxazb4p****', status: target.states[0] }],
  };
  return envelopeSchema(exampleBody, { name: 'wait', schema: waitReportSchema, example: exampleWait, note: 'with waitFor, `wait` too' });
}
