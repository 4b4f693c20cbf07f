/**
 * Folding host change events into the rows the table shows. Pure: the store calls it once per
 * batch of events, so a writer adding thousands of files costs one new array, not thousands.
 * Costs follow the manifest: an edit of its `prices` re-prices every row, and new rows are priced
 * with the manifest the UI holds (the host may have read an older one).
 */
import type { ChangeEvent } from '../../../shared/desktop-api.js';
import type { LoadError, Manifest } from '../../../shared/schema.js';
import { priceRow, priceRows, type CallSummary } from '../../../shared/totals.js';
import { countUsageOnce } from '../../../shared/usage-once.js';

export interface Rows {
  calls: readonly CallSummary[];
  errors: readonly LoadError[];
  manifest: Manifest | null;
}

/** Whether two manifests price alike; edits of notes or faults leave the rows alone. */
function samePrices(a: Manifest | null, b: Manifest | null): boolean {
  return a === b || JSON.stringify(a?.prices ?? {}) === JSON.stringify(b?.prices ?? {});
}

function bySeq(a: CallSummary, b: CallSummary): number {
  return a.seq - b.seq || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);
}

/** The rows after `events`, in order; unchanged parts are returned by reference. */
export function mergeChanges(rows: Rows, events: readonly ChangeEvent[]): Rows {
  // Last event per path wins: a file written twice within a batch shows its final state.
  const latest = new Map<string, ChangeEvent>();
  let manifest = rows.manifest;
  for (const ev of events) {
    if (ev.kind === 'manifest') {
      manifest = ev.manifest;
      continue;
    }
    latest.set(ev.path, ev);
  }
  const repriceAll = !samePrices(rows.manifest, manifest);
  const prices = manifest?.prices;
  if (latest.size === 0) {
    if (manifest === rows.manifest) return rows;
    return { ...rows, manifest, calls: repriceAll ? priceRows(rows.calls, prices) : rows.calls };
  }

  let calls = rows.calls;
  const touchesCalls = rows.calls.some((c) => latest.has(c.file));
  const added: CallSummary[] = [];
  for (const ev of latest.values()) if (ev.kind === 'call') added.push(priceRow(ev.call, prices));
  if (touchesCalls || added.length > 0) {
    const replaced = new Set<string>();
    const next: CallSummary[] = [];
    let inOrder = true;
    for (const c of rows.calls) {
      const ev = latest.get(c.file);
      if (!ev) {
        next.push(c);
        continue;
      }
      if (ev.kind === 'call') {
        next.push(priceRow(ev.call, prices));
        replaced.add(c.file);
        if (ev.call.seq !== c.seq) inOrder = false;
      }
    }
    for (const call of added) {
      if (replaced.has(call.file)) continue;
      const last = next[next.length - 1];
      if (last && bySeq(last, call) > 0) inOrder = false;
      next.push(call);
    }
    if (!inOrder) next.sort(bySeq);
    calls = next;
  }
  if (repriceAll) calls = priceRows(calls, prices);
  // Rows came or went: which call counts a response's usage is decided again over all of them.
  if (calls !== rows.calls) calls = countUsageOnce(calls);

  let errors = rows.errors;
  const touchesErrors = rows.errors.some((e) => latest.has(e.file));
  const newErrors: LoadError[] = [];
  for (const ev of latest.values()) if (ev.kind === 'error') newErrors.push(ev.error);
  if (touchesErrors || newErrors.length > 0) {
    const kept = rows.errors.filter((e) => !latest.has(e.file));
    errors = [...kept, ...newErrors].sort((a, b) => (a.file < b.file ? -1 : 1));
  }
  return { calls, errors, manifest };
}
