/**
 * Decides, per request, which faults fire and what they do to the reply. Pure: the mock server
 * turns the plan into bytes and timers. Counters count HTTP requests (SDK retries included).
 */
import type { ErrorKind } from '../providers/errors.js';
import type { Fault } from '../schema.js';
import { sample } from './distribution.js';
import { draw } from './random.js';
import { fires } from './schedule.js';
import { inScope, type RequestFacts } from './scope.js';

export type FaultKind = Fault['kind'];

/** A fault with where it was declared: `call`, `manifest` or `scenario:NAME`, and its position there. */
export interface FaultSource {
  fault: Fault;
  origin: string;
  key: string;
}

export function sourcesOf(faults: readonly Fault[] | undefined, origin: string): FaultSource[] {
  return (faults ?? []).map((fault, i) => ({ fault, origin, key: `${origin}#${i}` }));
}

export interface FiredFault {
  kind: FaultKind;
  origin: string;
  name?: string;
}

export interface ErrorPlan {
  kind: ErrorKind;
  status?: number;
  retryAfterS?: number;
  message: string;
}

export interface Plan {
  fired: FiredFault[];
  /** Replace the reply with an error in the provider's shape. */
  error: ErrorPlan | null;
  /** Wait before sending headers; `null` ms means until the client gives up. */
  hangBeforeHeaders: { ms: number | null } | null;
  /** Replaces the recorded time to headers (ms). */
  ttfbMs: number | null;
  /** Replaces the recorded gap before stream event i (ms). */
  eventGapMs: ((i: number) => number) | null;
  /** Multiplies the recorded (or replaced) timing. */
  scale: number | null;
  /** After K events (or half a plain body), stop sending; resume after ms, or never. */
  stall: { afterEvents: number; ms: number | null } | null;
  /** After K events (or half a plain body), destroy the socket. */
  cut: { afterEvents: number } | null;
  malformed: { mode: Extract<Fault, { kind: 'malformed' }>['mode']; path?: string } | null;
}

type Aspect = 'error' | 'latency' | 'hangHeaders' | 'stall' | 'cut' | 'malformed';

export function emptyPlan(): Plan {
  return {
    fired: [],
    error: null,
    hangBeforeHeaders: null,
    ttfbMs: null,
    eventGapMs: null,
    scale: null,
    stall: null,
    cut: null,
    malformed: null,
  };
}

const SERVER_ERROR_KIND: Readonly<Record<number, ErrorKind>> = {
  500: 'server_error',
  502: 'bad_gateway',
  503: 'unavailable',
  529: 'overloaded',
};

export interface EngineOptions {
  seed: string;
  /** Faults from tapedeck.json and the chosen scenario, applied by scope. */
  scoped: readonly FaultSource[];
}

/**
 * What `plan` counts: requests in all, per upstream and per call. The engine keeps one set; a
 * caller can keep more (one per test, see proxy/mock/test-scopes.ts) and pass its own to `plan`.
 * A fault's draws depend on the seed, the fault, the counter and its number, so the same seed and
 * the same counts give the same faults whichever set counted them.
 */
export class FaultCounters {
  global = 0;
  readonly upstreams = new Map<string, number>();
  readonly calls = new Map<string, number>();

  reset(): void {
    this.global = 0;
    this.upstreams.clear();
    this.calls.clear();
  }
}

export class FaultEngine {
  private seed: string;
  private scoped: readonly FaultSource[];
  // Counted on every request, faults or not, so a schedule edited in later sees the true numbers.
  private readonly counters = new FaultCounters();

  constructor(opts: EngineOptions) {
    this.seed = opts.seed;
    this.scoped = opts.scoped;
  }

  /** New faults from a reloaded snapshot; counters go on, so a schedule is not restarted by an edit. */
  setScoped(scoped: readonly FaultSource[]): void {
    this.scoped = scoped;
  }

  /** Forgets the engine's own counts (not those of `newCounters`, which belong to their caller). */
  reset(): void {
    this.counters.reset();
  }

  /** Counters of their own, all at zero, for `plan`'s `counters`. */
  newCounters(): FaultCounters {
    return new FaultCounters();
  }

  private static bump(map: Map<string, number>, key: string): number {
    const n = (map.get(key) ?? 0) + 1;
    map.set(key, n);
    return n;
  }

  /**
   * Counts the request and returns what its faults do. `callFaults` are the matched call's own
   * (null when unmatched); `elapsedMs` is the time since start or reset (of whoever owns
   * `counters`). `counters`: where to count; the engine's own without them.
   */
  plan(
    facts: RequestFacts,
    callId: string | null,
    callFaults: readonly FaultSource[] | null,
    elapsedMs: number,
    counters: FaultCounters = this.counters,
  ): Plan {
    const global = ++counters.global;
    const upstreamN = FaultEngine.bump(counters.upstreams, facts.upstream);
    const callN = callId ? FaultEngine.bump(counters.calls, callId) : 0;
    const plan = emptyPlan();
    if (this.scoped.length === 0 && (!callFaults || callFaults.length === 0)) return plan;
    const counts: Record<'upstream' | 'call' | 'global', [string, number]> = {
      global: ['global', global],
      upstream: [`upstream:${facts.upstream}`, upstreamN],
      call: [`call:${callId ?? '-'}`, callN],
    };

    const candidates = [
      ...(callFaults ?? []),
      ...this.scoped.filter((s) => inScope(s.fault.scope, facts)),
    ];
    const applied: Array<[FiredFault, Aspect]> = [];
    for (const src of candidates) {
      const f = src.fault;
      const [counterKey, n] = counts[f.counter ?? 'upstream'];
      if (n === 0) continue;
      const sched = { n, elapsedMs, seed: this.seed, key: src.key, counterKey };
      if (!fires(f, sched)) continue;
      const u = (purpose: string, i = 0) => draw(this.seed, src.key, counterKey, n, purpose, i);
      const aspect = this.apply(plan, f, u);
      if (aspect) {
        const fired: FiredFault = { kind: f.kind, origin: src.origin };
        if (f.name !== undefined) fired.name = f.name;
        applied.push([fired, aspect]);
      }
    }
    // An error reply has no body to cut, stall or break: those faults did not happen.
    const bodyAspects: readonly Aspect[] = ['stall', 'cut', 'malformed'];
    if (plan.error) {
      plan.stall = plan.cut = plan.malformed = null;
    }
    plan.fired = applied
      .filter(([, a]) => !(plan.error && bodyAspects.includes(a)))
      .map(([f]) => f);
    return plan;
  }

  /** Folds one firing fault into the plan; null when an earlier fault already decided that aspect. */
  private apply(plan: Plan, f: Fault, u: (purpose: string, i?: number) => number): Aspect | null {
    switch (f.kind) {
      case 'rateLimit':
        if (plan.error) return null;
        plan.error = {
          kind: 'rate_limit',
          retryAfterS: f.retryAfterS ?? 1,
          message:
            'Rate limit reached for requests. Please try again later. (injected by Tapedeck)',
        };
        return 'error';
      case 'serverError': {
        if (plan.error) return null;
        plan.error = {
          kind: SERVER_ERROR_KIND[f.status] ?? 'server_error',
          message: `${f.status === 529 ? 'Overloaded' : 'The server had an error processing your request'} (injected by Tapedeck)`,
        };
        if (f.status !== 529) plan.error.status = f.status;
        return 'error';
      }
      case 'latency': {
        if (f.ttfb) plan.ttfbMs = (plan.ttfbMs ?? 0) + sample(f.ttfb, u('ttfb', 1), u('ttfb', 2));
        if (f.perEvent) {
          const d = f.perEvent;
          const prev = plan.eventGapMs;
          plan.eventGapMs = (i) =>
            (prev ? prev(i) : 0) + sample(d, u('event', 2 * i), u('event', 2 * i + 1));
        }
        if (f.scale !== undefined) plan.scale = (plan.scale ?? 1) * f.scale;
        return 'latency';
      }
      case 'hang':
        if (f.afterEvents !== undefined) {
          if (plan.stall || plan.cut) return null;
          plan.stall = { afterEvents: f.afterEvents, ms: f.ms ?? null };
          return 'stall';
        }
        if (plan.hangBeforeHeaders) return null;
        plan.hangBeforeHeaders = { ms: f.beforeHeadersMs ?? null };
        return 'hangHeaders';
      case 'cutStream':
        if (plan.cut || plan.stall) return null;
        plan.cut = { afterEvents: f.afterEvents };
        return 'cut';
      case 'malformed':
        if (plan.malformed) return null;
        plan.malformed = f.path === undefined ? { mode: f.mode } : { mode: f.mode, path: f.path };
        return 'malformed';
    }
  }
}
