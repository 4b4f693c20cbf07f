/**
 * One row per call and the totals over rows: the single definition `inspect` and the UI both use,
 * so the numbers they show cannot drift apart. A row's cost is derived from its usage and the
 * manifest's current prices (`callCost`), never taken from the stored `costUsd` cache.
 */
import { routeOfCall } from './adapters/registry.js';
import {
  callCost,
  roundUsd,
  storedProviderCost,
  type CallCost,
  type Prices,
} from './providers/cost.js';
import type { Call, ModelUsage } from './schema.js';
import { responseIdOf } from './usage-once.js';

/** One model's tokens and cost inside a call that ran several. */
export interface ModelCostRow extends ModelUsage {
  /** Null when this model has no known price. */
  costUsd: number | null;
}

export interface CallSummary {
  id: string;
  seq: number;
  file: string;
  /** When the call was recorded (ISO 8601). */
  recordedAt: string;
  upstream: string;
  provider: string;
  api: string;
  model: string | null;
  method: string;
  path: string;
  status: number;
  outcome: Call['outcome'];
  stream: boolean;
  ttfbMs: number;
  totalMs: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  usageSource: 'provider' | 'estimated' | null;
  /** 0 for a call without usage (not billed); null when its tokens have no known price. */
  costUsd: number | null;
  costSource: Call['costSource'];
  /** Per model, when the call ran more than one (Anthropic's advisor tool); else null. */
  costByModel: ModelCostRow[] | null;
  /** The OpenAI Response this call created or fetched, whose usage counts once per snapshot. */
  responseId: string | null;
  /**
   * The id of the call whose usage of the same response is counted (see usage-once.ts): this
   * call's tokens and cost are shown but count 0 in totals. Null: the call counts itself.
   */
  usageCountedIn: string | null;
  /** Kinds of the faults attached to the call file itself. */
  faults: string[];
}

export interface Bucket {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  /** The known costs summed; null when every call with usage lacks a price. */
  costUsd: number | null;
  /** Calls with usage but no known price: left out of `costUsd`, so it is a lower bound. */
  unpricedCalls: number;
}

export interface Totals extends Bucket {
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  byUpstream: Record<string, Bucket>;
  byProvider: Record<string, Bucket>;
  byModel: Record<string, Bucket>;
}

/** The bucket name for calls whose model is unknown. */
export const NO_MODEL = '(none)';

/** The parts of a call that ran several models, each with the cost `callCost` gave it. */
function partRows(
  parts: readonly ModelUsage[] | null | undefined,
  cost: CallCost,
): ModelCostRow[] | null {
  if (!parts || parts.length < 2) return null;
  return parts.map((p, i) => {
    const { model, inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, reasoningTokens } =
      p;
    const costUsd = cost.byModel?.[i]?.costUsd ?? null;
    return {
      model,
      inputTokens,
      outputTokens,
      cacheReadTokens,
      cacheWriteTokens,
      reasoningTokens,
      costUsd,
    };
  });
}

function samePartCosts(a: ModelCostRow[] | null, b: ModelCostRow[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((p, i) => p.costUsd === b[i]?.costUsd);
}

/** The cost of a row under `prices`; the same row object when that changes nothing. */
export function priceRow(row: CallSummary, prices: Prices | undefined): CallSummary {
  const cost = callCost(
    {
      provider: row.provider,
      upstream: row.upstream,
      model: row.model,
      usage: row.usageSource === null ? null : row,
      byModel: row.costByModel,
      providerCostUsd: storedProviderCost(row),
      recordedAt: row.recordedAt,
    },
    prices,
  );
  const { costUsd, costSource } = cost;
  const costByModel = partRows(row.costByModel, cost);
  return costUsd === row.costUsd &&
    costSource === row.costSource &&
    samePartCosts(costByModel, row.costByModel)
    ? row
    : { ...row, costUsd, costSource, costByModel };
}

/** Every row priced under `prices`; the same array when no row changes. */
export function priceRows(
  rows: readonly CallSummary[],
  prices: Prices | undefined,
): readonly CallSummary[] {
  let out: CallSummary[] | null = null;
  rows.forEach((row, i) => {
    const priced = priceRow(row, prices);
    if (priced !== row) (out ??= rows.slice())[i] = priced;
  });
  return out ?? rows;
}

/** `prices`: the manifest's overrides (`tapedeck.json` → `prices`), as they are now. */
export function summarizeCall(call: Call, file: string, prices?: Prices): CallSummary {
  const u = call.usage;
  const cost = callCost(
    {
      provider: call.provider,
      upstream: call.upstream,
      model: call.model,
      usage: u,
      byModel: u?.byModel,
      providerCostUsd: storedProviderCost(call),
      recordedAt: call.recordedAt,
    },
    prices,
  );
  const { costUsd, costSource } = cost;
  return {
    id: call.id,
    seq: call.seq,
    file,
    recordedAt: call.recordedAt,
    upstream: call.upstream,
    provider: call.provider,
    api: call.api,
    model: call.model,
    method: call.request.method,
    path: routeOfCall(call).path,
    status: call.response.status,
    outcome: call.outcome,
    stream: call.response.stream !== undefined,
    ttfbMs: call.timing.ttfbMs,
    totalMs: call.timing.totalMs,
    inputTokens: u?.inputTokens ?? 0,
    outputTokens: u?.outputTokens ?? 0,
    cacheReadTokens: u?.cacheReadTokens ?? 0,
    cacheWriteTokens: u?.cacheWriteTokens ?? 0,
    reasoningTokens: u?.reasoningTokens ?? 0,
    usageSource: u?.source ?? null,
    costUsd,
    costSource,
    costByModel: partRows(u?.byModel, cost),
    responseId: responseIdOf(call),
    usageCountedIn: null,
    faults: (call.faults ?? []).map((f) => f.kind),
  };
}

/** While summing: raw sums (rounded once at the end) and how many calls with usage were priced. */
interface Sum {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  pricedWithUsage: number;
  unpricedCalls: number;
}

function emptySum(): Sum {
  return {
    calls: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    pricedWithUsage: 0,
    unpricedCalls: 0,
  };
}

/** What one call, or one model's part of it, adds to a bucket. */
interface Share {
  inputTokens: number;
  outputTokens: number;
  /** The known cost; null when there is none. */
  costUsd: number | null;
  /** Usage with no complete price: the call is counted as unpriced. */
  unpriced: boolean;
  hasUsage: boolean;
}

/** Adds a share `n` times (the mock's stats count a call once per replay). */
function add(b: Sum, s: Share, n: number): void {
  b.calls += n;
  b.inputTokens += s.inputTokens * n;
  b.outputTokens += s.outputTokens * n;
  if (s.unpriced) b.unpricedCalls += n;
  if (s.costUsd !== null) {
    b.costUsd += s.costUsd * n;
    if (s.hasUsage) b.pricedWithUsage += n;
  }
}

const NOTHING: Share = {
  inputTokens: 0,
  outputTokens: 0,
  costUsd: 0,
  unpriced: false,
  hasUsage: false,
};

/** A call's share of the totals: nothing when another call counts its usage. */
function shareOf(row: CallSummary): Share {
  if (row.usageCountedIn !== null) return NOTHING;
  const hasUsage = row.usageSource !== null;
  // A call priced only in part still adds the parts that have a price (a lower bound).
  const known =
    row.costUsd ??
    row.costByModel?.reduce<number | null>(
      (sum, p) => (p.costUsd === null ? sum : (sum ?? 0) + p.costUsd),
      null,
    ) ??
    null;
  return {
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    costUsd: known,
    unpriced: row.costUsd === null,
    hasUsage,
  };
}

/** Each model's share of a call: its parts when it ran several, else the whole call. */
function modelShares(row: CallSummary): [string, Share][] {
  const whole = shareOf(row);
  if (!row.costByModel || whole === NOTHING || row.costSource === 'provider')
    return [[row.model ?? NO_MODEL, whole]];
  return row.costByModel.map((p) => [
    p.model,
    {
      inputTokens: p.inputTokens,
      outputTokens: p.outputTokens,
      costUsd: p.costUsd,
      unpriced: p.costUsd === null,
      hasUsage: whole.hasUsage,
    },
  ]);
}

function bucketOf(s: Sum): Bucket {
  // Only unpriced calls and calls without usage ($0): the cost is unknown, not $0.
  const unknown = s.unpricedCalls > 0 && s.pricedWithUsage === 0;
  return {
    calls: s.calls,
    inputTokens: s.inputTokens,
    outputTokens: s.outputTokens,
    costUsd: unknown ? null : roundUsd(s.costUsd),
    unpricedCalls: s.unpricedCalls,
  };
}

// Maps, not objects, while summing: model names such as "constructor" must not hit Object.prototype.
function addTo(groups: Map<string, Sum>, key: string, share: Share, n: number): void {
  let b = groups.get(key);
  if (!b) groups.set(key, (b = emptySum()));
  add(b, share, n);
}

function bucketsOf(groups: Map<string, Sum>): Record<string, Bucket> {
  return Object.fromEntries([...groups].map(([k, s]) => [k, bucketOf(s)]));
}

/** `count[i]`: how many times row i counts (default once each). */
export function totalsOf(rows: readonly CallSummary[], count?: readonly number[]): Totals {
  const all = emptySum();
  const t = { cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
  const byUpstream = new Map<string, Sum>();
  const byProvider = new Map<string, Sum>();
  const byModel = new Map<string, Sum>();
  rows.forEach((row, i) => {
    const n = count?.[i] ?? 1;
    const share = shareOf(row);
    add(all, share, n);
    addTo(byUpstream, row.upstream, share, n);
    addTo(byProvider, row.provider, share, n);
    for (const [model, part] of modelShares(row)) addTo(byModel, model, part, n);
    if (share !== NOTHING) {
      t.cacheReadTokens += row.cacheReadTokens * n;
      t.cacheWriteTokens += row.cacheWriteTokens * n;
      t.reasoningTokens += row.reasoningTokens * n;
    }
  });
  return {
    ...bucketOf(all),
    ...t,
    byUpstream: bucketsOf(byUpstream),
    byProvider: bucketsOf(byProvider),
    byModel: bucketsOf(byModel),
  };
}
