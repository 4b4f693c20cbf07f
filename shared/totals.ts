/**
 * One row per call and the totals over rows: the single definition `inspect` and the UI both use,
 * so the numbers they show cannot drift apart.
 */
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
  costUsd: number | null;
  costSource: Call['costSource'];
  /** Kinds of the faults attached to the call file itself. */
  faults: string[];
}

export interface Bucket {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
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

const WILDCARD = /[*?]/;

/** The request path after the upstream name: the signature's when it is literal, else the URL's. */
function callPath(call: Call): string {
  const sig = call.signature.path;
  if (typeof sig === 'string' && sig !== '' && !WILDCARD.test(sig)) return sig;
  try {
    return new URL(call.request.url).pathname;
  } catch {
    const q = call.request.url.indexOf('?');
    return q < 0 ? call.request.url : call.request.url.slice(0, q);
  }
}

export function summarizeCall(call: Call, file: string): CallSummary {
  const u = call.usage;
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
    path: callPath(call),
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
    costUsd: call.costUsd,
    costSource: call.costSource,
    faults: (call.faults ?? []).map((f) => f.kind),
  };
}

function emptyBucket(): Bucket {
  return { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
}

// Maps, not objects, while summing: model names such as "constructor" must not hit Object.prototype.
function addTo(groups: Map<string, Bucket>, key: string, row: CallSummary): void {
  let b = groups.get(key);
  if (!b) groups.set(key, (b = emptyBucket()));
  b.calls += 1;
  b.inputTokens += row.inputTokens;
  b.outputTokens += row.outputTokens;
  b.costUsd += row.costUsd ?? 0;
}

export function totalsOf(rows: readonly CallSummary[]): Totals {
  const t = { ...emptyBucket(), cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
  const byUpstream = new Map<string, Bucket>();
  const byProvider = new Map<string, Bucket>();
  const byModel = new Map<string, Bucket>();
  for (const row of rows) {
    t.calls += 1;
    t.inputTokens += row.inputTokens;
    t.outputTokens += row.outputTokens;
    t.cacheReadTokens += row.cacheReadTokens;
    t.cacheWriteTokens += row.cacheWriteTokens;
    t.reasoningTokens += row.reasoningTokens;
    t.costUsd += row.costUsd ?? 0;
    addTo(byUpstream, row.upstream, row);
    addTo(byProvider, row.provider, row);
    addTo(byModel, row.model ?? NO_MODEL, row);
  }
  return {
    ...t,
    byUpstream: Object.fromEntries(byUpstream),
    byProvider: Object.fromEntries(byProvider),
    byModel: Object.fromEntries(byModel),
  };
}
