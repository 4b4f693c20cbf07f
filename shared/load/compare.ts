/**
 * `tapedeck report A B`: two runs side by side, step by step matched by concurrency. A step is a
 * regression when its p95 rises by more than 10 %, or its share of errors or of timeouts rises
 * (a share, so a longer run with the same failure rate is no regression), or its retries per
 * request rise by more than 10 %, or its req/s falls by more than 10 %; or when a vendor's p95 at
 * the mock rises by more than 10 %, or its share of malformed replies (parser-error risk) rises.
 */
import type { RunReport, RunStep, RunVendor } from '../schema.js';

/** Past this relative change, a rise in p95 or retries/request (or a fall in req/s) is a regression. */
export const REGRESSION_SHARE = 0.1;

export interface Delta {
  before: number;
  after: number;
  /** after − before. */
  delta: number;
  /** delta / before; null when before is 0. */
  share: number | null;
}

export interface StepComparison {
  concurrency: number;
  /** Null when only one of the runs has a step at this concurrency. */
  p95: Delta | null;
  errors: Delta | null;
  timeouts: Delta | null;
  retriesPerRequest: Delta | null;
  rps: Delta | null;
  /**
   * The vendors both runs' steps have, with the figures the mock sampled; a figure either run
   * lacks (an older report) is null and never a regression.
   */
  vendors: Record<string, VendorComparison>;
  /** Which figures got worse, e.g. ["p95", "errors", "openai malformed"]; empty for none. */
  regressions: string[];
  /** Which run has the step when only one does. */
  only: 'before' | 'after' | null;
  /** The runs in which this step was cut short (the last step of an interrupted run). */
  cutShort: ('before' | 'after')[];
}

export interface VendorComparison {
  /** The vendor's p95 at the mock. */
  p95: Delta | null;
  /** Malformed replies: parser-error risk. */
  malformed: Delta | null;
  /** "p95", "malformed". */
  regressions: string[];
}

export interface RunComparison {
  before: string;
  after: string;
  steps: StepComparison[];
  regressions: number;
}

function delta(before: number, after: number): Delta {
  return {
    before,
    after,
    delta: after - before,
    share: before === 0 ? null : (after - before) / before,
  };
}

const rate = (n: number, s: RunStep) => (s.requests === 0 ? 0 : n / s.requests);

/** Rose by more than the share (or rose from zero). */
const rose = (d: Delta) => d.delta > 0 && (d.share === null || d.share > REGRESSION_SHARE);

function compareVendor(a: RunVendor, b: RunVendor): VendorComparison {
  const p95 = a.p95Ms !== undefined && b.p95Ms !== undefined ? delta(a.p95Ms, b.p95Ms) : null;
  const malformed =
    a.malformed !== undefined && b.malformed !== undefined ? delta(a.malformed, b.malformed) : null;
  const regressions: string[] = [];
  if (p95 && rose(p95)) regressions.push('p95');
  const share = (n: number, v: RunVendor) => (v.requests === 0 ? 0 : n / v.requests);
  if (malformed && share(malformed.after, b) > share(malformed.before, a))
    regressions.push('malformed');
  return { p95, malformed, regressions };
}

export function compareStep(a: RunStep, b: RunStep): StepComparison {
  const p95 = delta(a.latencyMs.p95, b.latencyMs.p95);
  const errors = delta(a.errors, b.errors);
  const timeouts = delta(a.timeouts, b.timeouts);
  const retriesPerRequest = delta(a.retriesPerRequest, b.retriesPerRequest);
  const rps = delta(a.rps, b.rps);
  const regressions: string[] = [];
  if (rose(p95)) regressions.push('p95');
  if (rate(b.errors, b) > rate(a.errors, a)) regressions.push('errors');
  if (rate(b.timeouts, b) > rate(a.timeouts, a)) regressions.push('timeouts');
  if (rose(retriesPerRequest)) regressions.push('retries/request');
  if (rps.share !== null && rps.share < -REGRESSION_SHARE) regressions.push('rps');
  const vendors: Record<string, VendorComparison> = {};
  for (const [name, va] of Object.entries(a.vendors)) {
    const vb = b.vendors[name];
    if (vb === undefined) continue;
    const v = compareVendor(va, vb);
    if (v.p95 === null && v.malformed === null) continue;
    vendors[name] = v;
    for (const r of v.regressions) regressions.push(`${name} ${r}`);
  }
  return {
    concurrency: a.concurrency,
    p95,
    errors,
    timeouts,
    retriesPerRequest,
    rps,
    vendors,
    regressions,
    only: null,
    cutShort: [],
  };
}

const lone = (concurrency: number, only: 'before' | 'after'): StepComparison => ({
  concurrency,
  p95: null,
  errors: null,
  timeouts: null,
  retriesPerRequest: null,
  rps: null,
  vendors: {},
  regressions: [],
  only,
  cutShort: [],
});

/** The step an interrupted run stopped in (its last), null for a run that ran to its end. */
export function cutShortStep(r: RunReport): RunStep | null {
  return r.interrupted ? (r.steps.at(-1) ?? null) : null;
}

/** Steps in ascending concurrency; a concurrency run twice in one report compares its first step. */
export function compareRuns(before: RunReport, after: RunReport): RunComparison {
  const first = (r: RunReport) => {
    const m = new Map<number, RunStep>();
    for (const s of r.steps) if (!m.has(s.concurrency)) m.set(s.concurrency, s);
    return m;
  };
  const a = first(before);
  const b = first(after);
  const all = [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => x - y);
  const cutA = cutShortStep(before);
  const cutB = cutShortStep(after);
  const steps = all.map((c): StepComparison => {
    const sa = a.get(c);
    const sb = b.get(c);
    const step = sa && sb ? compareStep(sa, sb) : lone(c, sa ? 'before' : 'after');
    if (sa !== undefined && sa === cutA) step.cutShort.push('before');
    if (sb !== undefined && sb === cutB) step.cutShort.push('after');
    return step;
  });
  return {
    before: before.id,
    after: after.id,
    steps,
    regressions: steps.filter((s) => s.regressions.length > 0).length,
  };
}
