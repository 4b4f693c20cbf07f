/** What the three OpenAI families (and OpenAI-compatible servers) share when reading usage. */
import { numberAt, objectAt, type JsonObject } from '../../providers/json.js';

/** xAI reports its exact charge in ticks of 1e-10 USD. */
const USD_PER_XAI_TICK = 1e-10;

/**
 * The charge an OpenAI-compatible provider reports inside `usage`: OpenRouter's `cost` (credits,
 * 1 credit = 1 USD; with your own key the upstream's bill comes on top), or xAI's
 * `cost_in_usd_ticks`.
 */
export function reportedCostUsd(usage: JsonObject): number | null {
  const cost = numberAt(usage, 'cost');
  if (cost !== undefined && cost >= 0) {
    const byok = usage['is_byok'] === true;
    const upstream = numberAt(objectAt(usage, 'cost_details'), 'upstream_inference_cost');
    return byok && upstream !== undefined && upstream > 0 ? cost + upstream : cost;
  }
  const ticks = numberAt(usage, 'cost_in_usd_ticks');
  if (ticks !== undefined && ticks >= 0) return ticks * USD_PER_XAI_TICK;
  return null;
}

export function hasAnyCount(usage: JsonObject, keys: readonly string[]): boolean {
  return keys.some((k) => numberAt(usage, k) !== undefined);
}
