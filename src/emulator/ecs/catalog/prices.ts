/**
 * The emulator's price list. FICTIONAL: deterministic numbers derived from the catalog so that DescribePrice answers
 * something stable and plausible; they are not Alibaba Cloud's prices.
 *
 * All rates are in 1/10000 CNY per hour (integers, so sums are exact):
 * - an instance type: 1200 per vCPU + 300 per GiB of memory; shared and burstable types (EntryLevel,
 *   CreditEntryLevel) half that. ecs.g7.large (2 vCPU, 8 GiB) = 4800 = 0.48 CNY/hour;
 * - a cloud disk, per GiB: DISK_RATES below (a 40 GiB cloud_efficiency system disk = 0.02 CNY/hour);
 * - fixed bandwidth (PayByBandwidth), per Mbit/s: 800; pay-by-traffic bandwidth costs nothing per hour (traffic
 *   itself, TRAFFIC_PER_GB per GB, is what ResourceType=bandwidth answers);
 * - a Windows image: 400 per vCPU; Linux images are free.
 * Longer units: a week is 168 hours, a month 720 hours × 0.7, a year 8760 hours × 0.7; a yearly subscription then
 * gets the one discount rule (15 % off).
 */
import type { InstanceTypeInfo } from './instance-types.js';

/** Per GiB-hour, in 1/10000 CNY. */
export const DISK_RATES: Readonly<Record<string, number>> = {
  cloud_efficiency: 5,
  cloud_ssd: 10,
  cloud_essd: 15,
  cloud_auto: 12,
  cloud_essd_entry: 8,
};

/** ESSD performance levels multiply the cloud_essd rate. */
export const ESSD_LEVEL_FACTOR: Readonly<Record<string, number>> = { PL0: 0.5, PL1: 1, PL2: 2, PL3: 4 };

/** Per Mbit/s-hour of fixed bandwidth, in 1/10000 CNY. */
export const BANDWIDTH_RATE = 800;

/** Per GB of outbound traffic (pay-by-traffic), in 1/10000 CNY. */
export const TRAFFIC_PER_GB = 8000;

/** Per vCPU-hour of a Windows image, in 1/10000 CNY. */
export const WINDOWS_RATE = 400;

/** The hourly rate of an instance type, in 1/10000 CNY. */
export function instanceTypeRate(t: InstanceTypeInfo): number {
  const full = t.cpu * 1200 + t.memoryGiB * 300;
  return t.level === 'EnterpriseLevel' ? full : Math.round(full / 2);
}

/** How many hours one PriceUnit counts, with the subscription factor folded in. */
export const UNIT_HOURS: Readonly<Record<'Hour' | 'Week' | 'Month' | 'Year', number>> = {
  Hour: 1,
  Week: 168,
  Month: 720 * 0.7,
  Year: 8760 * 0.7,
};

/** The one discount rule (yearly subscriptions). */
export const YEARLY_RULE = { RuleId: 1001, Description: 'Emulator (fictional): 15% off yearly subscriptions' } as const;
export const YEARLY_DISCOUNT = 0.15;
