/** Nearest-rank percentile of unsorted samples; `p` in [0, 100]. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

export function max(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error('max of no samples');
  return samples.reduce((a, b) => (b > a ? b : a));
}
