/** Latency figures of a load step: nearest-rank percentiles, the method k6 and autocannon report. */

export interface LatencySummary {
  avg: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Rounded to 0.01 ms: finer digits are timer noise and only make the report longer. */
const round = (n: number) => Math.round(n * 100) / 100;

/** The nearest-rank `p`th percentile (0 < p <= 100) of ascending `sorted`; 0 when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? 0;
}

/** avg/p50/p95/p99 of `values` (any order); all 0 when empty. */
export function summarize(values: readonly number[]): LatencySummary {
  if (values.length === 0) return { avg: 0, p50: 0, p95: 0, p99: 0 };
  const sorted = Float64Array.from(values).sort();
  const list = Array.from(sorted);
  let sum = 0;
  for (const v of list) sum += v;
  return {
    avg: round(sum / list.length),
    p50: round(percentile(list, 50)),
    p95: round(percentile(list, 95)),
    p99: round(percentile(list, 99)),
  };
}
