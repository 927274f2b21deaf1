/**
 * Makes what the domain sample (./domain-sample.ts) names, so its calls can really succeed against an emulator
 * that keeps state: each placeholder ID of the sample has a maker here that creates the resource through
 * ordinary ECS calls (the V3 SDK, straight at the emulator) and answers its real ID. Makers ask for what they
 * depend on first (an attachable disk needs the instance's zone, a snapshot needs an attached disk, …), each
 * placeholder is made once per preparation, and `prepareSample` swaps the real IDs into the call's parameters.
 *
 * Used by test/emulator/domain-sample.test.ts (a fresh account per call) and test/e2e/generic-domains.test.ts
 * (the stack's emulator, reset before each test, prepared with the demo key before the gateway is called).
 * Transitions must be instant (EMULATOR_TRANSITION_MS=0): a made instance is Running, a disk Available, a
 * snapshot accomplished and an image Available as soon as the next call looks.
 */
import { v3Client, type SdkKey } from '../emulator/sdk-clients.js';
import { sampleModel } from '../emulator/sample-calls.js';
import type { SampleCall } from './domain-sample.js';

type Body = Record<string, any>;

/** One ECS call: the action, its parameters as the sample writes them (wire names, JSON values); the answer body. */
export type EcsCall = (action: string, params: Record<string, unknown>) => Promise<Body>;

/** ECS calls through the official V3 SDK (typed request models) straight to the emulator at `url`. */
export function sdkCall(url: string, key: SdkKey): EcsCall {
  const client = v3Client(url, key) as unknown as Record<string, (req: unknown) => Promise<{ body: { toMap(): Body } }>>;
  return async (action, params) => {
    const method = action.charAt(0).toLowerCase() + action.slice(1);
    const res = await client[method]!.call(client, sampleModel({ domain: 'instances', action, params }));
    return res.body.toMap();
  };
}

const REGION = 'cn-hangzhou';
/** The zone the prepared instance runs in (its default vSwitch is `vsw-bp1sample000000001`). */
export const SAMPLE_ZONE = 'cn-hangzhou-i';
const IMAGE = 'aliyun_3_x64_20G_alibase_20240528.vhd';

/** Makes one placeholder's resource; `need` makes (once) and answers another placeholder's real ID. */
type Maker = (ecs: EcsCall, need: (placeholder: string) => Promise<string>) => Promise<string>;

function found<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === null || value === '') throw new Error(`preparing the sample: no ${what} in the answer`);
  return value;
}

/**
 * How each placeholder of the sample is made, by placeholder. Every kind the emulator keeps state for is here;
 * SYNTHETIC_PLACEHOLDERS lists the ones it has no state for.
 */
export const PREPARE: Readonly<Record<string, Maker>> = {
  /** A Running instance in SAMPLE_ZONE (a Linux image, so a key pair can be attached). */
  'i-bp1sample000000001': async (ecs) => {
    const run = await ecs('RunInstances', { RegionId: REGION, ZoneId: SAMPLE_ZONE, ImageId: IMAGE, InstanceType: 'ecs.g7.large', Amount: 1 });
    return found(run.InstanceIdSets?.InstanceIdSet?.[0], 'InstanceId of RunInstances');
  },
  /** A data disk, Available (never attached) in the instance's zone: what AttachDisk takes. */
  'd-bp1sample000000001': async (ecs, need) => {
    const instanceId = await need('i-bp1sample000000001');
    const listed = await ecs('DescribeInstances', { RegionId: REGION, InstanceIds: [instanceId] });
    const zoneId = found<string>(listed.Instances?.Instance?.[0]?.ZoneId, 'ZoneId of the instance');
    const made = await ecs('CreateDisk', { RegionId: REGION, ZoneId: zoneId, DiskCategory: 'cloud_essd', Size: 40 });
    return found(made.DiskId, 'DiskId of CreateDisk');
  },
  /** The instance's system disk: In_use, attached since the instance started, so a snapshot can be taken of it. */
  'd-bp1sample000000002': async (ecs, need) => {
    const instanceId = await need('i-bp1sample000000001');
    const disks = await ecs('DescribeDisks', { RegionId: REGION, InstanceId: instanceId, DiskType: 'system' });
    return found(disks.Disks?.Disk?.[0]?.DiskId, 'system disk of the instance');
  },
  /** An accomplished snapshot of the system disk (a system-disk snapshot, so an image can be made of it). */
  's-bp1sample000000001': async (ecs, need) => {
    const made = await ecs('CreateSnapshot', { DiskId: await need('d-bp1sample000000002'), SnapshotName: 'sample-snapshot' });
    return found(made.SnapshotId, 'SnapshotId of CreateSnapshot');
  },
  /** A custom image made from that snapshot. */
  'm-bp1sample000000001': async (ecs, need) => {
    const made = await ecs('CreateImage', { RegionId: REGION, SnapshotId: await need('s-bp1sample000000001'), ImageName: 'sample-image' });
    return found(made.ImageId, 'ImageId of CreateImage');
  },
  /** The default VPC of the region. */
  'vpc-bp1sample000000001': async (ecs) => {
    const vpcs = await ecs('DescribeVpcs', { RegionId: REGION, IsDefault: true });
    return found(vpcs.Vpcs?.Vpc?.[0]?.VpcId, 'default VPC');
  },
  /** The default vSwitch of SAMPLE_ZONE, in the default VPC. */
  'vsw-bp1sample000000001': async (ecs, need) => {
    const vpcId = await need('vpc-bp1sample000000001');
    const vsws = await ecs('DescribeVSwitches', { RegionId: REGION, VpcId: vpcId, ZoneId: SAMPLE_ZONE, IsDefault: true });
    return found(vsws.VSwitches?.VSwitch?.[0]?.VSwitchId, `default vSwitch of ${SAMPLE_ZONE}`);
  },
  /** Two new security groups in the default VPC. */
  'sg-bp1sample000000001': async (ecs, need) => {
    const made = await ecs('CreateSecurityGroup', { RegionId: REGION, VpcId: await need('vpc-bp1sample000000001'), SecurityGroupName: 'sample-1' });
    return found(made.SecurityGroupId, 'SecurityGroupId of CreateSecurityGroup');
  },
  'sg-bp1sample000000002': async (ecs, need) => {
    const made = await ecs('CreateSecurityGroup', { RegionId: REGION, VpcId: await need('vpc-bp1sample000000001'), SecurityGroupName: 'sample-2' });
    return found(made.SecurityGroupId, 'SecurityGroupId of CreateSecurityGroup');
  },
  /** A key pair (named by its name). */
  'sample-key-pair': async (ecs) => {
    const made = await ecs('CreateKeyPair', { RegionId: REGION, KeyPairName: 'sample-key-pair' });
    return found(made.KeyPairName, 'KeyPairName of CreateKeyPair');
  },
  /** An invocation: RunCommand on the Running instance. */
  't-hz0sample000001': async (ecs, need) => {
    const made = await ecs('RunCommand', { RegionId: REGION, Type: 'RunShellScript', CommandContent: 'echo hello', InstanceId: [await need('i-bp1sample000000001')] });
    return found(made.InvokeId, 'InvokeId of RunCommand');
  },
};

/**
 * Placeholders left as they are, each named only by actions the emulator answers synthetically, because the
 * emulator keeps no state of their kind: commands (RunCommand keeps none; CreateCommand, InvokeCommand and
 * DescribeCommands are synthetic), elastic network interfaces, dedicated hosts, and tasks.
 */
export const SYNTHETIC_PLACEHOLDERS: readonly string[] = ['c-hz0sample000001', 'eni-bp1sample000000001', 'dh-bp1sample000000001', 't-1', 't-2'];

/** Every string value of `v`, at any depth (and the parts of a comma-separated one). */
export function stringsOf(v: unknown): string[] {
  if (typeof v === 'string') return v.split(',');
  if (Array.isArray(v)) return v.flatMap(stringsOf);
  if (v && typeof v === 'object') return Object.values(v).flatMap(stringsOf);
  return [];
}

/** The placeholders (PREPARE's keys) a call names. */
export function placeholdersOf(call: SampleCall): string[] {
  return [...new Set(stringsOf(call.params).filter((s) => Object.hasOwn(PREPARE, s)))];
}

/**
 * Makes what `call` names (and what that depends on) through `ecs`, and answers the call with the real IDs in
 * place of the placeholders, plus the IDs made. A call naming no placeholder is answered as it is.
 */
export async function prepareSample(call: SampleCall, ecs: EcsCall): Promise<{ call: SampleCall; made: ReadonlyMap<string, string> }> {
  const made = new Map<string, Promise<string>>();
  const need = (placeholder: string): Promise<string> => {
    const maker = PREPARE[placeholder];
    if (!maker) throw new Error(`no maker for ${placeholder}`);
    let id = made.get(placeholder);
    if (id === undefined) {
      id = maker(ecs, need);
      made.set(placeholder, id);
    }
    return id;
  };
  // One at a time, in the sample's order: the makers share the account and some (the instance) are needed twice.
  const ids = new Map<string, string>();
  for (const p of placeholdersOf(call)) ids.set(p, await need(p));
  for (const [p, id] of made) ids.set(p, await id);
  const swap = (v: unknown): unknown =>
    typeof v === 'string'
      ? (ids.get(v) ?? v)
      : Array.isArray(v)
        ? v.map(swap)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, swap(x)]))
          : v;
  return { call: { ...call, params: swap(call.params) as SampleCall['params'] }, made: ids };
}
