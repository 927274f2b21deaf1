/**
 * How callers may spell an ECS parameter. Each wire name has three spellings, all accepted:
 *
 * - the wire name itself, case-exact: `VSwitchId`, `KMSKeyId`, `diskIds`;
 * - snake_case: words split where a lower-case letter or digit meets an upper-case one, and where an
 *   acronym meets a capitalised word, then lower-cased: `v_switch_id`, `kms_key_id`, `ipv6_address`,
 *   `enable_instance_id_dns_aaaa_record`. Two words the split would tear are kept whole first:
 *   `IPv4`/`IPv6` (→ `ipv6`) and `QoS` (→ `qos`);
 * - lowerCamelCase: the snake_case spelling with each `_x` folded to `X` (the rule src/http/normalize.ts
 *   applies to snake_case input): `vSwitchId`, `kmsKeyId`, `ipv6Address`, `enableInstanceIdDnsAaaaRecord`,
 *   `instanceId`.
 *
 * The generator checks that no two members of one object share a spelling.
 */

const WHOLE_WORDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/IPv(?=\d)/g, 'Ipv'],
  [/QoS/g, 'Qos'],
];

/** `VSwitchId` → `v_switch_id`, `KMSKeyId` → `kms_key_id`, `Ipv6Address` → `ipv6_address`. */
export function snakeCase(wire: string): string {
  let s = wire;
  for (const [re, word] of WHOLE_WORDS) s = s.replace(re, word);
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** Wire names are a closed set (the catalog's), so each is spelt once; toWire asks per parameter per request. */
const camelCache = new Map<string, string>();

/** `VSwitchId` → `vSwitchId`, `KMSKeyId` → `kmsKeyId`, `InstanceId` → `instanceId`. */
export function camelCase(wire: string): string {
  let camel = camelCache.get(wire);
  if (camel === undefined) {
    camel = snakeCase(wire).replace(/_+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    camelCache.set(wire, camel);
  }
  return camel;
}

/** The accepted spellings of a wire name: lowerCamelCase first (the canonical one), then snake_case, then the wire name. */
export function fieldSpellings(wire: string): string[] {
  return [...new Set([camelCase(wire), snakeCase(wire), wire])];
}
