/**
 * Typed access to raw ECS wire parameters (all strings): required values,
 * booleans, bounded integers, repeat lists (`InstanceId.1`, `Tag.1.Key`) and
 * JSON-encoded arrays (`InstanceIds='["i-1"]'`). Violations raise the real ECS errors.
 */
import { EcsErrors } from './errors.js';

/** A `Tag.N.Key` / `Tag.N.Value` pair. */
export interface TagParam {
  key: string;
  value: string;
}

/** A reader over one request's raw wire parameters. */
export class Params {
  constructor(private readonly raw: Readonly<Record<string, string>>) {}

  /** The value, or undefined when absent or empty. */
  str(name: string): string | undefined {
    const v = this.raw[name];
    return v === undefined || v === '' ? undefined : v;
  }

  /** The value, or MissingParameter. */
  required(name: string): string {
    const v = this.str(name);
    if (v === undefined) throw EcsErrors.missingParameter(name);
    return v;
  }

  /** A `true`/`false` flag (case-insensitive), or InvalidParameter. */
  bool(name: string, fallback = false): boolean {
    const v = this.str(name);
    if (v === undefined) return fallback;
    const lower = v.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    throw EcsErrors.invalidParameter(name);
  }

  /** An integer within [min, max], or InvalidParameter. */
  int(name: string, fallback: number, min: number, max: number): number {
    const v = this.str(name);
    if (v === undefined) return fallback;
    return parseBoundedInt(v, name, min, max);
  }

  /** An optional integer within [min, max]. */
  optInt(name: string, min: number, max: number): number | undefined {
    const v = this.str(name);
    return v === undefined ? undefined : parseBoundedInt(v, name, min, max);
  }

  /** One of the allowed values (exact), or InvalidParameter. */
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const v = this.str(name);
    if (v === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(v)) throw EcsErrors.invalidParameter(name);
    return v as T;
  }

  /** Values of a repeat list `<prefix>.N`, ordered by N, empty values skipped. */
  list(prefix: string): string[] {
    return this.indexed(new RegExp(`^${escapeRegExp(prefix)}\\.(\\d+)$`))
      .map(([, v]) => v)
      .filter((v) => v !== '');
  }

  /** Tags from `Tag.N.Key` / `Tag.N.Value` (also the legacy lower-case `key`/`value`). */
  tags(prefix = 'Tag', max = 20): TagParam[] {
    const byIndex = new Map<number, TagParam>();
    for (const [key, value] of Object.entries(this.raw)) {
      const m = new RegExp(`^${escapeRegExp(prefix)}\\.(\\d+)\\.(Key|Value|key|value)$`).exec(key);
      if (!m) continue;
      const n = Number(m[1]);
      const tag = byIndex.get(n) ?? { key: '', value: '' };
      if (m[2]!.toLowerCase() === 'key') tag.key = value;
      else tag.value = value;
      byIndex.set(n, tag);
    }
    if ([...byIndex.keys()].some((n) => n < 1 || n > max)) throw EcsErrors.invalidParameter(`${prefix}.N`);
    return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, t]) => t);
  }

  /** A JSON-encoded array of strings (`jsonString` parameters), or InvalidParameter. */
  jsonStrings(name: string): string[] | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      throw EcsErrors.invalidParameter(name);
    }
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) {
      throw EcsErrors.invalidParameter(name);
    }
    return parsed as string[];
  }

  /** Every `[N, value]` whose key matches `re` (first group is N), ordered by N. */
  indexed(re: RegExp): Array<[number, string]> {
    const out: Array<[number, string]> = [];
    for (const [key, value] of Object.entries(this.raw)) {
      const m = re.exec(key);
      if (m) out.push([Number(m[1]), value]);
    }
    return out.sort((a, b) => a[0] - b[0]);
  }

  /** All parameters, for fingerprinting a request. */
  entries(): Array<[string, string]> {
    return Object.entries(this.raw);
  }
}

function parseBoundedInt(v: string, name: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(v.trim())) throw EcsErrors.invalidParameter(name);
  const n = Number(v.trim());
  if (!Number.isSafeInteger(n) || n < min || n > max) throw EcsErrors.invalidParameter(name);
  return n;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Matches `value` against a pattern where `*` is a wildcard (ECS fuzzy name filters). */
export function wildcardMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`, 's');
  return re.test(value);
}

/** Splits a comma-separated list, trimming and dropping empties. */
export function commaList(v: string | undefined): string[] {
  return v === undefined ? [] : v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}
