import { ErrorCode, GatewayError } from '../errors.js';

/** `ecs.<region>.aliyuncs.com`, `ecs-vpc.<region>.aliyuncs.com` and the central `ecs.aliyuncs.com`. */
const ECS_HOST = /^ecs(?:-vpc)?\.[a-z]{2,}(?:-[a-z0-9]+){1,4}\.aliyuncs\.com$|^ecs\.aliyuncs\.com$/;
const REGION_ID = /^[a-z]{2,}(?:-[a-z0-9]+){1,4}$/;
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The central endpoint, used when a request names neither an endpoint nor a region. */
export const CENTRAL_ENDPOINT = 'ecs.aliyuncs.com';

/** True for a bare DNS hostname with at least two labels that is not an IPv4 literal. */
export function isValidHostname(host: string): boolean {
  const labels = host.toLowerCase().split('.');
  if (host.length > 253 || labels.length < 2) return false;
  if (labels.every((l) => /^\d+$/.test(l))) return false;
  return labels.every((l) => HOST_LABEL.test(l)) && !/^\d+$/.test(labels[labels.length - 1] ?? '');
}

/** True when regionId looks like an Alibaba Cloud region id (`cn-hangzhou`, `ap-southeast-1`). */
export function isValidRegionId(regionId: string): boolean {
  return REGION_ID.test(regionId);
}

/**
 * Picks the ECS host for a call: the caller's endpoint if given, else `ecs.<regionId>.aliyuncs.com`,
 * else the central endpoint. The endpoint is an SSRF vector, so only ECS hostnames and the operator's
 * exact allowlist pass; IPs, ports, paths, schemes, user info and look-alike suffixes are refused here,
 * before any connection is made.
 */
export function resolveEndpoint(endpoint: string | undefined, regionId: string | undefined, allowed: readonly string[]): string {
  if (endpoint !== undefined && endpoint !== '') {
    // Exact match only: no case folding (an uppercase or otherwise altered spelling is refused, not repaired).
    if (ECS_HOST.test(endpoint) || allowed.includes(endpoint)) return endpoint;
    throw new GatewayError(400, ErrorCode.invalidEndpoint,
      'endpoint must be a bare ECS hostname such as ecs.cn-beijing.aliyuncs.com (no scheme, port, path or IP) or one listed in ECS_ALLOWED_ENDPOINTS',
      { details: [{ location: 'request', field: 'endpoint', message: 'not an allowed ECS endpoint' }] });
  }
  if (regionId !== undefined && regionId !== '') {
    if (!isValidRegionId(regionId)) {
      throw new GatewayError(400, ErrorCode.validation, 'regionId is not a valid region id (for example cn-hangzhou)',
        { details: [{ location: 'request', field: 'regionId', message: 'not a valid region id' }] });
    }
    return `ecs.${regionId}.aliyuncs.com`;
  }
  return CENTRAL_ENDPOINT;
}
