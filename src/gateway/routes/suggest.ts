/**
 * "Did you mean": the known names closest to one that is not known, for UNKNOWN_ACTION and unknown fields.
 * Names are compared without case and separators (`describe_instances`, `describeinstances` and
 * `DescribeInstances` are alike), then by edit distance.
 */

const loose = (name: string): string => name.replace(/[\s_.-]/g, '').toLowerCase();

/** Levenshtein distance, stopping early once it exceeds `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      row.push(v);
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * Up to `limit` of `candidates` closest to `name`: one that matches ignoring case and separators comes
 * first; then those within an edit distance of about a third of the name's length; then, if room is
 * left, those that contain the name or that it contains (`Instance` → `DescribeInstances`).
 */
export function closestNames(name: string, candidates: Iterable<string>, limit = 3): string[] {
  const target = loose(name);
  if (target === '') return [];
  const max = Math.max(1, Math.floor(target.length / 3));
  const scored: Array<{ name: string; score: number }> = [];
  for (const candidate of candidates) {
    const c = loose(candidate);
    if (c === target) {
      scored.push({ name: candidate, score: -1 });
      continue;
    }
    const d = distance(target, c, max);
    if (d <= max) scored.push({ name: candidate, score: d });
    else if (target.length >= 4 && (c.includes(target) || target.includes(c))) scored.push({ name: candidate, score: max + 1 + Math.abs(c.length - target.length) / 100 });
  }
  scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return [...new Set(scored.map((s) => s.name))].slice(0, limit);
}

/** `a`, `a or b`, `a, b or c`. */
export function orList(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}
