/**
 * Parses and validates a RunInstances request into a RunSpec, raising the
 * errors real ECS raises for each bad parameter.
 */
import type { ImageInfo, InstanceTypeInfo, RegionInfo } from '../catalog/index.js';
import { requireImage, requireInstanceType, requireRegion, zonesOf } from '../catalog/index.js';
import { EcsErrors } from '../errors.js';
import type { DiskRecord, TagRecord } from '../model.js';
import type { Params } from '../params.js';

/** A validated RunInstances request. */
export interface RunSpec {
  region: RegionInfo;
  image: ImageInfo;
  type: InstanceTypeInfo;
  /** The zone asked for, if any (validated). */
  zoneId: string | undefined;
  amount: number;
  instanceName: string | undefined;
  hostName: string | undefined;
  uniqueSuffix: boolean;
  description: string;
  hasPassword: boolean;
  systemDisk: DiskRecord;
  dataDisks: DiskRecord[];
  tags: TagRecord[];
  securityGroupIds: string[];
  vSwitchId: string | undefined;
  privateIp: string | undefined;
  internetMaxBandwidthOut: number;
  internetMaxBandwidthIn: number | undefined;
  internetChargeType: string;
  instanceChargeType: 'PostPaid' | 'PrePaid';
  periodMonths: number;
  spotStrategy: string;
  keyPairName: string;
  userData: string;
  deletionProtection: boolean;
  creditSpecification: string;
}

const NAME_RE = /^[A-Za-z\u4e00-\u9fa5][A-Za-z0-9\u4e00-\u9fa5:_.\-]{1,127}$/;
const DISK_CATEGORIES = ['cloud', 'cloud_efficiency', 'cloud_ssd', 'cloud_essd', 'cloud_auto', 'cloud_essd_entry'];

export function validName(v: string | undefined, code: string, param: string): string | undefined {
  if (v !== undefined && (!NAME_RE.test(v) || /^https?:\/\//.test(v))) throw EcsErrors.malformed(code, param);
  return v;
}

export function validHostName(v: string | undefined, windows: boolean): string | undefined {
  if (v === undefined) return undefined;
  const ok = windows
    ? /^(?!-)(?!.*--)[A-Za-z0-9-]{2,15}(?<!-)$/.test(v) && !/^\d+$/.test(v)
    : /^(?![.-])(?!.*[.-]{2})[A-Za-z0-9.-]{2,64}(?<![.-])$/.test(v);
  if (!ok) throw EcsErrors.malformed('InvalidHostName.Malformed', 'HostName');
  return v;
}

const PASSWORD_SPECIALS = "()`~!@#$%^&*-_+=|{}[]:;'<>,.?/";

/** ECS passwords: 8-30 characters of three of four classes; Windows ones may not start with '/'. */
export function hasValidPassword(v: string | undefined, windows: boolean): boolean {
  if (v === undefined) return false;
  const allowed = [...v].every((c) => /[A-Za-z0-9]/.test(c) || PASSWORD_SPECIALS.includes(c));
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((re) => re.test(v)).length + ([...v].some((c) => PASSWORD_SPECIALS.includes(c)) ? 1 : 0);
  if (!allowed || v.length < 8 || v.length > 30 || classes < 3 || (windows && v.startsWith('/'))) {
    throw EcsErrors.malformed('InvalidPassword.Malformed', 'Password');
  }
  return true;
}

export function validUserData(v: string | undefined): string {
  if (v === undefined) return '';
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) throw EcsErrors.userDataNotBase64();
  if (Buffer.from(v, 'base64').length > 32 * 1024) throw EcsErrors.userDataTooLarge();
  return v;
}

function systemDisk(params: Params, image: ImageInfo): DiskRecord {
  const category = params.oneOf('SystemDisk.Category', DISK_CATEGORIES, 'cloud_essd');
  const size = params.int('SystemDisk.Size', Math.max(image.size, 40), 20, 2048);
  if (size < image.size) throw EcsErrors.systemDiskTooSmall();
  return { category, size, name: params.str('SystemDisk.DiskName') ?? '', description: params.str('SystemDisk.Description') ?? '' };
}

function dataDisks(params: Params): DiskRecord[] {
  const indexes = new Set(params.indexed(/^DataDisk\.(\d+)\.[A-Za-z]+$/).map(([n]) => n));
  if ([...indexes].some((n) => n < 1 || n > 16)) throw EcsErrors.invalidParameter('DataDisk.N');
  return [...indexes].sort((a, b) => a - b).map((n) => ({
    category: params.oneOf(`DataDisk.${n}.Category`, DISK_CATEGORIES, 'cloud_efficiency'),
    size: params.int(`DataDisk.${n}.Size`, 20, 20, 32768),
    deleteWithInstance: params.bool(`DataDisk.${n}.DeleteWithInstance`, true),
    name: params.str(`DataDisk.${n}.DiskName`) ?? '',
    description: params.str(`DataDisk.${n}.Description`) ?? '',
  }));
}

function tags(params: Params): TagRecord[] {
  const list = params.tags('Tag', 20);
  for (const t of list) {
    if (t.key === '' || t.key.length > 128 || /^(aliyun|acs:)/i.test(t.key) || /^https?:\/\//.test(t.key)) {
      throw EcsErrors.malformed('InvalidTagKey.Malformed', 'Tag.N.Key');
    }
    if (t.value.length > 128 || /^https?:\/\//.test(t.value)) throw EcsErrors.malformed('InvalidTagValue.Malformed', 'Tag.N.Value');
  }
  return list;
}

function zone(params: Params, region: RegionInfo): string | undefined {
  const zoneId = params.str('ZoneId');
  if (zoneId !== undefined && !zonesOf(region).some((z) => z.zoneId === zoneId)) throw EcsErrors.zoneNotFound();
  return zoneId;
}

function amounts(params: Params): number {
  const amount = params.int('Amount', 1, 1, 100);
  const min = params.int('MinAmount', amount, 1, 100);
  if (min > amount) throw EcsErrors.invalidParameter('MinAmount');
  return amount;
}

export function description(params: Params): string {
  const v = params.str('Description') ?? '';
  if (v.length > 256 || /^https?:\/\//.test(v)) throw EcsErrors.malformed('InvalidDescription.Malformed', 'Description');
  return v;
}

function chargeAndPeriod(params: Params): Pick<RunSpec, 'instanceChargeType' | 'periodMonths'> {
  const instanceChargeType = params.oneOf('InstanceChargeType', ['PostPaid', 'PrePaid'] as const, 'PostPaid');
  if (instanceChargeType === 'PostPaid') return { instanceChargeType, periodMonths: 0 };
  const unit = params.oneOf('PeriodUnit', ['Month', 'Week'] as const, 'Month');
  const period = Number(params.required('Period'));
  const allowed = unit === 'Week' ? [1, 2, 3, 4] : [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 24, 36, 48, 60];
  if (!allowed.includes(period)) throw EcsErrors.invalidParameter('Period');
  return { instanceChargeType, periodMonths: unit === 'Week' ? period / 4 : period };
}

function creditSpecification(params: Params, type: InstanceTypeInfo): string {
  const v = params.str('CreditSpecification');
  if (v === undefined) return type.family === 'ecs.t6' ? 'Standard' : '';
  if (v !== 'Standard' && v !== 'Unlimited') throw EcsErrors.invalidParameter('CreditSpecification');
  return v;
}

function privateIp(params: Params, amount: number): string | undefined {
  const v = params.str('PrivateIpAddress');
  if (v === undefined) return undefined;
  const ok = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(v) && v.split('.').every((o) => Number(o) <= 255);
  if (!ok || amount > 1 || params.str('VSwitchId') === undefined) throw EcsErrors.invalidParameter('PrivateIpAddress');
  return v;
}

/** Parses and validates RunInstances parameters (catalog, names, disks, network, billing). */
export function parseRunSpec(params: Params): RunSpec {
  const [regionId, imageId, typeId] = ['RegionId', 'ImageId', 'InstanceType'].map((n) => params.required(n));
  const region = requireRegion(regionId!);
  const image = requireImage(imageId!);
  const type = requireInstanceType(typeId!);
  const sgs = [...new Set([params.str('SecurityGroupId'), ...params.list('SecurityGroupIds')].filter((s): s is string => !!s))];
  if (sgs.length > 16) throw EcsErrors.invalidParameter('SecurityGroupIds');
  const bandwidthOut = params.int('InternetMaxBandwidthOut', 0, 0, 100);
  const amount = amounts(params);
  return {
    region,
    image,
    type,
    zoneId: zone(params, region),
    amount,
    instanceName: validName(params.str('InstanceName'), 'InvalidInstanceName.Malformed', 'InstanceName'),
    hostName: validHostName(params.str('HostName'), image.osType === 'windows'),
    uniqueSuffix: params.bool('UniqueSuffix'),
    description: description(params),
    hasPassword: hasValidPassword(params.str('Password'), image.osType === 'windows') || params.bool('PasswordInherit'),
    systemDisk: systemDisk(params, image),
    dataDisks: dataDisks(params),
    tags: tags(params),
    securityGroupIds: sgs,
    vSwitchId: params.str('VSwitchId'),
    privateIp: privateIp(params, amount),
    internetMaxBandwidthOut: bandwidthOut,
    internetMaxBandwidthIn: params.optInt('InternetMaxBandwidthIn', 1, 200),
    internetChargeType: params.oneOf('InternetChargeType', ['PayByTraffic', 'PayByBandwidth'], 'PayByTraffic'),
    ...chargeAndPeriod(params),
    spotStrategy: params.oneOf('SpotStrategy', ['NoSpot', 'SpotWithPriceLimit', 'SpotAsPriceGo'], 'NoSpot'),
    keyPairName: params.str('KeyPairName') ?? '',
    userData: validUserData(params.str('UserData')),
    deletionProtection: params.bool('DeletionProtection'),
    creditSpecification: creditSpecification(params, type),
  };
}
