/**
 * Remembers signature nonces so a replayed request is refused with SignatureNonceUsed.
 * Requests more than 15 minutes off are refused on their timestamp anyway, so a nonce
 * only needs remembering for that window plus the skew; the store is also capped so a
 * flood of unique nonces cannot exhaust memory (oldest entries go first).
 */

/** How long a nonce is remembered: the timestamp window on both sides, so a replay can never slip past both checks. */
export const NONCE_TTL_MS = 30 * 60 * 1000;

/** A bounded, expiring set of `accessKeyId + nonce`. */
export class NonceStore {
  private readonly seen = new Map<string, number>();

  constructor(private readonly maxEntries = 200_000) {}

  /** Records the nonce; returns false when it was already used within the TTL. */
  use(accessKeyId: string, nonce: string, now: number): boolean {
    this.evict(now);
    const key = `${accessKeyId}\u0000${nonce}`;
    const expiry = this.seen.get(key);
    if (expiry !== undefined && expiry > now) return false;
    this.seen.delete(key);
    this.seen.set(key, now + NONCE_TTL_MS);
    return true;
  }

  /** Number of nonces currently remembered. */
  get size(): number {
    return this.seen.size;
  }

  /** Forgets every nonce (used by the reset control route). */
  clear(): void {
    this.seen.clear();
  }

  // Insertion order equals expiry order (constant TTL), so expired entries are at the front.
  private evict(now: number): void {
    for (const [key, expiry] of this.seen) {
      if (expiry > now && this.seen.size < this.maxEntries) break;
      this.seen.delete(key);
    }
  }
}
