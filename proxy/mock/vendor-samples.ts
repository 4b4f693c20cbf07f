/**
 * The vendor side, second by second (`GET /__tapedeck/samples`, issue #12 item 3): per upstream,
 * per wall-clock second, the requests that ended, the peak open and still-waiting requests, TTFB
 * and total-time histograms, retries, give-ups, errors and faults; and the server's peak open
 * sockets. A ring of the last 15 minutes: memory is bounded by the seconds kept and the upstreams
 * seen, never by the request rate.
 *
 * Peaks are exact, not polled: every change of an open count goes through here (a request's start,
 * its headers, its end, a socket), and a second nothing changed in inherits the counts of the one
 * before, so a hang shows in every second it hangs.
 */
import { performance } from 'node:perf_hooks';
import {
  histogramAdd,
  histogramPercentile,
  type LogHistogram,
} from '../../shared/load/histogram.js';
import { SAMPLES_FORMAT, type MockSamples, type VendorSecond } from '../../shared/schema.js';
import type { MockEvent } from './events.js';
import { UpstreamNames } from './upstream-names.js';

/** Seconds kept. */
export const SAMPLE_SECONDS = 900;
const INTERVAL_MS = 1000;

/** What is open at one upstream right now. */
export interface OpenCounts {
  /** Arrived, reply not ended. */
  inFlight: number;
  /** Of those, no header sent yet: the vendor's queue. */
  waiting: number;
}

interface UpstreamSecond {
  requests: number;
  inFlight: number;
  waiting: number;
  ttfb: LogHistogram;
  total: LogHistogram;
  retries: number;
  giveUps: number;
  errors: number;
  faults: Record<string, number>;
  malformed: number;
}

interface Second {
  /** The second's number since the epoch (its start is n × 1000 ms). */
  n: number;
  connections: number;
  upstreams: Map<string, UpstreamSecond>;
}

/** One request between its start and its end; told by the response when its headers go out. */
export class SampledFlight {
  waiting = true;
  ended = false;
  constructor(
    private readonly samples: VendorSamples,
    readonly upstream: string,
  ) {}

  /** The first header went out: the request leaves the queue (called once, by TimedResponse). */
  headersSent(): void {
    if (!this.waiting || this.ended) return;
    this.waiting = false;
    this.samples.changed(this.upstream, 0, -1);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.samples.changed(this.upstream, -1, this.waiting ? -1 : 0);
    this.waiting = false;
  }
}

/** A sink that says when its headers go out (TimedResponse); others are seen to answer at their end. */
interface Watchable {
  headersWatch?: { headersSent(): void } | null;
  readonly headersSent: boolean;
}

const epochNow = (): number => performance.timeOrigin + performance.now();

function emptySecond(open: OpenCounts | undefined): UpstreamSecond {
  return {
    requests: 0,
    inFlight: open?.inFlight ?? 0,
    waiting: open?.waiting ?? 0,
    ttfb: {},
    total: {},
    retries: 0,
    giveUps: 0,
    errors: 0,
    faults: {},
    malformed: 0,
  };
}

const round = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);

export class VendorSamples {
  private ring: (Second | undefined)[] = new Array<Second | undefined>(SAMPLE_SECONDS);
  private readonly open = new Map<string, OpenCounts>();
  private readonly names = new UpstreamNames();
  private connections = 0;
  /** The newest second touched: the seconds after it inherit what is open now. */
  private last = -1;

  constructor(private readonly now: () => number = epochNow) {}

  /** A request of `upstream` starts being answered into `res`. */
  start(upstream: string, res: Watchable): SampledFlight {
    const flight = new SampledFlight(this, upstream);
    this.changed(upstream, 1, 1);
    if (res.headersSent) flight.headersSent();
    else if ('headersWatch' in res) res.headersWatch = flight;
    return flight;
  }

  /** The server's open client sockets, now. */
  setConnections(n: number): void {
    const s = this.second();
    this.connections = n;
    if (n > s.connections) s.connections = n;
  }

  /** @internal An open count of `upstream` changed by the deltas. */
  changed(sent: string, inFlight: number, waiting: number): void {
    const upstream = this.names.of(sent);
    const s = this.second();
    let o = this.open.get(upstream);
    if (!o) this.open.set(upstream, (o = { inFlight: 0, waiting: 0 }));
    const u = this.upstreamOf(s, upstream);
    o.inFlight = Math.max(0, o.inFlight + inFlight);
    o.waiting = Math.max(0, Math.min(o.inFlight, o.waiting + waiting));
    if (o.inFlight > u.inFlight) u.inFlight = o.inFlight;
    if (o.waiting > u.waiting) u.waiting = o.waiting;
  }

  /** A bus subscriber: the request's figures go to the second it ended in. */
  readonly add = (e: MockEvent): void => {
    if (e.outcome === 'unrouted') return;
    const u = this.upstreamOf(this.second(), this.names.of(e.request.upstream));
    u.requests++;
    if (e.request.retry) u.retries++;
    if (e.gaveUp) u.giveUps++;
    if (e.status >= 400) u.errors++;
    // A client that gave up before the first byte waited at least this long for it: counted at its
    // wait, as `tapedeck load` counts a timeout, so a vendor whose callers give up shows slow.
    const ttfb = e.timings.ttfbMs ?? (e.gaveUp ? e.timings.totalMs : null);
    if (ttfb !== null) histogramAdd(u.ttfb, ttfb);
    histogramAdd(u.total, e.timings.totalMs);
    for (const f of e.faults) {
      u.faults[f.kind] = (u.faults[f.kind] ?? 0) + 1;
      if (f.kind === 'malformed') u.malformed++;
    }
  };

  /** What is open at each upstream now (the Prometheus gauges). */
  openNow(): ReadonlyMap<string, Readonly<OpenCounts>> {
    return this.open;
  }

  /** The seconds kept, oldest first; with `since`, those starting at `since` − 1 s or later. */
  view(since: number | null = null): MockSamples {
    const now = this.now();
    this.second();
    const newest = Math.floor(now / INTERVAL_MS);
    const seconds: MockSamples['seconds'] = [];
    for (let n = newest - SAMPLE_SECONDS + 1; n <= newest; n++) {
      const s = this.ring[n % SAMPLE_SECONDS];
      if (s === undefined || s.n !== n) continue;
      if (s.connections === 0 && s.upstreams.size === 0) continue;
      const t = n * INTERVAL_MS;
      if (since !== null && t < since - INTERVAL_MS) continue;
      const upstreams: Record<string, VendorSecond> = {};
      for (const [name, u] of s.upstreams) upstreams[name] = vendorSecond(u);
      seconds.push({ t, connections: s.connections, upstreams });
    }
    return { format: SAMPLES_FORMAT, now, intervalMs: INTERVAL_MS, seconds };
  }

  /**
   * Forgets the seconds kept. What is open stays open: those requests are still there, and their
   * ends will be counted against it.
   */
  reset(): void {
    this.ring = new Array<Second | undefined>(SAMPLE_SECONDS);
    this.last = -1;
  }

  /** The current second, the seconds since the last one touched filled with what stayed open. */
  private second(): Second {
    const n = Math.floor(this.now() / INTERVAL_MS);
    if (n > this.last) {
      const from = this.last < 0 ? n : Math.max(this.last + 1, n - SAMPLE_SECONDS + 1);
      if (this.anythingOpen()) for (let i = from; i < n; i++) this.fresh(i);
      this.last = n;
    }
    const s = this.ring[n % SAMPLE_SECONDS];
    return s !== undefined && s.n === n ? s : this.fresh(n);
  }

  private anythingOpen(): boolean {
    if (this.connections > 0) return true;
    for (const o of this.open.values()) if (o.inFlight > 0) return true;
    return false;
  }

  /** Second `n` as it starts: the sockets and requests open then are its first peaks. */
  private fresh(n: number): Second {
    const s: Second = { n, connections: this.connections, upstreams: new Map() };
    for (const [name, o] of this.open) if (o.inFlight > 0) s.upstreams.set(name, emptySecond(o));
    this.ring[n % SAMPLE_SECONDS] = s;
    return s;
  }

  private upstreamOf(s: Second, name: string): UpstreamSecond {
    let u = s.upstreams.get(name);
    if (!u) s.upstreams.set(name, (u = emptySecond(this.open.get(name))));
    return u;
  }
}

function vendorSecond(u: UpstreamSecond): VendorSecond {
  return {
    requests: u.requests,
    inFlight: u.inFlight,
    waiting: u.waiting,
    ttfbP50Ms: round(histogramPercentile(u.ttfb, 50)),
    ttfbP95Ms: round(histogramPercentile(u.ttfb, 95)),
    p95Ms: round(histogramPercentile(u.total, 95)),
    retries: u.retries,
    giveUps: u.giveUps,
    errors: u.errors,
    faults: { ...u.faults },
    malformed: u.malformed,
    histograms: { ttfbMs: { ...u.ttfb }, totalMs: { ...u.total } },
  };
}
