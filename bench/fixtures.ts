/**
 * What the bench upstream answers and what every target is asked: a real ECS StopInstances answer
 * (body from the recorded fixture, headers as ECS sends them) and the gateway route's request body.
 * Kept in TypeScript so `npm run bench` needs nothing outside the repository.
 */

/** ECS StopInstances 200 body, as recorded from ECS. */
export const STOP_INSTANCES_BODY = {
  RequestId: '1C488B66-B819-4D14-8711-C4EAAA13AC01',
  InstanceResponses: {
    InstanceResponse: [
      {
        Code: 200,
        Message: 'success',
        InstanceId: 'i-bp67acfmxazb4p****',
        CurrentStatus: 'Stopping',
        PreviousStatus: 'Running',
      },
    ],
  },
} as const;

/**
 * Response headers as ECS sends them (`date`, `connection` and `content-length` are added by
 * node:http, as a real server adds them).
 */
export const ECS_RESPONSE_HEADERS: Record<string, string> = {
  'access-control-allow-headers': 'X-Requested-With, X-Sequence, _aop_secret, _aop_signature, x-acs-action, x-acs-version, x-acs-date, Content-Type',
  'access-control-allow-methods': 'POST, GET, OPTIONS, PUT, DELETE',
  'access-control-allow-origin': '*',
  'access-control-max-age': '172800',
  'content-type': 'application/json;charset=utf-8',
  vary: 'Accept-Encoding',
  'x-acs-request-id': STOP_INSTANCES_BODY.RequestId,
  'x-acs-trace-id': 'c3a5d4fbd6b3e5f8a1d2e3f4a5b6c7d8',
};

/** The route under test, on every target. */
export const ROUTE = { method: 'PUT', path: '/api/instances/stop' } as const;

/** Fake but well-formed credentials: the bench upstream does not verify signatures. */
export const ACCESS_KEY_ID = 'LTAI5tBenchAccessKeyId01';
export const ACCESS_KEY_SECRET = 'BenchAccessKeySecret0123456789ab';

/** The JSON body every target receives: one instance id. */
export const REQUEST_BODY = {
  accessKeyId: ACCESS_KEY_ID,
  accessKeySecret: ACCESS_KEY_SECRET,
  regionId: 'cn-hangzhou',
  instanceIds: ['i-bp67acfmxazb4p0001'],
};

/** The protobuf Struct type URL of the gateway's envelope, which the other targets reproduce. */
export const STRUCT_TYPE_URL = 'type.googleapis.com/google.protobuf.Struct';

/** The generic route, calling the same action as ROUTE. */
export const GENERIC_ROUTE = { method: 'POST', path: '/api/ecs/StopInstances' } as const;

/** The generic route's body: the action's parameters by their lowerCamelCase names (credentials go in headers). */
export const GENERIC_REQUEST_BODY = {
  regionId: 'cn-hangzhou',
  instanceId: ['i-bp67acfmxazb4p0001'],
};

/** The credential headers every route takes. */
export const GENERIC_HEADERS: Record<string, string> = {
  'x-access-key-id': ACCESS_KEY_ID,
  'x-access-key-secret': ACCESS_KEY_SECRET,
};
