/**
 * A load step's vendor side from the mock's seconds (shared/load/vendor-side.ts): the seconds that
 * overlap the step, partial ones included; where each lands among the run's seconds; each vendor's
 * step p95 from the merged histograms (the step's requests, not an average of per-second p95s),
 * its peaks and sums; `malformed` from the step's faults.
 */
import { describe, expect, it } from 'vitest';
import { histogramAdd, type LogHistogram } from '../shared/load/histogram.js';
import {
  reportedSecond,
  runSecondOf,
  secondsOverlapping,
  stepVendorSide,
  withVendorSide,
  type SampledSecond,
} from '../shared/load/vendor-side.js';
import type { RunVendor, VendorSecond } from '../shared/schema.js';

function hist(values: number[]): LogHistogram {
  const h: LogHistogram = {};
  for (const v of values) histogramAdd(h, v);
  return h;
}

function second(t: number, totals: number[], o: Partial<VendorSecond> = {}): SampledSecond {
  return {
    t,
    connections: 3,
    upstreams: {
      b: {
        requests: totals.length,
        inFlight: 1,
        waiting: 0,
        ttfbP50Ms: null,
        ttfbP95Ms: null,
        p95Ms: null,
        retries: 0,
        giveUps: 0,
        errors: 0,
        faults: {},
        malformed: 0,
        histograms: { ttfbMs: hist(totals.map((v) => v / 10)), totalMs: hist(totals) },
        ...o,
      },
    },
  };
}

describe("a step's vendor side", () => {
  it('takes the seconds that overlap the step, its partial first and last ones included', () => {
    const seconds = [0, 1000, 2000, 3000, 4000].map((t) => second(t, [1]));
    expect(secondsOverlapping(seconds, 1500, 3200).map((s) => s.t)).toEqual([1000, 2000, 3000]);
    expect(secondsOverlapping(seconds, 2000, 2000).map((s) => s.t)).toEqual([2000]);
  });

  it("puts each of the mock's seconds in the run second it lines up with", () => {
    // The run began at the mock's 10 s mark, give or take a few ms of clock difference.
    expect(runSecondOf(10_000, 10_004)).toBe(0);
    expect(runSecondOf(13_000, 9_996)).toBe(3);
    expect(runSecondOf(9_000, 10_000)).toBe(0);
  });

  it('reads the p95 from all the requests, with the peaks and the sums', () => {
    // Nine fast seconds and a slow one with as many requests: p95 is the slow second's.
    const fast = Array.from({ length: 9 }, (_, i) =>
      second(
        i * 1000,
        Array.from({ length: 10 }, () => 10),
        { waiting: i === 4 ? 7 : 0 },
      ),
    );
    const slow = second(
      9000,
      Array.from({ length: 10 }, () => 2000),
      {
        inFlight: 9,
        giveUps: 2,
        errors: 3,
      },
    );
    const side = stepVendorSide([...fast, slow]).b;
    expect(side?.p95Ms).toBeGreaterThan(1950);
    expect(side?.p95Ms).toBeLessThan(2050);
    expect(side?.ttfbP95Ms).toBeGreaterThan(195);
    expect(side).toMatchObject({ peakInFlight: 9, peakWaiting: 7, giveUps: 2, errors: 3 });
  });

  it('leaves a percentile out when no request of the vendor ended in the step', () => {
    const side = stepVendorSide([second(0, [], { inFlight: 4, waiting: 4 })]).b;
    expect(side).toEqual({ peakInFlight: 4, peakWaiting: 4, giveUps: 0, errors: 0 });
  });

  it("adds it to the step's vendors, malformed from their faults, and reports seconds without histograms", () => {
    const vendors = {
      b: {
        share: 1,
        requests: 10,
        matched: 10,
        unmatched: 0,
        retries: 0,
        faults: { malformed: 2 },
        costAvoidedUsd: 0,
      },
    };
    const out = withVendorSide(vendors, stepVendorSide([second(0, [5, 6])]));
    expect(out.b).toMatchObject({ malformed: 2, peakInFlight: 1, giveUps: 0 });
    // The stats' exact counts win over the seconds', which a neighbouring step may share.
    const exact = withVendorSide(
      { b: { ...(vendors.b as RunVendor), giveUps: 1, errors: 0 } },
      stepVendorSide([second(0, [5, 6], { giveUps: 3, errors: 2 })]),
    );
    expect(exact.b).toMatchObject({ giveUps: 1, errors: 0, peakInFlight: 1 });
    const v = second(0, [5]).upstreams.b as VendorSecond;
    expect(reportedSecond(v)).not.toHaveProperty('histograms');
    expect(reportedSecond(v).requests).toBe(1);
  });
});
