/**
 * DescribeInvocations and DescribeInvocationResults over the stored invocations, newest first, with each run's status
 * at the time of the call (../invocations.ts).
 *
 * - ContentEncoding (case-insensitive) `PlainText` answers CommandContent and Output as text; anything else (the
 *   default) Base64-encoded, as ECS does.
 * - DescribeInvocations: filters InvokeId, CommandId, CommandName, CommandType, InstanceId (invocations that ran on
 *   it), InvokeStatus (the overall Pending/Running/Finished/Stopped), RepeatMode, Timed; Output only with
 *   IncludeOutput=true.
 * - DescribeInvocationResults: one result per instance run; filters InvokeId, InstanceId, CommandId,
 *   InvokeRecordStatus (Pending/Running/Finished/Stopped).
 * - Paging: PageNumber/PageSize (default 10, at most 50), or NextToken/MaxResults when either is given.
 *   An unknown InvokeId simply matches nothing (an empty list), as a filter does.
 */
import {
  invocationStatus,
  overallInvocationStatus,
  overallInvokeStatus,
  phaseAt,
  recordStatus,
  type InvocationRecord,
  type InvokeInstanceRecord,
  type InvokePhase,
} from '../invocations.js';
import type { Params } from '../params.js';
import { read, type ActionEnv, type ActionResult } from './context.js';
import { regionParam } from './instance-ids.js';
import { pageByNumber, pageByToken, type Page } from './paging.js';

const LIMITS = { defaultSize: 10, maxSize: 50 };

/** Cloud Assistant times: `2020-01-19T09:15:46Z`. */
function caTime(ms: number | null): string {
  return ms === null ? '' : `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

function encoder(params: Params): (text: string) => string {
  const plain = (params.str('ContentEncoding') ?? '').toLowerCase() === 'plaintext';
  return plain ? (t) => t : (t) => Buffer.from(t, 'utf8').toString('base64');
}

function page<T>(all: T[], params: Params, scope: string): Page<T> {
  const byToken = params.str('NextToken') !== undefined || params.str('MaxResults') !== undefined;
  return byToken ? pageByToken(all, params, scope, LIMITS) : pageByNumber(all, params, LIMITS);
}

/** The timing and result facts of one run at `now`. */
function run(inv: InvocationRecord, inst: InvokeInstanceRecord, now: number) {
  const phase: InvokePhase = phaseAt(inv, inst, now);
  const started = phase === 'Running' || phase === 'Finished' || phase === 'Terminated';
  const finished = phase === 'Finished';
  return {
    phase,
    startTime: caTime(started ? inv.runningAt : null),
    finishTime: caTime(finished ? inv.finishedAt : null),
    stopTime: caTime(phase === 'Cancelled' || phase === 'Terminated' ? inst.stoppedAt : null),
    updateTime: caTime(inst.stoppedAt ?? (finished ? inv.finishedAt : started ? inv.runningAt : inv.creationTime)),
    output: finished ? inst.output : '',
    exitCode: finished ? inst.exitCode : phase === 'Terminated' ? -1 : 0,
    errorCode: phase === 'Terminated' ? 'ExecutionInterrupted' : '',
    errorInfo: phase === 'Terminated' ? 'the command execution has been interrupted' : '',
    repeats: finished || phase === 'Terminated' ? 1 : 0,
  };
}

function renderInvocation(inv: InvocationRecord, now: number, encode: (t: string) => string, withOutput: boolean) {
  const phases = inv.instances.map((i) => phaseAt(inv, i, now));
  const content = Buffer.from(inv.commandContent, 'base64').toString('utf8');
  return {
    CommandContent: encode(content),
    CommandDescription: inv.commandDescription,
    CommandId: inv.commandId,
    CommandName: inv.commandName,
    CommandType: inv.commandType,
    ContainerId: '',
    ContainerName: '',
    CreationTime: caTime(inv.creationTime),
    Frequency: '',
    InvocationStatus: overallInvocationStatus(phases),
    InvokeId: inv.invokeId,
    InvokeInstances: {
      InvokeInstance: inv.instances.map((inst) => {
        const r = run(inv, inst, now);
        return {
          CreationTime: caTime(inv.creationTime),
          Dropped: 0,
          ErrorCode: r.errorCode,
          ErrorInfo: r.errorInfo,
          ExitCode: r.exitCode,
          FinishTime: r.finishTime,
          InstanceId: inst.instanceId,
          InstanceInvokeStatus: recordStatus(r.phase),
          InvocationStatus: invocationStatus(r.phase),
          OssOutputErrorCode: '',
          OssOutputErrorInfo: '',
          OssOutputStatus: '',
          OssOutputUri: '',
          Output: withOutput ? encode(r.output) : '',
          Repeats: r.repeats,
          StartTime: r.startTime,
          StopTime: r.stopTime,
          Timed: false,
          UpdateTime: r.updateTime,
        };
      }),
    },
    InvokeStatus: overallInvokeStatus(phases),
    Launcher: '',
    OssOutputDelivery: '',
    Parameters: inv.parameters === '' ? '{}' : inv.parameters,
    RepeatMode: inv.repeatMode,
    Tags: { Tag: [] },
    TerminationMode: '',
    Timed: false,
    Timeout: inv.timeout,
    Username: inv.username,
    WorkingDir: inv.workingDir,
  };
}

/** DescribeInvocations. */
export function describeInvocations({ params, store, account, now }: ActionEnv): ActionResult {
  const regionId = regionParam(params);
  const f = {
    invokeId: params.str('InvokeId'),
    commandId: params.str('CommandId'),
    commandName: params.str('CommandName'),
    commandType: params.str('CommandType'),
    instanceId: params.str('InstanceId'),
    invokeStatus: params.str('InvokeStatus'),
    repeatMode: params.str('RepeatMode'),
  };
  const timed = params.bool('Timed', false);
  const withOutput = params.bool('IncludeOutput', false);
  const matches = store.invocations(account, regionId).filter((inv) => {
    const status = overallInvokeStatus(inv.instances.map((i) => phaseAt(inv, i, now)));
    return (
      (f.invokeId === undefined || inv.invokeId === f.invokeId) &&
      (f.commandId === undefined || inv.commandId === f.commandId) &&
      (f.commandName === undefined || inv.commandName === f.commandName) &&
      (f.commandType === undefined || inv.commandType === f.commandType) &&
      (f.instanceId === undefined || inv.instances.some((i) => i.instanceId === f.instanceId)) &&
      (f.invokeStatus === undefined || status === f.invokeStatus) &&
      (f.repeatMode === undefined || inv.repeatMode === f.repeatMode) &&
      !timed
    );
  });
  const p = page(matches, params, `DescribeInvocations|${account}|${regionId}`);
  const encode = encoder(params);
  return read({
    Invocations: { Invocation: p.items.map((inv) => renderInvocation(inv, now, encode, withOutput)) },
    TotalCount: p.totalCount,
    PageNumber: p.pageNumber,
    PageSize: p.pageSize,
    NextToken: p.nextToken,
  });
}

/** DescribeInvocationResults. */
export function describeInvocationResults({ params, store, account, now }: ActionEnv): ActionResult {
  const regionId = regionParam(params);
  const invokeId = params.str('InvokeId');
  const instanceId = params.str('InstanceId');
  const commandId = params.str('CommandId');
  const recordFilter = params.str('InvokeRecordStatus');
  params.bool('IncludeHistory');
  const encode = encoder(params);
  const results = store
    .invocations(account, regionId)
    .filter((inv) => (invokeId === undefined || inv.invokeId === invokeId) && (commandId === undefined || inv.commandId === commandId))
    .flatMap((inv) =>
      inv.instances
        .filter((inst) => instanceId === undefined || inst.instanceId === instanceId)
        .map((inst) => ({ inv, inst, r: run(inv, inst, now) })),
    )
    .filter(({ r }) => recordFilter === undefined || recordStatus(r.phase) === recordFilter);
  const p = page(results, params, `DescribeInvocationResults|${account}|${regionId}`);
  return read({
    Invocation: {
      InvocationResults: {
        InvocationResult: p.items.map(({ inv, inst, r }) => ({
          CommandId: inv.commandId,
          ContainerId: '',
          ContainerName: '',
          Dropped: 0,
          ErrorCode: r.errorCode,
          ErrorInfo: r.errorInfo,
          ExitCode: r.exitCode,
          FinishedTime: r.finishTime,
          InstanceId: inst.instanceId,
          InvocationStatus: invocationStatus(r.phase),
          InvokeId: inv.invokeId,
          InvokeRecordStatus: recordStatus(r.phase),
          Launcher: '',
          OssOutputDelivery: '',
          OssOutputErrorCode: '',
          OssOutputErrorInfo: '',
          OssOutputStatus: '',
          OssOutputUri: '',
          Output: encode(r.output),
          Repeats: r.repeats,
          StartTime: r.startTime,
          StopTime: r.stopTime,
          Tags: { Tag: [] },
          TerminationMode: '',
          Username: inv.username,
        })),
      },
      TotalCount: p.totalCount,
      PageNumber: p.pageNumber,
      PageSize: p.pageSize,
      NextToken: p.nextToken,
    },
  });
}
