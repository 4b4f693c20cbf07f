/**
 * A retry budget (as Finagle and Envoy keep one): retries may add at most `ratio` of the requests
 * of the last `windowMs`, plus `minRetries` so a quiet gateway can still retry. When a vendor
 * fails for everyone at once, this is what stops retries from doubling the load on the others.
 */
export interface RetryBudgetOptions {
  ratio: number;
  minRetries: number;
  windowMs: number;
}

export class RetryBudget {
  private requests: number[] = [];
  private retries: number[] = [];

  constructor(
    readonly opts: RetryBudgetOptions,
    private readonly now: () => number = Date.now,
  ) {}

  onRequest(): void {
    // Pruned here too: a gateway that never retries would otherwise keep every request's time.
    this.prune();
    this.requests.push(this.now());
  }

  /** Takes one retry from the budget, or says why there is none left. */
  take(): { ok: true } | { ok: false; reason: string } {
    this.prune();
    const allowed = this.opts.minRetries + Math.floor(this.opts.ratio * this.requests.length);
    if (this.retries.length >= allowed)
      return {
        ok: false,
        reason: `retry budget spent: ${this.retries.length} retries for ${this.requests.length} requests in ${this.opts.windowMs} ms`,
      };
    this.retries.push(this.now());
    return { ok: true };
  }

  /** Requests and retries in the window now, as `take` counts them. */
  get counts(): { requests: number; retries: number } {
    this.prune();
    return { requests: this.requests.length, retries: this.retries.length };
  }

  private prune(): void {
    const since = this.now() - this.opts.windowMs;
    while (this.requests.length > 0 && (this.requests[0] ?? 0) < since) this.requests.shift();
    while (this.retries.length > 0 && (this.retries[0] ?? 0) < since) this.retries.shift();
  }
}
