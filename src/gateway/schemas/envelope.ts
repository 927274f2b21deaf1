import { z } from 'zod';

/** The type URL of the original service's envelope (protobuf Struct packed in an Any). */
export const STRUCT_TYPE_URL = 'type.googleapis.com/google.protobuf.Struct';

/** Example ECS response headers, as ECS sends them (shown in every example). */
export const EXAMPLE_HEADERS: Record<string, string> = {
  'access-control-allow-headers': 'X-Requested-With, X-Sequence, _aop_secret, _aop_signature, x-acs-action, x-acs-version, x-acs-date, Content-Type',
  'access-control-allow-methods': 'POST, GET, OPTIONS, PUT, DELETE',
  'access-control-allow-origin': '*',
  'access-control-max-age': '172800',
  connection: 'keep-alive',
  'content-type': 'application/json;charset=utf-8',
  date: 'Fri, 29 Apr 2022 07:02:12 GMT',
  vary: 'Accept-Encoding',
  'x-acs-request-id': '473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E',
  'x-acs-trace-id': 'c3a5d4fbd6b3e5f8a1d2e3f4a5b6c7d8',
};

/**
 * Builds the success envelope schema of a route, with its example body. `extra` adds one optional member next to
 * `body` and `headers` (e.g. `wait`, for a route that can wait for a state), with its example and a note.
 */
export function envelopeSchema(exampleBody: Record<string, unknown>, extra?: { name: string; schema: z.ZodType; example: unknown; note: string }) {
  const value = {
    body: z.record(z.string(), z.unknown()).describe('The ECS response body, exactly as ECS returned it'),
    headers: z.record(z.string(), z.string()).describe('The upstream ECS response headers'),
    ...(extra ? { [extra.name]: extra.schema.optional() } : {}),
  };
  return z.object({
    data: z.object({
      '@type': z.literal(STRUCT_TYPE_URL),
      value: z.object(value),
    }),
  }).describe(`The original service's envelope: the ECS body and the upstream headers inside a protobuf Struct${extra ? `; ${extra.note}` : ''}`)
    .meta({ example: { data: { '@type': STRUCT_TYPE_URL, value: { body: exampleBody, headers: EXAMPLE_HEADERS, ...(extra ? { [extra.name]: extra.example } : {}) } } } });
}

/** One error shape across the whole gateway. */
export const errorSchema = z.object({
  error: z.object({
    code: z.string().describe('Stable machine-readable code: a gateway code (VALIDATION_FAILED, MISSING_CREDENTIALS, UPSTREAM_TIMEOUT, …) or the ECS error code (InvalidInstanceId.NotFound, Throttling, …)'),
    message: z.string().describe('Human-readable explanation; never contains secrets'),
    status: z.number().int().describe('The HTTP status, repeated in the body'),
    requestId: z.string().describe('The gateway\'s request id (also in the x-request-id response header)'),
    ecsRequestId: z.string().optional().describe('ECS RequestId, for ECS errors'),
    hostId: z.string().optional().describe('ECS HostId, for ECS errors'),
    recommend: z.string().optional().describe('ECS Recommend (diagnosis link), for ECS errors'),
    details: z.array(z.object({
      location: z.string().describe('body, querystring, params, headers or request'),
      field: z.string().describe('The failing field'),
      message: z.string(),
    })).optional().describe('Per-field problems, for validation errors'),
    suggestions: z.array(z.string()).optional().describe('For UNKNOWN_ACTION: up to three ECS action names close to the one asked for'),
    waitFor: z.string().optional().describe('For a request with waitFor that failed while waiting (WAIT_TIMEOUT, WAIT_UNREACHABLE, a read action\'s error): the state waited for'),
    states: z.array(z.looseObject({ id: z.string(), status: z.string() })).optional().describe('With waitFor: the last observed state of each resource (`NotFound` when no longer listed); never command output'),
    failed: z.array(z.object({ regionId: z.string(), code: z.string(), message: z.string() })).optional().describe('For GET /api/inventory/{kind} when no region answered: every region\'s failure'),
  }),
}).meta({
  id: 'Error',
  example: {
    error: {
      code: 'IncorrectInstanceStatus',
      message: 'The current status of the resource does not support this operation.',
      status: 403,
      requestId: 'req-1',
      ecsRequestId: '6EF60BEC-0242-43AF-BB20-270359FB54A7',
      hostId: 'ecs.aliyuncs.com',
      recommend: 'https://api.aliyun.com/troubleshoot?q=IncorrectInstanceStatus',
    },
  },
});

export type ErrorBody = z.infer<typeof errorSchema>;

/** Response schemas shared by every ECS route. */
export const errorResponses = {
  '4xx': errorSchema.describe('Validation, credential, endpoint or ECS client error'),
  '5xx': errorSchema.describe('Upstream failure (502/504) or ECS server error'),
} as const;
