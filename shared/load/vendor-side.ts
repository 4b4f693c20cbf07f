/**
 * The vendor side of a load step from the mock's samples (`GET /__tapedeck/samples`): which of
 * the mock's seconds a step covers, where each lands among the run's seconds, and each vendor's
 * step figures. Percentiles come from the merged histograms of the step's seconds (the step's
 * requests themselves), never from averaging per-second percentiles.
 */
import type { MockSamples, RunVendor, VendorSecond } from '../schema.js';
import { histogramPercentile, mergeHistograms } from './histogram.js';

export type SampledSecond = MockSamples['seconds'][number];

/** A vendor's figures over a step, as RunVendor carries them. */
export type VendorStepSide = Pick<
  RunVendor,
  'p95Ms' | 'ttfbP95Ms' | 'peakInFlight' | 'peakWaiting' | 'giveUps' | 'errors'
>;

/**
 * The seconds that overlap [from, to] (ms, the mock's clock): the step's first and last partial
 * seconds included. A second two steps share counts in both, as it holds requests of each.
 */
export function secondsOverlapping(
  seconds: readonly SampledSecond[],
  from: number,
  to: number,
  intervalMs = 1000,
): SampledSecond[] {
  return seconds.filter((s) => s.t + intervalMs > from && s.t <= to);
}

/**
 * The run's second (`RunSecond.t`) a mock second lands in. `runStartMs` is when the run's second 0
 * began, on the mock's clock (the runner starts its seconds on a whole second, so they line up).
 */
export function runSecondOf(t: number, runStartMs: number, intervalMs = 1000): number {
  return Math.max(0, Math.round((t - runStartMs) / intervalMs));
}

/** Each vendor's step figures from the seconds the step covers. */
export function stepVendorSide(seconds: readonly SampledSecond[]): Record<string, VendorStepSide> {
  const by = new Map<string, VendorSecond[]>();
  for (const s of seconds)
    for (const [name, v] of Object.entries(s.upstreams)) {
      const list = by.get(name);
      if (list) list.push(v);
      else by.set(name, [v]);
    }
  const out: Record<string, VendorStepSide> = {};
  for (const [name, list] of by) {
    const total = mergeHistograms(list.map((v) => v.histograms?.totalMs));
    const ttfb = mergeHistograms(list.map((v) => v.histograms?.ttfbMs));
    const side: VendorStepSide = {
      peakInFlight: Math.max(...list.map((v) => v.inFlight)),
      peakWaiting: Math.max(...list.map((v) => v.waiting)),
      giveUps: list.reduce((n, v) => n + v.giveUps, 0),
      errors: list.reduce((n, v) => n + v.errors, 0),
    };
    const p95 = histogramPercentile(total, 95);
    const ttfbP95 = histogramPercentile(ttfb, 95);
    if (p95 !== null) side.p95Ms = p95;
    if (ttfbP95 !== null) side.ttfbP95Ms = ttfbP95;
    out[name] = side;
  }
  return out;
}

/**
 * The step's vendors with their sampled side added. `malformed`, and `giveUps` and `errors` where
 * the mock's stats count them, come from the stats: exact per step, where a second two steps
 * share is not. The peaks and percentiles can only come from the seconds.
 */
export function withVendorSide(
  vendors: Record<string, RunVendor>,
  side: Record<string, VendorStepSide>,
): Record<string, RunVendor> {
  const out: Record<string, RunVendor> = {};
  for (const [name, v] of Object.entries(vendors)) {
    const s = side[name] ?? { peakInFlight: 0, peakWaiting: 0, giveUps: 0, errors: 0 };
    out[name] = {
      ...v,
      ...s,
      giveUps: v.giveUps ?? s.giveUps,
      errors: v.errors ?? s.errors,
      malformed: v.faults.malformed ?? 0,
    };
  }
  return out;
}

/** A second's figures for the run report: the histograms stay with the mock. */
export function reportedSecond(v: VendorSecond): VendorSecond {
  const { histograms: _histograms, ...rest } = v;
  return rest;
}
