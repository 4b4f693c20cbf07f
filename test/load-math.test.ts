/**
 * The pure figures of a load run: nearest-rank percentiles, --fail-if parsing and checking
 * (counts, shares, every operator), durations, and the vendor deltas of two stats samples.
 */
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../shared/load/duration.js';
import { FailIfError, checkFailIf, parseFailIf } from '../shared/load/fail-if.js';
import { percentile, summarize } from '../shared/load/percentiles.js';
import { runVendors, statsDelta } from '../shared/load/vendor-delta.js';
import { step } from './support/run-report.js';

describe('percentiles', () => {
  it('are nearest-rank over the sorted values', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(
      percentile(
        [...values].sort((a, b) => a - b),
        95,
      ),
    ).toBe(95);
    expect(summarize(values)).toEqual({ avg: 50.5, p50: 50, p95: 95, p99: 99 });
    expect(summarize([7])).toEqual({ avg: 7, p50: 7, p95: 7, p99: 7 });
    expect(summarize([])).toEqual({ avg: 0, p50: 0, p95: 0, p99: 0 });
  });
});

describe('--fail-if', () => {
  it('parses metric, operator, value and %', () => {
    expect(parseFailIf('p95>3000, errors>1%,retries/request>=0.5,rps<10')).toEqual([
      { metric: 'p95', op: '>', value: 3000, percent: false, text: 'p95>3000' },
      { metric: 'errors', op: '>', value: 1, percent: true, text: 'errors>1%' },
      {
        metric: 'retries/request',
        op: '>=',
        value: 0.5,
        percent: false,
        text: 'retries/request>=0.5',
      },
      { metric: 'rps', op: '<', value: 10, percent: false, text: 'rps<10' },
    ]);
    expect(() => parseFailIf('p95>')).toThrow(FailIfError);
    expect(() => parseFailIf('p95>3%')).toThrow('only errors and timeouts take a %');
    expect(() => parseFailIf('')).toThrow(FailIfError);
  });

  it('holds on the steps where the condition is true, as counts or shares', () => {
    const steps = [
      step(5, { p95: 2000, errors: 1 }),
      step(20, { p95: 3500, errors: 3, timeouts: 2 }),
    ];
    const hits = (text: string) =>
      checkFailIf(steps, parseFailIf(text)).map((h) => [h.condition.text, h.step]);
    expect(hits('p95>3000')).toEqual([['p95>3000', 2]]);
    expect(hits('errors>2%')).toEqual([['errors>2%', 2]]);
    expect(hits('errors>=1')).toEqual([
      ['errors>=1', 1],
      ['errors>=1', 2],
    ]);
    expect(hits('timeouts>0,p95<=2000')).toEqual([
      ['p95<=2000', 1],
      ['timeouts>0', 2],
    ]);
    expect(hits('rps<100')).toEqual([]);
  });
});

describe('durations', () => {
  it('take ms, s and m, a bare number as ms', () => {
    expect([
      parseDuration('30s'),
      parseDuration('1500ms'),
      parseDuration('2m'),
      parseDuration('250'),
    ]).toEqual([30_000, 1500, 120_000, 250]);
    expect(parseDuration('soon')).toBeNull();
    expect([
      formatDuration(0),
      formatDuration(30_000),
      formatDuration(120_000),
      formatDuration(1500),
    ]).toEqual(['0s', '30s', '2m', '1500ms']);
  });
});

describe('vendor deltas', () => {
  it('count what is new per upstream, never below zero, with each share of the step', () => {
    const c = (requests: number, retries: number, faults: Record<string, number> = {}) => ({
      requests,
      matched: requests,
      unmatched: 0,
      retries,
      faults,
      costAvoidedUsd: requests / 1000,
    });
    const before = { a: c(10, 1, { hang: 1 }), b: c(5, 0) };
    const after = { a: c(13, 2, { hang: 1, rateLimit: 2 }), b: c(5, 0), c: c(1, 0) };
    const d = statsDelta(before, after);
    expect(Object.keys(d)).toEqual(['a', 'c']);
    expect(d.a).toMatchObject({
      requests: 3,
      retries: 1,
      faults: { rateLimit: 2 },
      costAvoidedUsd: 0.003,
    });
    expect(runVendors(d)).toMatchObject({ a: { share: 0.75 }, c: { share: 0.25 } });
    // A reset of the mock between samples: what came since the reset.
    expect(statsDelta(after, { a: c(1, 0) })).toEqual({ a: c(1, 0) });
  });

  it('carry give-ups and errors where the mock counts them, and leave them out where not', () => {
    const c = (requests: number, giveUps: number, errors: number) => ({
      requests,
      matched: requests,
      unmatched: 0,
      retries: 0,
      faults: {},
      costAvoidedUsd: 0,
      giveUps,
      errors,
    });
    const d = statsDelta({ a: c(10, 2, 1) }, { a: c(15, 5, 1) });
    expect(d.a).toMatchObject({ requests: 5, giveUps: 3, errors: 0 });
    expect(runVendors(d).a).toMatchObject({ giveUps: 3, errors: 0 });
    const older = {
      requests: 4,
      matched: 4,
      unmatched: 0,
      retries: 0,
      faults: {},
      costAvoidedUsd: 0,
    };
    const o = runVendors(statsDelta({}, { a: older }));
    expect(o.a).not.toHaveProperty('giveUps');
    expect(o.a).not.toHaveProperty('errors');
  });
});
