/**
 * The instance types the emulator sells in every zone: the t6, g7, c7 and r7
 * families, plus the ecs.t1.xsmall, ecs.g5.large and ecs.g6.large used in docs.
 */

/** One instance type, with the facts DescribeInstanceTypes reports. */
export interface InstanceTypeInfo {
  instanceTypeId: string;
  family: string;
  cpu: number;
  /** Memory in GiB (may be fractional: 0.5). */
  memoryGiB: number;
  level: 'EntryLevel' | 'EnterpriseLevel' | 'CreditEntryLevel';
  category: string;
  /** Bandwidth in Kbit/s. */
  bandwidth: number;
  pps: number;
  eniQuantity: number;
  eniIps: number;
  queues: number;
  processor: string;
  /** Burstable (t6) credits; 0 for other families. */
  baselineCredit: number;
  initialCredit: number;
}

interface FamilySpec {
  family: string;
  level: InstanceTypeInfo['level'];
  category: string;
  processor: string;
  /** size suffix, vCPUs, memory GiB */
  sizes: ReadonlyArray<readonly [string, number, number]>;
}

const SIZES_2_TO_32 = ['large', 'xlarge', '2xlarge', '3xlarge', '4xlarge', '6xlarge', '8xlarge'] as const;
const CPUS = [2, 4, 8, 12, 16, 24, 32] as const;

function scaled(ratio: number): Array<readonly [string, number, number]> {
  return SIZES_2_TO_32.map((s, i) => [s, CPUS[i]!, CPUS[i]! * ratio] as const);
}

const ICE_LAKE = 'Intel Xeon(Ice Lake) Platinum 8369B';

const FAMILIES: readonly FamilySpec[] = [
  {
    family: 'ecs.t6',
    level: 'CreditEntryLevel',
    category: 'Shared',
    processor: 'Intel Xeon(Skylake) Platinum 8163',
    sizes: [
      ['c4m1.large', 2, 0.5],
      ['c2m1.large', 2, 1],
      ['c1m1.large', 2, 2],
      ['c1m2.large', 2, 4],
      ['c1m4.large', 2, 8],
      ['c1m2.xlarge', 4, 8],
      ['c1m4.xlarge', 4, 16],
    ],
  },
  { family: 'ecs.g7', level: 'EnterpriseLevel', category: 'General-purpose', processor: ICE_LAKE, sizes: scaled(4) },
  { family: 'ecs.c7', level: 'EnterpriseLevel', category: 'Compute-optimized', processor: ICE_LAKE, sizes: scaled(2) },
  { family: 'ecs.r7', level: 'EnterpriseLevel', category: 'Memory-optimized', processor: ICE_LAKE, sizes: scaled(8) },
  { family: 'ecs.t1', level: 'EntryLevel', category: 'Shared', processor: 'Intel Xeon E5-2420', sizes: [['xsmall', 1, 0.5]] },
  { family: 'ecs.g5', level: 'EnterpriseLevel', category: 'General-purpose', processor: 'Intel Xeon(Skylake) Platinum 8163', sizes: [['large', 2, 8]] },
  { family: 'ecs.g6', level: 'EnterpriseLevel', category: 'General-purpose', processor: 'Intel Xeon(Cascade Lake) Platinum 8269CY', sizes: [['large', 2, 8]] },
];

function toType(spec: FamilySpec, size: readonly [string, number, number]): InstanceTypeInfo {
  const [suffix, cpu, memoryGiB] = size;
  const burst = spec.family === 'ecs.t6';
  const shared = spec.level !== 'EnterpriseLevel';
  const id = burst ? `ecs.t6-${suffix}` : `${spec.family}.${suffix}`;
  return {
    instanceTypeId: id,
    family: spec.family,
    cpu,
    memoryGiB,
    level: spec.level,
    category: spec.category,
    bandwidth: shared ? 100_000 * cpu : Math.min(1_000_000 * cpu, 16_000_000),
    pps: shared ? 50_000 * cpu : Math.min(450_000 * cpu, 6_000_000),
    eniQuantity: Math.min(Math.max(2, cpu / 2 + 1), 8),
    eniIps: cpu <= 2 ? 6 : cpu <= 8 ? 10 : 15,
    queues: Math.min(cpu, 16),
    processor: spec.processor,
    baselineCredit: burst ? (cpu * 10 * (memoryGiB >= 8 ? 3 : 1)) / 2 : 0,
    initialCredit: burst ? cpu * 30 : 0,
  };
}

/** Every instance type of the catalog. */
export const INSTANCE_TYPES: readonly InstanceTypeInfo[] = FAMILIES.flatMap((f) => f.sizes.map((s) => toType(f, s)));
