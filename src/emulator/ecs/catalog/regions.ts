/**
 * The ECS regions the emulator serves: real IDs, their localized names (as
 * DescribeRegions answers for AcceptLanguage zh-CN / en-US / ja), the city
 * names used for zone names, their zone letters and the two-letter resource-ID
 * prefix real ECS uses in that region (`i-bp…` in cn-hangzhou).
 */

/** A localized text for the three AcceptLanguage values ECS supports. */
export interface Localized {
  zh: string;
  en: string;
  ja: string;
}

/** One region of the catalog. */
export interface RegionInfo {
  regionId: string;
  name: Localized;
  /** City name, used for zone LocalNames ("杭州 可用区H"). */
  city: Localized;
  /** Zone suffix letters: cn-hangzhou-g, cn-hangzhou-h, ... */
  zoneLetters: readonly string[];
  /** Resource-ID prefix in this region (i-bp…, vpc-bp…). */
  idPrefix: string;
}

type Row = [string, string, string, string, string, string, string, string, string];

// regionId, zh name, en name, ja name, zh city, en city, ja city, zone letters, id prefix
const ROWS: readonly Row[] = [
  ['cn-qingdao', '华北1（青岛）', 'China (Qingdao)', '中国 (青島)', '青岛', 'Qingdao', '青島', 'bc', 'm5'],
  ['cn-beijing', '华北2（北京）', 'China (Beijing)', '中国 (北京)', '北京', 'Beijing', '北京', 'acdefghijkl', '2z'],
  ['cn-zhangjiakou', '华北3（张家口）', 'China (Zhangjiakou)', '中国 (張家口)', '张家口', 'Zhangjiakou', '張家口', 'abc', '8v'],
  ['cn-huhehaote', '华北5（呼和浩特）', 'China (Hohhot)', '中国 (フフホト)', '呼和浩特', 'Hohhot', 'フフホト', 'ab', 'hp'],
  ['cn-wulanchabu', '华北6（乌兰察布）', 'China (Ulanqab)', '中国 (ウランチャブ)', '乌兰察布', 'Ulanqab', 'ウランチャブ', 'abc', '0j'],
  ['cn-hangzhou', '华东1（杭州）', 'China (Hangzhou)', '中国 (杭州)', '杭州', 'Hangzhou', '杭州', 'ghijk', 'bp'],
  ['cn-shanghai', '华东2（上海）', 'China (Shanghai)', '中国 (上海)', '上海', 'Shanghai', '上海', 'befglmn', 'uf'],
  ['cn-nanjing', '华东5（南京-本地地域）', 'China (Nanjing - Local Region)', '中国 (南京 - ローカルリージョン)', '南京', 'Nanjing', '南京', 'a', 'gc'],
  ['cn-shenzhen', '华南1（深圳）', 'China (Shenzhen)', '中国 (深セン)', '深圳', 'Shenzhen', '深セン', 'acdef', 'wz'],
  ['cn-heyuan', '华南2（河源）', 'China (Heyuan)', '中国 (河源)', '河源', 'Heyuan', '河源', 'ab', 'f8'],
  ['cn-guangzhou', '华南3（广州）', 'China (Guangzhou)', '中国 (広州)', '广州', 'Guangzhou', '広州', 'ab', '7x'],
  ['cn-fuzhou', '华东6（福州-本地地域）', 'China (Fuzhou - Local Region)', '中国 (福州 - ローカルリージョン)', '福州', 'Fuzhou', '福州', 'a', 'gw'],
  ['cn-wuhan-lr', '华中1（武汉-本地地域）', 'China (Wuhan - Local Region)', '中国 (武漢 - ローカルリージョン)', '武汉', 'Wuhan', '武漢', 'a', 'n4'],
  ['cn-chengdu', '西南1（成都）', 'China (Chengdu)', '中国 (成都)', '成都', 'Chengdu', '成都', 'ab', '2v'],
  ['cn-hongkong', '中国香港', 'China (Hong Kong)', '中国 (香港)', '香港', 'Hong Kong', '香港', 'bcd', 'j6'],
  ['ap-northeast-1', '日本（东京）', 'Japan (Tokyo)', '日本 (東京)', '东京', 'Tokyo', '東京', 'abc', '6w'],
  ['ap-northeast-2', '韩国（首尔）', 'South Korea (Seoul)', '韓国 (ソウル)', '首尔', 'Seoul', 'ソウル', 'a', 'mj'],
  ['ap-southeast-1', '新加坡', 'Singapore', 'シンガポール', '新加坡', 'Singapore', 'シンガポール', 'abc', 't4'],
  ['ap-southeast-2', '澳大利亚（悉尼）', 'Australia (Sydney)', 'オーストラリア (シドニー)', '悉尼', 'Sydney', 'シドニー', 'ab', 'p0'],
  ['ap-southeast-3', '马来西亚（吉隆坡）', 'Malaysia (Kuala Lumpur)', 'マレーシア (クアラルンプール)', '吉隆坡', 'Kuala Lumpur', 'クアラルンプール', 'ab', '8p'],
  ['ap-southeast-6', '菲律宾（马尼拉）', 'Philippines (Manila)', 'フィリピン (マニラ)', '马尼拉', 'Manila', 'マニラ', 'a', '5t'],
  ['ap-southeast-5', '印度尼西亚（雅加达）', 'Indonesia (Jakarta)', 'インドネシア (ジャカルタ)', '雅加达', 'Jakarta', 'ジャカルタ', 'abc', 'k1'],
  ['ap-south-1', '印度（孟买）', 'India (Mumbai)', 'インド (ムンバイ)', '孟买', 'Mumbai', 'ムンバイ', 'ab', 'a2'],
  ['ap-southeast-7', '泰国（曼谷）', 'Thailand (Bangkok)', 'タイ (バンコク)', '曼谷', 'Bangkok', 'バンコク', 'a', '0o'],
  ['us-east-1', '美国（弗吉尼亚）', 'US (Virginia)', '米国 (バージニア)', '弗吉尼亚', 'Virginia', 'バージニア', 'ab', '0x'],
  ['us-west-1', '美国（硅谷）', 'US (Silicon Valley)', '米国 (シリコンバレー)', '硅谷', 'Silicon Valley', 'シリコンバレー', 'ab', 'rj'],
  ['eu-west-1', '英国（伦敦）', 'UK (London)', 'イギリス (ロンドン)', '伦敦', 'London', 'ロンドン', 'ab', 'd7'],
  ['me-east-1', '阿联酋（迪拜）', 'UAE (Dubai)', 'UAE (ドバイ)', '迪拜', 'Dubai', 'ドバイ', 'a', 'eb'],
  ['eu-central-1', '德国（法兰克福）', 'Germany (Frankfurt)', 'ドイツ (フランクフルト)', '法兰克福', 'Frankfurt', 'フランクフルト', 'ab', 'gw'],
];

/** Every region, in the order real DescribeRegions lists them. */
export const REGIONS: readonly RegionInfo[] = ROWS.map(
  ([regionId, zh, en, ja, cityZh, cityEn, cityJa, letters, idPrefix]) => ({
    regionId,
    name: { zh, en, ja },
    city: { zh: cityZh, en: cityEn, ja: cityJa },
    zoneLetters: [...letters],
    idPrefix,
  }),
);

/** The RegionEndpoint DescribeRegions reports: cn-hangzhou is the central endpoint. */
export function regionEndpoint(regionId: string): string {
  return regionId === 'cn-hangzhou' ? 'ecs.aliyuncs.com' : `ecs.${regionId}.aliyuncs.com`;
}
