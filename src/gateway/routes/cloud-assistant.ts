import { z } from 'zod';
import { boolish, intish, pageNumber, pageSize, text } from '../schemas/common.js';
import { instanceId, invokeId } from '../schemas/resources.js';
import { region, requestId, routesPlugin } from './declare.js';
import type { CuratedRoute } from './factory.js';

/**
 * Output (and command content) as text by default: the route sends ECS's own `ContentEncoding=PlainText`,
 * so ECS decodes and the body is still exactly as ECS sent it; `outputEncoding=base64` asks for ECS's
 * Base64 instead.
 */
const outputEncoding = () => ({
  schema: z.enum(['text', 'base64']).default('text').transform((v) => (v === 'base64' ? 'Base64' : 'PlainText'))
    .describe('text (default): Output and CommandContent as plain text (ECS ContentEncoding=PlainText); base64: as ECS encodes them by default'),
  param: 'ContentEncoding',
});
const invocationStatus = 'Pending, Running, Finished, Success, Failed, Stopped, Stopping, PartialFailed, Scheduled';

const invocation = { InvokeId: 't-hz0jdfwd9f****', CommandName: 'demo', CommandType: 'RunShellScript', InvocationStatus: 'Success', InvokeStatus: 'Finished', CreationTime: '2026-11-30T08:00:00Z' };

/** Cloud Assistant: run a command, follow its invocations, stop one. */
export const CLOUD_ASSISTANT_ROUTES: CuratedRoute[] = [
  {
    method: 'POST', url: '/commands/run', operationId: 'Command_RunCommand', action: 'RunCommand', tag: 'Cloud Assistant',
    summary: 'Run a command on instances',
    description: 'Run a shell (default), PowerShell or batch script on instances (ECS RunCommand); the answer has the InvokeId to follow at GET /api/invocations/{invokeId}. `commandContent` and `parameters` are never logged.',
    fields: {
      regionId: region(),
      instanceIds: { schema: z.array(instanceId()).min(1).max(100).describe('Instance IDs (1-100)'), param: 'InstanceId' },
      commandContent: z.string().min(1).max(24_576).describe('The script (plain text, or Base64 with contentEncoding: "Base64"). Never logged.'),
      type: z.enum(['RunShellScript', 'RunPowerShellScript', 'RunBatScript']).default('RunShellScript').describe('RunShellScript (default), RunPowerShellScript or RunBatScript'),
      contentEncoding: z.enum(['PlainText', 'Base64']).optional().describe('How commandContent is given: PlainText (default) or Base64'),
      name: text(128).optional().describe('A name for the command'),
      description: text(512).optional(),
      workingDir: text(200).optional(),
      username: text(64).optional().describe('Run as this user (default root / System)'),
      timeout: intish(10, 86_400).optional().describe('Seconds before the command is stopped (default 60)'),
      enableParameter: boolish().optional().describe('Replace {{name}} in the script with `parameters`'),
      parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional().describe('Values for {{name}} placeholders. Never logged.'),
      repeatMode: z.enum(['Once', 'Period', 'NextRebootOnly', 'EveryReboot']).optional(),
      frequency: text(128).optional().describe('For repeatMode Period: rate(5m), a cron expression, or a time'),
      keepCommand: boolish().optional().describe('Keep the command for later runs'),
      clientToken: z.string().regex(/^[\x20-\x7e]{1,64}$/, 'must be 1-64 ASCII characters').optional().describe('Idempotency token'),
    },
    example: { regionId: 'cn-hangzhou', instanceIds: ['i-bp67acfmxazb4p****'], commandContent: 'echo hello' },
    exampleBody: { CommandId: 'c-hz0jdfwcsr****', InvokeId: 't-hz0jdfwd9f****', RequestId: requestId },
  },
  {
    method: 'GET', url: '/invocations', operationId: 'Command_ListInvocations', action: 'DescribeInvocations', tag: 'Cloud Assistant',
    summary: 'List invocations', description: 'Command invocations of a region (ECS DescribeInvocations); `includeOutput=true` adds each instance\'s output, as text unless `outputEncoding=base64`.',
    fields: {
      regionId: region(),
      invokeId: invokeId().optional(),
      instanceId: instanceId().optional(),
      invokeStatus: text(32).optional().describe(invocationStatus),
      includeOutput: boolish().optional(),
      outputEncoding: outputEncoding(),
      pageNumber: pageNumber(),
      pageSize: pageSize(50),
      nextToken: text(1024).optional(),
      maxResults: intish(1, 50).optional(),
    },
    example: { regionId: 'cn-hangzhou', instanceId: 'i-bp67acfmxazb4p****' },
    exampleBody: { Invocations: { Invocation: [invocation] }, PageNumber: 1, PageSize: 10, TotalCount: 1, RequestId: requestId },
  },
  {
    method: 'GET', url: '/invocations/:invokeId', operationId: 'Command_GetInvocationResults', action: 'DescribeInvocationResults', tag: 'Cloud Assistant',
    summary: 'Results of an invocation',
    description: 'Each instance\'s status, exit code and output of one invocation (ECS DescribeInvocationResults). Output is plain text by default: the gateway asks ECS for it (ContentEncoding=PlainText), so the body is still exactly as ECS sent it; `outputEncoding=base64` gives ECS\'s Base64.',
    pathParams: { invokeId: { schema: invokeId(), param: 'InvokeId' } },
    fields: {
      regionId: region(),
      instanceId: instanceId().optional(),
      invokeRecordStatus: text(32).optional().describe(invocationStatus),
      includeHistory: boolish().optional(),
      outputEncoding: outputEncoding(),
      pageNumber: pageNumber(),
      pageSize: pageSize(50),
      nextToken: text(1024).optional(),
      maxResults: intish(1, 50).optional(),
    },
    example: { regionId: 'cn-hangzhou' },
    exampleBody: {
      Invocation: { InvocationResults: { InvocationResult: [{ InvokeId: 't-hz0jdfwd9f****', InstanceId: 'i-bp67acfmxazb4p****', InvocationStatus: 'Success', InvokeRecordStatus: 'Finished', ExitCode: 0, Output: 'hello\n' }] }, PageNumber: 1, PageSize: 10, TotalCount: 1 },
      RequestId: requestId,
    },
  },
  {
    method: 'POST', url: '/invocations/:invokeId/stop', operationId: 'Command_StopInvocation', action: 'StopInvocation', tag: 'Cloud Assistant',
    summary: 'Stop an invocation', description: 'Stop a running invocation on all or some of its instances (ECS StopInvocation).',
    pathParams: { invokeId: { schema: invokeId(), param: 'InvokeId' } },
    fields: {
      regionId: region(),
      instanceIds: { schema: z.array(instanceId()).min(1).max(50).optional().describe('Only on these instances (default: all)'), param: 'InstanceId' },
    },
    example: { regionId: 'cn-hangzhou' },
    exampleBody: { RequestId: requestId },
  },
];

export const cloudAssistantRoutes = routesPlugin(CLOUD_ASSISTANT_ROUTES);
