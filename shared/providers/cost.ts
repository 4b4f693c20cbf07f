/**
 * What a call costs, derived whenever a snapshot is read: the provider's own charge when it
 * reported one, else the snapshot's price overrides, else the bundled @pydantic/genai-prices data
 * (its JS build is plain data and functions, no Node imports, and it never fetches unless asked
 * to). A call file's `costUsd` is only a cache of this, except when it is the provider's figure.
 */
import {
  calcPrice,
  findProvider,
  type ConditionalPrice,
  type PriceCalculation,
  type Usage as PriceUsage,
} from '@pydantic/genai-prices';
import type { Call, ModelUsage, PriceOverride } from '../schema.js';
import type { TokenCounts } from './reading.js';

export type Prices = Readonly<Record<string, PriceOverride>>;

/** Our provider names → genai-prices provider ids; unlisted providers are matched by model name. */
const PRICE_PROVIDER: Readonly<Record<string, string>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  gemini: 'google',
  xai: 'x-ai',
  openrouter: 'openrouter',
  bedrock: 'aws',
  cohere: 'cohere',
};

const PER_MTOK = 1e6;

const globs = new Map<string, RegExp>();

/** `*` matches any run of characters, `?` one character; everything else is literal. */
export function globMatches(glob: string, text: string): boolean {
  let re = globs.get(glob);
  if (!re) {
    const source = glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    if (globs.size >= 1000) globs.clear();
    globs.set(glob, (re = new RegExp(`^${source}$`, 's')));
  }
  return re.test(text);
}

function literalLength(glob: string): number {
  return glob.replace(/[*?]/g, '').length;
}

// Per manifest and model: re-pricing 100,000 rows after an edit of `prices` matches each model once.
const overrideMemo = new WeakMap<Prices, Map<string, PriceOverride | undefined>>();

/** The override for a model: an exact key, else the matching glob with the most literal characters. */
export function findOverride(prices: Prices | undefined, model: string): PriceOverride | undefined {
  if (!prices) return undefined;
  let memo = overrideMemo.get(prices);
  if (!memo) overrideMemo.set(prices, (memo = new Map()));
  if (memo.has(model)) return memo.get(model);
  const found = matchOverride(prices, model);
  if (memo.size < CACHE_SIZE) memo.set(model, found);
  return found;
}

function matchOverride(prices: Prices, model: string): PriceOverride | undefined {
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

/**
 * Costs are sums of products of token counts and per-million prices, so binary floating point adds
 * noise (`1.3049999999999999e-05`). Twelve significant digits keep everything a price can mean
 * (xAI bills in 1e-10 USD ticks: exact below $100) and drop the noise.
 */
export function roundUsd(usd: number): number {
  return usd === 0 ? 0 : Number(usd.toPrecision(12));
}

/** A genai-prices lookup: a provider id (none: match the provider by model name) and a model id. */
export interface PriceRef {
  providerId: string | undefined;
  model: string;
}

/** A model's table price for some usage, as of the moment the call was made (ISO 8601). */
type Pricer = (usage: TokenCounts, at: string | undefined) => number | null;

function calc(usage: PriceUsage, ref: PriceRef, at: Date | undefined): PriceCalculation | null {
  try {
    const r = calcPrice(usage, ref.model, {
      ...(ref.providerId ? { providerId: ref.providerId } : {}),
      ...(at ? { timestamp: at } : {}),
    });
    return r && Number.isFinite(r.total_price) ? r : null;
  } catch {
    // Inconsistent usage (cache counts above the input total) has no defined price.
    return null;
  }
}

const M = 1_000_000;

/** USD per token of each kind, plus a fixed per-request fee some vendors charge. */
interface Rates {
  fixed: number;
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
}

function linearCost(r: Rates, u: TokenCounts): number {
  const uncached = Math.max(0, u.inputTokens - u.cacheReadTokens - u.cacheWriteTokens);
  const reasoning = u.reasoningTokens <= u.outputTokens ? u.reasoningTokens : 0;
  return (
    r.fixed +
    uncached * r.input +
    u.cacheReadTokens * r.cacheRead +
    u.cacheWriteTokens * r.cacheWrite +
    (u.outputTokens - reasoning) * r.output +
    reasoning * r.reasoning
  );
}

/**
 * Per-token rates of one price at one input size: a price is linear in each kind of token once
 * its tier (chosen by the input total) is fixed, so probes at that input size give the rates.
 */
function ratesAt(ref: PriceRef, at: Date | undefined, inputSize: number): Rates | null {
  const price = (usage: PriceUsage) => calc(usage, ref, at)?.total_price ?? null;
  const X = Math.max(1, inputSize);
  const fixed = price({ input_tokens: 0, output_tokens: 0 });
  const base = price({ input_tokens: X, output_tokens: 0 });
  const withOutput = price({ input_tokens: X, output_tokens: M });
  if (fixed === null || base === null || withOutput === null) return null;
  const input = (base - fixed) / X;
  const output = (withOutput - base) / M;
  const per = (p: number | null, fallback: number, from: number, n: number) =>
    p === null ? fallback : (p - from) / n;
  return {
    fixed,
    input,
    output,
    cacheRead: per(
      price({ input_tokens: X, output_tokens: 0, cache_read_tokens: X }),
      input,
      fixed,
      X,
    ),
    cacheWrite: per(
      price({ input_tokens: X, output_tokens: 0, cache_write_tokens: X }),
      input,
      fixed,
      X,
    ),
    reasoning: per(
      price({ input_tokens: X, output_tokens: M, output_reasoning_tokens: M }),
      output,
      base,
      M,
    ),
  };
}

/** Input totals at which a tiered price changes (`{ base, tiers: [{ start, price }] }`). */
function tierStarts(modelPrice: PriceCalculation['model_price']): number[] {
  const starts = new Set<number>();
  for (const v of Object.values(modelPrice)) {
    if (typeof v === 'object') for (const t of v.tiers) starts.add(t.start);
  }
  return [...starts].sort((x, y) => x - y);
}

const TIME_OF_DAY = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/;

/** Seconds after midnight UTC of a constraint's `HH:MM:SS[.f](Z|±HH:MM)`. */
function secondsOfDay(time: string): number {
  const m = TIME_OF_DAY.exec(time);
  if (!m) return NaN;
  const local = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(`0.${m[4] ?? 0}`);
  const offset =
    m[5] === 'Z' ? 0 : (m[6] === '+' ? 1 : -1) * (Number(m[7]) * 3600 + Number(m[8]) * 60);
  return (local - offset + 86_400) % 86_400;
}

/**
 * Which of a model's dated prices applies at `at`: the last whose constraint holds (a start date
 * reached, or a time-of-day window that contains it), else the first. The same choice
 * genai-prices makes; `test/cost.test.ts` compares the two.
 */
function activeEntry(prices: readonly ConditionalPrice[], at: Date): number {
  const t = at.getTime();
  const day =
    at.getUTCHours() * 3600 +
    at.getUTCMinutes() * 60 +
    at.getUTCSeconds() +
    at.getUTCMilliseconds() / 1000;
  for (let i = prices.length - 1; i >= 0; i--) {
    const c = prices[i]?.constraint;
    if (c === undefined) return i;
    if (c.type === 'start_date') {
      if (t >= new Date(c.start_date).getTime()) return i;
    } else {
      const start = secondsOfDay(c.start_time);
      const end = secondsOfDay(c.end_time);
      if (end < start ? day >= start || day < end : day >= start && day < end) return i;
    }
  }
  return 0;
}

/**
 * Finding a model in the table costs about 0.1 ms, too slow to repeat for each of 100,000 rows
 * whenever a snapshot is read or its prices change. So a model's per-token rates are found once
 * per price regime and applied to each row: one regime for a flat price, one per tier (chosen by
 * the input total) for a tiered price, and for a dated price (price changes, peak hours) one per
 * price in force at the call's time.
 */
function makePricer(ref: PriceRef): Pricer | null {
  const probe = calc({ input_tokens: 0, output_tokens: 0 }, ref, undefined);
  if (!probe) return null;
  const dated = Array.isArray(probe.model.prices) ? probe.model.prices : null;
  const regimes = new Map<string, { rates: Rates | null; starts: number[] }>();
  const regime = (at: string | undefined, inputTokens: number) => {
    // Parsed only for dated prices: a Date per row is most of the cost of pricing 100,000 rows.
    const time = dated ? (timeOf(at) ?? new Date()) : undefined;
    const entry = dated && time ? activeEntry(dated, time) : -1;
    // The tiers of the price in force, then the tier this input falls in.
    const head = remember(regimes, `${entry}`, () => ({
      rates: null,
      starts: tierStarts(
        (time ? calc({ input_tokens: 0, output_tokens: 0 }, ref, time) : probe)?.model_price ?? {},
      ),
    }));
    const tier = head.starts.filter((start) => inputTokens > start).length;
    return remember(regimes, `${entry}:${tier}`, () => ({
      rates: ratesAt(ref, time, inputTokens),
      starts: head.starts,
    })).rates;
  };
  return (usage, at) => {
    // Cache counts above the input total are inconsistent usage, which has no defined price.
    if (usage.cacheReadTokens + usage.cacheWriteTokens > usage.inputTokens) return null;
    const rates = regime(at, usage.inputTokens);
    return rates ? linearCost(rates, usage) : null;
  };
}

// Bounded: model names come from recorded traffic, which a test may fill with random names.
const CACHE_SIZE = 5000;

function remember<V>(cache: Map<string, V>, key: string, make: () => V): V {
  const hit = cache.get(key);
  if (hit !== undefined || cache.has(key)) return hit as V;
  const value = make();
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, value);
  return value;
}

const byRef = new Map<string, Pricer | null>();

function pricerOf(ref: PriceRef): Pricer | null {
  return remember(byRef, `${ref.providerId ?? ''}\u0000${ref.model}`, () => makePricer(ref));
}

/**
 * Where the table's price for a call's model is: for OpenAI-compatible servers the upstream name
 * often is the vendor ("groq", "cerebras", "deepseek"), which picks its prices over a same-named
 * model sold elsewhere; gateways name models "vendor/model" (LiteLLM, Together, OpenRouter slugs).
 */
function candidateRefs(provider: string, model: string, upstream: string | undefined): PriceRef[] {
  const providerId = PRICE_PROVIDER[provider];
  if (providerId) return [{ providerId, model }];
  const refs: PriceRef[] = [];
  if (upstream && findProvider({ providerId: upstream }))
    refs.push({ providerId: upstream, model });
  refs.push({ providerId: undefined, model });
  const slash = model.indexOf('/');
  if (slash > 0) {
    refs.push({ providerId: model.slice(0, slash), model: model.slice(slash + 1) });
    refs.push({ providerId: 'openrouter', model });
  }
  return refs;
}

// Nested by provider and upstream (few of each), then model: a lookup per row builds no key string.
const byCall = new Map<string, Map<string, Map<string, Pricer | null>>>();

function tablePricer(provider: string, model: string, upstream: string | undefined): Pricer | null {
  let byUpstream = byCall.get(provider);
  if (!byUpstream) byCall.set(provider, (byUpstream = new Map()));
  let byModel = byUpstream.get(upstream ?? '');
  if (!byModel) byUpstream.set(upstream ?? '', (byModel = new Map()));
  return remember(byModel, model, () => {
    for (const ref of candidateRefs(provider, model, upstream)) {
      const p = pricerOf(ref);
      if (p) return p;
    }
    return null;
  });
}

/** An ISO time as a Date; none for a malformed one (the table's current prices then apply). */
function timeOf(iso: string | undefined): Date | undefined {
  if (iso === undefined) return undefined;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** The bundled table's price for a genai-prices model, unrounded; null when it has none. */
export function refCost(ref: PriceRef, usage: TokenCounts, at?: string): number | null {
  return pricerOf(ref)?.(usage, at) ?? null;
}

/** The bundled table's price for one of our calls, unrounded; null when it does not know the model. */
function genaiPricesCost(
  provider: string,
  model: string,
  usage: TokenCounts,
  upstream?: string,
  at?: string,
): number | null {
  return tablePricer(provider, model, upstream)?.(usage, at) ?? null;
}

/** Everything a call's cost depends on; a call file and a table row both provide it. */
export interface CostInputs {
  provider: string;
  upstream: string;
  model: string | null;
  /** Null: the reply carried no usage and none could be estimated (errors, non-model calls). */
  usage: TokenCounts | null;
  /** The provider's own charge (OpenRouter `usage.cost`, xAI `cost_in_usd_ticks`). */
  providerCostUsd: number | null;
  /** When the call was made: dated table prices (price changes, peak hours) apply as of then. */
  recordedAt?: string;
  /** The usage split by model when the call ran several (advisor tool); `usage` is their sum. */
  byModel?: readonly ModelUsage[] | null | undefined;
}

/** Why a call costs what it does, for the words beside the figure. */
export type CostBasis =
  'provider' | 'override' | 'genai-prices' | 'no-usage' | 'no-model' | 'no-price';

export interface CallCost {
  /** USD, rounded by `roundUsd`; null when the call used tokens that have no known price. */
  costUsd: number | null;
  costSource: Call['costSource'];
  basis: CostBasis;
  /** Each model's share when the call ran several and was priced from the price lists. */
  byModel?: ModelCost[];
}

export interface ModelCost {
  model: string;
  costUsd: number | null;
  basis: CostBasis;
}

/** One model's tokens priced: an override for the model, else the table; unrounded. */
function modelCost(
  c: CostInputs,
  model: string,
  usage: TokenCounts,
  prices: Prices | undefined,
): { usd: number | null; basis: CostBasis } {
  const override = findOverride(prices, model);
  if (override) return { usd: overrideCost(override, usage), basis: 'override' };
  const table = genaiPricesCost(c.provider, model, usage, c.upstream, c.recordedAt);
  return table === null ? { usd: null, basis: 'no-price' } : { usd: table, basis: 'genai-prices' };
}

/**
 * A call that ran several models costs the sum of its parts, each at its own model's price. One
 * part without a price leaves the call's cost unknown (null, "no price known"), like any call
 * whose tokens cannot all be priced; the priced parts still show, and totals add them.
 */
function partsCost(c: CostInputs, parts: readonly ModelUsage[], prices?: Prices): CallCost {
  let sum = 0;
  let unpriced = false;
  let override = false;
  const byModel = parts.map((p): ModelCost => {
    const { usd, basis } = modelCost(c, p.model, p, prices);
    if (usd === null) unpriced = true;
    else sum += usd;
    if (basis === 'override') override = true;
    return { model: p.model, costUsd: usd === null ? null : roundUsd(usd), basis };
  });
  if (unpriced) return { costUsd: null, costSource: 'none', basis: 'no-price', byModel };
  return {
    costUsd: roundUsd(sum),
    costSource: 'price-table',
    basis: override ? 'override' : 'genai-prices',
    byModel,
  };
}

/**
 * The one definition of a call's cost, used when recording, by `inspect`, by the host's rows and
 * by the UI, always with the manifest's current `prices`:
 * 1. the provider's reported charge wins;
 * 2. a call without usage was not billed: $0;
 * 3. a price override for the model (exact key, then the most specific glob);
 * 4. the bundled genai-prices table;
 * 5. else null ("no price known").
 * A call that ran several models (`byModel`) is priced part by part under 3–5 and summed.
 */
export function callCost(c: CostInputs, prices?: Prices): CallCost {
  if (c.providerCostUsd !== null && Number.isFinite(c.providerCostUsd) && c.providerCostUsd >= 0)
    return { costUsd: roundUsd(c.providerCostUsd), costSource: 'provider', basis: 'provider' };
  if (c.usage === null) return { costUsd: 0, costSource: 'none', basis: 'no-usage' };
  if (c.model === null) return { costUsd: null, costSource: 'none', basis: 'no-model' };
  if (c.byModel && c.byModel.length > 1) return partsCost(c, c.byModel, prices);
  // Inline, not modelCost: this runs for every row whenever 100,000 rows are re-priced.
  const override = findOverride(prices, c.model);
  if (override)
    return {
      costUsd: roundUsd(overrideCost(override, c.usage)),
      costSource: 'price-table',
      basis: 'override',
    };
  const table = genaiPricesCost(c.provider, c.model, c.usage, c.upstream, c.recordedAt);
  return table === null
    ? { costUsd: null, costSource: 'none', basis: 'no-price' }
    : { costUsd: roundUsd(table), costSource: 'price-table', basis: 'genai-prices' };
}

/** The provider's charge kept in a call file or a row: its `costUsd` when `costSource` says so. */
export function storedProviderCost(c: {
  costUsd: number | null;
  costSource: Call['costSource'];
}): number | null {
  return c.costSource === 'provider' ? c.costUsd : null;
}
