/**
 * A circuit breaker: closed, open for a cooldown, then half-open with one probe at a time. It opens
 * on N failures in a row, or on a failure rate over the last outcomes once enough are seen. The
 * router keeps two per vendor: one for availability (timeouts, 5xx, 429, resets) and one for the
 * quality of its tool calls (parser errors), which only gates requests that carry tools.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Open after this many failures in a row (0: never on a run). */
  consecutive: number;
  /** Open when failures / outcomes over the last `window` reach this (0: never on a rate)… */
  failureRate: number;
  window: number;
  /** …once at least this many outcomes are in the window. */
  minSamples: number;
  cooldownMs: number;
}

export interface BreakerChange {
  breaker: string;
  from: BreakerState;
  to: BreakerState;
  /** Why: the failures that opened it, or the probe's outcome. */
  reason: string;
}

export type Admission = { ok: true; probe: boolean } | { ok: false; reason: string };

export class Breaker {
  private stateNow: BreakerState = 'closed';
  private outcomes: boolean[] = [];
  private run = 0;
  private openedAt = 0;
  private openReason = '';
  private probing = false;

  /** State changes not yet taken by `drain`: the router logs them with the request that caused them. */
  private changes: BreakerChange[] = [];

  constructor(
    readonly name: string,
    private readonly opts: BreakerOptions,
    private readonly now: () => number = Date.now,
  ) {}

  drain(): BreakerChange[] {
    const out = this.changes;
    this.changes = [];
    return out;
  }

  get state(): BreakerState {
    return this.stateNow;
  }

  /** Whether a request may go through now; a half-open breaker lets one probe through at a time. */
  admit(): Admission {
    if (this.stateNow === 'open' && this.now() - this.openedAt >= this.opts.cooldownMs)
      this.move('half-open', `cooldown of ${this.opts.cooldownMs} ms over`);
    if (this.stateNow === 'closed') return { ok: true, probe: false };
    if (this.stateNow === 'half-open') {
      if (this.probing) return { ok: false, reason: `${this.name} half-open, its probe in flight` };
      this.probing = true;
      return { ok: true, probe: true };
    }
    const left = this.opts.cooldownMs - (this.now() - this.openedAt);
    return { ok: false, reason: `${this.name} open: ${this.openReason} (probe in ${left} ms)` };
  }

  /** A probe admitted but never sent (the request went elsewhere) frees the slot for the next one. */
  release(probe: boolean): void {
    if (probe) this.probing = false;
  }

  /** The outcome of a request `admit` let through; `why` names a failure. */
  record(ok: boolean, probe: boolean, why = 'failure'): void {
    if (probe) {
      this.probing = false;
      if (ok) {
        this.outcomes = [];
        this.run = 0;
        this.move('closed', 'probe succeeded');
      } else this.open(`probe failed: ${why}`);
      return;
    }
    if (this.stateNow !== 'closed') return;
    this.outcomes.push(ok);
    if (this.outcomes.length > this.opts.window) this.outcomes.shift();
    this.run = ok ? 0 : this.run + 1;
    if (this.opts.consecutive > 0 && this.run >= this.opts.consecutive) {
      this.open(`${this.run} failures in a row, the last: ${why}`);
      return;
    }
    const failures = this.outcomes.filter((o) => !o).length;
    if (
      !ok &&
      this.opts.failureRate > 0 &&
      this.outcomes.length >= this.opts.minSamples &&
      failures / this.outcomes.length >= this.opts.failureRate
    )
      this.open(`${failures} of the last ${this.outcomes.length} failed, the last: ${why}`);
  }

  private open(reason: string): void {
    this.openedAt = this.now();
    this.openReason = reason;
    this.move('open', reason);
  }

  private move(to: BreakerState, reason: string): void {
    const from = this.stateNow;
    this.stateNow = to;
    if (from !== to || to === 'open') this.changes.push({ breaker: this.name, from, to, reason });
  }
}
