/**
 * Prometheus metrics of a running mock (`GET /metrics`, also `/__tapedeck/metrics`): a subscriber
 * of the event bus like the stats, on its own prom-client registry so two mocks in one process
 * (tests, `startMock`) never share counters.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MockEvent, MockEvents } from './events.js';
import { UpstreamNames } from './upstream-names.js';
import type { OpenCounts } from './vendor-samples.js';

/** Seconds; from a hit answered from memory (sub-millisecond) to a replayed slow stream. */
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30];

export class MockMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'upstream' | 'outcome'>;
  private readonly faults: Counter<'upstream' | 'kind'>;
  private readonly latency: Histogram<'upstream' | 'outcome'>;
  private readonly costAvoided: Counter<'upstream'>;
  private readonly names = new UpstreamNames();
  private readonly off: () => void;

  constructor(
    events: MockEvents,
    openConnections: () => number,
    /** What is open at each upstream now (vendor-samples.ts); absent: no per-upstream gauges. */
    openAt?: () => ReadonlyMap<string, Readonly<OpenCounts>>,
  ) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'tapedeck_requests_total',
      help: 'Requests the mock answered, by upstream and outcome (hit, miss, passthrough, recorded, refused)',
      labelNames: ['upstream', 'outcome'],
      registers,
    });
    this.faults = new Counter({
      name: 'tapedeck_faults_total',
      help: 'Faults fired, by upstream and kind',
      labelNames: ['upstream', 'kind'],
      registers,
    });
    this.latency = new Histogram({
      name: 'tapedeck_request_duration_seconds',
      help: 'Time from the complete request body to the end of the reply',
      labelNames: ['upstream', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.costAvoided = new Counter({
      name: 'tapedeck_cost_avoided_usd_total',
      help: 'What the hits would have cost at the provider (the recorded cost of every hit), USD',
      labelNames: ['upstream'],
      registers,
    });
    new Gauge({
      name: 'tapedeck_open_connections',
      help: 'Client connections open now',
      registers,
      collect() {
        this.set(openConnections());
      },
    });
    if (openAt) {
      new Gauge({
        name: 'tapedeck_upstream_in_flight',
        help: 'Requests open at each upstream now (arrived, reply not ended)',
        labelNames: ['upstream'],
        registers,
        collect() {
          for (const [upstream, o] of openAt()) this.set({ upstream }, o.inFlight);
        },
      });
      new Gauge({
        name: 'tapedeck_upstream_waiting',
        help: "Requests at each upstream with no header sent yet: the vendor's queue",
        labelNames: ['upstream'],
        registers,
        collect() {
          for (const [upstream, o] of openAt()) this.set({ upstream }, o.waiting);
        },
      });
    }
    this.off = events.subscribe((e) => this.add(e));
  }

  private add(e: MockEvent): void {
    if (e.outcome === 'unrouted') return;
    const upstream = this.names.of(e.request.upstream);
    this.requests.inc({ upstream, outcome: e.outcome });
    this.latency.observe({ upstream, outcome: e.outcome }, e.timings.totalMs / 1000);
    for (const f of e.faults) this.faults.inc({ upstream, kind: f.kind });
    if (e.outcome === 'hit' && e.costAvoidedUsd !== null && e.costAvoidedUsd > 0)
      this.costAvoided.inc({ upstream }, e.costAvoidedUsd);
  }

  /** The text exposition format, with its content type. */
  async render(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  /** A reset starts the counts over, as it does for the stats. */
  reset(): void {
    this.registry.resetMetrics();
  }

  close(): void {
    this.off();
  }
}
