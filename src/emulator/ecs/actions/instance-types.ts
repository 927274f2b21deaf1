/**
 * DescribeInstanceTypes over the instance-type catalog.
 */
import { INSTANCE_TYPES, type InstanceTypeInfo } from '../catalog/index.js';
import { EcsErrors } from '../errors.js';
import type { Params } from '../params.js';
import { read, type ActionEnv, type ActionResult } from './context.js';
import { pageByToken } from './paging.js';

/** The DescribeInstanceTypes `InstanceType` element. */
export function renderInstanceType(t: InstanceTypeInfo): Record<string, unknown> {
  return {
    InstanceTypeId: t.instanceTypeId,
    InstanceTypeFamily: t.family,
    CpuCoreCount: t.cpu,
    MemorySize: t.memoryGiB,
    InstanceFamilyLevel: t.level,
    InstanceCategory: t.category,
    CpuArchitecture: 'X86',
    PhysicalProcessorModel: t.processor,
    GPUAmount: 0,
    GPUSpec: '',
    GPUMemorySize: 0,
    LocalStorageCategory: '',
    LocalStorageAmount: 0,
    LocalStorageCapacity: 0,
    InstanceBandwidthRx: t.bandwidth,
    InstanceBandwidthTx: t.bandwidth,
    InstancePpsRx: t.pps,
    InstancePpsTx: t.pps,
    EniQuantity: t.eniQuantity,
    EniTotalQuantity: t.eniQuantity,
    EniPrivateIpAddressQuantity: t.eniIps,
    EniIpv6AddressQuantity: t.eniIps,
    EniTrunkSupported: t.level === 'EnterpriseLevel',
    MaximumQueueNumberPerEni: t.queues,
    PrimaryEniQueueNumber: t.queues,
    SecondaryEniQueueNumber: Math.max(1, t.queues / 2),
    TotalEniQueueQuantity: t.queues * t.eniQuantity,
    DiskQuantity: 17,
    NvmeSupport: 'unsupported',
    BaselineCredit: t.baselineCredit,
    InitialCredit: t.initialCredit,
    SupportedBootModes: { SupportedBootMode: ['BIOS', 'UEFI'] },
  };
}

function numberParam(params: Params, name: string): number | undefined {
  const v = params.str(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw EcsErrors.invalidParameter(name);
  return n;
}

function typeFilter(params: Params): (t: InstanceTypeInfo) => boolean {
  const ids = params.list('InstanceTypes');
  if (ids.length > 10) throw EcsErrors.invalidParameter('InstanceTypes');
  const families = [...params.list('InstanceTypeFamilies'), params.str('InstanceTypeFamily')].filter(
    (f): f is string => f !== undefined,
  );
  const level = params.str('InstanceFamilyLevel');
  const [minCpu, maxCpu] = [numberParam(params, 'MinimumCpuCoreCount'), numberParam(params, 'MaximumCpuCoreCount')];
  const [minMem, maxMem] = [numberParam(params, 'MinimumMemorySize'), numberParam(params, 'MaximumMemorySize')];
  return (t) =>
    (ids.length === 0 || ids.includes(t.instanceTypeId)) &&
    (families.length === 0 || families.includes(t.family)) &&
    (level === undefined || level === t.level) &&
    (minCpu === undefined || t.cpu >= minCpu) &&
    (maxCpu === undefined || t.cpu <= maxCpu) &&
    (minMem === undefined || t.memoryGiB >= minMem) &&
    (maxMem === undefined || t.memoryGiB <= maxMem);
}

/** DescribeInstanceTypes: filters, NextToken/MaxResults paging (max 1600). */
export function describeInstanceTypes({ params }: ActionEnv): ActionResult {
  const matches = INSTANCE_TYPES.filter(typeFilter(params));
  const page = pageByToken(matches, params, 'DescribeInstanceTypes', { defaultSize: 1600, maxSize: 1600 });
  return read({
    InstanceTypes: { InstanceType: page.items.map(renderInstanceType) },
    NextToken: page.nextToken,
  });
}
