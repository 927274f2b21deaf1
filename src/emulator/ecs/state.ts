/**
 * EcsEmulatorState: the emulator's ECS behaviour behind one `call()`.
 */
import { HANDLERS } from './actions/registry.js';
import { actionSpec, specActionNames } from './catalog/spec.js';
import { EcsErrors } from './errors.js';
import { IdFactory } from './ids.js';
import { Params } from './params.js';
import { InstanceStore } from './store.js';
import { syntheticBody } from './synthetic.js';
import { canonicalParams, checkParams } from './validate.js';

/** Who is calling: instances live per account (the AccessKeyId) and per region. */
export interface EcsCallContext {
  account: string;
}

/** How the emulated ECS behaves in time and randomness. */
export interface EcsStateOptions {
  /** How long each transitional status (Pending, Starting, Stopping) lasts, in ms. */
  transitionMs: number;
  /** The clock in ms (default Date.now). */
  now?: () => number;
  /** Randomness in [0, 1) for IDs, zones and addresses (default Math.random). */
  random?: () => number;
}

/** The actions with state (instances and their lifecycle, plus the static regions, zones, images, types). */
export const SUPPORTED_ACTIONS: readonly string[] = Object.freeze(Object.keys(HANDLERS));

/** Every other ECS action: answered synthetically from the spec (see synthetic.ts). */
export const SYNTHETIC_ACTIONS: readonly string[] = Object.freeze(
  specActionNames().filter((a) => !Object.hasOwn(HANDLERS, a)),
);

/** The in-process ECS: catalog, instances and their lifecycle, for many accounts. */
export class EcsEmulatorState {
  /** Called after each successful mutating call and after reset() (the protocol layer persists on it). */
  onChange: (() => void) | undefined = undefined;

  private readonly store = new InstanceStore();
  private readonly ids: IdFactory;
  private readonly now: () => number;
  private readonly transitionMs: number;

  constructor(options: EcsStateOptions) {
    if (!Number.isFinite(options.transitionMs) || options.transitionMs < 0) {
      throw new RangeError('transitionMs must be a finite number >= 0');
    }
    this.transitionMs = options.transitionMs;
    this.now = options.now ?? Date.now;
    this.ids = new IdFactory(options.random ?? Math.random);
  }

  /**
   * Runs one ECS action on raw wire parameters (common and signature
   * parameters already stripped). Returns the body without RequestId; throws
   * EcsApiError for every ECS error, InvalidAction.NotFound for unknown actions.
   * Every call is first checked against the action's spec (validate.ts); an
   * action without state answers synthetically (synthetic.ts).
   */
  call(action: string, raw: Readonly<Record<string, string>>, ctx: EcsCallContext): Record<string, unknown> {
    const spec = actionSpec(action);
    if (!spec) throw EcsErrors.actionNotFound();
    checkParams(spec, raw);
    const params = canonicalParams(spec, raw);
    const handler = Object.hasOwn(HANDLERS, action) ? HANDLERS[action] : undefined;
    if (!handler) return syntheticBody(spec, params);
    const result = handler({
      params: new Params(params),
      account: ctx.account,
      store: this.store,
      ids: this.ids,
      now: this.now(),
      transitionMs: this.transitionMs,
    });
    if (result.mutated) this.onChange?.();
    return result.body;
  }

  /** How many resources exist now, over every account and region (GET /__emulator/stats). */
  counts(): ReturnType<InstanceStore['counts']> {
    return this.store.counts();
  }

  /** Forgets every instance, token and vSwitch; then calls onChange. */
  reset(): void {
    this.store.reset();
    this.onChange?.();
  }

  /** The full state as plain JSON (no passwords are ever stored). */
  snapshot(): unknown {
    return this.store.snapshot();
  }

  /** Replaces the state with a snapshot(); throws TypeError on garbage, leaving the state unchanged. */
  restore(snapshot: unknown): void {
    this.store.restore(snapshot);
  }
}
