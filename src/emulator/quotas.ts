/**
 * Per-account, per-action rate quotas (EMULATOR_QPS), as ECS enforces its API flow control: each
 * account (AccessKeyId) has, for each quota'd action, its own token bucket of `qps` tokens refilled
 * continuously at `qps` per second. A call that finds the bucket empty is refused with ECS's
 * Throttling.User (HTTP 400) and `x-acs-retry-after`: the milliseconds until a token is back.
 *
 * Real ECS counts per account, per action and per region (docs: "API throttling"); the emulator counts
 * per account and per action across regions, which is stricter: a client that keeps within it keeps
 * within ECS's. A refused call takes no token.
 */
import { ProtocolError } from './protocol/errors.js';

/** The parsed EMULATOR_QPS: calls per second by exact action name, and `*` for every other action. */
export interface QpsQuotas {
  byAction: Readonly<Record<string, number>>;
  /** The quota of every action not named in `byAction` (`*=50`); undefined: unlimited. */
  other?: number | undefined;
}

const ENTRY = /^([A-Za-z][A-Za-z0-9]*|\*)=(\d+(?:\.\d+)?)$/;

/**
 * Parses `DescribeInstances=20,DescribeDisks=10,*=50`. Problems are pushed to `problems` (named after
 * the variable); an empty or unset value is no quota at all.
 */
export function parseQps(raw: string | undefined, problems: string[], name = 'EMULATOR_QPS'): QpsQuotas | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const byAction: Record<string, number> = {};
  let other: number | undefined;
  raw.split(',').forEach((part, i) => {
    const entry = part.trim();
    const m = ENTRY.exec(entry);
    const qps = m ? Number(m[2]) : NaN;
    if (!m || !(qps > 0) || qps > 1_000_000) {
      problems.push(`${name} entry ${i + 1} must be Action=calls-per-second (a number above 0, at most 1000000) or *=calls-per-second (got "${entry}")`);
      return;
    }
    const action = m[1]!;
    if (action === '*' ? other !== undefined : Object.hasOwn(byAction, action)) {
      problems.push(`${name} names ${action} twice`);
      return;
    }
    if (action === '*') other = qps;
    else byAction[action] = qps;
  });
  return other === undefined ? { byAction } : { byAction, other };
}

interface Bucket {
  tokens: number;
  at: number;
}

/** The token buckets of every account and action; `now` is injected (milliseconds). */
export class RateQuotas {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly quotas: QpsQuotas, private readonly now: () => number = Date.now) {}

  /** The quota of `action` in calls per second, or undefined when it is unlimited. */
  quotaOf(action: string): number | undefined {
    return Object.hasOwn(this.quotas.byAction, action) ? this.quotas.byAction[action] : this.quotas.other;
  }

  /**
   * Takes one token for `account` calling `action`; undefined when the call may go on, else the
   * milliseconds until it may be retried (at least 1).
   */
  take(account: string, action: string): number | undefined {
    const qps = this.quotaOf(action);
    if (qps === undefined) return undefined;
    const key = `${account}\n${action}`;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: qps, at: now };
    bucket.tokens = Math.min(qps, bucket.tokens + (Math.max(0, now - bucket.at) * qps) / 1000);
    bucket.at = now;
    this.buckets.set(key, bucket);
    // A hair of tolerance: refills are floating-point sums.
    if (bucket.tokens >= 1 - 1e-9) {
      bucket.tokens = Math.max(0, bucket.tokens - 1);
      return undefined;
    }
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * 1000) / qps - 1e-9));
  }

  /** Throws ECS's Throttling.User (400, x-acs-retry-after) when the call is over the quota. */
  check(account: string, action: string): void {
    const retryAfterMs = this.take(account, action);
    if (retryAfterMs === undefined) return;
    throw new ProtocolError(400, 'Throttling.User', 'Request was denied due to user flow control.', {
      'x-acs-retry-after': String(retryAfterMs),
    });
  }

  /** Forgets every bucket (emulator reset). */
  clear(): void {
    this.buckets.clear();
  }
}
