/**
 * The two official SDK clients, pointed at a running emulator. The V3 client is
 * `@alicloud/ecs20140526` (ACS3-HMAC-SHA256), the V1 one `@alicloud/pop-core` (HMAC-SHA1).
 */
import EcsModule from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import RPCClient from '@alicloud/pop-core';

type EcsCtor = typeof EcsModule.default;
/**
 * The generated V3 client class. The package is CommonJS with `exports.default`: Node's ESM
 * loader hands us `module.exports` (class on `.default`), vitest's interop the class itself.
 */
export const EcsClient: EcsCtor = ((EcsModule as { default?: unknown }).default ?? EcsModule) as EcsCtor;
/** Its request models. */
export * as $Ecs from '@alicloud/ecs20140526';

/** Credentials as the SDKs take them. */
export interface SdkKey { accessKeyId: string; accessKeySecret: string; securityToken?: string }

/** A V3 client for the emulator at `url`. */
export function v3Client(url: string, key: SdkKey): InstanceType<typeof EcsClient> {
  const endpoint = new URL(url).host;
  return new EcsClient(new $OpenApiUtil.Config({ ...key, endpoint, protocol: 'http', regionId: 'cn-hangzhou' }));
}

/** A V1 client for the emulator at `url`. */
export function v1Client(url: string, key: SdkKey): RPCClient {
  return new RPCClient({ ...key, endpoint: url, apiVersion: '2014-05-26' });
}
