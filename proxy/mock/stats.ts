/**
 * `/__tapedeck/stats`, `/__tapedeck/misses` and `--strict`, kept from the event stream. A request
 * still in flight (a hang) is counted from its live record, so it shows while it hangs.
 */
import type { FiredFault } from '../../shared/faults/engine.js';
import { roundUsd } from '../../shared/providers/cost.js';
import type { MockEvent } from './events.js';
import { ReplayedUsage } from './replayed-usage.js';
import { UpstreamNames } from './upstream-names.js';

export interface Miss {
  at: string;
  upstream: string;
  method: string;
  path: string;
  closest: string | null;
  closestFile: string | null;
  diff: string[];
  /** Set when the request was refused rather than compared (too large, too deep, timed out). */
  reason?: string;
}

export interface UpstreamStats {
  requests: number;
  matched: number;
  unmatched: number;
  /** Unmatched requests that --passthrough forwarded and the upstream answered. */
  passthrough: number;
  /** Unmatched requests that --record-misses forwarded and wrote as new calls (not unmatched). */
  recorded: number;
  faults: Record<string, number>;
  /** What the hits would have cost at the provider (USD); calls without a known price add 0. */
  costAvoidedUsd: number;
  /** Requests that were a client's retry (see retries.ts), each counted once. */
  retries: number;
  /** Requests whose client left before the reply ended (a timeout, an abort, a reset). */
  giveUps: number;
  /** Replies sent with a status of 400 or more. */
  errors: number;
}

/** A request between its match and its end: what the stats count of it before its event. */
export interface InFlight {
  readonly upstream: string;
  fired: readonly FiredFault[];
}

/** Misses kept (the newest), here and per test (test-scopes.ts). */
export const MAX_MISSES = 200;

/** An event the stats count as unmatched: a miss, a refusal, or a passthrough nobody answered. */
export type UnmatchedEvent = Exclude<MockEvent, { outcome: 'hit' | 'unrouted' | 'recorded' }>;

/** Null when the event counts as matched (or is not counted at all). */
export function unmatchedOf(e: MockEvent): UnmatchedEvent | null {
  if (e.outcome === 'unrouted' || e.outcome === 'hit' || e.outcome === 'recorded') return null;
  if (e.outcome === 'passthrough' && e.answered) return null;
  return e;
}

/** The `/__tapedeck/misses` entry of an unmatched request. */
export function missOf(e: UnmatchedEvent): Miss {
  const closest = e.outcome === 'refused' ? null : e.miss.closest;
  const reason =
    e.outcome === 'refused' ? e.reason : e.outcome === 'passthrough' ? 'passthrough failed' : null;
  return {
    at: new Date(e.request.time).toISOString(),
    upstream: e.request.upstream,
    method: e.request.method,
    path: e.request.path,
    closest: closest?.call ?? null,
    closestFile: closest?.file ?? null,
    diff: e.outcome === 'refused' ? [] : [...e.miss.diff],
    ...(reason !== null ? { reason } : {}),
  };
}

export class MockStats {
  private upstreams = new Map<string, UpstreamStats>();
  private readonly names = new UpstreamNames();
  private kept: Miss[] = [];
  /** ISO 8601 of the start or the last reset. */
  since = new Date().toISOString();
  private unmatchedCount = 0;
  private costAvoided = 0;
  /** The calls hit, for `replayed`: their tokens and cost with each response's usage once. */
  readonly replayed = new ReplayedUsage();
  readonly inFlight = new Set<InFlight>();

  /** Unmatched requests since start or the last reset (more than `misses` keeps). */
  get unmatched(): number {
    return this.unmatchedCount;
  }

  /** The newest unmatched requests (at most 200), oldest first. */
  get misses(): readonly Miss[] {
    return this.kept;
  }

  readonly add = (e: MockEvent): void => {
    if (e.outcome === 'unrouted') return;
    const s = this.of(e.request.upstream);
    s.requests++;
    if (e.request.retry) s.retries++;
    if (e.gaveUp) s.giveUps++;
    if (e.status >= 400) s.errors++;
    countFaults(s, e.faults);
    if (e.outcome === 'hit') {
      s.matched++;
      if (e.costAvoidedUsd !== null) {
        s.costAvoidedUsd += e.costAvoidedUsd;
        this.costAvoided += e.costAvoidedUsd;
      }
    } else if (e.outcome === 'passthrough' && e.answered) s.passthrough++;
    else if (e.outcome === 'recorded') s.recorded++;
    else this.miss(s, e);
  };

  /** A passthrough the upstream did not answer still fails --strict: the test got no reply. */
  private miss(s: UpstreamStats, e: UnmatchedEvent): void {
    s.unmatched++;
    this.unmatchedCount++;
    this.kept.push(missOf(e));
    if (this.kept.length > MAX_MISSES) this.kept.shift();
  }

  reset(): void {
    this.upstreams.clear();
    this.names.clear();
    this.kept = [];
    this.unmatchedCount = 0;
    this.costAvoided = 0;
    this.replayed.reset();
    this.since = new Date().toISOString();
  }

  /** Every request finished since start or reset (control requests and unrouted ones aside). */
  get requests(): number {
    let n = 0;
    for (const s of this.upstreams.values()) n += s.requests;
    return n;
  }

  /** What the hits would have cost, in total. */
  get costAvoidedUsd(): number {
    return roundUsd(this.costAvoided);
  }

  /**
   * The ids of `entries` never hit since start or reset, in seq order. Hits are by call id, so a
   * call hit before a reload stays hit after it.
   */
  unused(entries: readonly { id: string; seq: number }[]): string[] {
    const hit = this.replayed.hitIds();
    return entries
      .filter((e) => !hit.has(e.id))
      .sort((a, b) => a.seq - b.seq || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((e) => e.id);
  }

  /** The body of /__tapedeck/stats's counts: finished requests plus those in flight. */
  view(): { upstreams: Record<string, UpstreamStats>; unmatched: number; costAvoidedUsd: number } {
    const upstreams: Record<string, UpstreamStats> = {};
    for (const [name, s] of this.upstreams)
      upstreams[name] = {
        ...s,
        faults: { ...s.faults },
        costAvoidedUsd: roundUsd(s.costAvoidedUsd),
      };
    for (const f of this.inFlight) {
      const s = (upstreams[this.names.of(f.upstream)] ??= empty());
      s.requests++;
      countFaults(s, f.fired);
    }
    return {
      upstreams,
      unmatched: this.unmatchedCount,
      costAvoidedUsd: roundUsd(this.costAvoided),
    };
  }

  private of(sent: string): UpstreamStats {
    const name = this.names.of(sent);
    let s = this.upstreams.get(name);
    if (!s) this.upstreams.set(name, (s = empty()));
    return s;
  }
}

function empty(): UpstreamStats {
  return {
    requests: 0,
    matched: 0,
    unmatched: 0,
    passthrough: 0,
    recorded: 0,
    faults: {},
    costAvoidedUsd: 0,
    retries: 0,
    giveUps: 0,
    errors: 0,
  };
}

function countFaults(s: UpstreamStats, fired: readonly FiredFault[]): void {
  for (const f of fired) s.faults[f.kind] = (s.faults[f.kind] ?? 0) + 1;
}
