/**
 * One row per call and the totals over rows: the single definition `inspect` and the UI both use,
 * so the numbers they show cannot drift apart. A row's cost is derived from its usage and the
 * manifest's current prices (`callCost`), never taken from the stored `costUsd` cache.
 */
import { routeOfCall } from './adapters/registry.js';
import { callCost, roundUsd, storedProviderCost, type Prices } from './providers/cost.js';
import type { Call } from './schema.js';

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

/** The cost of a row under `prices`; the same row object when that changes nothing. */
export function priceRow(row: CallSummary, prices: Prices | undefined): CallSummary {
  const { costUsd, costSource } = callCost(
    {
      provider: row.provider,
      upstream: row.upstream,
      model: row.model,
      usage: row.usageSource === null ? null : row,
      providerCostUsd: storedProviderCost(row),
      recordedAt: row.recordedAt,
    },
    prices,
  );
  return costUsd === row.costUsd && costSource === row.costSource
    ? row
    : { ...row, costUsd, costSource };
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
  const { costUsd, costSource } = callCost(
    {
      provider: call.provider,
      upstream: call.upstream,
      model: call.model,
      usage: u,
      providerCostUsd: storedProviderCost(call),
      recordedAt: call.recordedAt,
    },
    prices,
  );
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

function add(b: Sum, row: CallSummary): void {
  b.calls += 1;
  b.inputTokens += row.inputTokens;
  b.outputTokens += row.outputTokens;
  if (row.costUsd === null) b.unpricedCalls += 1;
  else {
    b.costUsd += row.costUsd;
    if (row.usageSource !== null) b.pricedWithUsage += 1;
  }
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
function addTo(groups: Map<string, Sum>, key: string, row: CallSummary): void {
  let b = groups.get(key);
  if (!b) groups.set(key, (b = emptySum()));
  add(b, row);
}

function bucketsOf(groups: Map<string, Sum>): Record<string, Bucket> {
  return Object.fromEntries([...groups].map(([k, s]) => [k, bucketOf(s)]));
}

export function totalsOf(rows: readonly CallSummary[]): Totals {
  const all = emptySum();
  const t = { cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
  const byUpstream = new Map<string, Sum>();
  const byProvider = new Map<string, Sum>();
  const byModel = new Map<string, Sum>();
  for (const row of rows) {
    add(all, row);
    t.cacheReadTokens += row.cacheReadTokens;
    t.cacheWriteTokens += row.cacheWriteTokens;
    t.reasoningTokens += row.reasoningTokens;
    addTo(byUpstream, row.upstream, row);
    addTo(byProvider, row.provider, row);
    addTo(byModel, row.model ?? NO_MODEL, row);
  }
  return {
    ...bucketOf(all),
    ...t,
    byUpstream: bucketsOf(byUpstream),
    byProvider: bucketsOf(byProvider),
    byModel: bucketsOf(byModel),
  };
}
