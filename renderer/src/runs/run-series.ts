/**
 * Run reports shaped into the columns uPlot draws: one shared x column, one column per series,
 * null where a series has no point (a compared run without that concurrency step).
 */
import type { RunReport, RunSecond } from '../../../shared/schema.js';
import { middleEllipsis } from '../lib/format.js';

export type Column = (number | null)[];

export interface SeriesDef {
  label: string;
  /** The vendor it belongs to (its colour), null for the target side. */
  vendor: string | null;
  /** Drawn dashed: it belongs to the compared run. */
  compared: boolean;
  /** Drawn dotted: the second figure of the same vendor in one chart (in flight beside queue). */
  dotted?: boolean;
  /** Drawn against a scale of its own on the right, named so: a total beside per-vendor lines. */
  right?: string;
  values: Column;
}

export interface ChartData {
  x: number[];
  series: SeriesDef[];
}

/** Vendor names of the runs, sorted, so one vendor keeps one colour across runs and charts. */
export function vendorsOf(...reports: (RunReport | null)[]): string[] {
  const names = new Set<string>();
  for (const r of reports)
    for (const s of r?.steps ?? []) {
      for (const v of Object.keys(s.vendors)) names.add(v);
      for (const second of s.seconds)
        for (const v of Object.keys(second.vendorSide ?? {})) names.add(v);
    }
  return [...names].sort();
}

function concurrencies(reports: RunReport[]): number[] {
  return [...new Set(reports.flatMap((r) => r.steps.map((s) => s.concurrency)))].sort(
    (a, b) => a - b,
  );
}

function perStep(
  run: RunReport,
  x: number[],
  value: (step: RunReport['steps'][number]) => number | null,
): Column {
  return x.map((c) => {
    const step = run.steps.find((s) => s.concurrency === c);
    return step ? value(step) : null;
  });
}

/** The longest run id a legend entry carries whole; the chart's caption names it in full. */
export const LEGEND_ID_MAX = 16;

/** The shown run's series go by their plain names; the compared run's carry its id. */
function named(label: string, run: RunReport, compare: RunReport | null): string {
  return run === compare ? `${label} · ${middleEllipsis(run.id, LEGEND_ID_MAX)}` : label;
}

/** p95 latency by concurrency: the target's, and each vendor's where the mock measured it. */
export function p95ByStep(run: RunReport, compare: RunReport | null): ChartData {
  const runs = compare ? [run, compare] : [run];
  const x = concurrencies(runs);
  const vendors = vendorsOf(run, compare);
  const series: SeriesDef[] = [];
  for (const r of runs) {
    const compared = r === compare;
    series.push({
      label: named('target', r, compare),
      vendor: null,
      compared,
      values: perStep(r, x, (s) => s.latencyMs.p95),
    });
    for (const v of vendors) {
      const values = perStep(r, x, (s) => s.vendors[v]?.p95Ms ?? null);
      if (values.some((n) => n !== null))
        series.push({ label: named(v, r, compare), vendor: v, compared, values });
    }
  }
  return { x, series };
}

/** Each vendor's share of the step's vendor requests, in percent, by concurrency. */
export function shareByStep(run: RunReport, compare: RunReport | null): ChartData {
  const runs = compare ? [run, compare] : [run];
  const x = concurrencies(runs);
  const vendors = vendorsOf(run, compare);
  const series: SeriesDef[] = runs.flatMap((r) =>
    vendors.map((v) => ({
      label: named(v, r, compare),
      vendor: v,
      compared: r === compare,
      values: perStep(r, x, (s) => {
        const share = s.vendors[v]?.share;
        return share === undefined ? null : Math.round(share * 1000) / 10;
      }),
    })),
  );
  return { x, series };
}

/** Every second of the run, in order, across its steps. */
export function allSeconds(run: RunReport): RunReport['steps'][number]['seconds'] {
  return run.steps.flatMap((s) => s.seconds).sort((a, b) => a.t - b.t);
}

/** Both runs' seconds on one axis: seconds since each run's own start, so their steps line up. */
function secondsAxis(runs: RunReport[]): number[] {
  return [...new Set(runs.flatMap((r) => allSeconds(r).map((s) => s.t)))].sort((a, b) => a - b);
}

/**
 * A count per second of the axis: null where the run has no such second (a compared run that
 * ran longer or shorter), the sum where a hand-edited report repeats one.
 */
function perSecond(
  seconds: readonly RunSecond[],
  x: number[],
  count: (s: RunSecond) => number,
): Column {
  const byT = new Map<number, number>();
  for (const s of seconds) byT.set(s.t, (byT.get(s.t) ?? 0) + count(s));
  return x.map((t) => byT.get(t) ?? null);
}

/** Vendor requests in each second of the run, and of the compared run (dashed) when there is one. */
export function vendorRequestsOverTime(
  run: RunReport,
  compare: RunReport | null = null,
): ChartData {
  const runs = compare ? [run, compare] : [run];
  const x = secondsAxis(runs);
  const vendors = vendorsOf(run, compare);
  return {
    x,
    series: runs.flatMap((r) => {
      const own = new Set(vendorsOf(r));
      const seconds = allSeconds(r);
      return vendors
        .filter((v) => own.has(v))
        .map((v) => ({
          label: named(v, r, compare),
          vendor: v,
          compared: r === compare,
          values: perSecond(seconds, x, (s) => s.vendors[v] ?? 0),
        }));
    }),
  };
}

const PROBLEMS = [
  ['errors', (s: RunSecond) => s.errors],
  ['timeouts', (s: RunSecond) => s.timeouts],
  ['retries', (s: RunSecond) => s.retries],
] as const;

/** Errors, client timeouts and vendor retries in each second of the run (and the compared run). */
export function problemsOverTime(run: RunReport, compare: RunReport | null = null): ChartData {
  const runs = compare ? [run, compare] : [run];
  const x = secondsAxis(runs);
  return {
    x,
    series: runs.flatMap((r) => {
      const seconds = allSeconds(r);
      return PROBLEMS.map(([label, count]) => ({
        label: named(label, r, compare),
        vendor: null,
        compared: r === compare,
        values: perSecond(seconds, x, count),
      }));
    }),
  };
}

/** The concurrency at which each step started, in run seconds: where the step lines go. */
export function stepStarts(run: RunReport): { t: number; concurrency: number }[] {
  return run.steps
    .filter((s) => s.seconds.length > 0)
    .map((s) => ({ t: Math.min(...s.seconds.map((x) => x.t)), concurrency: s.concurrency }));
}
