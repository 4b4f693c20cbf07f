/** The text tables of `tapedeck load` (one per step as it ends) and `tapedeck report`. */
import type { RunReport, RunStep, RunVendor } from '../schema.js';
import { cutShortStep, type Delta, type RunComparison } from './compare.js';

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

/** The vendor side, as the mock saw it; `malformed` is the replies broken on purpose. */
export const VENDOR_HEAD = [
  '  vendor',
  'share',
  'calls',
  'p95',
  'ttfb p95',
  'peak in-flight',
  'peak queue',
  'give-ups',
  'retries',
  'malformed (parser-error risk)',
];

/** A figure an older report (or a mock without samples) lacks shows as –. */
const opt = (n: number | undefined, f: (n: number) => string = String) =>
  n === undefined ? '–' : f(n);

function vendorRow(name: string, v: RunVendor): string[] {
  return [
    `  ${name}`,
    `${Math.round(v.share * 100)}%`,
    String(v.requests),
    opt(v.p95Ms, ms),
    opt(v.ttfbP95Ms, ms),
    opt(v.peakInFlight),
    opt(v.peakWaiting),
    opt(v.giveUps),
    String(v.retries),
    opt(v.malformed),
  ];
}

/** The lines under a step's row: errors by status, the vendors' table, their misses and faults. */
function stepDetails(s: RunStep): string[] {
  const out: string[] = [];
  const statuses = Object.entries(s.errorsByStatus);
  if (statuses.length > 0)
    out.push(`  errors by status: ${statuses.map(([k, v]) => `${k} ×${v}`).join(', ')}`);
  const vendors = Object.entries(s.vendors);
  if (vendors.length === 0) return out;
  out.push(...table([VENDOR_HEAD, ...vendors.map(([name, v]) => vendorRow(name, v))]));
  for (const [name, v] of vendors) {
    const faults = Object.entries(v.faults);
    const what = [
      ...(v.unmatched > 0 ? [`${v.unmatched} unmatched`] : []),
      ...(v.errors !== undefined && v.errors > 0
        ? [`${v.errors} error ${v.errors === 1 ? 'reply' : 'replies'}`]
        : []),
      ...(faults.length > 0 ? [`faults ${faults.map(([k, n]) => `${k} ×${n}`).join(', ')}`] : []),
    ];
    if (what.length > 0) out.push(`  ${name}: ${what.join(', ')}`);
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
  ];
  const interrupted = interruptedLine(r);
  if (interrupted !== null) lines.push(`  ${interrupted}`);
  lines.push('');
  const rows = table([STEP_HEAD, ...r.steps.map(stepRow)]);
  lines.push(rows[0] ?? '');
  r.steps.forEach((s, i) => {
    lines.push(rows[i + 1] ?? '');
    lines.push(...stepDetails(s));
  });
  if (r.mock) lines.push('', `cost avoided: $${num(r.costAvoidedUsd, 4)}`);
  return lines.join('\n');
}

/**
 * `interrupted: step 20 cut short after 1.0 s of 30 s; 50, 100 never ran`, for a run stopped
 * before its end; null for one that ran to it.
 */
export function interruptedLine(r: RunReport): string | null {
  if (!r.interrupted) return null;
  const last = cutShortStep(r);
  // Steps run in the order given, so those after the ones in the report never ran.
  const planned = r.options.steps.slice(r.steps.length);
  const of = r.options.durationMs !== null ? ` of ${num(r.options.durationMs / 1000, 0)} s` : '';
  const cut =
    last === null
      ? 'stopped before its first step'
      : `step ${last.concurrency} cut short after ${(last.durationMs / 1000).toFixed(1)} s${of}`;
  return `interrupted: ${cut}${planned.length > 0 ? `; ${planned.join(', ')} never ran` : ''}`;
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
    ['concurrency', 'p95', 'errors', 'timeouts', 'retries/req', 'req/s', 'malformed', ''],
  ];
  const label = (r: readonly string[]) => (r.length > 0 ? `REGRESSION (${r.join(', ')})` : '');
  const cutShort = (s: RunComparison['steps'][number]) =>
    s.cutShort.map((w) => `cut short in ${w === 'before' ? c.before : c.after}`).join(', ');
  const noted = (...parts: string[]) => parts.filter((p) => p !== '').join('  ');
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
        cutShort(s),
      ]);
      continue;
    }
    const vendorRegressions = new Set(
      Object.keys(s.vendors).flatMap(
        (n) => s.vendors[n]?.regressions.map((r) => `${n} ${r}`) ?? [],
      ),
    );
    rows.push([
      String(s.concurrency),
      arrow(s.p95, ' ms', 0),
      arrow(s.errors, '', 0),
      arrow(s.timeouts, '', 0),
      arrow(s.retriesPerRequest, '', 2),
      arrow(s.rps, '', 1),
      '',
      noted(label(s.regressions.filter((r) => !vendorRegressions.has(r))), cutShort(s)),
    ]);
    // Each vendor's p95 and malformed replies (parser-error risk), as the mock saw them.
    for (const [name, v] of Object.entries(s.vendors))
      rows.push([
        `  ${name}`,
        arrow(v.p95, ' ms', 0),
        '',
        '',
        '',
        '',
        arrow(v.malformed, '', 0),
        label(v.regressions),
      ]);
  }
  return [
    `${c.before} → ${c.after}`,
    ...table(rows),
    '',
    c.regressions === 0 ? 'no regression' : `${c.regressions} step(s) regressed`,
  ].join('\n');
}
