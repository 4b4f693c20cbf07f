/**
 * Scoring among the models that passed the capability filters and the breakers: the estimated cost
 * of this request and the latency seen so far, each relative to the best candidate, weighted
 * equally. Lower is better. Traffic is then spread in proportion to 1/score by smooth weighted
 * round robin (nginx's), so the cheap and fast vendors take most of it without one vendor taking
 * all of it, and the spread is the same on every run.
 */
import type { Needs } from './capabilities.js';
import type { ModelEntry } from './registry.js';

export interface Scored {
  vendor: string;
  costUsd: number;
  latencyMs: number;
  score: number;
  weight: number;
}

export const COST_WEIGHT = 0.5;
export const LATENCY_WEIGHT = 0.5;
const MIN_COST_USD = 1e-8;

export function costOf(entry: ModelEntry, needs: Needs): number {
  return (needs.promptTokens * entry.price.input + needs.outputTokens * entry.price.output) / 1e6;
}

/** `latencyOf` gives the latency seen of a vendor (its registry figure before any reply). */
export function score(
  candidates: readonly ModelEntry[],
  needs: Needs,
  latencyOf: (e: ModelEntry) => number,
): Scored[] {
  const raw = candidates.map((e) => ({
    vendor: e.vendor,
    costUsd: costOf(e, needs),
    latencyMs: Math.round(latencyOf(e)),
  }));
  // Floors keep each ratio finite when the best candidate is free or answers in 0 ms: a free model
  // then scores 1 on cost and a paid one its price over a millionth of a cent, so cost still counts.
  const minCost = Math.max(MIN_COST_USD, Math.min(...raw.map((r) => r.costUsd)));
  const minLatency = Math.max(1, Math.min(...raw.map((r) => r.latencyMs)));
  return raw
    .map((r) => {
      const s =
        COST_WEIGHT * (Math.max(MIN_COST_USD, r.costUsd) / minCost) +
        LATENCY_WEIGHT * (Math.max(1, r.latencyMs) / minLatency);
      const rounded = Math.round(s * 1000) / 1000;
      return { ...r, score: rounded, weight: Math.round((1 / s) * 1000) / 1000 };
    })
    .sort((a, b) => a.score - b.score || (a.vendor < b.vendor ? -1 : 1));
}

/** Smooth weighted round robin: each pick adds every weight, takes the largest, lowers it by the sum. */
export class WeightedRoundRobin {
  private current = new Map<string, number>();

  pick(scored: readonly Scored[]): Scored | undefined {
    let total = 0;
    let best: Scored | undefined;
    let bestValue = -Infinity;
    for (const s of scored) {
      total += s.weight;
      const v = (this.current.get(s.vendor) ?? 0) + s.weight;
      this.current.set(s.vendor, v);
      if (v > bestValue) {
        bestValue = v;
        best = s;
      }
    }
    if (best !== undefined) this.current.set(best.vendor, bestValue - total);
    return best;
  }
}
