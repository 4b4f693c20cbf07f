/**
 * examples/gateway/score.ts: the cost of a request on each model, the score (half cost, half
 * latency, each relative to the best candidate), and the smooth weighted round robin that spreads
 * traffic in proportion to 1/score, the same way on every run.
 */
import { describe, expect, it } from 'vitest';
import type { Needs } from '../examples/gateway/capabilities.js';
import { costOf, score, WeightedRoundRobin, type Scored } from '../examples/gateway/score.js';
import { entry } from './support/gateway.js';

const needs: Needs = {
  tools: false,
  vision: false,
  promptTokens: 1000,
  outputTokens: 500,
  contextTokens: 1500,
};

describe('costOf', () => {
  it('prices prompt and reply tokens per million', () => {
    const e = entry('a', 'http://x/v1', { price: { input: 0.15, output: 0.6 } });
    // 1000 × 0.15 / 1e6 + 500 × 0.6 / 1e6
    expect(costOf(e, needs)).toBeCloseTo(0.00045, 12);
  });
});

describe('score', () => {
  const latency = (ms: Record<string, number>) => (e: { vendor: string }) => ms[e.vendor] ?? 0;

  it('gives the cheapest and fastest 1, and others half their cost and latency ratios', () => {
    const cheap = entry('cheap', 'http://x/v1', { price: { input: 1, output: 1 } });
    const dear = entry('dear', 'http://x/v1', { price: { input: 3, output: 3 } });
    const slow = entry('slow', 'http://x/v1', { price: { input: 1, output: 1 } });
    const s = score([dear, slow, cheap], needs, latency({ cheap: 100, dear: 100, slow: 300 }));
    expect(s.map((x) => [x.vendor, x.score, x.weight])).toEqual([
      ['cheap', 1, 1],
      // 0.5 × 3 + 0.5 × 1
      ['dear', 2, 0.5],
      // 0.5 × 1 + 0.5 × 3
      ['slow', 2, 0.5],
    ]);
    expect(s[0]).toMatchObject({ costUsd: 0.0015, latencyMs: 100 });
  });

  it('weighs cost and latency equally: 2× the cost scores as 2× the latency', () => {
    const a = entry('a', 'http://x/v1', { price: { input: 2, output: 2 } });
    const b = entry('b', 'http://x/v1');
    const s = score([a, b], needs, latency({ a: 50, b: 100 }));
    expect(s.map((x) => x.score)).toEqual([1.5, 1.5]);
  });

  it('sorts by score, lowest first, ties by vendor name', () => {
    const s = score(
      [entry('z', 'http://x/v1'), entry('m', 'http://x/v1'), entry('b', 'http://x/v1')],
      needs,
      latency({ z: 100, m: 100, b: 400 }),
    );
    expect(s.map((x) => x.vendor)).toEqual(['m', 'z', 'b']);
  });

  it('uses the latency it is given (the observed one), rounded to the millisecond', () => {
    const a = entry('a', 'http://x/v1', { latencyP50Ms: 100 });
    const b = entry('b', 'http://x/v1', { latencyP50Ms: 100 });
    const s = score([a, b], needs, latency({ a: 1500.4, b: 150 }));
    expect(s.map((x) => [x.vendor, x.latencyMs, x.score])).toEqual([
      ['b', 150, 1],
      ['a', 1500, 5.5],
    ]);
  });

  it('a weight is 1/score', () => {
    const a = entry('a', 'http://x/v1');
    const b = entry('b', 'http://x/v1', { price: { input: 4, output: 4 } });
    const [first, second] = score([a, b], needs, latency({ a: 100, b: 100 }));
    expect(first?.weight).toBe(1);
    expect(second?.score).toBe(2.5);
    expect(second?.weight).toBe(0.4);
  });
});

describe('score with a free or instant candidate', () => {
  it('keeps every score and weight finite, and cost still ranks the paid ones', () => {
    const free = entry('free', 'http://x/v1', { price: { input: 0, output: 0 }, latencyP50Ms: 0 });
    const cheap = entry('cheap', 'http://x/v1', { price: { input: 1, output: 1 } });
    const dear = entry('dear', 'http://x/v1', { price: { input: 100, output: 100 } });
    const s = score([dear, cheap, free], needs, (e) => e.latencyP50Ms);
    expect(s.map((x) => x.vendor)).toEqual(['free', 'cheap', 'dear']);
    for (const x of s) {
      expect(Number.isFinite(x.score), x.vendor).toBe(true);
      expect(Number.isFinite(x.weight), x.vendor).toBe(true);
    }
    expect(s[0]?.score).toBe(1);
  });

  it('lets the round robin pick a free, instant model on every turn, not only the first', () => {
    const free = entry('free', 'http://x/v1', { price: { input: 0, output: 0 }, latencyP50Ms: 0 });
    const wrr = new WeightedRoundRobin();
    const s = score([free], needs, (e) => e.latencyP50Ms);
    expect(picks(wrr, s, 5)).toEqual(['free', 'free', 'free', 'free', 'free']);
  });
});

function scored(weights: Record<string, number>): Scored[] {
  return Object.entries(weights).map(([vendor, weight]) => ({
    vendor,
    weight,
    score: 1 / weight,
    costUsd: 0,
    latencyMs: 0,
  }));
}

function picks(wrr: WeightedRoundRobin, candidates: Scored[], n: number): string[] {
  return Array.from({ length: n }, () => wrr.pick(candidates)?.vendor ?? 'none');
}

function counts(seq: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of seq) out[v] = (out[v] ?? 0) + 1;
  return out;
}

describe('WeightedRoundRobin', () => {
  it('spreads picks smoothly, as nginx does: 5:1:1 is a a b a c a a', () => {
    const seq = picks(new WeightedRoundRobin(), scored({ a: 5, b: 1, c: 1 }), 7);
    expect(seq.join(' ')).toBe('a a b a c a a');
  });

  it('gives each vendor a share of many picks proportional to its weight', () => {
    const candidates = scored({ a: 1, b: 0.5, c: 0.25 });
    const c = counts(picks(new WeightedRoundRobin(), candidates, 7000));
    expect(c).toEqual({ a: 4000, b: 2000, c: 1000 });
  });

  it('keeps shares within one pick of the weights at every point, with weights from score()', () => {
    const candidates = score(
      [
        entry('a', 'http://x/v1'),
        entry('b', 'http://x/v1', { price: { input: 3, output: 3 } }),
        entry('c', 'http://x/v1'),
      ],
      needs,
      (e) => ({ a: 100, b: 100, c: 250 })[e.vendor] ?? 0,
    );
    const total = candidates.reduce((n, s) => n + s.weight, 0);
    const wrr = new WeightedRoundRobin();
    const seen: Record<string, number> = {};
    for (let n = 1; n <= 3000; n++) {
      const v = wrr.pick(candidates)?.vendor ?? 'none';
      seen[v] = (seen[v] ?? 0) + 1;
      for (const s of candidates)
        expect(Math.abs((seen[s.vendor] ?? 0) - (n * s.weight) / total)).toBeLessThanOrEqual(1);
    }
    expect(Object.keys(seen).sort()).toEqual(['a', 'b', 'c']);
  });

  it('is deterministic: two round robins given the same candidates pick the same sequence', () => {
    const candidates = scored({ a: 1, b: 0.667, c: 0.4 });
    const one = picks(new WeightedRoundRobin(), candidates, 500);
    const two = picks(new WeightedRoundRobin(), candidates, 500);
    expect(two).toEqual(one);
    expect(new Set(one).size).toBe(3);
  });

  it('gives the first pick to the heaviest weight, a tie to the first listed', () => {
    expect(new WeightedRoundRobin().pick(scored({ a: 1, b: 2 }))?.vendor).toBe('b');
    expect(new WeightedRoundRobin().pick(scored({ b: 1, a: 1 }))?.vendor).toBe('b');
  });

  it('picks nothing from no candidates, and only the one left when others drop out', () => {
    const wrr = new WeightedRoundRobin();
    expect(wrr.pick([])).toBeUndefined();
    picks(wrr, scored({ a: 1, b: 1 }), 3);
    expect(counts(picks(wrr, scored({ b: 1 }), 4))).toEqual({ b: 4 });
  });
});
