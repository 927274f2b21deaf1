/**
 * The public (system) images the emulator offers in every region, with the
 * facts DescribeImages reports for them.
 */

/** One public image. */
export interface ImageInfo {
  imageId: string;
  osName: string;
  osNameEn: string;
  osType: 'linux' | 'windows';
  platform: string;
  architecture: 'x86_64' | 'i386' | 'arm64';
  /** System-disk size in GiB. */
  size: number;
  bootMode: 'BIOS' | 'UEFI' | 'UEFI-Preferred';
  imageFamily: string;
  creationTime: string;
  status: 'Available' | 'Deprecated';
  nvme: boolean;
  loginAsNonRoot: boolean;
  description: string;
}

type Row = [
  imageId: string,
  osName: string,
  osNameEn: string,
  platform: string,
  bootMode: ImageInfo['bootMode'],
  family: string,
  created: string,
  nvme: boolean,
];

const LINUX: readonly Row[] = [
  ['aliyun_3_x64_20G_alibase_20240528.vhd', 'Alibaba Cloud Linux  3.2104 LTS 64位', 'Alibaba Cloud Linux  3.2104 LTS 64 bit', 'Aliyun', 'UEFI-Preferred', 'acs:alibaba_cloud_linux_3_2104_lts_x64', '2024-05-30T02:17:41Z', true],
  ['aliyun_2_1903_x64_20G_alibase_20240628.vhd', 'Alibaba Cloud Linux  2.1903 LTS 64位', 'Alibaba Cloud Linux  2.1903 LTS 64 bit', 'Aliyun', 'BIOS', 'acs:alibaba_cloud_linux_2_1903_x64', '2024-07-01T06:10:12Z', true],
  ['aliyun_2_1903_x64_20G_alibase_20220408.vhd', 'Alibaba Cloud Linux  2.1903 LTS 64位', 'Alibaba Cloud Linux 2.1903 LTS 64 bit', 'Aliyun', 'BIOS', '', '2022-04-18T08:44:32Z', true],
  ['ubuntu_22_04_x64_20G_alibase_20240710.vhd', 'Ubuntu  22.04 64位', 'Ubuntu  22.04 64 bit', 'Ubuntu', 'BIOS', 'acs:ubuntu_22_04_x64', '2024-07-12T03:21:56Z', true],
  ['ubuntu_22_04_uefi_x64_20G_alibase_20230515.vhd', 'Ubuntu  22.04 64位 UEFI版', 'Ubuntu  22.04 64 bit UEFI Edition', 'Ubuntu', 'UEFI', 'acs:ubuntu_22_04_uefi_x64', '2023-05-17T08:12:01Z', true],
  ['ubuntu_20_04_x64_20G_alibase_20240710.vhd', 'Ubuntu  20.04 64位', 'Ubuntu  20.04 64 bit', 'Ubuntu', 'BIOS', 'acs:ubuntu_20_04_x64', '2024-07-12T03:20:18Z', true],
  ['debian_12_6_x64_20G_alibase_20240711.vhd', 'Debian  12.6 64位', 'Debian  12.6 64 bit', 'Debian', 'UEFI-Preferred', 'acs:debian_12_x64', '2024-07-15T02:09:33Z', true],
  ['debian_11_10_x64_20G_alibase_20240711.vhd', 'Debian  11.10 64位', 'Debian  11.10 64 bit', 'Debian', 'BIOS', 'acs:debian_11_x64', '2024-07-15T02:05:47Z', true],
  ['debian_10_12_x64_20G_alibase_20220328.vhd', 'Debian  10.12 64位', 'Debian  10.12 64 bit', 'Debian', 'BIOS', '', '2022-04-02T03:05:34Z', false],
  ['centos_7_9_x64_20G_alibase_20240628.vhd', 'CentOS  7.9 64位', 'CentOS  7.9 64 bit', 'CentOS', 'BIOS', 'acs:centos_7_9_x64', '2024-07-01T05:58:40Z', true],
];

const WINDOWS: readonly Row[] = [
  ['win2022_21H2_x64_dtc_zh-cn_40G_alibase_20240716.vhd', 'Windows Server  2022 数据中心版 64位中文版', 'Windows Server  2022 DataCenter Edition 64bit Chinese Edition', 'Windows Server 2022', 'BIOS', 'acs:windows_server_2022_dtc_zh-cn', '2024-07-18T09:40:11Z', true],
  ['win2022_21H2_x64_dtc_en-us_40G_alibase_20240716.vhd', 'Windows Server  2022 数据中心版 64位英文版', 'Windows Server  2022 DataCenter Edition 64bit English Edition', 'Windows Server 2022', 'BIOS', 'acs:windows_server_2022_dtc_en-us', '2024-07-18T09:41:03Z', true],
  ['win2019_1809_x64_dtc_zh-cn_40G_alibase_20240716.vhd', 'Windows Server  2019 数据中心版 64位中文版', 'Windows Server  2019 DataCenter Edition 64bit Chinese Edition', 'Windows Server 2019', 'BIOS', 'acs:windows_server_2019_dtc_zh-cn', '2024-07-18T09:35:26Z', false],
  ['win2019_1809_x64_dtc_en-us_40G_alibase_20240716.vhd', 'Windows Server  2019 数据中心版 64位英文版', 'Windows Server  2019 DataCenter Edition 64bit English Edition', 'Windows Server 2019', 'BIOS', 'acs:windows_server_2019_dtc_en-us', '2024-07-18T09:36:02Z', false],
];

/** An old, deprecated image: listed only when asked for Status=Deprecated or ShowExpired=true. */
const DEPRECATED: readonly Row[] = [
  ['centos_7_06_64_20G_alibase_20190711.vhd', 'CentOS  7.6 64位', 'CentOS  7.6 64 bit', 'CentOS', 'BIOS', '', '2019-07-12T06:45:12Z', false],
];

function toImage(row: Row, osType: ImageInfo['osType'], status: ImageInfo['status']): ImageInfo {
  const [imageId, osName, osNameEn, platform, bootMode, imageFamily, creationTime, nvme] = row;
  return {
    imageId,
    osName,
    osNameEn,
    osType,
    platform,
    architecture: 'x86_64',
    size: osType === 'windows' ? 40 : 20,
    bootMode,
    imageFamily,
    creationTime,
    status,
    nvme,
    loginAsNonRoot: osType === 'linux' && imageId.startsWith('aliyun_3'),
    description: '',
  };
}

/** Every public image, Linux first. */
export const IMAGES: readonly ImageInfo[] = [
  ...LINUX.map((r) => toImage(r, 'linux', 'Available')),
  ...WINDOWS.map((r) => toImage(r, 'windows', 'Available')),
  ...DEPRECATED.map((r) => toImage(r, 'linux', 'Deprecated')),
];
