/**
 * Percent-encoding and form decoding as the ECS RPC endpoint performs them.
 *
 * Written from the algorithm description (RFC 3986 unreserved set, UTF-8), on purpose
 * independent of the gateway's signer: if both shared one helper, one bug would make
 * them agree with each other while real ECS refused us.
 */

/** A decoded `key=value` pair, in the order it appeared on the wire. */
export type ParamPair = readonly [key: string, value: string];

const UNRESERVED = /[A-Za-z0-9\-_.~]/;

/**
 * RFC 3986 percent-encoding of the UTF-8 bytes of `value`: only `A-Z a-z 0-9 - _ . ~`
 * stay literal, so a space is `%20`, `*` is `%2A` and `~` is kept.
 */
export function percentEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && UNRESERVED.test(ch) ? ch : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/**
 * Decodes one `application/x-www-form-urlencoded` component: `+` is a space and `%XX` a byte.
 * Malformed escapes are kept literally (the signature check then fails, as on ECS) rather
 * than throwing, so one bad byte cannot turn into a 500.
 */
export function formDecode(component: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < component.length; i++) {
    const ch = component[i] as string;
    const hex = component.slice(i + 1, i + 3);
    if (ch === '%' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (ch === '+') {
      bytes.push(0x20);
    } else {
      for (const b of Buffer.from(ch, 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Splits a raw query string or form body into decoded pairs; `k` without `=` has value `''`. */
export function parseForm(raw: string): ParamPair[] {
  const pairs: ParamPair[] = [];
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    pairs.push([formDecode(key), formDecode(value)]);
  }
  return pairs;
}

/** Byte-order comparison of two ASCII strings (percent-encoded text is pure ASCII). */
export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `k1=v1&k2=v2` over percent-encoded keys and values, sorted by encoded key (then value)
 * in byte order — the canonicalised query both V1 and V3 sign.
 */
export function canonicalQuery(pairs: readonly ParamPair[]): string {
  return pairs
    .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
    .sort((x, y) => compareBytes(x[0], y[0]) || compareBytes(x[1], y[1]))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}
