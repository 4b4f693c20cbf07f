/**
 * The mergeable latency histogram of the mock's samples: a percentile read from it is within 1 %
 * of the exact nearest-rank percentile, merging per-second histograms gives the percentile of
 * all their values together (not an average of per-second percentiles), and its size is bounded.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HISTOGRAM_ALPHA,
  MAX_BUCKETS,
  MAX_MS,
  MIN_MS,
  histogramAdd,
  histogramCount,
  histogramPercentile,
  mergeHistograms,
  type LogHistogram,
} from '../shared/load/histogram.js';
import { percentile } from '../shared/load/percentiles.js';

const latency = fc.double({ min: 0.05, max: 600_000, noNaN: true });
const ps = fc.constantFrom(1, 50, 90, 95, 99, 100);

function of(values: readonly number[]): LogHistogram {
  const h: LogHistogram = {};
  for (const v of values) histogramAdd(h, v);
  return h;
}

/** Within the bucket's relative error, plus the 0.01 ms the result is rounded to. */
function close(got: number | null, exact: number): boolean {
  return got !== null && Math.abs(got - exact) <= exact * HISTOGRAM_ALPHA * 1.0001 + 0.005;
}

describe('a log histogram', () => {
  it('reads percentiles within 1 % of the exact nearest-rank value', () => {
    fc.assert(
      fc.property(fc.array(latency, { minLength: 1, maxLength: 300 }), ps, (values, p) => {
        const exact = percentile(
          [...values].sort((a, b) => a - b),
          p,
        );
        expect(close(histogramPercentile(of(values), p), exact)).toBe(true);
      }),
    );
  });

  it('merged, gives the percentile of all the values, whatever the split', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(latency, { maxLength: 50 }), { minLength: 1, maxLength: 8 }),
        ps,
        (seconds, p) => {
          const all = seconds.flat();
          const merged = mergeHistograms(seconds.map(of));
          expect(merged).toEqual(of(all));
          expect(histogramCount(merged)).toBe(all.length);
          if (all.length === 0) expect(histogramPercentile(merged, p)).toBeNull();
          else
            expect(
              close(
                histogramPercentile(merged, p),
                percentile(
                  all.sort((a, b) => a - b),
                  p,
                ),
              ),
            ).toBe(true);
        },
      ),
    );
  });

  it('merges in any order and grouping', () => {
    fc.assert(
      fc.property(fc.array(latency), fc.array(latency), fc.array(latency), (a, b, c) => {
        const [ha, hb, hc] = [of(a), of(b), of(c)];
        expect(mergeHistograms([ha, hb, hc])).toEqual(mergeHistograms([hc, ha, hb]));
        expect(mergeHistograms([mergeHistograms([ha, hb]), hc])).toEqual(
          mergeHistograms([ha, mergeHistograms([hb, hc])]),
        );
      }),
    );
  });

  it('is not the average of per-second p95s', () => {
    // One slow second among fast ones: the step's p95 is the slow one's, as its requests are 10 %.
    const fast = Array.from({ length: 9 }, () => of(Array.from({ length: 100 }, () => 10)));
    const slow = of(Array.from({ length: 100 }, () => 1000));
    const p95 = histogramPercentile(mergeHistograms([...fast, slow]), 95);
    expect(close(p95, 1000)).toBe(true);
  });

  it('stays bounded however many values, and clamps the extremes', () => {
    const h: LogHistogram = {};
    for (let v = 0; v < 200_000; v++) histogramAdd(h, v * 7.3);
    histogramAdd(h, 0);
    histogramAdd(h, 1e12);
    expect(Object.keys(h).length).toBeLessThanOrEqual(MAX_BUCKETS);
    expect(MAX_BUCKETS).toBeLessThan(2000);
    expect(histogramPercentile(of([0]), 50)).toBeLessThanOrEqual(MIN_MS);
    expect(histogramPercentile(of([1e12]), 50)).toBeGreaterThanOrEqual(
      MAX_MS * (1 - HISTOGRAM_ALPHA),
    );
  });

  it('is empty without values', () => {
    expect(histogramPercentile({}, 95)).toBeNull();
    expect(mergeHistograms([undefined, {}])).toEqual({});
  });
});
