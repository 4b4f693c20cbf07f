/** How figures read, the same in `tapedeck inspect` and in the UI (tests compare the two). */
import type { CostBasis } from './providers/cost.js';
import type { Bucket, CallSummary } from './totals.js';

export function formatCost(usd: number | null): string {
  if (usd === null) return '—';
  if (usd === 0) return '$0';
  if (usd < 0.01) return `$${usd.toFixed(6)}`;
  return `$${usd.toFixed(4)}`;
}

/**
 * A sum of costs: `—` when none of its calls has a known price, and a visible lower bound when
 * some lack one, so a model without a price never shows `$0`.
 */
export function formatTotalCost(b: Pick<Bucket, 'costUsd' | 'unpricedCalls'>): string {
  if (b.costUsd === null || b.unpricedCalls === 0) return formatCost(b.costUsd);
  return `${formatCost(b.costUsd)} + ${b.unpricedCalls} unpriced`;
}

/** Why a cost is what it is, in words for the reader. */
export function formatCostBasis(basis: CostBasis): string {
  switch (basis) {
    case 'provider':
      return 'reported by the provider';
    case 'override':
      return 'your price in tapedeck.json';
    case 'genai-prices':
      return 'genai-prices table';
    case 'no-usage':
      return 'no usage: not billed';
    case 'no-model':
      return 'no model named, so no price';
    case 'no-price':
      return 'no price known for this model: add one under "prices" in tapedeck.json';
  }
}

/** The mark of a count estimated with a tokenizer, written before it: `~35` reads "about 35". */
export const ESTIMATE_MARK = '~';

/** A token count as the CLI and the UI show it: `—` without usage, `~35` when estimated. */
export function formatTokens(
  n: number,
  source: CallSummary['usageSource'],
  digits: (n: number) => string = String,
): string {
  if (source === null) return '—';
  return source === 'estimated' ? `${ESTIMATE_MARK}${digits(n)}` : digits(n);
}

/** Milliseconds below ten seconds, seconds with one decimal above. */
export function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms)}ms`;
}
