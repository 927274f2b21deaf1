import { boolish, pageNumber, pageSize, text } from '../schemas/common.js';
import { region, requestId, routesPlugin } from './declare.js';
import type { CuratedRoute } from './factory.js';

/** VPCs and vSwitches (ECS's own DescribeVpcs/DescribeVSwitches; the VPC API has more). */
export const NETWORK_ROUTES: CuratedRoute[] = [
  {
    method: 'GET', url: '/vpcs', operationId: 'Network_ListVpcs', action: 'DescribeVpcs', tag: 'Networking',
    summary: 'List VPCs', description: 'The VPCs of a region (ECS DescribeVpcs); `isDefault=true` gives the default one.',
    fields: { regionId: region(), vpcId: text(64).optional(), isDefault: boolish().optional(), pageNumber: pageNumber(), pageSize: pageSize(50) },
    example: { regionId: 'cn-hangzhou', isDefault: 'true' },
    exampleBody: { Vpcs: { Vpc: [{ VpcId: 'vpc-bp67acfmxazb4p****', VpcName: 'default', CidrBlock: '172.16.0.0/12', IsDefault: true, Status: 'Available', RegionId: 'cn-hangzhou' }] }, PageNumber: 1, PageSize: 10, TotalCount: 1, RequestId: requestId },
  },
  {
    method: 'GET', url: '/vswitches', operationId: 'Network_ListVSwitches', action: 'DescribeVSwitches', tag: 'Networking',
    summary: 'List vSwitches', description: 'The vSwitches of a region, a VPC or a zone (ECS DescribeVSwitches).',
    fields: { regionId: region(), vpcId: text(64).optional(), zoneId: text(64).optional(), vSwitchId: text(64).optional(), isDefault: boolish().optional(), pageNumber: pageNumber(), pageSize: pageSize(50) },
    example: { regionId: 'cn-hangzhou', zoneId: 'cn-hangzhou-i' },
    exampleBody: { VSwitches: { VSwitch: [{ VSwitchId: 'vsw-bp67acfmxazb4p****', VpcId: 'vpc-bp67acfmxazb4p****', ZoneId: 'cn-hangzhou-i', CidrBlock: '172.16.0.0/20', IsDefault: true, Status: 'Available' }] }, PageNumber: 1, PageSize: 10, TotalCount: 1, RequestId: requestId },
  },
];

export const networkRoutes = routesPlugin(NETWORK_ROUTES);
