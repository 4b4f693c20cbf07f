/**
 * What the Runs view's vendor-side charts and table draw from a run report: one column per vendor
 * per second from the mock's samples (queue solid, in flight dotted, the mock's sockets on their
 * own scale), B's queue and TTFB rising in the degrading fixture, C's malformed replies counted
 * apart, and for a report without samples a reason instead of series and null for each figure.
 */
import { describe, expect, it } from 'vitest';
import {
  giveUpsOverTime,
  malformedOverTime,
  queueOverTime,
  ttfbOverTime,
  vendorSideMissing,
  vendorStepRows,
} from '../renderer/src/runs/vendor-side.js';
import { RUN_VENDORS, makeRunReport } from './support/run-reports.js';

const sampled = makeRunReport({ id: 'now', startedAt: '2026-12-02T10:00:00.000Z' });
const older = makeRunReport({
  id: 'old',
  startedAt: '2026-11-30T10:00:00.000Z',
  vendorSide: false,
});
const seconds = sampled.steps.flatMap((s) => s.seconds);

const valuesOf = (data: ReturnType<typeof ttfbOverTime>, label: string) =>
  data.series.find((s) => s.label === label)?.values ?? [];

describe('vendor-side series', () => {
  it('run one point per sampled second, each vendor its own column', () => {
    for (const data of [ttfbOverTime, giveUpsOverTime, malformedOverTime].map((f) => f(sampled))) {
      expect(data.x).toEqual(seconds.map((s) => s.t));
      expect(data.series.map((s) => s.label)).toEqual([...RUN_VENDORS]);
    }
    expect(valuesOf(ttfbOverTime(sampled), 'vendor-a')).toEqual(
      seconds.map((s) => s.vendorSide?.['vendor-a']?.ttfbP95Ms),
    );
  });

  it('draw a mock second two steps share once, not twice at the same x', () => {
    const shared = structuredClone(sampled);
    const [one, two] = shared.steps;
    const boundary = one?.seconds.at(-1);
    if (!boundary || !two) throw new Error('fixture has two steps with seconds');
    // The next step's first second is the same mock second: same samples, its own target counts.
    two.seconds.unshift({ ...boundary, requests: 3, vendors: {} });
    for (const data of [queueOverTime, ttfbOverTime, giveUpsOverTime, malformedOverTime].map((f) =>
      f(shared),
    )) {
      expect(data.x).toEqual(seconds.map((s) => s.t));
      expect(data.series.every((c) => c.values.length === data.x.length)).toBe(true);
    }
    expect(valuesOf(giveUpsOverTime(shared), 'vendor-b')).toEqual(
      valuesOf(giveUpsOverTime(sampled), 'vendor-b'),
    );
  });

  it('pair each vendor queue (solid) with its in flight (dotted), sockets on the right', () => {
    const data = queueOverTime(sampled);
    expect(data.series.map((s) => s.label)).toEqual([
      ...RUN_VENDORS.flatMap((v) => [`${v} queue`, `${v} in flight`]),
      'mock sockets',
    ]);
    expect(data.series.filter((s) => s.dotted).map((s) => s.label)).toEqual(
      RUN_VENDORS.map((v) => `${v} in flight`),
    );
    const sockets = data.series.at(-1);
    expect(sockets?.right).toBe('sockets');
    expect(sockets?.values).toEqual(seconds.map((s) => s.connections));
    expect(valuesOf(data, 'vendor-b queue')).toEqual(
      seconds.map((s) => s.vendorSide?.['vendor-b']?.waiting),
    );
  });

  it("show B's queue and TTFB higher at the end than at the start, C's malformed replies apart", () => {
    const queue = valuesOf(queueOverTime(sampled), 'vendor-b queue') as number[];
    const ttfb = valuesOf(ttfbOverTime(sampled), 'vendor-b') as number[];
    expect(queue.at(-1)).toBeGreaterThan(queue[0] as number);
    expect(ttfb.at(-1)).toBeGreaterThan(ttfb[0] as number);
    const malformed = malformedOverTime(sampled);
    const total = (v: string) => (valuesOf(malformed, v) as number[]).reduce((a, n) => a + n, 0);
    expect(total('vendor-c')).toBeGreaterThan(0);
    expect(total('vendor-a') + total('vendor-b')).toBe(0);
  });

  it('leave a time out but count 0 where a sampled second lacks a vendor (it had nothing then)', () => {
    const gap = structuredClone(sampled);
    delete gap.steps[0]?.seconds[1]?.vendorSide?.['vendor-c'];
    expect(valuesOf(ttfbOverTime(gap), 'vendor-c')[1]).toBeNull();
    expect(valuesOf(malformedOverTime(gap), 'vendor-c')[1]).toBe(0);
    expect(valuesOf(giveUpsOverTime(gap), 'vendor-c')[1]).toBe(0);
  });

  it('leave a gap in every series where the mock was not sampled at all in a second', () => {
    const gap = structuredClone(sampled);
    const second = gap.steps[0]?.seconds[1];
    if (second) delete second.vendorSide;
    expect(valuesOf(malformedOverTime(gap), 'vendor-c')[1]).toBeNull();
    expect(valuesOf(ttfbOverTime(gap), 'vendor-a')[1]).toBeNull();
  });
});

describe('why a run has no vendor side', () => {
  it('is null for a sampled run', () => {
    expect(vendorSideMissing(sampled)).toBeNull();
  });

  it('names an older tapedeck when a mock ran but nothing was sampled', () => {
    expect(vendorSideMissing(older)).toMatch(/^No vendor-side samples: .*did not sample/);
  });

  it('names the missing mock when the run had none', () => {
    const bare = { ...structuredClone(older), mock: null };
    expect(vendorSideMissing(bare)).toMatch(/^No vendor-side samples: this run had no mock/);
  });
});

describe('vendors-by-step rows', () => {
  it('carry every figure of a sampled report, one row per step and vendor', () => {
    const rows = vendorStepRows(sampled);
    expect(rows).toHaveLength(sampled.steps.length * RUN_VENDORS.length);
    const last = sampled.steps.at(-1);
    const b = rows.find((r) => r.concurrency === last?.concurrency && r.vendor === 'vendor-b');
    const v = last?.vendors['vendor-b'];
    expect(b).toMatchObject({
      p95Ms: v?.p95Ms,
      ttfbP95Ms: v?.ttfbP95Ms,
      peakInFlight: v?.peakInFlight,
      peakWaiting: v?.peakWaiting,
      giveUps: v?.giveUps,
      errors: v?.errors,
      malformed: v?.malformed,
    });
  });

  it('hold null for what an older report lacks', () => {
    for (const r of vendorStepRows(older)) {
      expect(r.p95Ms).not.toBeNull();
      expect([
        r.ttfbP95Ms,
        r.peakInFlight,
        r.peakWaiting,
        r.giveUps,
        r.errors,
        r.malformed,
      ]).toEqual([null, null, null, null, null, null]);
    }
  });
});
