/**
 * The cloud-disk categories the emulator offers in every zone (the ones DescribeZones lists), with the sizes each
 * takes as a system disk and as a data disk, in GiB. DescribeAvailableResource reports these ranges and DescribePrice
 * checks sizes against them.
 */

/** One disk category and its size ranges (GiB). */
export interface DiskCategoryInfo {
  category: string;
  system: { min: number; max: number };
  data: { min: number; max: number };
}

/** Every disk category, in the order DescribeZones lists them. */
export const DISK_CATEGORY_INFO: readonly DiskCategoryInfo[] = [
  { category: 'cloud_efficiency', system: { min: 20, max: 2048 }, data: { min: 20, max: 32768 } },
  { category: 'cloud_ssd', system: { min: 20, max: 2048 }, data: { min: 20, max: 32768 } },
  { category: 'cloud_essd', system: { min: 20, max: 2048 }, data: { min: 20, max: 32768 } },
  { category: 'cloud_auto', system: { min: 20, max: 2048 }, data: { min: 1, max: 65536 } },
  { category: 'cloud_essd_entry', system: { min: 20, max: 2048 }, data: { min: 10, max: 32768 } },
];

const BY_CATEGORY = new Map(DISK_CATEGORY_INFO.map((d) => [d.category, d]));

/** The category, or undefined when the emulator does not offer it. */
export function findDiskCategory(category: string): DiskCategoryInfo | undefined {
  return BY_CATEGORY.get(category);
}
