import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { batchOptimization, boolish, dryRun, regionId, text } from '../schemas/common.js';
import { ecsRoute, type RouteDeps } from './factory.js';

/** What every instance action takes: the region, the instances (ECS `InstanceId`, a list) and DryRun. */
const base = {
  regionId: regionId(),
  instanceIds: { schema: z.array(text(128)).min(1).max(100).describe('Instance IDs, 1-100'), param: 'InstanceId' },
  dryRun: dryRun(),
};
const example = { regionId: 'cn-beijing', instanceIds: ['i-bp67acfmxazb4p****'] };

const startFields = { ...base, batchOptimization: batchOptimization() };
const stopFields = {
  ...base,
  batchOptimization: batchOptimization(),
  forceStop: boolish().optional().describe('Power off without a clean shutdown (default false)'),
  stoppedMode: z.enum(['StopCharging', 'KeepCharging']).optional().describe('Economical mode (StopCharging) or KeepCharging'),
};
const rebootFields = {
  ...base,
  batchOptimization: batchOptimization(),
  forceReboot: boolish().optional().describe('Reboot without a clean shutdown (default false)'),
};
const terminateFields = {
  ...base,
  force: boolish().optional().describe('Release running instances too (default false: they must be Stopped)'),
  terminateSubscription: boolish().optional().describe('Also release expired subscription instances (default false)'),
};

const instanceResponses = (previous: string, current: string) => ({
  RequestId: '473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E',
  InstanceResponses: { InstanceResponse: [{ Code: '200', Message: 'success', InstanceId: 'i-bp67acfmxazb4p****', PreviousStatus: previous, CurrentStatus: current }] },
});

/** Start, stop, reboot and terminate instances (PUT /instances/<verb>). */
export function instanceActionRoutes(deps: RouteDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    ecsRoute(app, deps, {
      method: 'PUT', url: '/instances/start', operationId: 'Instance_StartInstances', action: 'StartInstances',
      summary: 'Start instances', description: 'Start Stopped instances (ECS StartInstances).',
      fields: startFields, example,
      exampleBody: instanceResponses('Stopped', 'Starting'),
    });
    ecsRoute(app, deps, {
      method: 'PUT', url: '/instances/stop', operationId: 'Instance_StopInstances', action: 'StopInstances',
      summary: 'Stop instances', description: 'Stop Running instances (ECS StopInstances): Stopping, then Stopped.',
      fields: stopFields, example,
      exampleBody: instanceResponses('Running', 'Stopping'),
    });
    ecsRoute(app, deps, {
      method: 'PUT', url: '/instances/reboot', operationId: 'Instance_RebootInstances', action: 'RebootInstances',
      summary: 'Reboot instances', description: 'Reboot Running instances (ECS RebootInstances): Stopping, then Running.',
      fields: rebootFields, example,
      exampleBody: instanceResponses('Running', 'Stopping'),
    });
    ecsRoute(app, deps, {
      method: 'PUT', url: '/instances/terminate', operationId: 'Instance_DeleteInstances', action: 'DeleteInstances',
      summary: 'Release instances', description: 'Release instances (ECS DeleteInstances). They must be Stopped unless `force` is true. Unlike the original service, RegionId, Force and TerminateSubscription are passed on.',
      fields: terminateFields, example: { ...example, force: true },
      exampleBody: { RequestId: '7B7813C6-57BF-41XX-B12B-F172F65A6046' },
    });
  };
}
