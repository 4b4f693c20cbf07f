/**
 * "What if this run used model X": every call's recorded usage priced on another model from the
 * bundled genai-prices table (pure data, runs in the browser as it runs in the proxy).
 */
import { calcPrice, findProvider, type Usage as PriceUsage } from '@pydantic/genai-prices';
import { priceUsage } from '../../../shared/providers/cost.js';
import type { CallSummary } from '../../../shared/totals.js';

export interface ModelChoice {
  /** `providerId/modelId`, unique across the catalog. */
  key: string;
  providerId: string;
  providerName: string;
  modelId: string;
  label: string;
  deprecated: boolean;
}

/**
 * The table has no "list every provider" call, so the catalog asks for these by id; an id the
 * bundled data lacks is skipped. Hosting resellers (huggingface_*, aws, azure) are left out: they
 * repeat the same models under other names.
 */
const PROVIDER_IDS = [
  'openai',
  'anthropic',
  'google',
  'x-ai',
  'mistral',
  'deepseek',
  'groq',
  'cerebras',
  'cohere',
  'fireworks',
  'together',
  'perplexity',
  'moonshotai',
  'zai',
  'minimax',
  'novita',
  'openrouter',
];

let catalog: ModelChoice[] | null = null;

export function modelCatalog(): ModelChoice[] {
  if (catalog) return catalog;
  const out: ModelChoice[] = [];
  for (const providerId of PROVIDER_IDS) {
    const provider = findProvider({ providerId });
    if (!provider) continue;
    for (const m of provider.models) {
      out.push({
        key: `${provider.id}/${m.id}`,
        providerId: provider.id,
        providerName: provider.name,
        modelId: m.id,
        label: m.name ?? m.id,
        deprecated: m.deprecated === true,
      });
    }
  }
  catalog = out;
  return out;
}

function priceOf(usage: PriceUsage, choice: ModelChoice): number | null {
  try {
    const r = calcPrice(usage, choice.modelId, { providerId: choice.providerId });
    return r && Number.isFinite(r.total_price) ? r.total_price : null;
  } catch {
    return null;
  }
}

/** USD per token for each kind of token, when the model's price is linear in the usage. */
interface Rates {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
}

const M = 1_000_000;

function isLinear(modelPrice: Record<string, unknown>): boolean {
  return Object.values(modelPrice).every((v) => v === undefined || typeof v === 'number');
}

/**
 * A model without tiers prices usage linearly, so five probes give its per-token rates and 100,000
 * calls are priced in a few milliseconds; a tiered model (price by prompt size) is priced call by
 * call.
 */
function ratesOf(choice: ModelChoice): Rates | 'tiered' | null {
  let probe;
  try {
    probe = calcPrice({ input_tokens: M, output_tokens: M }, choice.modelId, {
      providerId: choice.providerId,
    });
  } catch {
    return null;
  }
  if (!probe) return null;
  if (!isLinear(probe.model_price as Record<string, unknown>)) return 'tiered';
  const input = priceOf({ input_tokens: M, output_tokens: 0 }, choice);
  const output = priceOf({ input_tokens: 0, output_tokens: M }, choice);
  const cacheRead = priceOf({ input_tokens: M, output_tokens: 0, cache_read_tokens: M }, choice);
  const cacheWrite = priceOf({ input_tokens: M, output_tokens: 0, cache_write_tokens: M }, choice);
  const reasoning = priceOf(
    { input_tokens: 0, output_tokens: M, output_reasoning_tokens: M },
    choice,
  );
  if (input === null || output === null) return null;
  return {
    input: input / M,
    output: output / M,
    cacheRead: (cacheRead ?? input) / M,
    cacheWrite: (cacheWrite ?? input) / M,
    reasoning: (reasoning ?? output) / M,
  };
}

export interface Repriced {
  /** Total USD of the rows on the chosen model. */
  costUsd: number;
  /** Rows with usage that were priced. */
  priced: number;
  /** Rows without recorded usage (errors, unknown shapes): they count as $0. */
  withoutUsage: number;
}

export function repriceRows(rows: readonly CallSummary[], choice: ModelChoice): Repriced | null {
  const rates = ratesOf(choice);
  if (rates === null) return null;
  let costUsd = 0;
  let priced = 0;
  let withoutUsage = 0;
  for (const row of rows) {
    if (row.usageSource === null) {
      withoutUsage++;
      continue;
    }
    priced++;
    if (rates === 'tiered') {
      costUsd += priceOf(priceUsage(row), choice) ?? 0;
      continue;
    }
    const uncached = Math.max(0, row.inputTokens - row.cacheReadTokens - row.cacheWriteTokens);
    const reasoning = row.reasoningTokens <= row.outputTokens ? row.reasoningTokens : 0;
    costUsd +=
      uncached * rates.input +
      row.cacheReadTokens * rates.cacheRead +
      row.cacheWriteTokens * rates.cacheWrite +
      (row.outputTokens - reasoning) * rates.output +
      reasoning * rates.reasoning;
  }
  return { costUsd, priced, withoutUsage };
}

export interface Projection {
  perRun: number;
  perDay: number;
  perMonth: number;
  perYear: number;
}

/** A month is 30 days and a year 365: projections, not invoices. */
export function project(costPerRun: number, runsPerDay: number): Projection {
  const perDay = costPerRun * runsPerDay;
  return { perRun: costPerRun, perDay, perMonth: perDay * 30, perYear: perDay * 365 };
}
