/**
 * examples/gateway/criteria.ts: each success criterion of the gateway-testing guide holds on a log
 * (and run report) that meets it, and fails on one crafted to break it, one way at a time; and
 * linesOf gives one request's lines in order.
 */
import { describe, expect, it } from 'vitest';
import {
  checkAll,
  explained,
  linesOf,
  parserErrorsLogged,
  retriesWithinBudget,
  successWhileDegraded,
  switchAway,
  type CriteriaOptions,
  type LogLine,
} from '../examples/gateway/criteria.js';
import type { RunVendor } from '../shared/schema.js';
import { run, step } from './support/run-report.js';

const O: CriteriaOptions = {
  degraded: 'b',
  takeover: 'a',
  maxSwitchMs: 3000,
  maxRetries: 2,
  retryBudget: { ratio: 0.2, minRetries: 10, windowMs: 10_000 },
  minSuccess: 0.95,
  explain: 67,
};

function line(time: number, seq: number, event: string, o: Partial<LogLine> = {}): LogLine {
  return {
    time,
    event,
    rule: 'weighted-score',
    requestId: `req-${seq}`,
    seq,
    vendor: 'a',
    msg: `req-${seq}: ${event}`,
    ...o,
  };
}

function vendor(o: Partial<RunVendor> = {}): RunVendor {
  return {
    share: 1,
    requests: 10,
    matched: 10,
    unmatched: 0,
    retries: 0,
    faults: {},
    costAvoidedUsd: 0,
    ...o,
  };
}

describe('switchAway', () => {
  /** b times out at 1000, its breaker opens at 1200, a probe goes to b at 6200. */
  const good = (): LogLine[] => [
    line(900, 1, 'attempt', { vendor: 'b', probe: false }),
    line(1000, 1, 'attempt-failed', { vendor: 'b', kind: 'timeout', rule: 'transient' }),
    line(1000, 1, 'retry', { vendor: 'a', probe: false, rule: 'fallback-chain' }),
    line(1100, 2, 'attempt', { vendor: 'b', probe: false }),
    line(1200, 2, 'attempt-failed', { vendor: 'b', kind: 'timeout', rule: 'transient' }),
    line(1200, 2, 'breaker', {
      vendor: 'b',
      rule: 'circuit-breaker',
      breaker: 'b/availability',
      to: 'open',
    }),
    line(1300, 3, 'attempt', { vendor: 'a', probe: false }),
    line(6200, 4, 'attempt', { vendor: 'b', probe: true }),
  ];

  it('passes when b is left within the limit and gets only probes while open', () => {
    const v = switchAway(good(), O);
    expect(v.ok, v.detail).toBe(true);
    expect(v.detail).toBe(
      'first timeout → breaker open 200 ms; last regular attempt 100 ms after the first timeout; 0 regular attempts while open',
    );
  });

  it('fails when b never timed out', () => {
    const lines = good().filter((l) => l.event !== 'attempt-failed');
    expect(switchAway(lines, O)).toMatchObject({ ok: false, detail: 'b never timed out' });
  });

  it("fails when b's breaker never opened", () => {
    const lines = good().filter((l) => l.event !== 'breaker');
    expect(switchAway(lines, O)).toMatchObject({
      ok: false,
      detail: "b's breaker never opened after its first timeout",
    });
  });

  it('fails on a regular attempt on b while its breaker is open', () => {
    const lines = [...good(), line(2000, 5, 'attempt', { vendor: 'b', probe: false })];
    const v = switchAway(lines, O);
    expect(v.ok).toBe(false);
    expect(v.detail).toMatch(/; 1 regular attempts while open$/);
  });

  it('fails when regular traffic kept going to b past the limit', () => {
    // The breaker opened late: b kept getting regular attempts for 3.5 s after its first timeout.
    const lines = good().map((l) => (l.event === 'breaker' ? { ...l, time: 4600 } : l));
    lines.splice(5, 0, line(4500, 9, 'attempt', { vendor: 'b', probe: false }));
    const v = switchAway(lines, O);
    expect(v.ok).toBe(false);
    expect(v.detail).toMatch(/last regular attempt 3500 ms after the first timeout; 0 regular/);
  });

  it('does not count regular attempts after a good probe closed the breaker again', () => {
    const lines = [
      ...good(),
      line(6300, 4, 'breaker', { vendor: 'b', breaker: 'b/availability', to: 'closed' }),
      line(9000, 6, 'attempt', { vendor: 'b', probe: false }),
    ];
    expect(switchAway(lines, O).ok).toBe(true);
  });
});

describe('retriesWithinBudget', () => {
  /** 20 requests, 3 of them retried once each. */
  const good = (): LogLine[] => {
    const lines: LogLine[] = [];
    for (let seq = 1; seq <= 20; seq++) {
      lines.push(line(seq * 100, seq, 'route'));
      if (seq % 7 === 0) lines.push(line(seq * 100 + 50, seq, 'retry', { rule: 'fallback-chain' }));
    }
    return lines;
  };

  it('passes with few retries, none twice over, and the mock agreeing', () => {
    const report = run('r', [step(5, { retries: 1 }), step(20, { retries: 1 })]);
    const v = retriesWithinBudget(good(), report, O);
    expect(v.ok, v.detail).toBe(true);
    expect(v.detail).toBe(
      '2 retries in all, at most 1 for one request, 0 over the budget; the vendors (mock) saw 2',
    );
  });

  it('passes without a report, from the log alone', () => {
    expect(retriesWithinBudget(good(), null, O).ok).toBe(true);
  });

  it('fails when one request is retried more than maxRetries times', () => {
    const lines = [
      ...good(),
      ...[1, 2, 3].map((i) => line(3000 + i, 21, 'retry', { rule: 'fallback-chain' })),
    ];
    const v = retriesWithinBudget(lines, null, O);
    expect(v.ok).toBe(false);
    expect(v.detail).toMatch(/at most 3 for one request/);
  });

  it('fails when the retries of the window go over the budget', () => {
    // 14 requests within 10 s, each retried once: the k-th retry may be one of 10 + ⌊0.2 k⌋.
    const lines: LogLine[] = [];
    for (let seq = 1; seq <= 14; seq++)
      lines.push(line(seq, seq, 'route'), line(seq, seq, 'retry', { rule: 'fallback-chain' }));
    const v = retriesWithinBudget(lines, null, O);
    expect(v.ok).toBe(false);
    // The 13th and the 14th are over (12 allowed for both).
    expect(v.detail).toBe('14 retries in all, at most 1 for one request, 2 over the budget');
  });

  it('counts in the budget the requests routed, not those refused before (bad-request)', () => {
    // 6 requests retried twice each: 12 retries. With 20 more requests routed in the window,
    // 10 + ⌊0.2 × 26⌋ = 15 are allowed; with those 20 refused before routing, 10 + ⌊0.2 × 6⌋ = 11,
    // and each of the 6 retries logged at the 12th is over.
    const lines = (other: string): LogLine[] => [
      ...Array.from({ length: 20 }, (_, i) => line(i, 100 + i, other, { vendor: null })),
      ...[1, 2, 3, 4, 5, 6].flatMap((seq) => [
        line(100, seq, 'route'),
        line(200, seq, 'retry', { rule: 'fallback-chain' }),
        line(300, seq, 'retry', { rule: 'fallback-chain' }),
      ]),
    ];
    expect(retriesWithinBudget(lines('route'), null, O).ok).toBe(true);
    const v = retriesWithinBudget(lines('bad-request'), null, O);
    expect(v.ok).toBe(false);
    expect(v.detail).toBe('12 retries in all, at most 2 for one request, 6 over the budget');
  });

  it('fails when the mock saw a different number of retries than the gateway logged', () => {
    const report = run('r', [step(5, { retries: 3 })]);
    const v = retriesWithinBudget(good(), report, O);
    expect(v.ok).toBe(false);
    expect(v.detail).toMatch(/the vendors \(mock\) saw 3$/);
  });
});

describe('parserErrorsLogged', () => {
  const good = (): LogLine[] => [
    line(100, 1, 'route', { vendor: 'c' }),
    line(110, 1, 'attempt', { vendor: 'c' }),
    line(300, 1, 'parser-error', { vendor: 'c', rule: 'no-retry-on-malformed' }),
    line(400, 2, 'route'),
    line(900, 2, 'done'),
  ];
  const report = (malformed = 1, network = 0) =>
    run('r', [
      step(5, {
        vendors: { c: vendor({ faults: { malformed } }), a: vendor() },
        errorsByStatus: network > 0 ? { network } : {},
      }),
    ]);

  it('passes: one parser error, with vendor and id, for the one malformed reply sent', () => {
    const v = parserErrorsLogged(good(), report());
    expect(v.ok, v.detail).toBe(true);
    expect(v.detail).toBe(
      '1 parser errors logged (c), 1 malformed replies sent by the mock; 0 retried; 0 internal errors; 0 failed connections',
    );
  });

  it('fails when no parser error was logged at all', () => {
    const lines = good().filter((l) => l.event !== 'parser-error');
    expect(parserErrorsLogged(lines, null).ok).toBe(false);
  });

  it('fails on a parser error line without its vendor or without its request id', () => {
    const noVendor = good().map((l) => (l.event === 'parser-error' ? { ...l, vendor: null } : l));
    const noId = good().map((l) => (l.event === 'parser-error' ? { ...l, requestId: '' } : l));
    expect(parserErrorsLogged(noVendor, report()).ok).toBe(false);
    expect(parserErrorsLogged(noId, report()).ok).toBe(false);
  });

  it('fails when the request of a parser error was retried after it', () => {
    const lines = [...good(), line(310, 1, 'retry', { vendor: 'a', rule: 'fallback-chain' })];
    const v = parserErrorsLogged(lines, report());
    expect(v.ok).toBe(false);
    expect(v.detail).toMatch(/; 1 retried;/);
  });

  it('fails on an internal error anywhere in the log', () => {
    const lines = [...good(), line(950, 3, 'failed', { rule: 'internal-error', vendor: null })];
    const v = parserErrorsLogged(lines, report());
    expect(v.ok).toBe(false);
    expect(v.detail).toMatch(/; 1 internal errors;/);
  });

  it('fails on a failed connection at the load generator', () => {
    const v = parserErrorsLogged(good(), report(1, 2));
    expect(v.ok).toBe(false);
    expect(v.detail).toMatch(/; 2 failed connections$/);
  });

  it('fails when the mock sent more malformed replies than were logged', () => {
    const v = parserErrorsLogged(good(), report(2));
    expect(v.ok).toBe(false);
    expect(v.detail).toMatch(/2 malformed replies sent by the mock/);
  });
});

describe('successWhileDegraded', () => {
  const degraded = (latency: number) => ({
    a: vendor(),
    b: vendor({ faults: latency > 0 ? { latency } : {} }),
  });

  it('passes when every step from the first with b degraded is ≥ 95 %, earlier ones aside', () => {
    const report = run('r', [
      // Before b's fault fired: not counted, however bad.
      step(5, { requests: 100, errors: 50, vendors: degraded(0) }),
      step(20, { requests: 100, errors: 3, timeouts: 2, vendors: degraded(4) }),
      step(50, { requests: 200, errors: 1, vendors: degraded(0) }),
    ]);
    const v = successWhileDegraded(report, O);
    expect(v.ok, v.detail).toBe(true);
    expect(v.detail).toBe('20: 95.0%, 50: 99.5%');
  });

  it('fails when one step drops below 95 %, errors and timeouts together', () => {
    const report = run('r', [
      step(5, { requests: 100, errors: 0, vendors: degraded(1) }),
      step(20, { requests: 100, errors: 3, timeouts: 3, vendors: degraded(2) }),
    ]);
    const v = successWhileDegraded(report, O);
    expect(v.ok).toBe(false);
    expect(v.detail).toBe('5: 100.0%, 20: 94.0%');
  });

  it('fails when b never degraded in the run', () => {
    const report = run('r', [step(5, { vendors: degraded(0) })]);
    expect(successWhileDegraded(report, O)).toMatchObject({
      ok: false,
      detail: 'b never degraded in this run',
    });
  });
});

describe('explained and linesOf', () => {
  const good = (): LogLine[] => [
    line(100, 66, 'route'),
    line(101, 67, 'route', { msg: 'req-67 → b: …', vendor: 'b' }),
    line(102, 67, 'attempt', { vendor: 'b' }),
    line(150, 68, 'route'),
    line(1600, 67, 'attempt-failed', { vendor: 'b', rule: 'transient', kind: 'timeout' }),
    line(1600, 67, 'retry', { vendor: 'a', rule: 'fallback-chain' }),
    line(2000, 67, 'done', { vendor: 'a', rule: 'fallback-chain' }),
  ];

  it('linesOf gives the lines of one request, in log order', () => {
    expect(linesOf(good(), 67).map((l) => `${l.time} ${l.event}`)).toEqual([
      '101 route',
      '102 attempt',
      '1600 attempt-failed',
      '1600 retry',
      '2000 done',
    ]);
    expect(linesOf(good(), 99)).toEqual([]);
  });

  it('passes when request 67 ends done at a, from a route line, every line with its rule', () => {
    const v = explained(good(), O);
    expect(v.ok, v.detail).toBe(true);
    expect(v.detail.split('\n')[0]).toBe('[weighted-score] req-67 → b: …');
    expect(v.detail.split('\n')).toHaveLength(5);
  });

  it('fails when request 67 was answered by another vendor', () => {
    const lines = good().map((l) => (l.event === 'done' ? { ...l, vendor: 'c' } : l));
    expect(explained(lines, O).ok).toBe(false);
  });

  it('fails without a route line for it', () => {
    const lines = good().filter((l) => !(l.seq === 67 && l.event === 'route'));
    expect(explained(lines, O).ok).toBe(false);
  });

  it('fails when one of its lines has no rule', () => {
    const lines = good().map((l) => (l.event === 'retry' ? { ...l, rule: '' } : l));
    expect(explained(lines, O).ok).toBe(false);
  });

  it('fails, saying so, when there is no line for request 67', () => {
    expect(explained(linesOf(good(), 66), O)).toMatchObject({
      ok: false,
      detail: 'no line for request 67',
    });
  });
});

describe('checkAll', () => {
  it('gives the five verdicts in order', () => {
    const verdicts = checkAll([], run('r', [step(5)]), O);
    expect(verdicts.map((v) => v.name)).toEqual([
      'switches away from timed-out b within 3000 ms',
      'retries stay within the budget (≤ 2 per request, ≤ 10 + 20% of requests per 10 s)',
      'a broken tool call is logged as a parser error (vendor, request id), not retried, and crashes nothing',
      'success stays ≥ 95% while b degrades',
      'the logs explain why request 67 went to a',
    ]);
    // An empty log meets none but the budget one.
    expect(verdicts.map((v) => v.ok)).toEqual([false, true, false, false, false]);
  });
});
