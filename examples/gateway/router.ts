/**
 * The router: capability filters, then the breakers, then scoring and the weighted pick, then the
 * attempts along a fallback chain that only holds models covering the request, within a time
 * budget, retrying only transient failures and only while the retry budget lasts. Every decision is
 * one structured log line naming its rule, the request id and the vendor.
 */
import type { Logger } from 'pino';
import { needsOf, uncovered, type Needs } from './capabilities.js';
import { Breaker, type Admission, type BreakerOptions } from './breaker.js';
import type { ModelEntry } from './registry.js';
import type { RouteRequest } from './request.js';
import { RetryBudget, type RetryBudgetOptions } from './retry-budget.js';
import { score, WeightedRoundRobin, type Scored } from './score.js';
import { toolCallProblem } from './tool-calls.js';
import { VendorClient, type AttemptResult } from './vendor-call.js';

export interface RouterOptions {
  /** The most a request may take, all attempts together. */
  deadlineMs: number;
  /** Attempts beyond the first, at most. */
  maxRetries: number;
  retryBudget: RetryBudgetOptions;
  availability: BreakerOptions;
  toolQuality: BreakerOptions;
  now?: () => number;
}

export const DEFAULT_OPTIONS: RouterOptions = {
  deadlineMs: 6000,
  maxRetries: 2,
  retryBudget: { ratio: 0.2, minRetries: 10, windowMs: 10_000 },
  // Three timeouts or 5xx in a row: the vendor is down for everyone, not unlucky once.
  availability: { consecutive: 3, failureRate: 0.5, window: 20, minSamples: 10, cooldownMs: 5000 },
  // One broken tool call in ten is already more than an agent can live with.
  toolQuality: { consecutive: 0, failureRate: 0.1, window: 20, minSamples: 10, cooldownMs: 30_000 },
};

export interface RouteIds {
  requestId: string;
  /** The request's number in arrival order, from 1. */
  seq: number;
}

export interface RouteResult {
  status: number;
  body: unknown;
  vendor: string | null;
  attempts: number;
}

interface Vendor {
  entry: ModelEntry;
  client: VendorClient;
  availability: Breaker;
  tools: Breaker;
  latencyMs: number | null;
  inFlight: number;
}

const EWMA = 0.2;

function errorBody(type: string, message: string, ids: RouteIds, vendor: string | null) {
  return { error: { type, message, request_id: ids.requestId, vendor } };
}

export class Router {
  private readonly vendors = new Map<string, Vendor>();
  private readonly wrr = new WeightedRoundRobin();
  private readonly budget: RetryBudget;
  private readonly now: () => number;

  constructor(
    registry: readonly ModelEntry[],
    private readonly log: Logger,
    private readonly opts: RouterOptions = DEFAULT_OPTIONS,
  ) {
    this.now = opts.now ?? Date.now;
    this.budget = new RetryBudget(opts.retryBudget, this.now);
    for (const entry of registry)
      this.vendors.set(entry.vendor, {
        entry,
        client: new VendorClient(entry),
        availability: new Breaker(`${entry.vendor}/availability`, opts.availability, this.now),
        tools: new Breaker(`${entry.vendor}/tools`, opts.toolQuality, this.now),
        latencyMs: null,
        inFlight: 0,
      });
  }

  /** For GET /v1/vendors: each vendor's breakers and the latency the score uses. */
  view() {
    return [...this.vendors.values()].map((v) => ({
      vendor: v.entry.vendor,
      model: v.entry.model,
      availability: v.availability.state,
      tools: v.tools.state,
      latencyMs: v.latencyMs === null ? null : Math.round(v.latencyMs),
      inFlight: v.inFlight,
    }));
  }

  async route(req: RouteRequest, ids: RouteIds): Promise<RouteResult> {
    const started = this.now();
    this.budget.onRequest();
    const needs = needsOf(req);
    const excluded: Record<string, string> = {};
    const capable: Vendor[] = [];
    for (const v of this.vendors.values()) {
      const why = uncovered(v.entry, needs);
      if (why !== null) excluded[v.entry.vendor] = `capability: ${why}`;
      else capable.push(v);
    }
    if (capable.length === 0) {
      this.log.warn(
        { event: 'failed', rule: 'capability-filter', ...ids, vendor: null, needs, excluded },
        `${ids.requestId}: no model covers this request`,
      );
      return {
        status: 422,
        body: errorBody('no_capable_model', 'no model covers this request', ids, null),
        vendor: null,
        attempts: 0,
      };
    }
    const healthy = capable.filter((v) => {
      const why = this.gate(v, needs, ids);
      if (why !== null) excluded[v.entry.vendor] = why;
      return why === null;
    });
    const scored = score(
      healthy.map((v) => v.entry),
      needs,
      (e) => this.vendors.get(e.vendor)?.latencyMs ?? e.latencyP50Ms,
    );
    const first = this.wrr.pick(scored);
    if (first === undefined) {
      this.log.warn(
        { event: 'failed', rule: 'all-vendors-gated', ...ids, vendor: null, excluded },
        `${ids.requestId}: every capable vendor is gated: ${Object.entries(excluded)
          .map(([k, r]) => `${k} ${r}`)
          .join('; ')}`,
      );
      return {
        status: 503,
        body: errorBody('no_vendor_available', 'every capable vendor is gated', ids, null),
        vendor: null,
        attempts: 0,
      };
    }
    const chain = this.chainOf(first.vendor, capable, scored);
    this.log.info(
      {
        event: 'route',
        rule: 'weighted-score',
        ...ids,
        vendor: first.vendor,
        candidates: scored,
        excluded,
        chain,
      },
      `${ids.requestId} → ${first.vendor}: ${explainPick(first, scored, excluded)}`,
    );
    return this.attempts(req, needs, ids, chain, started);
  }

  /** Why a capable vendor may not take this request now (its breakers), or null. */
  private gate(v: Vendor, needs: Needs, ids: RouteIds): string | null {
    const a = this.peek(v.availability, v, ids);
    if (!a.ok) return `circuit-open: ${a.reason}`;
    if (needs.tools) {
      const t = this.peek(v.tools, v, ids);
      if (!t.ok) return `tool-quarantine: ${t.reason}`;
    }
    return null;
  }

  /** An admission that reserves nothing: a half-open slot is taken when the attempt is made. */
  private peek(b: Breaker, v: Vendor, ids: RouteIds): Admission {
    const a = b.admit();
    this.logChanges(b, v, ids);
    if (a.ok) b.release(a.probe);
    return a;
  }

  /** The picked vendor, its declared fallbacks, then the other healthy ones by score: all capable. */
  private chainOf(first: string, capable: readonly Vendor[], scored: readonly Scored[]): string[] {
    const ok = new Set(capable.map((v) => v.entry.vendor));
    const chain = [first];
    for (const f of this.vendors.get(first)?.entry.fallbacks ?? [])
      if (ok.has(f) && !chain.includes(f)) chain.push(f);
    for (const s of scored) if (!chain.includes(s.vendor)) chain.push(s.vendor);
    return chain;
  }

  private async attempts(
    req: RouteRequest,
    needs: Needs,
    ids: RouteIds,
    chain: readonly string[],
    started: number,
  ): Promise<RouteResult> {
    const body: Record<string, unknown> = { ...req };
    let last: { status: number; type: string; message: string; vendor: string } | null = null;
    // Attempts sent; the chain may hold more vendors than are tried (gated ones are skipped).
    let tries = 0;
    for (const name of chain) {
      if (tries > this.opts.maxRetries) break;
      const v = this.vendors.get(name);
      if (v === undefined) continue;
      const retry = tries > 0;
      if (retry && this.opts.deadlineMs - (this.now() - started) <= 0) {
        this.log.warn(
          { event: 'no-retry', rule: 'deadline', ...ids, vendor: name, attempt: tries },
          `${ids.requestId}: no time left for ${name} (deadline ${this.opts.deadlineMs} ms)`,
        );
        break;
      }
      const avail = v.availability.admit();
      this.logChanges(v.availability, v, ids);
      const tools = needs.tools && avail.ok ? v.tools.admit() : { ok: true as const, probe: false };
      this.logChanges(v.tools, v, ids);
      if (!avail.ok || !tools.ok) {
        if (avail.ok) v.availability.release(avail.probe);
        const reason = !avail.ok
          ? `circuit-open: ${avail.reason}`
          : `tool-quarantine: ${(tools as { reason: string }).reason}`;
        this.log.info(
          {
            event: 'skip',
            rule: reason.split(':')[0],
            ...ids,
            vendor: name,
            attempt: tries,
            reason,
          },
          `${ids.requestId}: skips ${name}: ${reason}`,
        );
        continue;
      }
      const probe = avail.probe || tools.probe;
      if (retry) {
        const b = this.budget.take();
        if (!b.ok) {
          v.availability.release(avail.probe);
          v.tools.release(tools.probe);
          this.log.warn(
            {
              event: 'no-retry',
              rule: 'retry-budget',
              ...ids,
              vendor: name,
              attempt: tries,
              reason: b.reason,
            },
            `${ids.requestId}: no retry on ${name}: ${b.reason}`,
          );
          break;
        }
      }
      const timeoutMs = Math.max(
        1,
        Math.min(v.entry.timeoutMs, this.opts.deadlineMs - (this.now() - started)),
      );
      this.log.info(
        {
          event: retry ? 'retry' : 'attempt',
          rule: retry ? 'fallback-chain' : 'weighted-score',
          ...ids,
          vendor: name,
          attempt: tries,
          probe,
          timeoutMs,
          ...(retry ? { from: last?.vendor, reason: last?.message } : {}),
        },
        retry
          ? `${ids.requestId}: retry ${tries} on ${name} (covers the request) after ${last?.message}`
          : `${ids.requestId}: attempt on ${name}${probe ? ' (half-open probe)' : ''}, budget ${timeoutMs} ms`,
      );
      v.inFlight++;
      const r = await v.client.call(body, { timeoutMs, attempt: tries, requestId: ids.requestId });
      v.inFlight--;
      tries++;
      this.observeLatency(v, r);
      const outcome = this.settle(v, r, req, ids, tries - 1, {
        avail: avail.probe,
        tools: tools.probe,
      });
      if (outcome.done) return { ...outcome.result, attempts: tries };
      last = outcome.failure;
    }
    const status = last?.status ?? 503;
    this.log.error(
      { event: 'failed', rule: 'attempts-exhausted', ...ids, vendor: last?.vendor ?? null, chain },
      `${ids.requestId}: failed after ${tries} attempt(s) along ${chain.join(' → ')}: ${last?.message ?? 'no vendor could be tried'}`,
    );
    return {
      status,
      body: errorBody(
        last?.type ?? 'no_vendor_available',
        last?.message ?? 'no vendor could be tried',
        ids,
        last?.vendor ?? null,
      ),
      vendor: last?.vendor ?? null,
      attempts: tries,
    };
  }

  /** Feeds the attempt to the breakers and decides: answer now, or try the next vendor. */
  private settle(
    v: Vendor,
    r: AttemptResult,
    req: RouteRequest,
    ids: RouteIds,
    attempt: number,
    probe: { avail: boolean; tools: boolean },
  ):
    | { done: true; result: Omit<RouteResult, 'attempts'> }
    | { done: false; failure: { status: number; type: string; message: string; vendor: string } } {
    const vendor = v.entry.vendor;
    if (r.kind === 'ok' || r.kind === 'malformed') {
      v.availability.record(true, probe.avail);
      this.logChanges(v.availability, v, ids);
      const problem =
        r.kind === 'malformed' ? r.detail : toolCallProblem(r.completion, req.tools ?? []);
      if (req.tools !== undefined && req.tools.length > 0) {
        v.tools.record(problem === null, probe.tools, problem ?? '');
        this.logChanges(v.tools, v, ids);
      } else v.tools.release(probe.tools);
      if (problem !== null) {
        // Never retried: the vendor answered, and another try costs money for the same risk.
        this.log.warn(
          {
            event: 'parser-error',
            rule: 'no-retry-on-malformed',
            ...ids,
            vendor,
            attempt,
            reason: problem,
            ms: r.ms,
          },
          `${ids.requestId}: parser error from ${vendor}: ${problem}`,
        );
        return {
          done: true,
          result: {
            status: 502,
            body: errorBody(
              'parser_error',
              `${vendor} returned a tool call that cannot run: ${problem}`,
              ids,
              vendor,
            ),
            vendor,
          },
        };
      }
      this.log.info(
        {
          event: 'done',
          rule: attempt === 0 ? 'weighted-score' : 'fallback-chain',
          ...ids,
          vendor,
          attempt,
          ms: r.ms,
        },
        `${ids.requestId}: answered by ${vendor} in ${r.ms} ms`,
      );
      return {
        done: true,
        result: { status: 200, body: r.kind === 'ok' ? r.completion : null, vendor },
      };
    }
    v.tools.release(probe.tools);
    if (r.kind === 'rejected') {
      v.availability.record(true, probe.avail);
      this.logChanges(v.availability, v, ids);
      this.log.warn(
        {
          event: 'failed',
          rule: 'no-retry-on-rejection',
          ...ids,
          vendor,
          attempt,
          status: r.status,
          reason: r.detail,
        },
        `${ids.requestId}: ${vendor} rejected the request (${r.detail}); not retried`,
      );
      return {
        done: true,
        result: {
          status: r.status,
          body: errorBody('vendor_rejected', r.detail, ids, vendor),
          vendor,
        },
      };
    }
    v.availability.record(false, probe.avail, r.detail);
    this.logChanges(v.availability, v, ids);
    this.log.warn(
      {
        event: 'attempt-failed',
        rule: 'transient',
        ...ids,
        vendor,
        attempt,
        kind: r.kind,
        status: r.status,
        reason: r.detail,
        ms: r.ms,
      },
      `${ids.requestId}: ${vendor} ${r.detail}`,
    );
    return {
      done: false,
      failure: {
        status: r.kind === 'timeout' ? 504 : 502,
        type: r.kind === 'timeout' ? 'vendor_timeout' : 'vendor_unavailable',
        message: `${vendor}: ${r.detail}`,
        vendor,
      },
    };
  }

  /** A timeout counts at the time given up on, so a slow vendor's score worsens as it fails. */
  private observeLatency(v: Vendor, r: AttemptResult): void {
    if (r.kind !== 'ok' && r.kind !== 'timeout') return;
    v.latencyMs = v.latencyMs === null ? r.ms : v.latencyMs + EWMA * (r.ms - v.latencyMs);
  }

  private logChanges(b: Breaker, v: Vendor, ids: RouteIds): void {
    for (const c of b.drain())
      this.log.warn(
        {
          event: 'breaker',
          rule: 'circuit-breaker',
          ...ids,
          vendor: v.entry.vendor,
          breaker: c.breaker,
          from: c.from,
          to: c.to,
          reason: c.reason,
        },
        `${c.breaker} ${c.from} → ${c.to}: ${c.reason}`,
      );
  }
}

function explainPick(
  first: Scored,
  scored: readonly Scored[],
  excluded: Record<string, string>,
): string {
  const total = scored.reduce((n, s) => n + s.weight, 0);
  const share = (s: Scored) => `${Math.round((s.weight / total) * 100)}%`;
  const parts = [
    `its turn in the weighted round robin (score ${first.score}: cost $${first.costUsd.toFixed(6)}, latency ${first.latencyMs} ms; ${share(first)} of traffic)`,
  ];
  for (const s of scored)
    if (s.vendor !== first.vendor) parts.push(`${s.vendor} score ${s.score} (${share(s)})`);
  for (const [k, why] of Object.entries(excluded)) parts.push(`${k} excluded: ${why}`);
  return parts.join('; ');
}
