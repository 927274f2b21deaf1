/** The median of `xs` (the mean of the two middle values for an even count); NaN when empty. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The value at fraction `p` (0–1) of `xs` sorted, by the lower rank (p = 0.25: the first quartile). */
export function quantile(xs: readonly number[], p: number): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))]!;
}

/**
 * A distribution-free 95% confidence interval of the median of `xs` (order statistics: the ranks
 * n/2 ∓ 1.96·√n/2), so a figure near the budget says whether the pairs are enough to tell.
 */
export function medianInterval(xs: number[]): { low: number; high: number } {
  const s = [...xs].sort((a, b) => a - b);
  const half = 1.96 * Math.sqrt(s.length) / 2;
  const at = (rank: number) => s[Math.min(s.length - 1, Math.max(0, Math.round(rank)))] ?? NaN;
  return { low: at(s.length / 2 - half - 1), high: at(s.length / 2 + half) };
}
