/**
 * Table prices for a call's usage: the snapshot's own overrides first, then the bundled
 * @pydantic/genai-prices data (its JS build is plain data and functions, no Node imports, and it
 * never fetches unless asked to).
 */
import { calcPrice, findProvider, type Usage as PriceUsage } from '@pydantic/genai-prices';
import type { PriceOverride } from '../schema.js';
import type { TokenCounts } from './reading.js';

/** Our provider names → genai-prices provider ids; unlisted providers are matched by model name. */
const PRICE_PROVIDER: Readonly<Record<string, string>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  gemini: 'google',
  xai: 'x-ai',
  openrouter: 'openrouter',
};

const PER_MTOK = 1e6;

/** `*` matches any run of characters, `?` one character; everything else is literal. */
export function globMatches(glob: string, text: string): boolean {
  const source = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(text);
}

function literalLength(glob: string): number {
  return glob.replace(/[*?]/g, '').length;
}

/** The override for a model: an exact key, else the matching glob with the most literal characters. */
export function findOverride(
  prices: Readonly<Record<string, PriceOverride>> | undefined,
  model: string,
): PriceOverride | undefined {
  if (!prices) return undefined;
  const exact = Object.hasOwn(prices, model) ? prices[model] : undefined;
  if (exact) return exact;
  let best: [string, PriceOverride] | undefined;
  for (const [glob, price] of Object.entries(prices)) {
    if (!globMatches(glob, model)) continue;
    if (!best || literalLength(glob) > literalLength(best[0])) best = [glob, price];
  }
  return best?.[1];
}

export function overrideCost(price: PriceOverride, usage: TokenCounts): number {
  const uncached = Math.max(0, usage.inputTokens - usage.cacheReadTokens - usage.cacheWriteTokens);
  return (
    (uncached * price.inputMtok +
      usage.cacheReadTokens * (price.cacheReadMtok ?? price.inputMtok) +
      usage.cacheWriteTokens * (price.cacheWriteMtok ?? price.inputMtok) +
      usage.outputTokens * price.outputMtok) /
    PER_MTOK
  );
}

/** Our token counts in genai-prices' terms (the UI's what-if pricing uses the same mapping). */
export function priceUsage(usage: TokenCounts): PriceUsage {
  // genai-prices, like us, counts cache reads and writes inside input_tokens and prices them apart.
  const out: PriceUsage = { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens };
  if (usage.cacheReadTokens > 0) out['cache_read_tokens'] = usage.cacheReadTokens;
  if (usage.cacheWriteTokens > 0) out['cache_write_tokens'] = usage.cacheWriteTokens;
  if (usage.reasoningTokens > 0 && usage.reasoningTokens <= usage.outputTokens) {
    out['output_reasoning_tokens'] = usage.reasoningTokens;
  }
  return out;
}

// calcPrice matches the model against the whole table (~0.2 ms); the same model and token counts
// recur a lot (retries, sequences, load tests), so recent answers are kept.
const MEMO_SIZE = 2000;
const memo = new Map<string, number | null>();

function safeCalc(usage: PriceUsage, model: string, providerId: string | undefined): number | null {
  const key = `${providerId ?? ''}\u0000${model}\u0000${JSON.stringify(usage)}`;
  const hit = memo.get(key);
  if (hit !== undefined || memo.has(key)) return hit ?? null;
  const price = calcUncached(usage, model, providerId);
  if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value as string);
  memo.set(key, price);
  return price;
}

function calcUncached(
  usage: PriceUsage,
  model: string,
  providerId: string | undefined,
): number | null {
  try {
    const r = calcPrice(usage, model, providerId ? { providerId } : undefined);
    return r && Number.isFinite(r.total_price) ? r.total_price : null;
  } catch {
    // Inconsistent usage (cache counts above the input total) has no defined price.
    return null;
  }
}

/**
 * The bundled table's price; null when it does not know the model. For OpenAI-compatible servers
 * the upstream name often is the vendor ("groq", "cerebras", "deepseek"), which picks its prices
 * over a same-named model sold elsewhere.
 */
export function genaiPricesCost(
  provider: string,
  model: string,
  usage: TokenCounts,
  upstream?: string,
): number | null {
  const u = priceUsage(usage);
  const providerId = PRICE_PROVIDER[provider];
  if (providerId) return safeCalc(u, model, providerId);
  if (upstream && findProvider({ providerId: upstream })) {
    const byUpstream = safeCalc(u, model, upstream);
    if (byUpstream !== null) return byUpstream;
  }
  const byModel = safeCalc(u, model, undefined);
  if (byModel !== null) return byModel;
  // Gateways name models "vendor/model" (LiteLLM, Together, OpenRouter-style slugs).
  const slash = model.indexOf('/');
  if (slash > 0)
    return (
      safeCalc(u, model.slice(slash + 1), model.slice(0, slash)) ?? safeCalc(u, model, 'openrouter')
    );
  return null;
}

export function tableCost(
  provider: string,
  model: string | null,
  usage: TokenCounts,
  prices?: Readonly<Record<string, PriceOverride>>,
  upstream?: string,
): number | null {
  if (model === null) return null;
  const override = findOverride(prices, model);
  if (override) return overrideCost(override, usage);
  return genaiPricesCost(provider, model, usage, upstream);
}
