/**
 * "What if this run used model X": every call's recorded usage priced on another model with the
 * same pricing code `inspect` uses (the bundled genai-prices table is pure data and runs in the
 * browser as it runs in the proxy).
 */
import { findProvider } from '@pydantic/genai-prices';
import {
  findOverride,
  overrideCost,
  refCost,
  roundUsd,
  type Prices,
} from '../../../shared/providers/cost.js';
import { zeroCounts } from '../../../shared/providers/reading.js';
import type { CallSummary } from '../../../shared/totals.js';

const ZERO = zeroCounts();

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

export interface Repriced {
  /** Total USD of the rows on the chosen model. */
  costUsd: number;
  /** Rows with usage that were priced. */
  priced: number;
  /** Rows without recorded usage (errors, unknown shapes): they count as $0. */
  withoutUsage: number;
}

/**
 * Every row's usage priced on `choice`, the way a call of that model would be priced
 * (`callCost`): a price override in the manifest for the model wins over the table.
 */
export function repriceRows(
  rows: readonly CallSummary[],
  choice: ModelChoice,
  prices?: Prices,
): Repriced | null {
  const ref = { providerId: choice.providerId, model: choice.modelId };
  const override = findOverride(prices, choice.modelId);
  if (!override && refCost(ref, ZERO) === null) return null;
  let costUsd = 0;
  let priced = 0;
  let withoutUsage = 0;
  for (const row of rows) {
    if (row.usageSource === null) {
      withoutUsage++;
      continue;
    }
    // Another call of the same response counts this usage.
    if (row.usageCountedIn !== null) continue;
    priced++;
    costUsd += override ? overrideCost(override, row) : (refCost(ref, row, row.recordedAt) ?? 0);
  }
  return { costUsd: roundUsd(costUsd), priced, withoutUsage };
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
