/** What one load step saw, request by request and second by second, turned into a `RunStep`. */
import { summarize } from '../../shared/load/percentiles.js';
import type { StatsSample } from '../../shared/load/vendor-delta.js';
import type { RunSecond, RunStep, RunVendor, VendorSecond } from '../../shared/schema.js';

interface Second {
  requests: number;
  errors: number;
  timeouts: number;
  retries: number;
  latencies: number[];
  vendors: Record<string, number>;
  /** The mock's figures for this second, when it serves samples. */
  connections?: number;
  vendorSide?: Record<string, VendorSecond>;
}

export class StepStats {
  private sent = 0;
  private errors = 0;
  private timeouts = 0;
  private readonly byStatus: Record<string, number> = {};
  private readonly latencies: number[] = [];
  private readonly seconds = new Map<number, Second>();

  /** `runStart`: performance.now() when the run began; seconds are counted from it. */
  constructor(
    readonly concurrency: number,
    private readonly runStart: number,
  ) {}

  private second(at: number): Second {
    return this.secondNo(Math.max(0, Math.floor((at - this.runStart) / 1000)));
  }

  private secondNo(t: number): Second {
    let s = this.seconds.get(t);
    if (!s) {
      s = { requests: 0, errors: 0, timeouts: 0, retries: 0, latencies: [], vendors: {} };
      this.seconds.set(t, s);
    }
    return s;
  }

  get requests(): number {
    return this.sent;
  }

  /** A reply read to its end; `at` is when it ended. Statuses from 400 up are errors. */
  reply(status: number, latencyMs: number, at: number): void {
    this.sent++;
    this.latencies.push(latencyMs);
    const s = this.second(at);
    s.requests++;
    s.latencies.push(latencyMs);
    if (status >= 400) {
      this.errors++;
      s.errors++;
      const k = String(status);
      this.byStatus[k] = (this.byStatus[k] ?? 0) + 1;
    }
  }

  /** No reply: the connection failed or broke. */
  network(at: number): void {
    this.sent++;
    this.errors++;
    this.byStatus.network = (this.byStatus.network ?? 0) + 1;
    const s = this.second(at);
    s.requests++;
    s.errors++;
  }

  /** The client gave up (--timeout). Not an error, and no latency: it has none. */
  timeout(at: number): void {
    this.sent++;
    this.timeouts++;
    const s = this.second(at);
    s.requests++;
    s.timeouts++;
  }

  /**
   * What the mock counted since the previous sample, put in the second that interval began in
   * (`from`): the runner reads on the run's whole seconds, so an interval lies in one second.
   */
  vendorSample(delta: StatsSample, from: number): void {
    const s = this.second(from);
    for (const [name, d] of Object.entries(delta)) {
      s.retries += d.retries;
      if (d.requests > 0) s.vendors[name] = (s.vendors[name] ?? 0) + d.requests;
    }
  }

  /** The mock's sample of run second `t`: its peak sockets and each upstream's figures. */
  vendorSecond(t: number, connections: number, upstreams: Record<string, VendorSecond>): void {
    const s = this.secondNo(t);
    s.connections = connections;
    s.vendorSide = upstreams;
  }

  finish(durationMs: number, vendors: Record<string, RunVendor>): RunStep {
    let retries = 0;
    for (const v of Object.values(vendors)) retries += v.retries;
    const seconds: RunSecond[] = [...this.seconds.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([t, s]) => ({
        t,
        requests: s.requests,
        errors: s.errors,
        timeouts: s.timeouts,
        retries: s.retries,
        p95Ms: s.latencies.length === 0 ? null : summarize(s.latencies).p95,
        vendors: s.vendors,
        connections: s.connections,
        vendorSide: s.vendorSide,
      }));
    return {
      concurrency: this.concurrency,
      requests: this.sent,
      errors: this.errors,
      errorsByStatus: { ...this.byStatus },
      timeouts: this.timeouts,
      retries,
      retriesPerRequest: this.sent === 0 ? 0 : Math.round((retries / this.sent) * 10_000) / 10_000,
      durationMs: Math.round(durationMs * 100) / 100,
      rps: durationMs <= 0 ? 0 : Math.round((this.sent / (durationMs / 1000)) * 100) / 100,
      latencyMs: summarize(this.latencies),
      vendors,
      seconds,
    };
  }
}
