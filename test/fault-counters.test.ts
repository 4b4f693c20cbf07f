/**
 * Fault counters a caller keeps (one test's): a schedule counts each test's own requests, apart
 * from the engine's and from each other, and the same seed with the same counts gives the same
 * faults whoever counted them.
 */
import { describe, expect, it } from 'vitest';
import { FaultCounters, FaultEngine, sourcesOf, type Plan } from '../shared/faults/engine.js';
import type { RequestFacts } from '../shared/faults/scope.js';
import { Fault } from '../shared/schema.js';

const OPENAI: RequestFacts = {
  upstream: 'openai',
  provider: 'openai',
  model: 'gpt-4o-mini',
  path: '/v1/chat/completions',
};

function engine(list: unknown[], seed = '1'): FaultEngine {
  const scoped = sourcesOf(
    list.map((f) => Fault.parse(f)),
    'manifest',
  );
  return new FaultEngine({ seed, scoped });
}

function limited(p: Plan): boolean {
  return p.error?.kind === 'rate_limit';
}

describe('per-test fault counters', () => {
  it('a rateLimit on the 2nd request per upstream fires at each test’s own 2nd request', () => {
    // after 1 for 1: the first request passes, the second is a 429, then requests pass again.
    const e = engine([{ kind: 'rateLimit', after: 1, for: 1 }]);
    const t1 = e.newCounters();
    const t2 = e.newCounters();
    const seen: string[] = [];
    const send = (name: string, c?: FaultCounters) =>
      seen.push(`${name}:${limited(e.plan(OPENAI, null, null, 0, c)) ? 429 : 200}`);
    send('t1', t1);
    send('t2', t2);
    send('t1', t1);
    send('global');
    send('t2', t2);
    send('t1', t1);
    send('global');
    send('t2', t2);
    expect(seen).toEqual([
      't1:200',
      't2:200',
      't1:429',
      'global:200',
      't2:429',
      't1:200',
      'global:429',
      't2:200',
    ]);
  });

  it('per-test counters count per upstream, per call and in all, and reset alone', () => {
    const e = engine([
      { kind: 'serverError', status: 500, counter: 'call', when: { requests: '2' } },
    ]);
    const t = e.newCounters();
    const fired = (callId: string) => e.plan(OPENAI, callId, null, 0, t).fired.length > 0;
    expect([fired('a'), fired('b'), fired('a'), fired('b'), fired('a')]).toEqual([
      false,
      false,
      true,
      true,
      false,
    ]);
    expect(t.global).toBe(5);
    expect(t.upstreams.get('openai')).toBe(5);
    expect(t.calls.get('a')).toBe(3);
    e.reset();
    expect(t.global).toBe(5);
    t.reset();
    expect(fired('a')).toBe(false);
    expect(fired('a')).toBe(true);
  });

  it('the same seed and the same counts give the same faults for each test', () => {
    const faults = [
      { kind: 'serverError', status: 503, when: { probability: 0.5 } },
      { kind: 'latency', ttfb: { uniform: [10, 500] } },
    ];
    const run = (e: FaultEngine, c?: FaultCounters) =>
      Array.from({ length: 40 }, () => {
        const p = e.plan(OPENAI, 'c1', null, 0, c);
        return `${p.error ? 'E' : '-'}${p.ttfbMs}`;
      });
    const shared = engine(faults, 'seed-a');
    const t1 = shared.newCounters();
    const t2 = shared.newCounters();
    const first = run(shared, t1);
    expect(run(shared, t2)).toEqual(first);
    // The engine's own counters, on another engine with the same seed: the same draws again.
    expect(run(engine(faults, 'seed-a'))).toEqual(first);
    expect(first.some((s) => s.startsWith('E'))).toBe(true);
    expect(first.some((s) => s.startsWith('-'))).toBe(true);
    expect(run(engine(faults, 'seed-b'), new FaultCounters())).not.toEqual(first);
  });
});
