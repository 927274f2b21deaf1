/**
 * Identifier and value generation from the injected randomness, so that the
 * emulator is deterministic given `random`.
 */

const ALNUM = '0123456789abcdefghijklmnopqrstuvwxyz';
const HEX = '0123456789abcdef';

/** Generates realistic ECS identifiers from a `random()` source in [0, 1). */
export class IdFactory {
  constructor(private readonly random: () => number) {}

  /** An integer in [0, n). */
  int(n: number): number {
    const r = this.random();
    const v = Math.floor((Number.isFinite(r) ? r : 0) * n);
    return Math.min(Math.max(v, 0), n - 1);
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** `len` characters drawn from `alphabet`. */
  chars(len: number, alphabet = ALNUM): string {
    let out = '';
    for (let i = 0; i < len; i++) out += alphabet[this.int(alphabet.length)];
    return out;
  }

  /** A resource ID such as `i-bp1…` (prefix + region prefix + random, 20 chars after the dash). */
  resourceId(kind: string, regionPrefix: string, len = 20): string {
    return `${kind}-${regionPrefix}${this.chars(len - regionPrefix.length)}`;
  }

  /** A UUID v4 (for SerialNumber). */
  uuid(): string {
    const h = this.chars(32, HEX).split('');
    h[12] = '4';
    h[16] = HEX[8 + this.int(4)]!;
    const s = h.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }

  /** A MAC address in Alibaba Cloud's 00:16:3e OUI. */
  mac(): string {
    return ['00', '16', '3e', this.chars(2, HEX), this.chars(2, HEX), this.chars(2, HEX)].join(':');
  }

  /** A public IPv4 address in a range Alibaba Cloud uses (47.x.x.x). */
  publicIp(): string {
    return `47.${90 + this.int(30)}.${this.int(256)}.${1 + this.int(254)}`;
  }

  /** A numeric order ID (15 digits). */
  orderId(): string {
    return `2${this.chars(14, '0123456789')}`;
  }
}

/** Formats a ms timestamp as ECS instance times do: `2024-04-13T22:24Z`. */
export function ecsMinuteTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16)}Z`;
}
