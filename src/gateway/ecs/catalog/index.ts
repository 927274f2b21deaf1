/**
 * The ECS action catalog: every action of ECS 2014-05-26 with its parameters, wire styles, paging and
 * secrets, generated from the official SDK by `npm run catalog` (see README.md here).
 *
 * actions.json is imported as a JSON module, so tsc copies it next to the compiled module
 * (dist/src/gateway/ecs/catalog/) and `npm start` and the Docker image find it with no copy step.
 * The file maps each action name to that action's JSON text; an action is parsed on first use and kept.
 */
import raw from './actions.json' with { type: 'json' };
import type { Action, CatalogFile } from './types.js';

export type * from './types.js';

const file: CatalogFile = raw;

/** Where the catalog comes from, and its Apache-2.0 attribution. */
export const catalogInfo: Readonly<Omit<CatalogFile, 'actions'>> = Object.freeze({
  notice: file.notice,
  version: file.version,
  source: Object.freeze({ ...file.source }),
});

const names: readonly string[] = Object.freeze(Object.keys(file.actions).sort());
const lowerNames = new Map(names.map((n) => [n.toLowerCase(), n]));
const parsed = new Map<string, Action>();

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** The action named exactly `name` (`DescribeInstances`), if ECS has it. */
export function getAction(name: string): Action | undefined {
  const cached = parsed.get(name);
  if (cached) return cached;
  if (!Object.hasOwn(file.actions, name)) return undefined;
  const action = deepFreeze(JSON.parse(file.actions[name]!) as Action);
  parsed.set(name, action);
  return action;
}

/** The action whose name matches `name` ignoring case (`describeinstances`), e.g. for URL segments. */
export function findAction(name: string): Action | undefined {
  return getAction(name) ?? getAction(lowerNames.get(name.toLowerCase()) ?? '');
}

/** Every action name, sorted. */
export function actionNames(): readonly string[] {
  return names;
}

/** Every action, sorted by name (parses all of them). */
export function listActions(): Action[] {
  return names.map((n) => getAction(n)!);
}
