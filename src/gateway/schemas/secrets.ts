/**
 * Which ECS fields carry secrets, from the one place they are marked: the catalog (`secret: true` on a
 * parameter, `responseSecrets` on an action; see src/gateway/ecs/catalog/README.md). Everything else
 * derives from that mark:
 *
 * - the input schemas: a curated field filling a secret parameter, and every secret parameter of the
 *   per-action schemas (src/gateway/ecs/schema.ts), are marked with `secret()` (fields.ts), which the log
 *   allowlist reads (src/gateway/http/allowlist.ts);
 * - the scrub list: the values of secret wire parameters are removed from ECS error messages that echo a
 *   string-to-sign (src/gateway/ecs/client.ts calls `isSecretWireParam`).
 */
import { getAction } from '../ecs/catalog/index.js';
import type { Action, Param, Shape } from '../ecs/catalog/types.js';

// Secret response fields (`responseSecrets`: CreateKeyPair PrivateKeyBody, …) are returned to the caller
// exactly as ECS sent them and are never logged: no log line carries a response body.

/** Whether a parameter, or anything inside it, is marked secret. */
export function holdsSecret(shape: Shape & { secret?: true }): boolean {
  if (shape.secret) return true;
  if (shape.type === 'array') return holdsSecret(shape.items);
  if (shape.type === 'object') return (shape.members ?? []).some(holdsSecret);
  return false;
}

const pathsCache = new WeakMap<Action, ReadonlySet<string>>();

/** The dotted catalog paths (arrays transparent) of an action's secret parameters: `Password`, `LaunchConfiguration.UserData`. */
export function secretParamPaths(action: Action): ReadonlySet<string> {
  let paths = pathsCache.get(action);
  if (!paths) {
    const out = new Set<string>();
    const walk = (params: readonly Param[], prefix: string): void => {
      for (const p of params) {
        const path = prefix + p.name;
        if (p.secret) out.add(path);
        const members = p.type === 'object' ? p.members : p.type === 'array' && p.items.type === 'object' ? p.items.members : undefined;
        if (members) walk(members, `${path}.`);
      }
    };
    walk(action.params, '');
    paths = out;
    pathsCache.set(action, paths);
  }
  return paths;
}

/**
 * Whether the wire parameter `wireName` of `action` carries a secret: `Password`,
 * `LaunchConfiguration.UserData`, or a list item of a secret list. An action the catalog does not know
 * has no known secrets (the credentials are scrubbed regardless).
 */
export function isSecretWireParam(action: string, wireName: string): boolean {
  const a = getAction(action);
  if (!a) return false;
  const paths = secretParamPaths(a);
  if (paths.size === 0) return false;
  // `NetworkInterface.1.Password` → NetworkInterface, NetworkInterface.Password: a secret level hides all below it.
  let path = '';
  for (const segment of wireName.split('.')) {
    if (/^\d+$/.test(segment)) continue;
    path = path ? `${path}.${segment}` : segment;
    if (paths.has(path)) return true;
  }
  return false;
}
