/**
 * Anthropic `usage.iterations`: one entry per sampling pass of a request. Server-side compaction
 * adds a pass on the same model; the advisor tool (`advisor_20260301`) adds passes on the model the
 * tool names, each entry carrying that `model`. The corpus shows the top-level fields cover the
 * executor's passes only (input 2417 = 1128 + 1289, output 133 = 121 + 12; the advisor's 2529 in
 * and 38 out appear nowhere else), so the billed total is the sum of every pass, each priced at its
 * own model.
 */
import { countAt, isObject, stringAt, type JsonObject } from './json.js';
import { addCounts, zeroCounts, type ModelPart, type TokenCounts } from './reading.js';

function passCounts(u: JsonObject): TokenCounts {
  const cacheWrite = countAt(u, 'cache_creation_input_tokens');
  const cacheRead = countAt(u, 'cache_read_input_tokens');
  return {
    // Anthropic's input_tokens leaves out both cache fields; ours counts all input.
    inputTokens: countAt(u, 'input_tokens') + cacheWrite + cacheRead,
    outputTokens: countAt(u, 'output_tokens'),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: 0,
  };
}

/**
 * The usage of each model a Messages reply ran, the call's own model first; passes without a
 * `model` ran on it. Without `iterations`, the top-level fields are the one part. `reasoning`
 * (`output_tokens_details.thinking_tokens`) is only reported for the whole reply, and only the
 * executor's thinking reaches the reply, so it goes to the call's own model.
 */
export function anthropicParts(
  usage: JsonObject,
  model: string | null,
  reasoning: number,
): ModelPart[] {
  const own = model ?? '';
  const byModel = new Map<string, TokenCounts>([[own, zeroCounts()]]);
  let ownPasses = 0;
  const iterations = usage['iterations'];
  for (const it of Array.isArray(iterations) ? iterations : []) {
    if (!isObject(it)) continue;
    const m = stringAt(it, 'model') ?? own;
    byModel.set(m, addCounts(byModel.get(m) ?? zeroCounts(), passCounts(it)));
    if (m === own) ownPasses += 1;
  }
  // No pass of its own listed (no iterations at all): the top-level fields are its usage.
  if (ownPasses === 0) byModel.set(own, passCounts(usage));
  const first = byModel.get(own) ?? zeroCounts();
  byModel.set(own, { ...first, reasoningTokens: reasoning });
  return [...byModel].map(([m, counts]) => ({ model: m, usage: counts }));
}
