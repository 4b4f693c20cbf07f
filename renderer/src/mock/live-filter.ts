/** The live log's filters: every word of the text in the row, and one outcome (or any). */
import type { LiveOutcome, LiveRow } from '../../../shared/mock-link.js';

export function rowHaystack(r: LiveRow): string {
  return [
    r.upstream,
    r.method,
    r.path,
    r.outcome,
    r.status,
    r.call ?? '',
    r.file ?? '',
    r.faults.join(' '),
  ]
    .join('\n')
    .toLowerCase();
}

export function filterRows(
  rows: readonly LiveRow[],
  text: string,
  outcome: LiveOutcome | '',
): readonly LiveRow[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0 && outcome === '') return rows;
  return rows.filter(
    (r) =>
      (outcome === '' || r.outcome === outcome) &&
      (words.length === 0 || words.every((w) => rowHaystack(r).includes(w))),
  );
}
