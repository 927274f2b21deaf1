/**
 * DescribeImages over the public image catalog.
 */
import { IMAGES, findInstanceType, requireRegion, type ImageInfo } from '../catalog/index.js';
import { EcsErrors } from '../errors.js';
import { commaList, wildcardMatch, type Params } from '../params.js';
import { read, type ActionEnv, type ActionResult } from './context.js';
import { describedCustomImages } from './custom-images.js';
import { pageByNumber } from './paging.js';

/** The DescribeImages `Image` element for a catalog image. */
export function renderImage(img: ImageInfo): Record<string, unknown> {
  return {
    ImageOwnerAlias: 'system',
    IsSelfShared: '',
    Description: img.description,
    Platform: img.platform,
    ResourceGroupId: '',
    Size: img.size,
    IsSubscribed: false,
    BootMode: img.bootMode,
    OSName: img.osName,
    IsPublic: true,
    ImageId: img.imageId,
    DetectionOptions: {},
    Features: { NvmeSupport: img.nvme ? 'supported' : 'unsupported' },
    OSNameEn: img.osNameEn,
    Tags: { Tag: [] },
    LoginAsNonRootSupported: img.loginAsNonRoot,
    Status: img.status,
    Progress: '100%',
    Usage: 'instance',
    Architecture: img.architecture,
    ProductCode: '',
    IsCopied: false,
    ImageFamily: img.imageFamily,
    IsSupportIoOptimized: true,
    IsSupportCloudinit: true,
    ImageName: img.imageId,
    DiskDeviceMappings: {
      DiskDeviceMapping: [
        {
          SnapshotId: '',
          Type: 'system',
          Progress: '100%',
          Format: '',
          Device: '/dev/xvda',
          Size: String(img.size),
          ImportOSSBucket: '',
          ImportOSSObject: '',
        },
      ],
    },
    ImageVersion: '',
    OSType: img.osType,
    CreationTime: img.creationTime,
  };
}

/** Builds the image predicate from DescribeImages filters. */
function imageFilter(params: Params): (img: ImageInfo) => boolean {
  const ids = commaList(params.str('ImageId'));
  const name = params.str('ImageName');
  const owner = params.str('ImageOwnerAlias');
  const osType = params.str('OSType');
  const arch = params.str('Architecture');
  const family = params.str('ImageFamily');
  const isPublic = params.str('IsPublic') === undefined ? undefined : params.bool('IsPublic');
  const showExpired = params.bool('ShowExpired');
  const statuses = commaList(params.str('Status'));
  if (statuses.length === 0) statuses.push('Available', ...(showExpired ? ['Deprecated'] : []));
  const typeId = params.str('InstanceType');
  const typeKnown = typeId === undefined || findInstanceType(typeId) !== undefined;
  return (img) =>
    (ids.length === 0 || ids.includes(img.imageId)) &&
    (name === undefined || wildcardMatch(name, img.imageId)) &&
    (owner === undefined || owner === 'system') &&
    (osType === undefined || osType.toLowerCase() === img.osType) &&
    (arch === undefined || arch === img.architecture) &&
    (family === undefined || family === img.imageFamily) &&
    (isPublic === undefined || isPublic) &&
    statuses.includes(img.status) &&
    typeKnown;
}

/** DescribeImages: filters, PageNumber/PageSize (max 100), DryRun; the caller's custom images first. */
export function describeImages(env: ActionEnv): ActionResult {
  const { params } = env;
  const regionId = params.required('RegionId');
  requireRegion(regionId);
  const matches = [...describedCustomImages(env, regionId, params), ...IMAGES.filter(imageFilter(params)).map(renderImage)];
  const page = pageByNumber(matches, params, { defaultSize: 10, maxSize: 100 });
  if (params.bool('DryRun')) throw EcsErrors.dryRunOperation();
  return read({
    Images: { Image: page.items },
    TotalCount: page.totalCount,
    PageNumber: page.pageNumber,
    PageSize: page.pageSize,
    RegionId: regionId,
  });
}
