/**
 * What the Runs view's charts draw, from run reports: per-step series aligned on the union of both
 * runs' concurrencies (a step one run lacks is a gap, not a zero), the compared run's series named
 * by its id, and the per-second vendor columns in which a degrading vendor's traffic falls.
 */
import { describe, expect, it } from 'vitest';
import {
  p95ByStep,
  problemsOverTime,
  shareByStep,
  stepStarts,
  vendorRequestsOverTime,
} from '../renderer/src/runs/run-series.js';
import { RUN_VENDORS, makeRunReport } from './support/run-reports.js';

const shown = makeRunReport({
  id: 'now',
  startedAt: '2026-12-02T10:00:00.000Z',
  steps: [5, 20, 50],
});
const before = makeRunReport({
  id: 'before',
  startedAt: '2026-12-01T10:00:00.000Z',
  steps: [5, 50, 100],
  degrading: null,
});

describe('per-step series', () => {
  it('align both runs on every concurrency, with gaps where a run has no such step', () => {
    const { x, series } = p95ByStep(shown, before);
    expect(x).toEqual([5, 20, 50, 100]);
    const target = series.find((s) => s.label === 'target');
    const compared = series.find((s) => s.label === 'target · before');
    expect(target?.values).toEqual([...shown.steps.map((s) => s.latencyMs.p95), null]);
    expect(compared?.values).toEqual([
      before.steps[0]?.latencyMs.p95,
      null,
      before.steps[1]?.latencyMs.p95,
      before.steps[2]?.latencyMs.p95,
    ]);
    expect(compared?.compared).toBe(true);
    expect(target?.compared).toBe(false);
    expect(series.map((s) => s.label)).toEqual([
      'target',
      ...RUN_VENDORS,
      'target · before',
      ...RUN_VENDORS.map((v) => `${v} · before`),
    ]);
  });

  it("shorten a long compared id in the middle, where two runs' ids differ, never at the end", () => {
    const early = { ...before, id: 'gateway-2026-12-04T19-45-18-730Z' };
    const late = { ...shown, id: 'gateway-2026-12-04T19-46-48-582Z' };
    const labels = p95ByStep(late, early).series.map((s) => s.label);
    expect(labels).toContain('target · gateway-…18-730Z');
    const mine = vendorRequestsOverTime(early, late).series.map((s) => s.label);
    expect(mine).toContain('vendor-a · gateway-…48-582Z');
    for (const label of [...labels, ...mine])
      expect(label.split(' · ')[1]?.length ?? 0).toBeLessThanOrEqual(16);
  });

  it('leave out a vendor p95 the report does not carry', () => {
    const bare = structuredClone(shown);
    for (const step of bare.steps) for (const v of Object.values(step.vendors)) delete v.p95Ms;
    expect(p95ByStep(bare, null).series.map((s) => s.label)).toEqual(['target']);
  });

  it("show the degrading vendor's share falling step by step, in percent", () => {
    const b = shareByStep(shown, null).series.find((s) => s.vendor === 'vendor-b');
    const values = (b?.values ?? []) as number[];
    expect(values).toHaveLength(3);
    expect(values).toEqual([...values].sort((p, q) => q - p));
    expect(values[0]).toBe(
      Math.round((shown.steps[0]?.vendors['vendor-b']?.share ?? 0) * 1000) / 10,
    );
  });
});

describe('over-time series', () => {
  it('run one point per second across the steps, vendor requests adding up', () => {
    const data = vendorRequestsOverTime(shown);
    const seconds = shown.steps.flatMap((s) => s.seconds);
    expect(data.x).toEqual(seconds.map((s) => s.t));
    data.x.forEach((_t, i) => {
      const sum = data.series.reduce((a, s) => a + (s.values[i] ?? 0), 0);
      expect(sum).toBe(seconds[i]?.requests);
    });
    const b = data.series.find((s) => s.vendor === 'vendor-b')?.values as number[];
    const a = data.series.find((s) => s.vendor === 'vendor-a')?.values as number[];
    // The last second of the last step against its first: A gains what B loses.
    const last = shown.steps.at(-1)?.seconds ?? [];
    const first = data.x.indexOf(last[0]?.t ?? -1);
    expect((b[data.x.length - 1] as number) < (b[first] as number)).toBe(true);
    expect((a[data.x.length - 1] as number) > (a[first] as number)).toBe(true);
  });

  it('count errors, timeouts and retries per second, and mark where each step starts', () => {
    const data = problemsOverTime(shown);
    expect(data.series.map((s) => s.label)).toEqual(['errors', 'timeouts', 'retries']);
    const total = (i: number) => data.series[i]?.values.reduce<number>((a, v) => a + (v ?? 0), 0);
    expect(total(0)).toBe(shown.steps.reduce((a, s) => a + s.errors, 0));
    expect(total(2)).toBe(shown.steps.reduce((a, s) => a + s.retries, 0));
    expect(stepStarts(shown)).toEqual([
      { t: 0, concurrency: 5 },
      { t: 6, concurrency: 20 },
      { t: 12, concurrency: 50 },
    ]);
  });

  it('overlay a compared run on seconds since its own start, a gap where it has no such second', () => {
    const longer = makeRunReport({
      id: 'before',
      startedAt: '2026-12-01T10:00:00.000Z',
      steps: [5, 20, 50, 100],
      degrading: null,
    });
    const data = vendorRequestsOverTime(shown, longer);
    const longerSeconds = longer.steps.flatMap((s) => s.seconds).map((s) => s.t);
    expect(data.x).toEqual([...new Set([...longerSeconds])].sort((a, b) => a - b));
    expect(data.series.map((s) => s.label)).toEqual([
      ...RUN_VENDORS,
      ...RUN_VENDORS.map((v) => `${v} · before`),
    ]);
    const b = data.series.find((s) => s.label === 'vendor-b');
    const bBefore = data.series.find((s) => s.label === 'vendor-b · before');
    expect(b?.compared).toBe(false);
    expect(bBefore?.compared).toBe(true);
    const shownEnd = Math.max(...shown.steps.flatMap((s) => s.seconds).map((s) => s.t));
    data.x.forEach((t, i) => {
      expect(b?.values[i] === null, `shown at ${t}s`).toBe(t > shownEnd);
      expect(bBefore?.values[i]).not.toBeNull();
    });
    const problems = problemsOverTime(shown, longer);
    expect(problems.series.map((s) => s.label)).toEqual([
      'errors',
      'timeouts',
      'retries',
      'errors · before',
      'timeouts · before',
      'retries · before',
    ]);
    const retriesBefore = problems.series[5]?.values.reduce<number>((a, v) => a + (v ?? 0), 0);
    expect(retriesBefore).toBe(longer.steps.reduce((a, s) => a + s.retries, 0));
  });

  it('add up a second a hand-edited report repeats, so the axis never holds one twice', () => {
    const twice = structuredClone(shown);
    const [first, second] = twice.steps;
    const dup = first?.seconds.at(-1);
    if (!dup || !second) throw new Error('fixture has two steps with seconds');
    second.seconds.unshift({ ...dup });
    const data = problemsOverTime(twice);
    expect(new Set(data.x).size).toBe(data.x.length);
    const i = data.x.indexOf(dup.t);
    expect(data.series[0]?.values[i]).toBe(dup.errors * 2);
    expect(data.series[2]?.values[i]).toBe(dup.retries * 2);
  });
});
