/**
 * The vendor side of a run, as the mock sampled it each second (RunSecond.vendorSide) and summed
 * per step (the optional RunVendor figures): the columns the vendor charts draw and the rows of
 * the vendors-by-step table. Reports without those samples (no mock, or an older tapedeck) get a
 * reason instead of empty charts.
 */
import type { RunReport, RunSecond, VendorSecond } from '../../../shared/schema.js';
import { allSeconds, vendorsOf, type ChartData, type SeriesDef } from './run-series.js';

/** Why the run has no vendor-side charts, or null when it has samples to draw. */
export function vendorSideMissing(run: RunReport): string | null {
  if (run.steps.length === 0) return 'this run has no steps';
  if (allSeconds(run).some((s) => s.vendorSide !== undefined)) return null;
  return run.mock === null
    ? 'No vendor-side samples: this run had no mock (--mock), so only the target side was measured.'
    : 'No vendor-side samples: this report was made by a tapedeck that did not sample the mock yet.';
}

/**
 * The run's seconds once each: a mock second two steps share (the last of one, the first of the
 * next) is in both steps with the same samples, and is drawn once.
 */
export function mockSeconds(run: RunReport): RunSecond[] {
  const byT = new Map<number, RunSecond>();
  for (const s of allSeconds(run)) {
    const seen = byT.get(s.t);
    if (seen === undefined || seen.vendorSide === undefined) byT.set(s.t, s);
  }
  return [...byT.values()];
}

function perVendor(
  run: RunReport,
  pick: (v: VendorSecond) => number | null,
  label: (vendor: string) => string = (v) => v,
  dotted = false,
  /** What a sampled second without this vendor counts: the mock leaves out a vendor with nothing
   * open and nothing ended, so a count is 0 there; a time (TTFB) has none and stays a gap. */
  absent: 0 | null = 0,
): SeriesDef[] {
  const seconds = mockSeconds(run);
  return vendorsOf(run).map((v) => ({
    label: label(v),
    vendor: v,
    compared: false,
    ...(dotted ? { dotted } : {}),
    // A second the mock did not sample at all is a gap, not a zero.
    values: seconds.map((s) => {
      if (s.vendorSide === undefined) return null;
      const sample = s.vendorSide[v];
      return sample ? pick(sample) : absent;
    }),
  }));
}

/**
 * Each vendor's queue (requests still waiting for their first byte) solid and its requests in
 * flight dotted, in each second; with the mock's open sockets (on their own scale) when the
 * report has them.
 */
export function queueOverTime(run: RunReport): ChartData {
  const seconds = mockSeconds(run);
  const queue = perVendor(
    run,
    (v) => v.waiting,
    (v) => `${v} queue`,
  );
  const inFlight = perVendor(
    run,
    (v) => v.inFlight,
    (v) => `${v} in flight`,
    true,
  );
  const series: SeriesDef[] = queue.flatMap((q, i) => [q, inFlight[i] as SeriesDef]);
  if (seconds.some((s) => s.connections !== undefined))
    series.push({
      label: 'mock sockets',
      vendor: null,
      compared: false,
      // All vendors' sockets together dwarf any one vendor's queue: they get their own scale.
      right: 'sockets',
      values: seconds.map((s) => s.connections ?? null),
    });
  return { x: seconds.map((s) => s.t), series };
}

/** Each vendor's p95 time to first byte in each second (a gap where it served nothing). */
export function ttfbOverTime(run: RunReport): ChartData {
  return {
    x: mockSeconds(run).map((s) => s.t),
    series: perVendor(
      run,
      (v) => v.ttfbP95Ms,
      (v) => v,
      false,
      null,
    ),
  };
}

/** Clients (the gateway) that left each vendor before its reply ended, per second. */
export function giveUpsOverTime(run: RunReport): ChartData {
  return { x: mockSeconds(run).map((s) => s.t), series: perVendor(run, (v) => v.giveUps) };
}

/** Malformed replies each vendor sent per second: parser-error risk, apart from the errors. */
export function malformedOverTime(run: RunReport): ChartData {
  return { x: mockSeconds(run).map((s) => s.t), series: perVendor(run, (v) => v.malformed) };
}

export interface VendorStepRow {
  concurrency: number;
  vendor: string;
  share: number;
  requests: number;
  retries: number;
  /** null: the report does not carry the figure (the table shows "—"). */
  p95Ms: number | null;
  ttfbP95Ms: number | null;
  peakInFlight: number | null;
  peakWaiting: number | null;
  giveUps: number | null;
  errors: number | null;
  malformed: number | null;
}

/** One row per step and vendor, in step order then vendor order. */
export function vendorStepRows(run: RunReport): VendorStepRow[] {
  const vendors = vendorsOf(run);
  return run.steps.flatMap((s) =>
    vendors.flatMap((name) => {
      const v = s.vendors[name];
      if (!v) return [];
      return [
        {
          concurrency: s.concurrency,
          vendor: name,
          share: v.share,
          requests: v.requests,
          retries: v.retries,
          p95Ms: v.p95Ms ?? null,
          ttfbP95Ms: v.ttfbP95Ms ?? null,
          peakInFlight: v.peakInFlight ?? null,
          peakWaiting: v.peakWaiting ?? null,
          giveUps: v.giveUps ?? null,
          errors: v.errors ?? null,
          malformed: v.malformed ?? null,
        },
      ];
    }),
  );
}
