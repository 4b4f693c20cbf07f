/** `tapedeck inspect`: the calls of a snapshot as a table or as JSON, with totals. */
import type { LoadError } from '../shared/schema.js';
import {
  summarizeCall,
  totalsOf,
  type Bucket,
  type CallSummary,
  type Totals,
} from '../shared/totals.js';
import { countUsageOnce } from '../shared/usage-once.js';
import type { Snapshot } from './store/snapshot-store.js';
import { formatCost, formatMs, formatTokens, formatTotalCost } from '../shared/format.js';

export { formatCost };

export interface InspectReport {
  calls: CallSummary[];
  totals: Totals;
  errors: LoadError[];
}

/**
 * Costs follow the manifest's prices as they are now, not as they were when recorded; usage that
 * several calls report for one response counts once (shared/usage-once.ts).
 */
export function inspectSnapshot(snapshot: Snapshot): InspectReport {
  const prices = snapshot.manifest?.prices;
  const calls = countUsageOnce(
    snapshot.calls.map(({ call, file }) => summarizeCall(call, file, prices)),
  ) as CallSummary[];
  return { calls, totals: totalsOf(calls), errors: snapshot.errors };
}

function table(header: string[], rows: string[][], rightAligned: Set<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function bucketRows(buckets: Record<string, Bucket>): string[][] {
  return Object.entries(buckets)
    .sort((a, b) => (b[1].costUsd ?? -1) - (a[1].costUsd ?? -1) || b[1].calls - a[1].calls)
    .map(([name, b]) => [
      name,
      String(b.calls),
      String(b.inputTokens),
      String(b.outputTokens),
      formatTotalCost(b),
    ]);
}

/** A call whose usage another call counts shows where: `→ #3`. */
function countedCell(c: CallSummary, seqOf: ReadonlyMap<string, number>): string {
  if (c.usageCountedIn === null) return formatCost(c.costUsd);
  const seq = seqOf.get(c.usageCountedIn);
  return `→ #${seq ?? c.usageCountedIn}`;
}

export function formatReport(r: InspectReport): string {
  const seqOf = new Map(r.calls.map((c) => [c.id, c.seq]));
  const rows = r.calls.map((c) => [
    String(c.seq),
    c.provider,
    c.model ?? '—',
    `${c.method} ${c.path}`,
    c.outcome === 'complete' ? String(c.status) : `${c.status} ${c.outcome}`,
    c.stream ? 'sse' : '',
    `${formatMs(c.ttfbMs)}/${formatMs(c.totalMs)}`,
    formatTokens(c.inputTokens, c.usageSource),
    formatTokens(c.outputTokens, c.usageSource),
    countedCell(c, seqOf),
  ]);
  const out: string[] = [];
  out.push(
    table(
      ['#', 'provider', 'model', 'request', 'status', 'stream', 'ttfb/total', 'in', 'out', 'cost'],
      rows,
      new Set([0, 7, 8, 9]),
    ),
  );
  const t = r.totals;
  out.push('');
  out.push(
    `${t.calls} calls · ${t.inputTokens} tokens in (${t.cacheReadTokens} cache read, ${t.cacheWriteTokens} cache write) · ${t.outputTokens} tokens out (${t.reasoningTokens} reasoning) · ${formatTotalCost(t)}`,
  );
  if (Object.keys(t.byModel).length > 0) {
    out.push('');
    out.push(
      table(['model', 'calls', 'in', 'out', 'cost'], bucketRows(t.byModel), new Set([1, 2, 3, 4])),
    );
  }
  if (r.calls.some((c) => c.usageCountedIn !== null))
    out.push('\n→ #N: the usage of this response is counted once, in call #N');
  if (r.calls.some((c) => c.usageSource === 'estimated'))
    out.push('\n~ estimated with a tokenizer: the provider sent no usage');
  if (t.unpricedCalls > 0)
    out.push(
      `${t.unpricedCalls} ${t.unpricedCalls === 1 ? 'call has' : 'calls have'} no known price and ${t.unpricedCalls === 1 ? 'is' : 'are'} left out of the cost: add the model under "prices" in tapedeck.json`,
    );
  return out.join('\n');
}

export function formatLoadError(e: LoadError): string {
  return `${e.file}${e.line ? `:${e.line}` : ''}: ${e.reason}`;
}
