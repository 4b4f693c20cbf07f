/** The text tables of `tapedeck load` (one per step as it ends) and `tapedeck report`. */
import type { RunReport, RunStep } from '../schema.js';
import type { Delta, RunComparison } from './compare.js';

const ms = (n: number) => `${Math.round(n)} ms`;
const num = (n: number, digits = 2) => String(Math.round(n * 10 ** digits) / 10 ** digits);

function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

const STEP_HEAD = [
  'concurrency',
  'requests',
  'req/s',
  'avg',
  'p50',
  'p95',
  'p99',
  'errors',
  'timeouts',
  'retries',
  'retries/req',
];

function stepRow(s: RunStep): string[] {
  return [
    String(s.concurrency),
    String(s.requests),
    num(s.rps, 1),
    ms(s.latencyMs.avg),
    ms(s.latencyMs.p50),
    ms(s.latencyMs.p95),
    ms(s.latencyMs.p99),
    String(s.errors),
    String(s.timeouts),
    String(s.retries),
    num(s.retriesPerRequest),
  ];
}

/** The lines under a step's row: errors by status, each vendor's share and faults. */
function stepDetails(s: RunStep): string[] {
  const out: string[] = [];
  const statuses = Object.entries(s.errorsByStatus);
  if (statuses.length > 0)
    out.push(`  errors by status: ${statuses.map(([k, v]) => `${k} ×${v}`).join(', ')}`);
  for (const [name, v] of Object.entries(s.vendors)) {
    const faults = Object.entries(v.faults);
    out.push(
      `  ${name}: ${Math.round(v.share * 100)}% of vendor calls (${v.requests}), ${v.retries} retries, ${v.unmatched} unmatched` +
        (faults.length > 0 ? `, faults ${faults.map(([k, n]) => `${k} ×${n}`).join(', ')}` : ''),
    );
  }
  return out;
}

/** One step as `tapedeck load` prints it when the step ends. */
export function formatStep(s: RunStep, index: number, total: number): string {
  const [head, row] = table([STEP_HEAD, stepRow(s)]);
  return [
    `step ${index}/${total}: concurrency ${s.concurrency}`,
    head ?? '',
    row ?? '',
    ...stepDetails(s),
  ].join('\n');
}

export function formatRun(r: RunReport): string {
  const lines = [
    `run ${r.id}: ${r.target} from ${r.source}`,
    `  ${r.startedAt} → ${r.finishedAt}` +
      (r.mock
        ? `, vendors: mock ${r.mock.url}${r.mock.scenario ? ` (scenario ${r.mock.scenario})` : ''}`
        : ', no vendor mock') +
      (r.faults.length > 0 ? `, faults on: ${r.faults.join(', ')}` : ''),
    '',
  ];
  const rows = table([STEP_HEAD, ...r.steps.map(stepRow)]);
  lines.push(rows[0] ?? '');
  r.steps.forEach((s, i) => {
    lines.push(rows[i + 1] ?? '');
    lines.push(...stepDetails(s));
  });
  if (r.mock) lines.push('', `cost avoided: $${num(r.costAvoidedUsd, 4)}`);
  return lines.join('\n');
}

/** `▲ +340 ms (+12%)`, `▼ -3`, `= 0`. */
function arrow(d: Delta | null, unit: string, digits: number): string {
  if (d === null) return '–';
  const v = num(d.delta, digits);
  const pct = d.share === null ? '' : ` (${d.share >= 0 ? '+' : ''}${Math.round(d.share * 100)}%)`;
  if (d.delta > 0) return `▲ +${v}${unit}${pct}`;
  if (d.delta < 0) return `▼ ${v}${unit}${pct}`;
  return `= 0${unit}`;
}

export function formatComparison(c: RunComparison): string {
  const rows: string[][] = [
    ['concurrency', 'p95', 'errors', 'timeouts', 'retries/req', 'req/s', ''],
  ];
  for (const s of c.steps) {
    if (s.only !== null) {
      rows.push([
        String(s.concurrency),
        `only in ${s.only === 'before' ? c.before : c.after}`,
        '',
        '',
        '',
        '',
        '',
      ]);
      continue;
    }
    rows.push([
      String(s.concurrency),
      arrow(s.p95, ' ms', 0),
      arrow(s.errors, '', 0),
      arrow(s.timeouts, '', 0),
      arrow(s.retriesPerRequest, '', 2),
      arrow(s.rps, '', 1),
      s.regressions.length > 0 ? `REGRESSION (${s.regressions.join(', ')})` : '',
    ]);
  }
  return [
    `${c.before} → ${c.after}`,
    ...table(rows),
    '',
    c.regressions === 0 ? 'no regression' : `${c.regressions} step(s) regressed`,
  ].join('\n');
}
