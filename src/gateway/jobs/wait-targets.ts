/**
 * What `waitFor` waits for, per route: which states a caller may ask for, which resources the call touched,
 * which read action observes them, and which observed states can no longer become the target (409
 * WAIT_UNREACHABLE at once instead of polling until the timeout).
 *
 * The state machines (ECS; the emulator follows them, see src/emulator/ecs/lifecycle.ts, storage-store.ts,
 * invocations.ts):
 *
 * - instance: Pending → Starting → Running → Stopping → Stopped → Starting … (reboot: Stopping → Starting →
 *   Running). A wait follows a transition in progress; it does not wait for a call nobody made. So for
 *   `Running` a Stopped instance (resting; only a new StartInstances leaves it) is unreachable, and for
 *   `Stopped` a Running one is. Transitional states (Pending, Starting, Stopping) keep the wait going.
 * - disk: Creating → Available ⇄ (Attaching → In_use, Detaching → Available); ReIniting → In_use. For `In_use`
 *   a resting Available disk, or one Detaching, is unreachable; for `Available` a resting In_use disk, or one
 *   Attaching, is.
 * - snapshot: progressing → accomplished | failed. `failed` is unreachable.
 * - invocation (per instance, InvokeRecordStatus): Pending → Running → Finished | Failed | Stopping → Stopped.
 *   `Finished` means the command ran to its end, whatever its exit code (the answer has the exit code).
 *   Failed (it could not run: agent down, timeout), Stopping and Stopped are unreachable.
 * - A resource that is not found any more (deleted, released) is unreachable. A resource the call itself
 *   created (RunInstances, CreateSnapshot, RunCommand) may not be listed yet right after its creation: not
 *   found is retried until it has been seen once.
 */
import type { EcsResult } from '../ecs/client.js';

/** The kinds of resources a wait observes. */
export type WaitResource = 'instance' | 'disk' | 'snapshot' | 'invocation';

/** One observed resource: its id and state (per instance for an invocation, with exit code and output). */
export interface ObservedState {
  id: string;
  status: string;
  [extra: string]: unknown;
}

/** The status a resource that the read action does not list any more is reported with. */
export const NOT_FOUND = 'NotFound';

/** How one kind of resource is observed. */
export interface ResourceKind {
  /** The read action that observes it (authorized like any call of the caller's key). */
  action: string;
  /** The read action's catalog input for these ids (besides RegionId). */
  input: (ids: readonly string[]) => Record<string, unknown>;
  /** The states of the ids in one answer; an id the answer lacks is NOT_FOUND. */
  observe: (body: Record<string, unknown>, ids: readonly string[]) => ObservedState[];
  /** Whether `status` can no longer become `target` (NOT_FOUND is handled by the waiter). */
  unreachable: (target: string, status: string) => boolean;
  /** The answer names the next page (DescribeInvocationResults: over 50 instances). */
  nextToken?: (body: Record<string, unknown>) => string | undefined;
}

const at = (body: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((node, key) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined), body);
const listAt = (body: unknown, path: string): Record<string, unknown>[] => {
  const list = at(body, path);
  return Array.isArray(list) ? list.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : [];
};
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** States by id, in the order of `ids`; missing ids are NOT_FOUND. */
function byId(items: Record<string, unknown>[], ids: readonly string[], idKey: string, statusKey: string): ObservedState[] {
  const found = new Map(items.map((item) => [str(item[idKey]), str(item[statusKey]) ?? 'Unknown']));
  return ids.map((id) => ({ id, status: found.get(id) ?? NOT_FOUND }));
}

/** For each target, the states from which it cannot be reached. */
const blocked = (table: Readonly<Record<string, readonly string[]>>) => (target: string, status: string): boolean =>
  table[target]?.includes(status) ?? false;

export const RESOURCES: Readonly<Record<WaitResource, ResourceKind>> = {
  instance: {
    action: 'DescribeInstances',
    input: (ids) => ({ InstanceIds: ids, PageSize: 100 }),
    observe: (body, ids) => byId(listAt(body, 'Instances.Instance'), ids, 'InstanceId', 'Status'),
    unreachable: blocked({ Running: ['Stopped'], Stopped: ['Running'] }),
  },
  disk: {
    action: 'DescribeDisks',
    input: (ids) => ({ DiskIds: ids, PageSize: 100 }),
    observe: (body, ids) => byId(listAt(body, 'Disks.Disk'), ids, 'DiskId', 'Status'),
    unreachable: blocked({ In_use: ['Available', 'Detaching'], Available: ['In_use', 'Attaching'] }),
  },
  snapshot: {
    action: 'DescribeSnapshots',
    input: (ids) => ({ SnapshotIds: ids, PageSize: 100 }),
    observe: (body, ids) => byId(listAt(body, 'Snapshots.Snapshot'), ids, 'SnapshotId', 'Status'),
    unreachable: blocked({ accomplished: ['failed'] }),
  },
  invocation: {
    action: 'DescribeInvocationResults',
    // PlainText: ECS decodes the output; MaxResults 50 is the largest page (RunCommand takes up to 100 instances).
    input: ([invokeId]) => ({ InvokeId: invokeId, ContentEncoding: 'PlainText', MaxResults: 50 }),
    observe: (body, [invokeId]) => {
      const results = listAt(body, 'Invocation.InvocationResults.InvocationResult');
      if (results.length === 0) return [{ id: invokeId!, status: NOT_FOUND }];
      return results.map((r) => ({
        id: str(r.InstanceId) ?? '',
        status: str(r.InvokeRecordStatus) ?? 'Unknown',
        invokeId: str(r.InvokeId) ?? invokeId,
        invocationStatus: str(r.InvocationStatus),
        exitCode: typeof r.ExitCode === 'number' ? r.ExitCode : null,
        errorCode: str(r.ErrorCode) || undefined,
        errorInfo: str(r.ErrorInfo) || undefined,
        output: str(r.Output) ?? '',
      }));
    },
    unreachable: blocked({ Finished: ['Failed', 'Stopping', 'Stopped'] }),
    nextToken: (body) => str(at(body, 'Invocation.NextToken')) || str(body.NextToken) || undefined,
  },
};

/** The fields of an observed state that only the success answer carries (never in an error body). */
export const ANSWER_ONLY_FIELDS: readonly string[] = ['output'];

/** What the route's validated input, path parameters and ECS answer are, for picking the ids. */
export interface CallFacts {
  values: Record<string, unknown>;
  params: Record<string, unknown>;
  result: EcsResult;
}

/** The wait of one route. */
export interface WaitTarget {
  resource: WaitResource;
  /** The states the caller may ask for; a waitFor outside them is a 400 naming them. */
  states: readonly [string, ...string[]];
  /** The ids the call touched. */
  ids: (facts: CallFacts) => string[];
  /** The call created the resources: not found is retried until each was seen once. */
  created?: boolean;
  /**
   * The route's own action is the read action (GET /api/instances/{id}): its answer is the first
   * observation, and the answer's body is the last observation's.
   */
  readRoute?: boolean;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

/** The routes that take `waitFor`, by operationId. */
export const WAIT_TARGETS: Readonly<Record<string, WaitTarget>> = {
  Instance_CreateInstances: {
    resource: 'instance', states: ['Running'], created: true,
    ids: ({ result }) => strings(at(result.body, 'InstanceIdSets.InstanceIdSet')),
  },
  Instance_StartInstances: { resource: 'instance', states: ['Running'], ids: ({ values }) => strings(values.instanceIds) },
  Instance_StopInstances: { resource: 'instance', states: ['Stopped'], ids: ({ values }) => strings(values.instanceIds) },
  Instance_RebootInstances: { resource: 'instance', states: ['Running'], ids: ({ values }) => strings(values.instanceIds) },
  Instance_GetInstance: { resource: 'instance', states: ['Running', 'Stopped'], readRoute: true, ids: ({ params }) => strings(params.instanceId) },
  Disk_AttachDisk: { resource: 'disk', states: ['In_use'], ids: ({ params }) => strings(params.diskId) },
  Disk_DetachDisk: { resource: 'disk', states: ['Available'], ids: ({ params }) => strings(params.diskId) },
  Snapshot_CreateSnapshot: { resource: 'snapshot', states: ['accomplished'], created: true, ids: ({ result }) => strings(result.body.SnapshotId) },
  Command_RunCommand: { resource: 'invocation', states: ['Finished'], created: true, ids: ({ result }) => strings(result.body.InvokeId) },
};
