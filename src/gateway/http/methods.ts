/**
 * Which methods a path allows, for 405 METHOD_NOT_ALLOWED and its Allow header. Fastify routes per
 * method, so a path registered for PUT answers POST with its 404, and a parametric GET route
 * (`/instances/:instanceId`) takes `GET /instances/stop` for an id. This table knows every route's
 * pattern and method, and says which pattern a path belongs to: the most specific one that matches,
 * static segments before parameters before wildcards, as the router itself ranks them.
 */

type Segment = { kind: 0; text: string } | { kind: 1 } | { kind: 2 };
const STATIC = 0;
const PARAM = 1;
const WILDCARD = 2;

interface Pattern {
  url: string;
  segments: Segment[];
  methods: Set<string>;
}

const segmentsOf = (path: string): string[] => path.split('/').slice(1);

/** A path segment as the router compares it: percent-decoded where that is valid. */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function parse(url: string): Segment[] {
  return segmentsOf(url).map((s): Segment => (s === '*' ? { kind: WILDCARD } : s.startsWith(':') ? { kind: PARAM } : { kind: STATIC, text: s }));
}

/** The rank of `pattern` for `path` (lower is more specific, compared segment by segment), or undefined if it does not match. */
function rank(pattern: Segment[], path: string[]): number[] | undefined {
  const out: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const seg = pattern[i]!;
    if (seg.kind === WILDCARD) return [...out, WILDCARD];
    const part = path[i];
    if (part === undefined) return undefined;
    if (seg.kind === STATIC ? seg.text !== part : part === '') return undefined;
    out.push(seg.kind);
  }
  return pattern.length === path.length ? out : undefined;
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export class RouteTable {
  private readonly patterns = new Map<string, Pattern>();

  /** Records that `method` is routed at `url` (a Fastify route pattern). */
  add(method: string | string[], url: string): void {
    let pattern = this.patterns.get(url);
    if (!pattern) {
      pattern = { url, segments: parse(url), methods: new Set() };
      this.patterns.set(url, pattern);
    }
    for (const m of Array.isArray(method) ? method : [method]) pattern.methods.add(m.toUpperCase());
  }

  /** The pattern `path` belongs to (its most specific match), or undefined when no route matches it. */
  private resolve(path: string): Pattern | undefined {
    const parts = segmentsOf(path.split('?')[0] ?? '').map(decoded);
    let best: { pattern: Pattern; rank: number[] } | undefined;
    for (const pattern of this.patterns.values()) {
      const r = rank(pattern.segments, parts);
      if (r && (!best || compare(r, best.rank) < 0)) best = { pattern, rank: r };
    }
    return best?.pattern;
  }

  /**
   * The methods of the pattern `path` belongs to, sorted, when `method` is not one of them; undefined
   * when the path is unknown or the method is allowed. `routeUrl` is the pattern Fastify matched, if any.
   */
  disallowed(method: string, path: string, routeUrl?: string): string[] | undefined {
    const pattern = this.resolve(path);
    if (!pattern) return undefined;
    if (pattern.url === routeUrl || pattern.methods.has(method.toUpperCase())) return undefined;
    return [...pattern.methods].sort();
  }
}

/** Whether a route registered at `url` can be shadowed by a more specific pattern of another method. */
export const isParametric = (url: string): boolean => url.includes(':') || url.includes('*');
