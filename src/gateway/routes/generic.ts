import type { FastifyInstance } from 'fastify';
import { ecsRoute, type RouteDeps } from './factory.js';

/**
 * `POST /api/ecs/{Action}`: every ECS action of the catalog, its body validated by the action's own schema
 * (built on first use and cached), signed and sent like every other route. See the factory for the flow.
 */
export function genericRoutes(deps: RouteDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    ecsRoute(app, deps, {
      method: 'POST', url: '/ecs/:Action', actionParam: 'Action', operationId: 'Ecs_CallAction', tags: ['ECS'],
      summary: 'Call any ECS action',
      description: [
        'Calls the ECS action named in the path (exact name, e.g. `DescribeDisks`; an unknown name is 404 UNKNOWN_ACTION with the closest names).',
        'The JSON body holds the action\'s parameters by lowerCamelCase (`instanceId`), snake_case (`instance_id`) or ECS wire name (`InstanceId`),',
        'plus the credentials and `endpoint` every route takes. Values are ordinary JSON: lists are arrays, objects are objects,',
        'lists of objects are arrays of objects (`tag: [{key, value}]`), and JSON-valued parameters take native values (or their JSON text).',
        'Required parameters, types, unknown fields and documented limits are checked before anything is sent; every failing field is named in one 400.',
        '`GET /api/ecs/{Action}` describes the parameters.',
      ].join(' '),
      example: { regionId: 'cn-hangzhou', instanceId: ['i-bp67acfmxazb4p****'], forceStop: false },
      exampleBody: {
        RequestId: '473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E',
        InstanceResponses: { InstanceResponse: [{ Code: '200', Message: 'success', InstanceId: 'i-bp67acfmxazb4p****', PreviousStatus: 'Running', CurrentStatus: 'Stopping' }] },
      },
    });
  };
}
