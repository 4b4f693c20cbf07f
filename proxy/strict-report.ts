/**
 * What `--strict` prints at shutdown when it fails: the failures themselves, because the server
 * (and its /__tapedeck/misses endpoint) is gone by the time anyone reads the message. Bounded, so a
 * run with thousands of misses still ends in a readable report.
 */
import type { LoadError } from '../shared/schema.js';
import type { Miss } from './mock-server.js';
import type { NotRecorded } from './record-server.js';

export const MAX_SHOWN = 10;
export const MAX_DIFF_LINES = 5;

function more(total: number, shown: number, what: string): string[] {
  return total > shown ? [`  … and ${total - shown} more ${what}`] : [];
}

function missLines(m: Miss): string[] {
  const head = `  ${m.method} ${m.path} on ${m.upstream}`;
  if (m.reason !== undefined) return [`${head}: ${m.reason}`];
  if (!m.closest) return [`${head}: no recorded call for this upstream`];
  const diff = m.diff.slice(0, MAX_DIFF_LINES).map((d) => `      ${d}`);
  return [
    `${head}: closest ${m.closest} (${m.closestFile ?? '?'})`,
    ...diff,
    ...(m.diff.length > MAX_DIFF_LINES
      ? [`      … and ${m.diff.length - MAX_DIFF_LINES} more lines`]
      : []),
  ];
}

/**
 * `unmatched` is the count since start (or the last reset); `misses` the kept ones (the newest
 * 200), of which the oldest are shown: the first miss is usually the one that explains the rest.
 */
export function mockStrictReport(
  unmatched: number,
  misses: readonly Miss[],
  loadErrors: readonly LoadError[],
): string[] {
  const lines = [
    `tapedeck: --strict: ${unmatched} unmatched request(s), ${loadErrors.length} invalid snapshot file(s)`,
  ];
  if (unmatched > 0) {
    lines.push('unmatched:');
    const shown = misses.slice(0, MAX_SHOWN);
    for (const m of shown) lines.push(...missLines(m));
    lines.push(...more(unmatched, shown.length, 'unmatched request(s)'));
  }
  if (loadErrors.length > 0) {
    lines.push('invalid files:');
    for (const e of loadErrors.slice(0, MAX_SHOWN))
      lines.push(`  ${e.file}${e.line ? `:${e.line}` : ''}: ${e.reason}`);
    lines.push(...more(loadErrors.length, Math.min(MAX_SHOWN, loadErrors.length), 'file(s)'));
  }
  return lines;
}

export function recordStrictReport(notRecorded: readonly NotRecorded[]): string[] {
  const shown = notRecorded.slice(0, MAX_SHOWN);
  return [
    `tapedeck: --strict: ${notRecorded.length} request(s) not recorded:`,
    ...shown.map(
      (n) => `  ${n.method} ${n.path} on ${n.upstream} → ${n.status || 'closed'}: ${n.reason}`,
    ),
    ...more(notRecorded.length, shown.length, 'request(s)'),
  ];
}
