/**
 * Lookups over the static catalog: regions, zones, images and instance types.
 */
import { EcsErrors } from '../errors.js';
import { IMAGES, type ImageInfo } from './images.js';
import { INSTANCE_TYPES, type InstanceTypeInfo } from './instance-types.js';
import { REGIONS, type Localized, type RegionInfo } from './regions.js';

export { IMAGES, INSTANCE_TYPES, REGIONS };
export type { ImageInfo, InstanceTypeInfo, Localized, RegionInfo };
export { regionEndpoint } from './regions.js';

/** The language DescribeRegions / DescribeZones answer in. */
export type Language = keyof Localized;

/** Maps an AcceptLanguage value to a catalog language (zh-CN is the default). */
export function languageOf(acceptLanguage: string | undefined): Language {
  const v = (acceptLanguage ?? '').toLowerCase();
  if (v.startsWith('en')) return 'en';
  if (v.startsWith('ja')) return 'ja';
  return 'zh';
}

const REGION_BY_ID = new Map(REGIONS.map((r) => [r.regionId, r]));
const IMAGE_BY_ID = new Map(IMAGES.map((i) => [i.imageId, i]));
const TYPE_BY_ID = new Map(INSTANCE_TYPES.map((t) => [t.instanceTypeId, t]));

/** The region, or InvalidRegionId.NotFound. */
export function requireRegion(regionId: string): RegionInfo {
  const region = REGION_BY_ID.get(regionId);
  if (!region) throw EcsErrors.regionNotFound();
  return region;
}

/** The image, or InvalidImageId.NotFound. */
export function requireImage(imageId: string): ImageInfo {
  const image = IMAGE_BY_ID.get(imageId);
  if (!image) throw EcsErrors.imageNotFound();
  return image;
}

/** The instance type, or undefined. */
export function findInstanceType(id: string): InstanceTypeInfo | undefined {
  return TYPE_BY_ID.get(id);
}

/** The instance type, or InvalidInstanceType.ValueNotSupported. */
export function requireInstanceType(id: string): InstanceTypeInfo {
  const type = TYPE_BY_ID.get(id);
  if (!type) throw EcsErrors.instanceTypeNotSupported();
  return type;
}

/** One zone of a region. */
export interface ZoneInfo {
  zoneId: string;
  letter: string;
}

/** The zones of a region, in order. */
export function zonesOf(region: RegionInfo): ZoneInfo[] {
  return region.zoneLetters.map((letter) => ({ zoneId: `${region.regionId}-${letter}`, letter }));
}

/** The zone's LocalName: "杭州 可用区H", "Hangzhou Zone H", "杭州 ゾーン H". */
export function zoneLocalName(region: RegionInfo, letter: string, lang: Language): string {
  const L = letter.toUpperCase();
  if (lang === 'en') return `${region.city.en} Zone ${L}`;
  if (lang === 'ja') return `${region.city.ja} ゾーン ${L}`;
  return `${region.city.zh} 可用区${L}`;
}
