/**
 * The vendor side of a load step: what the mock's `/__tapedeck/stats` counted per upstream
 * between two samples. A mock reset in between (its request count went down) counts what it saw
 * since the reset; no figure is ever negative.
 */
import type { RunVendor } from '../schema.js';

export interface UpstreamCounts {
  requests: number;
  matched: number;
  unmatched: number;
  retries: number;
  faults: Record<string, number>;
  costAvoidedUsd: number;
  /** Absent from an older mock's stats: the step then takes them from its samples. */
  giveUps?: number;
  errors?: number;
}

export type StatsSample = Record<string, UpstreamCounts>;

const nonNeg = (n: number) => (n > 0 ? n : 0);
const roundUsd = (n: number) => Math.round(n * 1e6) / 1e6;

export function emptyCounts(): UpstreamCounts {
  return { requests: 0, matched: 0, unmatched: 0, retries: 0, faults: {}, costAvoidedUsd: 0 };
}

/** after − before, per upstream; upstreams with nothing new are left out. */
export function statsDelta(before: StatsSample, after: StatsSample): StatsSample {
  const out: StatsSample = {};
  for (const [name, a] of Object.entries(after)) {
    const prev = before[name];
    const b = prev === undefined || a.requests < prev.requests ? emptyCounts() : prev;
    const faults: Record<string, number> = {};
    for (const [kind, n] of Object.entries(a.faults)) {
      const d = nonNeg(n - (b.faults[kind] ?? 0));
      if (d > 0) faults[kind] = d;
    }
    const d: UpstreamCounts = {
      requests: nonNeg(a.requests - b.requests),
      matched: nonNeg(a.matched - b.matched),
      unmatched: nonNeg(a.unmatched - b.unmatched),
      retries: nonNeg(a.retries - b.retries),
      faults,
      costAvoidedUsd: roundUsd(nonNeg(a.costAvoidedUsd - b.costAvoidedUsd)),
    };
    if (a.giveUps !== undefined) d.giveUps = nonNeg(a.giveUps - (b.giveUps ?? 0));
    if (a.errors !== undefined) d.errors = nonNeg(a.errors - (b.errors ?? 0));
    if (d.requests > 0 || d.retries > 0 || Object.keys(faults).length > 0) out[name] = d;
  }
  return out;
}

/** The step's `vendors`: each upstream's counts and its share of the step's vendor requests. */
export function runVendors(delta: StatsSample): Record<string, RunVendor> {
  let total = 0;
  for (const d of Object.values(delta)) total += d.requests;
  const out: Record<string, RunVendor> = {};
  for (const [name, d] of Object.entries(delta))
    out[name] = {
      share: total === 0 ? 0 : Math.round((d.requests / total) * 10_000) / 10_000,
      requests: d.requests,
      matched: d.matched,
      unmatched: d.unmatched,
      retries: d.retries,
      faults: d.faults,
      costAvoidedUsd: d.costAvoidedUsd,
      ...(d.giveUps !== undefined ? { giveUps: d.giveUps } : {}),
      ...(d.errors !== undefined ? { errors: d.errors } : {}),
    };
  return out;
}
