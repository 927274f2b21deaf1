/**
 * Fault injection for resilience tests of the gateway: the next N calls (or a share of
 * calls) are throttled, fail with 503/500, are delayed, or have their socket destroyed: before the call
 * runs (`drop`: nothing happened) or after it ran (`reset-after`: the state changed, the answer is lost, the
 * case a ClientToken exists for).
 */
import { fixedErrors, ProtocolError } from './protocol/errors.js';

/** What a matching call suffers. */
export type FaultMode = 'throttle' | 'unavailable' | 'internal' | 'latency' | 'drop' | 'reset-after';

/** One fault rule as posted to `/__emulator/faults` (or given in EMULATOR_FAULTS_PRESET). */
export interface FaultRule {
  mode: FaultMode;
  /** Calls to affect; omitted with `rate` means unlimited, omitted without `rate` means 1. */
  count?: number;
  /** Probability 0..1 that a call is affected. */
  rate?: number;
  /** Delay for `latency` (default 1000). */
  latencyMs?: number;
  /** `x-acs-retry-after` value for `throttle` (default 1000). */
  retryAfterMs?: number;
}

/** The outcome for one call. */
export type FaultOutcome =
  | { kind: 'error'; error: ProtocolError }
  | { kind: 'latency'; ms: number }
  | { kind: 'drop' }
  /** Run the call, then destroy the socket instead of answering. */
  | { kind: 'reset-after' };

const MODES: readonly FaultMode[] = ['throttle', 'unavailable', 'internal', 'latency', 'drop', 'reset-after'];

/** Validates a rule from JSON; returns the list of problems, or the rule. */
export function parseFaultRule(input: unknown): FaultRule | { problems: string[] } {
  const problems: string[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { problems: ['rule must be an object'] };
  const o = input as Record<string, unknown>;
  if (!MODES.includes(o.mode as FaultMode)) problems.push(`mode must be one of ${MODES.join(', ')}`);
  const int = (name: string) => {
    const v = o[name];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 0)) problems.push(`${name} must be a non-negative integer`);
  };
  int('count');
  int('latencyMs');
  int('retryAfterMs');
  if (o.rate !== undefined && !(typeof o.rate === 'number' && o.rate >= 0 && o.rate <= 1)) {
    problems.push('rate must be a number between 0 and 1');
  }
  if (problems.length > 0) return { problems };
  const rule: FaultRule = { mode: o.mode as FaultMode };
  for (const k of ['count', 'rate', 'latencyMs', 'retryAfterMs'] as const) {
    if (o[k] !== undefined) rule[k] = o[k] as number;
  }
  if (rule.count === undefined && rule.rate === undefined) rule.count = 1;
  return rule;
}

/** Holds active rules; `next()` is asked once per authenticated call. */
export class FaultInjector {
  private rules: FaultRule[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  /** Adds a rule after the existing ones. */
  add(rule: FaultRule): void {
    this.rules.push({ ...rule });
  }

  /** Removes every rule. */
  clear(): void {
    this.rules = [];
  }

  /** The active rules with their remaining counts. */
  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /** The fault for this call (first matching rule), consuming one of its count. */
  next(): FaultOutcome | undefined {
    for (const rule of this.rules) {
      if (rule.count === 0) continue;
      if (rule.rate !== undefined && this.random() >= rule.rate) continue;
      if (rule.count !== undefined) rule.count -= 1;
      this.rules = this.rules.filter((r) => r.count !== 0);
      return outcomeOf(rule);
    }
    return undefined;
  }
}

function outcomeOf(rule: FaultRule): FaultOutcome {
  switch (rule.mode) {
    case 'throttle': {
      const retryAfter = String(rule.retryAfterMs ?? 1000);
      const error = new ProtocolError(400, 'Throttling.User', 'Request was denied due to user flow control.', {
        'x-acs-retry-after': retryAfter,
      });
      return { kind: 'error', error };
    }
    case 'unavailable':
      return {
        kind: 'error',
        error: new ProtocolError(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.'),
      };
    case 'internal':
      return { kind: 'error', error: fixedErrors.internal() };
    case 'latency':
      return { kind: 'latency', ms: rule.latencyMs ?? 1000 };
    case 'drop':
      return { kind: 'drop' };
    case 'reset-after':
      return { kind: 'reset-after' };
  }
}
