/**
 * Nearest-rank percentiles (0–100) of `samples`; null for each when there are
 * none, so an idle system shows "no data" rather than zeros.
 */
export function percentiles(samples: number[], ranks: number[]): Array<number | null> {
  if (samples.length === 0) return ranks.map(() => null);
  const sorted = [...samples].sort((a, b) => a - b);
  return ranks.map((p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!);
}
