// Small statistics for the report: nearest-rank percentiles and rates.

/** Nearest-rank percentile (p in 0..100) of unsorted values; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? null;
}

export interface Distribution {
  count: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

export function distribution(values: readonly number[]): Distribution {
  return {
    count: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    max: values.length === 0 ? null : values.reduce((a, b) => Math.max(a, b), -Infinity),
  };
}

/** Items per second; a zero-length span (one item) counts as one millisecond. */
export function ratePerSecond(items: number, elapsedMs: number): number {
  return items / (Math.max(elapsedMs, 1) / 1000);
}
