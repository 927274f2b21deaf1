/**
 * The DescribeInstances filters, as one predicate over stored instances.
 */
import { findInstanceType } from '../catalog/index.js';
import { EcsErrors } from '../errors.js';
import { INSTANCE_STATUSES, type InstanceRecord } from '../model.js';
import { wildcardMatch, type Params } from '../params.js';
import { MAX_INSTANCE_IDS } from './instance-ids.js';

type Predicate = (rec: InstanceRecord) => boolean;

function equals(params: Params, name: string, field: (r: InstanceRecord) => string): Predicate | undefined {
  const v = params.str(name);
  return v === undefined ? undefined : (r) => field(r) === v;
}

function jsonIn(params: Params, name: string, field: (r: InstanceRecord) => string[]): Predicate | undefined {
  const list = params.jsonStrings(name);
  if (list === undefined) return undefined;
  if (list.length > MAX_INSTANCE_IDS) throw EcsErrors.invalidParameter(name);
  return (r) => field(r).some((v) => list.includes(v));
}

function statusFilter(params: Params): Predicate | undefined {
  const status = params.str('Status');
  if (status === undefined) return undefined;
  if (!(INSTANCE_STATUSES as readonly string[]).includes(status)) throw EcsErrors.invalidParameter('Status');
  return (r) => r.status === status;
}

function tagFilter(params: Params): Predicate | undefined {
  const tags = params.tags('Tag', 20);
  if (tags.length === 0) return undefined;
  return (r) =>
    tags.every((t) => r.tags.some((rt) => (t.key === '' || rt.key === t.key) && (t.value === '' || rt.value === t.value)));
}

function idsFilter(params: Params): Predicate | undefined {
  const ids = params.jsonStrings('InstanceIds');
  if (ids === undefined || ids.length === 0) return undefined;
  if (ids.length > MAX_INSTANCE_IDS) throw EcsErrors.tooManyInstanceIds();
  return (r) => ids.includes(r.instanceId);
}

/** The conjunction of every DescribeInstances filter present in `params`. */
export function instanceFilter(params: Params): Predicate {
  const name = params.str('InstanceName');
  const preds: Array<Predicate | undefined> = [
    idsFilter(params),
    statusFilter(params),
    name === undefined ? undefined : (r) => wildcardMatch(name, r.instanceName),
    equals(params, 'ZoneId', (r) => r.zoneId),
    equals(params, 'VpcId', (r) => r.vpcId),
    equals(params, 'VSwitchId', (r) => r.vSwitchId),
    equals(params, 'InstanceType', (r) => r.instanceType),
    equals(params, 'InstanceTypeFamily', (r) => findInstanceType(r.instanceType)?.family ?? ''),
    equals(params, 'ImageId', (r) => r.imageId),
    equals(params, 'InstanceChargeType', (r) => r.instanceChargeType),
    equals(params, 'InternetChargeType', (r) => r.internetChargeType),
    equals(params, 'KeyPairName', (r) => r.keyPairName),
    equals(params, 'InstanceNetworkType', () => 'vpc'),
    params.str('SecurityGroupId') === undefined ? undefined : (r) => r.securityGroupIds.includes(params.str('SecurityGroupId')!),
    jsonIn(params, 'PrivateIpAddresses', (r) => [r.privateIp]),
    jsonIn(params, 'PublicIpAddresses', (r) => (r.publicIp === '' ? [] : [r.publicIp])),
    tagFilter(params),
  ];
  const active = preds.filter((p): p is Predicate => p !== undefined);
  return (r) => active.every((p) => p(r));
}
