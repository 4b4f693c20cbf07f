/**
 * The gateway-testing guide's success criteria, checked from the gateway's log and the run report
 * of `tapedeck load`: each one a verdict with the figures behind it. The example's test asserts
 * them; `loop.ts` prints them after a full run.
 */
import type { RunReport } from '../../shared/schema.js';
import type { RetryBudgetOptions } from './retry-budget.js';

export interface LogLine {
  time: number;
  event: string;
  rule: string;
  requestId: string;
  seq: number;
  vendor: string | null;
  msg: string;
  attempt?: number;
  probe?: boolean;
  breaker?: string;
  to?: string;
  kind?: string;
  reason?: string;
}

export interface Verdict {
  name: string;
  ok: boolean;
  detail: string;
}

export interface CriteriaOptions {
  /** The vendor that degrades (B) and the one expected to take over (A). */
  degraded: string;
  takeover: string;
  maxSwitchMs: number;
  maxRetries: number;
  retryBudget: RetryBudgetOptions;
  minSuccess: number;
  /** The request whose routing must be explained (the guide's request 67). */
  explain: number;
}

/** After the vendor's first timeout, how long until no more regular (non-probe) attempts went to it. */
export function switchAway(lines: readonly LogLine[], o: CriteriaOptions): Verdict {
  const name = `switches away from timed-out ${o.degraded} within ${o.maxSwitchMs} ms`;
  const first = lines.find(
    (l) => l.event === 'attempt-failed' && l.vendor === o.degraded && l.kind === 'timeout',
  );
  if (first === undefined) return { name, ok: false, detail: `${o.degraded} never timed out` };
  const opened = lines.find(
    (l) =>
      l.event === 'breaker' &&
      l.breaker === `${o.degraded}/availability` &&
      l.to === 'open' &&
      l.time >= first.time,
  );
  // A breaker closed again by a good probe lets traffic back: only the time before that counts.
  const reclosed = lines.find(
    (l) =>
      l.event === 'breaker' &&
      l.breaker === `${o.degraded}/availability` &&
      l.to === 'closed' &&
      l.time > first.time,
  );
  const until = reclosed?.time ?? Infinity;
  const regular = lines.filter(
    (l) =>
      (l.event === 'attempt' || l.event === 'retry') &&
      l.vendor === o.degraded &&
      l.probe !== true &&
      l.time >= first.time &&
      l.time < until,
  );
  const lastRegular = regular.at(-1)?.time ?? first.time;
  const ms = lastRegular - first.time;
  const afterOpen = opened === undefined ? [] : regular.filter((l) => l.time > opened.time);
  const ok = opened !== undefined && ms <= o.maxSwitchMs && afterOpen.length === 0;
  return {
    name,
    ok,
    detail:
      opened === undefined
        ? `${o.degraded}'s breaker never opened after its first timeout`
        : `first timeout → breaker open ${opened.time - first.time} ms; last regular attempt ${ms} ms after the first timeout; ${afterOpen.length} regular attempts while open`,
  };
}

/** Per request at most maxRetries retries, and no retry beyond the sliding budget. */
export function retriesWithinBudget(
  lines: readonly LogLine[],
  report: RunReport | null,
  o: CriteriaOptions,
): Verdict {
  const name = `retries stay within the budget (≤ ${o.maxRetries} per request, ≤ ${o.retryBudget.minRetries} + ${o.retryBudget.ratio * 100}% of requests per ${o.retryBudget.windowMs / 1000} s)`;
  const perRequest = new Map<number, number>();
  const arrivals: number[] = [];
  const retries: number[] = [];
  // The budget counts every request routed: its first line, unless the body was refused before.
  const seen = new Set<number>();
  for (const l of lines) {
    if (!seen.has(l.seq) && l.event !== 'bad-request') {
      seen.add(l.seq);
      arrivals.push(l.time);
    }
    if (l.event === 'retry') {
      perRequest.set(l.seq, (perRequest.get(l.seq) ?? 0) + 1);
      retries.push(l.time);
    }
  }
  const worst = Math.max(0, ...perRequest.values());
  let overBudget = 0;
  for (const t of retries) {
    const since = t - o.retryBudget.windowMs;
    const reqs = arrivals.filter((a) => a >= since && a <= t).length;
    const used = retries.filter((r) => r >= since && r <= t).length;
    if (used > o.retryBudget.minRetries + Math.floor(o.retryBudget.ratio * reqs)) overBudget++;
  }
  const mockSaw = report === null ? null : report.steps.reduce((n, s) => n + s.retries, 0);
  const agree = mockSaw === null || mockSaw === retries.length;
  return {
    name,
    ok: worst <= o.maxRetries && overBudget === 0 && agree,
    detail: `${retries.length} retries in all, at most ${worst} for one request, ${overBudget} over the budget${mockSaw === null ? '' : `; the vendors (mock) saw ${mockSaw}`}`,
  };
}

/** Every malformed reply the mock sent is logged as a parser error with vendor and request id, never retried, and the gateway answered every request. */
export function parserErrorsLogged(lines: readonly LogLine[], report: RunReport | null): Verdict {
  const name =
    'a broken tool call is logged as a parser error (vendor, request id), not retried, and crashes nothing';
  const parser = lines.filter((l) => l.event === 'parser-error');
  const complete = parser.every((l) => typeof l.vendor === 'string' && l.requestId.length > 0);
  const retried = parser.filter((p) =>
    lines.some((l) => l.event === 'retry' && l.seq === p.seq && l.time >= p.time),
  ).length;
  const internal = lines.filter((l) => l.rule === 'internal-error').length;
  const sent =
    report === null
      ? null
      : report.steps.reduce(
          (n, s) =>
            n + Object.values(s.vendors).reduce((m, v) => m + (v.faults['malformed'] ?? 0), 0),
          0,
        );
  const network =
    report === null ? 0 : report.steps.reduce((n, s) => n + (s.errorsByStatus['network'] ?? 0), 0);
  const ok =
    parser.length > 0 &&
    complete &&
    retried === 0 &&
    internal === 0 &&
    network === 0 &&
    (sent === null || sent === parser.length);
  return {
    name,
    ok,
    detail: `${parser.length} parser errors logged (${[...new Set(parser.map((p) => p.vendor))].join(', ') || 'none'})${sent === null ? '' : `, ${sent} malformed replies sent by the mock`}; ${retried} retried; ${internal} internal errors; ${network} failed connections`,
  };
}

/** Share of requests answered 2xx in each step from the first where the degraded vendor misbehaved. */
export function successWhileDegraded(report: RunReport, o: CriteriaOptions): Verdict {
  const name = `success stays ≥ ${o.minSuccess * 100}% while ${o.degraded} degrades`;
  const from = report.steps.findIndex((s) => (s.vendors[o.degraded]?.faults['latency'] ?? 0) > 0);
  if (from < 0) return { name, ok: false, detail: `${o.degraded} never degraded in this run` };
  const rates = report.steps.slice(from).map((s) => ({
    concurrency: s.concurrency,
    rate: s.requests === 0 ? 1 : (s.requests - s.errors - s.timeouts) / s.requests,
  }));
  const ok = rates.every((r) => r.rate >= o.minSuccess);
  return {
    name,
    ok,
    detail: rates.map((r) => `${r.concurrency}: ${(r.rate * 100).toFixed(1)}%`).join(', '),
  };
}

/** The lines of one request, in order: what the logs say about it. */
export function linesOf(lines: readonly LogLine[], seq: number): LogLine[] {
  return lines.filter((l) => l.seq === seq);
}

/** Request N ended at the takeover vendor, and its lines say why (the rule and the reasons). */
export function explained(lines: readonly LogLine[], o: CriteriaOptions): Verdict {
  const name = `the logs explain why request ${o.explain} went to ${o.takeover}`;
  const mine = linesOf(lines, o.explain);
  const done = mine.find((l) => l.event === 'done');
  const route = mine.find((l) => l.event === 'route');
  const ok =
    done?.vendor === o.takeover && route !== undefined && mine.every((l) => l.rule.length > 0);
  return {
    name,
    ok,
    detail:
      mine.length === 0
        ? `no line for request ${o.explain}`
        : mine.map((l) => `[${l.rule}] ${l.msg}`).join('\n'),
  };
}

export function checkAll(
  lines: readonly LogLine[],
  report: RunReport,
  o: CriteriaOptions,
): Verdict[] {
  return [
    switchAway(lines, o),
    retriesWithinBudget(lines, report, o),
    parserErrorsLogged(lines, report),
    successWhileDegraded(report, o),
    explained(lines, o),
  ];
}
