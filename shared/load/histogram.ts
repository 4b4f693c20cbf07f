/**
 * A mergeable latency histogram: fixed logarithmic buckets (each 2 % wide, so a percentile read
 * from them is within 1 % of the exact nearest-rank value), kept sparse as `{ index: count }`.
 * The mock keeps one per upstream per second (`VendorSecond.histograms`); a load step merges the
 * seconds it covers and reads its percentiles from the merge, never by averaging the seconds' p95s.
 */

/** bucket → count; the key is the bucket index as a decimal integer. */
export type LogHistogram = Record<string, number>;

/** The relative error of a value read back from its bucket. */
export const HISTOGRAM_ALPHA = 0.01;
const GAMMA = (1 + HISTOGRAM_ALPHA) / (1 - HISTOGRAM_ALPHA);
const LOG_GAMMA = Math.log(GAMMA);
/** Values are clamped to [MIN_MS, MAX_MS]: under 10 µs is timer noise, over a day is a hang. */
export const MIN_MS = 0.01;
export const MAX_MS = 86_400_000;
const MIN_INDEX = Math.ceil(Math.log(MIN_MS) / LOG_GAMMA);
const MAX_INDEX = Math.ceil(Math.log(MAX_MS) / LOG_GAMMA);
/** At most this many buckets, whatever the values: the bound on a histogram's size. */
export const MAX_BUCKETS = MAX_INDEX - MIN_INDEX + 1;

/** The bucket of `ms`: the i with γ^(i-1) < ms <= γ^i, clamped to the range. */
export function bucketOf(ms: number): number {
  if (!(ms > MIN_MS)) return MIN_INDEX;
  if (ms >= MAX_MS) return MAX_INDEX;
  return Math.min(MAX_INDEX, Math.max(MIN_INDEX, Math.ceil(Math.log(ms) / LOG_GAMMA)));
}

/** The value a bucket stands for: within HISTOGRAM_ALPHA of every value it holds. */
export function bucketValue(index: number): number {
  return (2 * Math.pow(GAMMA, index)) / (GAMMA + 1);
}

/** Adds one value, in place. */
export function histogramAdd(h: LogHistogram, ms: number): void {
  const k = String(bucketOf(ms));
  h[k] = (h[k] ?? 0) + 1;
}

/** The sum of the histograms (undefined ones skipped), as a new histogram. */
export function mergeHistograms(hs: Iterable<LogHistogram | undefined>): LogHistogram {
  const out: LogHistogram = {};
  for (const h of hs) {
    if (h === undefined) continue;
    for (const [k, n] of Object.entries(h)) out[k] = (out[k] ?? 0) + n;
  }
  return out;
}

export function histogramCount(h: LogHistogram): number {
  let n = 0;
  for (const c of Object.values(h)) n += c;
  return n;
}

/**
 * The nearest-rank `p`th percentile (0 < p <= 100), as `percentile()` of shared/load/percentiles.ts
 * reads it from the sorted values, rounded to 0.01 ms; null when the histogram is empty.
 */
export function histogramPercentile(h: LogHistogram, p: number): number | null {
  const buckets = Object.entries(h)
    .map(([k, n]) => [Number(k), n] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  for (const [, n] of buckets) total += n;
  if (total === 0) return null;
  const rank = Math.min(total, Math.max(1, Math.ceil((p / 100) * total)));
  let seen = 0;
  for (const [index, n] of buckets) {
    seen += n;
    if (seen >= rank) return Math.round(bucketValue(index) * 100) / 100;
  }
  return null;
}
