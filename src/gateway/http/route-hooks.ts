import type { RouteOptions } from 'fastify';

type RouteHookName = 'onRequest' | 'onResponse';

/**
 * Adds `hook` to one route's own `name` hooks, from an `onRoute` hook. Always a new array, never the route's
 * own: Fastify copies a GET route's options for its HEAD route, which then gets a hook of its own, not two.
 * A route's hooks run after the app's hooks of the same name.
 */
export function addRouteHook<N extends RouteHookName>(route: RouteOptions, name: N, hook: NonNullable<RouteOptions[N]> extends infer H ? H extends readonly (infer F)[] ? F : H : never): void {
  const own = route[name] as unknown;
  const existing = own === undefined || own === null ? [] : Array.isArray(own) ? own : [own];
  (route as Record<RouteHookName, unknown>)[name] = [...existing, hook];
}
