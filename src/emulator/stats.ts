/**
 * What the emulator has seen, for resilience suites (`GET /__emulator/stats`): RPC calls by action and
 * outcome, the calls in flight right now, and how many resources exist. It lets a suite prove from the
 * outside that N RunInstances calls created exactly N × Amount instances, however many were retried.
 */

/** The outcome of one RPC call: the HTTP status sent, or `dropped` (no answer, nothing ran) or `reset` (ran, answer lost). */
export type CallOutcome = number | 'dropped' | 'reset';

/** The JSON shape of `GET /__emulator/stats`. */
export interface StatsReport {
  /** RPC calls whose request has arrived and whose answer (or reset) has not been sent yet. */
  inFlight: number;
  /** Every RPC call so far. */
  calls: number;
  /** Calls by action, then by outcome (`"200"`, `"400"`, `"dropped"`, `"reset"`, …). */
  byAction: Record<string, Record<string, number>>;
  /** Resources held now, over every account and region. */
  resources: ResourceCounts;
}

/** Resource counts of the emulated ECS. */
export interface ResourceCounts {
  instances: number;
  disks: number;
  snapshots: number;
  images: number;
  /** ClientTokens remembered (RunInstances and the storage actions). */
  clientTokens: number;
}

/** Counts RPC calls; reset with the emulator's state (`POST /__emulator/reset`). */
export class EmulatorStats {
  private inFlight = 0;
  private calls = 0;
  private byAction = new Map<string, Map<string, number>>();

  /** A call has arrived. */
  begin(): void {
    this.inFlight += 1;
  }

  /** A call has been answered (or reset); `action` is `-` when it never named a valid one. */
  end(action: string, outcome: CallOutcome): void {
    this.inFlight -= 1;
    this.calls += 1;
    let outcomes = this.byAction.get(action);
    if (!outcomes) this.byAction.set(action, (outcomes = new Map()));
    const key = String(outcome);
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  }

  /** Forgets the counted calls (calls in flight stay counted). */
  clear(): void {
    this.calls = 0;
    this.byAction.clear();
  }

  /** The report, with the resource counts supplied by the state. */
  report(resources: ResourceCounts): StatsReport {
    const byAction: Record<string, Record<string, number>> = {};
    for (const [action, outcomes] of [...this.byAction].sort(([a], [b]) => (a < b ? -1 : 1))) {
      byAction[action] = Object.fromEntries(outcomes);
    }
    return { inFlight: this.inFlight, calls: this.calls, byAction, resources };
  }
}
