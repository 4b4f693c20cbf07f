/** The retry budget on a hand-moved clock: a ratio of the window's requests plus a floor. */
import { describe, expect, it } from 'vitest';
import { RetryBudget } from '../examples/gateway/retry-budget.js';

function budget(ratio: number, minRetries: number) {
  let t = 0;
  const b = new RetryBudget({ ratio, minRetries, windowMs: 10_000 }, () => t);
  return { b, at: (ms: number) => (t = ms) };
}

describe('RetryBudget', () => {
  it('allows the floor on a quiet gateway, then says why not', () => {
    const { b } = budget(0.2, 2);
    b.onRequest();
    expect(b.take()).toEqual({ ok: true });
    expect(b.take()).toEqual({ ok: true });
    const no = b.take();
    expect(no.ok).toBe(false);
    expect(no).toMatchObject({
      reason: 'retry budget spent: 2 retries for 1 requests in 10000 ms',
    });
  });

  it('adds the ratio of the requests in the window', () => {
    const { b } = budget(0.2, 0);
    for (let i = 0; i < 10; i++) b.onRequest();
    expect(b.take().ok).toBe(true);
    expect(b.take().ok).toBe(true);
    expect(b.take().ok).toBe(false);
  });

  it('forgets requests and retries older than the window', () => {
    const { b, at } = budget(0.5, 0);
    for (let i = 0; i < 4; i++) b.onRequest();
    expect(b.take().ok).toBe(true);
    expect(b.take().ok).toBe(true);
    expect(b.take().ok).toBe(false);
    at(10_001);
    // The old requests no longer pay for retries; nor do the old retries count.
    expect(b.take().ok).toBe(false);
    b.onRequest();
    b.onRequest();
    expect(b.take().ok).toBe(true);
    expect(b.counts).toEqual({ requests: 2, retries: 1 });
  });

  it('keeps no more than the window of requests when nothing is retried', () => {
    const { b, at } = budget(0.2, 10);
    for (let i = 0; i < 5000; i++) {
      at(i * 100);
      b.onRequest();
    }
    // 100 ms apart in a 10 s window: the last 101 requests at most, kept without a `take`.
    const kept = (b as unknown as { requests: number[] }).requests;
    expect(kept.length).toBeLessThanOrEqual(101);
  });
});
