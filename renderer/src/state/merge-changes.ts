/**
 * Folding host change events into the rows the table shows. Pure: the store calls it once per
 * batch of events, so a writer adding thousands of files costs one new array, not thousands.
 */
import type { ChangeEvent } from '../../../shared/desktop-api.js';
import type { LoadError, Manifest } from '../../../shared/schema.js';
import type { CallSummary } from '../../../shared/totals.js';

export interface Rows {
  calls: readonly CallSummary[];
  errors: readonly LoadError[];
  manifest: Manifest | null;
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
  if (latest.size === 0) return manifest === rows.manifest ? rows : { ...rows, manifest };

  let calls = rows.calls;
  const touchesCalls = rows.calls.some((c) => latest.has(c.file));
  const added: CallSummary[] = [];
  for (const ev of latest.values()) if (ev.kind === 'call') added.push(ev.call);
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
        next.push(ev.call);
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
