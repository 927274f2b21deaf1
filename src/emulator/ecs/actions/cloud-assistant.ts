/**
 * Cloud Assistant: RunCommand and StopInvocation (DescribeInvocations and DescribeInvocationResults are in
 * invocation-describe.ts). What a command prints is computed, never executed (../command-runner.ts).
 *
 * RunCommand checks, in this order, with the codes of ECS's RunCommand reference:
 * - Type not RunShellScript, RunBatScript or RunPowerShellScript → 403 InvalidCmdType.NotFound;
 * - Name over 128 characters → 403 CmdName.ExceedLimit; Description over 512 → 403 CmdDesc.ExceedLimit;
 * - CommandContent over 16 KB once Base64-encoded → 403 CmdContent.ExceedLimit; with ContentEncoding=Base64
 *   (case-insensitive; any other value means PlainText, as ECS does) content that is not Base64 → 400
 *   InvalidParameter naming CommandContent (never quoting it);
 * - Parameters without EnableParameter=true → 404 Parameter.Disabled; more than 10 → 403
 *   ParameterCount.ExceedLimit; an empty key → 403 CmdParam.EmptyKey; a key over 64 characters → 403
 *   ParameterKey.ExceedLimit; a key the content has no `{{key}}` for, or a `{{name}}` without its key → 403
 *   Parameter.NotMatched;
 * - Timed=true without Frequency → 403 MissingParam.Frequency; the emulator runs RepeatMode Once only, so
 *   Timed=true or RepeatMode Period/NextRebootOnly/EveryReboot → 400 InvalidParameter naming RepeatMode;
 * - Timeout (seconds, default 60) outside 1–86400 → 400 InvalidParameter (it is recorded; no run ever times out);
 * - no InstanceId.N → 400 MissingParameter (InstanceId; selecting by ResourceTag is not emulated);
 *   more than 50 → 403 InstanceIds.ExceedLimit;
 * - an instance the caller does not hold in RegionId → 404 InvalidInstance.NotFound; one not Running → 403
 *   InvalidInstance.NotMatch ("check whether the status of the instance meets the conditions"). Nothing is created
 *   unless every instance qualifies.
 * KeepCommand, WorkingDir, Username, Launcher and the rest are accepted; no command is kept (DescribeCommands stays
 * synthetic).
 *
 * StopInvocation: an InvokeId the caller does not hold in RegionId → 404 InvalidInvokeId.NotFound; more than 50
 * InstanceId.N → 403 InstanceIds.ExceedLimit. It stops the named instances of the invocation (all when none is named;
 * named instances outside it are ignored) at once: Pending ones are Cancelled, Running ones Terminated. When none of
 * them is still Pending or Running (a finished or already stopped invocation) → 403 Operation.Forbidden.
 */
import { EcsApiError, EcsErrors } from '../errors.js';
import { emulatedOutput } from '../command-runner.js';
import { isActive, phaseAt, type InvocationRecord } from '../invocations.js';
import type { Params } from '../params.js';
import type { ActionEnv, ActionResult } from './context.js';
import { regionParam } from './instance-ids.js';

const HEX = '0123456789abcdef';
const COMMAND_TYPES = ['RunShellScript', 'RunBatScript', 'RunPowerShellScript'];
const MAX_CONTENT_BASE64 = 16 * 1024;
const MAX_INSTANCES = 50;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The Cloud Assistant errors, worded as ECS's reference has them. */
export const CloudAssistantErrors = {
  cmdType: () => new EcsApiError(403, 'InvalidCmdType.NotFound', 'The specified command type does not exist.'),
  nameTooLong: () => new EcsApiError(403, 'CmdName.ExceedLimit', 'The length of the command name exceeds the upper limit.'),
  descTooLong: () =>
    new EcsApiError(403, 'CmdDesc.ExceedLimit', 'The length of the command description exceeds the upper limit.'),
  contentTooLong: () => new EcsApiError(403, 'CmdContent.ExceedLimit', 'The maximum length of a command is exceeded.'),
  parameterDisabled: () =>
    new EcsApiError(
      404,
      'Parameter.Disabled',
      'Parameters cannot be passed in when the command customization function is disabled.',
    ),
  parameterCount: () => new EcsApiError(403, 'ParameterCount.ExceedLimit', 'The maximum number of parameters is exceeded.'),
  parameterEmptyKey: () => new EcsApiError(403, 'CmdParam.EmptyKey', 'You must specify the parameter names.'),
  parameterKeyLength: () =>
    new EcsApiError(403, 'ParameterKey.ExceedLimit', 'The maximum length of a parameter name is exceeded.'),
  parameterNotMatched: () =>
    new EcsApiError(
      403,
      'Parameter.NotMatched',
      'The passed-in parameters do not match the parameters defined when you created the command.',
    ),
  missingFrequency: () =>
    new EcsApiError(403, 'MissingParam.Frequency', 'The frequency must be specified when you create a timed task.'),
  tooManyInstances: () =>
    new EcsApiError(403, 'InstanceIds.ExceedLimit', 'The number of instance IDs exceeds the upper limit.'),
  instanceNotFound: () => new EcsApiError(404, 'InvalidInstance.NotFound', 'The specified instance does not exist.'),
  instanceNotMatch: () =>
    new EcsApiError(403, 'InvalidInstance.NotMatch', 'The specified instance type does not match the command.'),
  invokeNotFound: () => new EcsApiError(404, 'InvalidInvokeId.NotFound', 'The specified invoke ID does not exist.'),
  forbidden: () => new EcsApiError(403, 'Operation.Forbidden', 'The operation is not permitted.'),
} as const;

/** The script text (decoded) and its Base64 form, as ECS stores it. */
function commandContent(params: Params): { script: string; base64: string } {
  const raw = params.required('CommandContent');
  if ((params.str('ContentEncoding') ?? '').toLowerCase() === 'base64') {
    if (!BASE64.test(raw)) throw EcsErrors.invalidParameter('CommandContent');
    return { script: Buffer.from(raw, 'base64').toString('utf8'), base64: raw };
  }
  return { script: raw, base64: Buffer.from(raw, 'utf8').toString('base64') };
}

/** The custom parameters substituted into the script; checks as listed in the header. */
function withParameters(params: Params, script: string): { script: string; parameters: string } {
  const text = params.str('Parameters');
  const enabled = params.bool('EnableParameter');
  if (text === undefined) return { script, parameters: '' };
  if (!enabled) throw CloudAssistantErrors.parameterDisabled();
  const given = JSON.parse(text) as Record<string, unknown>; // the spec check made sure it is a JSON object
  const keys = Object.keys(given);
  if (keys.length > 10) throw CloudAssistantErrors.parameterCount();
  if (keys.some((k) => k.trim() === '')) throw CloudAssistantErrors.parameterEmptyKey();
  if (keys.some((k) => k.length > 64)) throw CloudAssistantErrors.parameterKeyLength();
  const used = new Set([...script.matchAll(PLACEHOLDER)].map((m) => m[1]!));
  if (keys.some((k) => !used.has(k)) || [...used].some((u) => !Object.hasOwn(given, u))) {
    throw CloudAssistantErrors.parameterNotMatched();
  }
  const value = (k: string) => (typeof given[k] === 'string' ? (given[k] as string) : JSON.stringify(given[k]));
  return { script: script.replace(PLACEHOLDER, (_m, k: string) => value(k)), parameters: text };
}

function checkRepeatMode(params: Params): void {
  const timed = params.bool('Timed');
  if (timed && params.str('Frequency') === undefined) throw CloudAssistantErrors.missingFrequency();
  const mode = params.str('RepeatMode');
  if (timed || (mode !== undefined && mode !== 'Once')) throw EcsErrors.invalidParameter('RepeatMode');
}

/** RunCommand: one invocation on 1–50 Running instances; answers its InvokeId and CommandId. */
export function runCommand(env: ActionEnv): ActionResult {
  const { params, store, account, now, ids } = env;
  const regionId = regionParam(params);
  const type = params.required('Type');
  if (!COMMAND_TYPES.includes(type)) throw CloudAssistantErrors.cmdType();
  const name = params.str('Name') ?? '';
  if (name.length > 128) throw CloudAssistantErrors.nameTooLong();
  const description = params.str('Description') ?? '';
  if (description.length > 512) throw CloudAssistantErrors.descTooLong();
  const content = commandContent(params);
  if (content.base64.length > MAX_CONTENT_BASE64) throw CloudAssistantErrors.contentTooLong();
  const { script, parameters } = withParameters(params, content.script);
  checkRepeatMode(params);
  const timeout = params.int('Timeout', 60, 1, 86_400);
  const instanceIds = [...new Set(params.list('InstanceId'))];
  if (instanceIds.length === 0) throw EcsErrors.missingParameter('InstanceId');
  if (instanceIds.length > MAX_INSTANCES) throw CloudAssistantErrors.tooManyInstances();
  const instances = instanceIds.map((id) => {
    const rec = store.find(account, regionId, id, now);
    if (!rec) throw CloudAssistantErrors.instanceNotFound();
    return rec;
  });
  if (instances.some((r) => r.status !== 'Running')) throw CloudAssistantErrors.instanceNotMatch();
  const invocation: InvocationRecord = {
    account,
    regionId,
    invokeId: `t-${ids.chars(32, HEX)}`,
    commandId: `c-${ids.chars(32, HEX)}`,
    seq: store.nextSeq(),
    commandName: name,
    commandDescription: description,
    commandType: type,
    commandContent: content.base64,
    parameters,
    timeout,
    workingDir: params.str('WorkingDir') ?? (type === 'RunShellScript' ? '/root' : 'C:\\Windows\\system32'),
    username: params.str('Username') ?? (type === 'RunShellScript' ? 'root' : 'System'),
    repeatMode: 'Once',
    creationTime: now,
    runningAt: now + env.transitionMs,
    finishedAt: now + 2 * env.transitionMs,
    instances: instances.map((r) => ({
      instanceId: r.instanceId,
      output: emulatedOutput(script, r.hostName),
      exitCode: 0,
      stoppedAt: null,
      stoppedIn: null,
    })),
  };
  store.addInvocation(invocation);
  return { body: { CommandId: invocation.commandId, InvokeId: invocation.invokeId }, mutated: true };
}

/** StopInvocation: cancels Pending and terminates Running runs of an invocation. */
export function stopInvocation(env: ActionEnv): ActionResult {
  const { params, store, account, now } = env;
  const regionId = regionParam(params);
  const invokeId = params.required('InvokeId');
  const named = new Set(params.list('InstanceId'));
  if (named.size > MAX_INSTANCES) throw CloudAssistantErrors.tooManyInstances();
  const inv = store.invocations(account, regionId).find((r) => r.invokeId === invokeId);
  if (!inv) throw CloudAssistantErrors.invokeNotFound();
  const targets = inv.instances.filter((i) => named.size === 0 || named.has(i.instanceId));
  const active = targets.filter((i) => isActive(phaseAt(inv, i, now)));
  if (active.length === 0) throw CloudAssistantErrors.forbidden();
  for (const inst of active) {
    inst.stoppedIn = phaseAt(inv, inst, now) as 'Pending' | 'Running';
    inst.stoppedAt = now;
  }
  return { body: {}, mutated: true };
}
