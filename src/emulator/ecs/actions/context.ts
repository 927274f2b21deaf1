/**
 * What every action handler receives: its parameters, the caller, the store,
 * the clock and the id factory.
 */
import type { IdFactory } from '../ids.js';
import type { Params } from '../params.js';
import type { InstanceStore } from '../store.js';

/** The environment of one action call. */
export interface ActionEnv {
  params: Params;
  account: string;
  store: InstanceStore;
  ids: IdFactory;
  /** The current time in ms (read once per call). */
  now: number;
  transitionMs: number;
}

/** An action's answer (without RequestId), and whether it changed state. */
export interface ActionResult {
  body: Record<string, unknown>;
  mutated: boolean;
}

/** An action handler. */
export type ActionHandler = (env: ActionEnv) => ActionResult;

/** A read-only answer. */
export function read(body: Record<string, unknown>): ActionResult {
  return { body, mutated: false };
}
