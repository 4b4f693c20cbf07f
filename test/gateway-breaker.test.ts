/**
 * examples/gateway/breaker.ts: when a breaker opens (failures in a row, a failure rate over a
 * window once enough outcomes are in), how it waits out its cooldown, and how the half-open probe
 * closes or reopens it. Time is a clock moved by hand: no timer runs.
 */
import { describe, expect, it } from 'vitest';
import { Breaker, type BreakerOptions } from '../examples/gateway/breaker.js';
import { ManualClock } from './support/gateway.js';

const RUN_ONLY: BreakerOptions = {
  consecutive: 3,
  failureRate: 0,
  window: 20,
  minSamples: 10,
  cooldownMs: 5000,
};
const RATE_ONLY: BreakerOptions = {
  consecutive: 0,
  failureRate: 0.5,
  window: 4,
  minSamples: 4,
  cooldownMs: 5000,
};

function breaker(opts: BreakerOptions, clock = new ManualClock()) {
  return { b: new Breaker('v/availability', opts, clock.now), clock };
}

/** Outcomes of admitted regular requests: true a success, false a failure. */
function feed(b: Breaker, outcomes: boolean[]): void {
  for (const ok of outcomes) {
    const a = b.admit();
    expect(a).toEqual({ ok: true, probe: false });
    b.record(ok, false, ok ? undefined : 'timeout after 100 ms');
  }
}

/** Opens `b` with three failures in a row (RUN_ONLY) and forgets the change. */
function tripped(clock = new ManualClock()) {
  const { b } = breaker(RUN_ONLY, clock);
  feed(b, [false, false, false]);
  expect(b.state).toBe('open');
  b.drain();
  return { b, clock };
}

describe('breaker: failures in a row', () => {
  it('stays closed below the count and opens at it, naming the count and the last failure', () => {
    const { b } = breaker(RUN_ONLY);
    feed(b, [false, false]);
    expect(b.state).toBe('closed');
    expect(b.drain()).toEqual([]);
    b.admit();
    b.record(false, false, '503 overloaded');
    expect(b.state).toBe('open');
    expect(b.drain()).toEqual([
      {
        breaker: 'v/availability',
        from: 'closed',
        to: 'open',
        reason: '3 failures in a row, the last: 503 overloaded',
      },
    ]);
  });

  it('counts only an unbroken run: a success in between starts it over', () => {
    const { b } = breaker(RUN_ONLY);
    feed(b, [false, false, true, false, false, true, false, false]);
    expect(b.state).toBe('closed');
    feed(b, [false]);
    expect(b.state).toBe('open');
  });

  it('never opens on a run when `consecutive` is 0', () => {
    const { b } = breaker({ ...RUN_ONLY, consecutive: 0 });
    feed(
      b,
      Array.from({ length: 50 }, () => false),
    );
    expect(b.state).toBe('closed');
  });

  it('refuses everything while open, saying why and when the probe comes', () => {
    const { b, clock } = tripped();
    clock.advance(1200);
    expect(b.admit()).toEqual({
      ok: false,
      reason:
        'v/availability open: 3 failures in a row, the last: timeout after 100 ms (probe in 3800 ms)',
    });
    // Outcomes of requests let through before it opened change nothing while it is open.
    b.record(true, false);
    b.record(false, false);
    expect(b.state).toBe('open');
  });
});

describe('breaker: failure rate over a window', () => {
  it('does not open before minSamples outcomes, however bad they are', () => {
    const { b } = breaker(RATE_ONLY);
    feed(b, [false, false, false]);
    expect(b.state).toBe('closed');
    feed(b, [false]);
    expect(b.state).toBe('open');
    expect(b.drain().at(-1)?.reason).toBe('4 of the last 4 failed, the last: timeout after 100 ms');
  });

  it('opens when the rate is reached on a failure, and a success never opens it', () => {
    const { b } = breaker(RATE_ONLY);
    feed(b, [false, true, false]);
    // 2 failures of 4 = the rate, but the outcome that reached it is a success.
    feed(b, [true]);
    expect(b.state).toBe('closed');
    // [t, f, t, f]: the first failure slid out, the new one brings the rate back to 1/2.
    feed(b, [false]);
    expect(b.state).toBe('open');
    expect(b.drain()[0]?.reason).toBe('2 of the last 4 failed, the last: timeout after 100 ms');
  });

  it('forgets failures older than the window', () => {
    const { b } = breaker(RATE_ONLY);
    // Three failures, then four successes push them out: one more failure is 1 in the last 4
    // (it would be 4 in 8, the rate, if the old ones still counted).
    feed(b, [false, false, false, true, true, true, true]);
    expect(b.state).toBe('closed');
    feed(b, [false]);
    expect(b.state).toBe('closed');
  });

  it('does not let successes older than the window dilute the rate', () => {
    const { b } = breaker(RATE_ONLY);
    // Eight successes, then two failures: 2 in the last 4 (2 in 10 over the whole history).
    feed(b, [true, true, true, true, true, true, true, true, false]);
    expect(b.state).toBe('closed');
    feed(b, [false]);
    expect(b.state).toBe('open');
  });

  it('stays under the rate: 1 failure in 4 with a rate of 1/2 keeps it closed', () => {
    const { b } = breaker(RATE_ONLY);
    feed(b, [true, true, true, false, true, true, true, false]);
    expect(b.state).toBe('closed');
  });
});

describe('breaker: cooldown and the half-open probe', () => {
  it('turns half-open exactly when the cooldown is over, not a millisecond before', () => {
    const { b, clock } = tripped();
    clock.advance(4999);
    expect(b.admit()).toMatchObject({ ok: false });
    expect(b.state).toBe('open');
    clock.advance(1);
    expect(b.admit()).toEqual({ ok: true, probe: true });
    expect(b.state).toBe('half-open');
    expect(b.drain()).toEqual([
      {
        breaker: 'v/availability',
        from: 'open',
        to: 'half-open',
        reason: 'cooldown of 5000 ms over',
      },
    ]);
  });

  it('admits one probe at a time', () => {
    const { b, clock } = tripped();
    clock.advance(5000);
    expect(b.admit()).toEqual({ ok: true, probe: true });
    expect(b.admit()).toEqual({
      ok: false,
      reason: 'v/availability half-open, its probe in flight',
    });
    clock.advance(60_000);
    expect(b.admit()).toMatchObject({ ok: false });
  });

  it('closes on a successful probe, with a fresh count of failures', () => {
    const { b, clock } = tripped();
    clock.advance(5000);
    const probe = b.admit();
    expect(probe).toEqual({ ok: true, probe: true });
    b.drain();
    b.record(true, true);
    expect(b.state).toBe('closed');
    expect(b.drain()).toEqual([
      { breaker: 'v/availability', from: 'half-open', to: 'closed', reason: 'probe succeeded' },
    ]);
    expect(b.admit()).toEqual({ ok: true, probe: false });
    // The three failures that opened it are forgotten: two more do not open it again.
    feed(b, [false, false]);
    expect(b.state).toBe('closed');
  });

  it('reopens on a failed probe, for a whole new cooldown', () => {
    const { b, clock } = tripped();
    clock.advance(5000);
    b.admit();
    b.drain();
    clock.advance(300);
    b.record(false, true, 'timeout after 1500 ms');
    expect(b.state).toBe('open');
    expect(b.drain()).toEqual([
      {
        breaker: 'v/availability',
        from: 'half-open',
        to: 'open',
        reason: 'probe failed: timeout after 1500 ms',
      },
    ]);
    // The cooldown counts from the failed probe, not from the first opening.
    clock.advance(4999);
    expect(b.admit()).toEqual({
      ok: false,
      reason: 'v/availability open: probe failed: timeout after 1500 ms (probe in 1 ms)',
    });
    clock.advance(1);
    expect(b.admit()).toEqual({ ok: true, probe: true });
  });
});

describe('breaker: release and drain', () => {
  it('release(true) frees the probe slot for the next request', () => {
    const { b, clock } = tripped();
    clock.advance(5000);
    expect(b.admit()).toEqual({ ok: true, probe: true });
    b.release(true);
    expect(b.state).toBe('half-open');
    expect(b.admit()).toEqual({ ok: true, probe: true });
  });

  it('release(false) frees nothing: the probe in flight still holds the slot', () => {
    const { b, clock } = tripped();
    clock.advance(5000);
    b.admit();
    b.release(false);
    expect(b.admit()).toMatchObject({ ok: false });
  });

  it('drain hands over each change once, in order', () => {
    const { b, clock } = breaker(RUN_ONLY);
    feed(b, [false, false, false]);
    clock.advance(5000);
    b.admit();
    b.record(true, true);
    expect(b.drain().map((c) => `${c.from}→${c.to}`)).toEqual([
      'closed→open',
      'open→half-open',
      'half-open→closed',
    ]);
    expect(b.drain()).toEqual([]);
  });

  it('a closed breaker that admits and records successes has nothing to drain', () => {
    const { b } = breaker(RUN_ONLY);
    feed(b, [true, true, true]);
    expect(b.drain()).toEqual([]);
  });
});
