/**
 * The pure fault engine: schedules, counters, scopes, precedence, seeded draws, distributions and
 * the malformed-reply transforms, without a socket.
 */
import { describe, expect, it } from 'vitest';
import { sample } from '../shared/faults/distribution.js';
import { FaultEngine, sourcesOf, type Plan } from '../shared/faults/engine.js';
import { malformReply, withTrailingComma, type MalformMode } from '../shared/faults/malform.js';
import { draw } from '../shared/faults/random.js';
import { fires, inRange, parseRange } from '../shared/faults/schedule.js';
import { inScope, type RequestFacts } from '../shared/faults/scope.js';
import { Fault, type Call, type StreamEvent } from '../shared/schema.js';
import { breakToolCalls, misspell } from '../shared/tool-calls/break.js';
import { toolCallsOf } from '../shared/tool-calls/index.js';
import { FAMILIES, recordedCall, type Family } from './support/fault-calls.js';

const A: RequestFacts = {
  upstream: 'a',
  provider: 'openai',
  model: 'gpt-4o-mini',
  path: '/v1/chat/completions',
};
const B: RequestFacts = { ...A, upstream: 'b' };
const CLAUDE: RequestFacts = {
  upstream: 'anthropic',
  provider: 'anthropic',
  model: 'claude-sonnet-4-6',
  path: '/v1/messages',
};

/** Faults as a user writes them, checked against the published schema. */
function faults(...list: unknown[]): Fault[] {
  return list.map((f) => Fault.parse(f));
}

function engine(scoped: unknown[], seed = '1'): FaultEngine {
  return new FaultEngine({ seed, scoped: sourcesOf(faults(...scoped), 'manifest') });
}

function kinds(p: Plan): string {
  return p.fired.map((f) => f.kind).join(',');
}

/** Request numbers (1-based) among `count` to `facts` at which any fault fired. */
function firedAt(e: FaultEngine, count: number, facts = A, elapsedMs = 0): number[] {
  const out: number[] = [];
  for (let n = 1; n <= count; n++)
    if (e.plan(facts, null, null, elapsedMs).fired.length) out.push(n);
  return out;
}

function range(from: number, to: number, step = 1): number[] {
  const out: number[] = [];
  for (let n = from; n <= to; n += step) out.push(n);
  return out;
}

describe('schedules', () => {
  it('parses request ranges: "21-30", "21-" and "7"', () => {
    expect(parseRange('21-30')).toEqual({ from: 21, to: 30 });
    expect(parseRange('21-')).toEqual({ from: 21, to: null });
    expect(parseRange('7')).toEqual({ from: 7, to: 7 });
    expect(inRange(20, parseRange('21-'))).toBe(false);
    expect(inRange(10_000, parseRange('21-'))).toBe(true);
  });

  it('the schema refuses request ranges it cannot read', () => {
    for (const requests of ['21..30', '-5', 'x', '3-4-5', ''])
      expect(
        Fault.safeParse({ kind: 'serverError', status: 500, when: { requests } }).success,
      ).toBe(false);
  });

  it('when.requests fires exactly on the range', () => {
    const base = { kind: 'serverError', status: 500 };
    expect(firedAt(engine([{ ...base, when: { requests: '21-30' } }]), 40)).toEqual(range(21, 30));
    expect(firedAt(engine([{ ...base, when: { requests: '21-' } }]), 40)).toEqual(range(21, 40));
    expect(firedAt(engine([{ ...base, when: { requests: '7' } }]), 40)).toEqual([7]);
  });

  it('when.every fires on every n-th request', () => {
    const e = engine([{ kind: 'serverError', status: 503, when: { every: 3 } }]);
    expect(firedAt(e, 20)).toEqual([3, 6, 9, 12, 15, 18]);
  });

  it('when.afterMs fires only once that much time has passed since start or reset', () => {
    const e = engine([{ kind: 'serverError', status: 500, when: { afterMs: 60_000 } }]);
    expect(e.plan(A, null, null, 0).fired).toEqual([]);
    expect(e.plan(A, null, null, 59_999).fired).toEqual([]);
    expect(kinds(e.plan(A, null, null, 60_000))).toBe('serverError');
    expect(kinds(e.plan(A, null, null, 3_600_000))).toBe('serverError');
  });

  it('every condition given in when must hold', () => {
    const e = engine([
      { kind: 'serverError', status: 500, when: { requests: '11-40', every: 5, afterMs: 1000 } },
    ]);
    expect(firedAt(e, 50, A, 999)).toEqual([]);
    e.reset();
    expect(firedAt(e, 50, A, 1000)).toEqual([15, 20, 25, 30, 35, 40]);
  });

  it('probability combines with the other conditions: a subset of their requests', () => {
    const only = firedAt(engine([{ kind: 'serverError', status: 500, when: { every: 2 } }]), 400);
    const some = firedAt(
      engine([{ kind: 'serverError', status: 500, when: { every: 2, probability: 0.5 } }]),
      400,
    );
    expect(some.every((n) => only.includes(n))).toBe(true);
    expect(some.length).toBeGreaterThan(50);
    expect(some.length).toBeLessThan(150);
  });

  it('rateLimit after N: N requests succeed, then every request is a 429', () => {
    const e = engine([{ kind: 'rateLimit', after: 20 }]);
    expect(firedAt(e, 40)).toEqual(range(21, 40));
  });

  it('rateLimit after N for M: a window of M 429s, then success again', () => {
    const e = engine([{ kind: 'rateLimit', after: 3, for: 2 }]);
    expect(firedAt(e, 10)).toEqual([4, 5]);
  });

  it('rateLimit for M without after: the first M requests are 429s', () => {
    const e = engine([{ kind: 'rateLimit', for: 2 }]);
    expect(firedAt(e, 6)).toEqual([1, 2]);
  });

  it('rateLimit after combines with when', () => {
    const e = engine([{ kind: 'rateLimit', after: 10, when: { every: 2 } }]);
    expect(firedAt(e, 20)).toEqual([12, 14, 16, 18, 20]);
  });

  it('the rate-limit plan carries retryAfterS (default 1 s)', () => {
    expect(engine([{ kind: 'rateLimit' }]).plan(A, null, null, 0).error).toMatchObject({
      kind: 'rate_limit',
      retryAfterS: 1,
    });
    expect(
      engine([{ kind: 'rateLimit', retryAfterS: 7 }]).plan(A, null, null, 0).error,
    ).toMatchObject({ kind: 'rate_limit', retryAfterS: 7 });
  });

  it('fires() reads the kind window before when', () => {
    const f = Fault.parse({ kind: 'rateLimit', after: 2, when: { requests: '1-' } });
    const at = (n: number) =>
      fires(f, { n, elapsedMs: 0, seed: 's', key: 'k', counterKey: 'upstream:a' });
    expect([1, 2, 3, 4].map(at)).toEqual([false, false, true, true]);
  });
});

describe('counters', () => {
  it('count per upstream by default', () => {
    const e = engine([{ kind: 'serverError', status: 500, when: { requests: '2' } }]);
    const seq = [A, B, A, B, A].map((f) => kinds(e.plan(f, null, null, 0)));
    expect(seq).toEqual(['', '', 'serverError', 'serverError', '']);
  });

  it('a global counter counts every upstream together', () => {
    const e = engine([
      { kind: 'serverError', status: 500, counter: 'global', when: { requests: '3-4' } },
    ]);
    const seq = [A, B, A, B, A].map((f) => kinds(e.plan(f, null, null, 0)));
    expect(seq).toEqual(['', '', 'serverError', 'serverError', '']);
  });

  it('a call counter counts the requests that matched that call; unmatched ones never fire', () => {
    const own = sourcesOf(
      faults({ kind: 'cutStream', afterEvents: 1, counter: 'call', when: { requests: '2' } }),
      'call:x',
    );
    const e = engine([]);
    const seq = [
      e.plan(A, 'x', own, 0),
      e.plan(A, 'y', null, 0),
      e.plan(A, null, own, 0),
      e.plan(A, 'x', own, 0),
      e.plan(A, 'x', own, 0),
    ].map(kinds);
    expect(seq).toEqual(['', '', '', 'cutStream', '']);
  });

  it("a call's own faults apply only when that call matched", () => {
    const own = sourcesOf(faults({ kind: 'serverError', status: 502 }), 'call:x');
    const e = engine([]);
    expect(kinds(e.plan(A, 'x', own, 0))).toBe('serverError');
    expect(kinds(e.plan(A, 'y', null, 0))).toBe('');
    expect(e.plan(A, 'x', own, 0).fired[0]?.origin).toBe('call:x');
  });

  it('every request counts, an SDK retry included: a 1-request rate limit lets the retry through', () => {
    const e = engine([{ kind: 'rateLimit', after: 2, for: 1 }]);
    const statuses = range(1, 4).map(() => (e.plan(A, 'c', null, 0).error ? 429 : 200));
    // Request 3 is the 429, request 4 is the SDK's retry of it.
    expect(statuses).toEqual([200, 200, 429, 200]);
  });

  it('requests before any fault existed count: an edit does not restart the schedule', () => {
    const e = engine([]);
    firedAt(e, 5);
    e.setScoped(
      sourcesOf(faults({ kind: 'serverError', status: 500, when: { requests: '7' } }), 'manifest'),
    );
    expect(firedAt(e, 3)).toEqual([2]);
  });

  it('reset() starts every counter from zero', () => {
    const e = engine([{ kind: 'rateLimit', after: 2 }]);
    expect(firedAt(e, 4)).toEqual([3, 4]);
    e.reset();
    expect(firedAt(e, 4)).toEqual([3, 4]);
  });
});

describe('scopes', () => {
  it('upstream, provider, model glob and path glob: every field given must match', () => {
    expect(inScope(undefined, A)).toBe(true);
    expect(inScope({ upstream: 'a' }, A)).toBe(true);
    expect(inScope({ upstream: 'a' }, B)).toBe(false);
    expect(inScope({ provider: 'anthropic' }, CLAUDE)).toBe(true);
    expect(inScope({ provider: 'anthropic' }, A)).toBe(false);
    expect(inScope({ model: 'claude-*' }, CLAUDE)).toBe(true);
    expect(inScope({ model: 'claude-*' }, A)).toBe(false);
    expect(inScope({ model: '*-mini' }, A)).toBe(true);
    expect(inScope({ model: '*' }, { ...A, model: null })).toBe(false);
    expect(inScope({ path: '/v1/*' }, A)).toBe(true);
    expect(inScope({ path: '/v1beta/*' }, A)).toBe(false);
    expect(
      inScope(
        { path: '*:streamGenerateContent' },
        { ...A, path: '/v1beta/models/g:streamGenerateContent' },
      ),
    ).toBe(true);
    expect(inScope({ provider: 'anthropic', model: 'gpt-*' }, CLAUDE)).toBe(false);
  });

  it('the engine applies a scoped fault only to requests in its scope', () => {
    const e = engine([
      { kind: 'serverError', status: 529, scope: { provider: 'anthropic', model: 'claude-*' } },
      { kind: 'latency', ttfb: { fixed: 50 }, scope: { upstream: 'b', path: '/v1/chat/*' } },
    ]);
    expect(kinds(e.plan(A, null, null, 0))).toBe('');
    expect(kinds(e.plan(B, null, null, 0))).toBe('latency');
    expect(kinds(e.plan(CLAUDE, null, null, 0))).toBe('serverError');
    expect(kinds(e.plan({ ...CLAUDE, model: 'claude-opus-4' }, null, null, 0))).toBe('serverError');
  });

  it('a request out of scope still counts on its upstream', () => {
    const e = engine([
      {
        kind: 'serverError',
        status: 500,
        scope: { path: '/v1/messages' },
        when: { requests: '3' },
      },
    ]);
    const p = { ...A, upstream: 'x' };
    e.plan(p, null, null, 0);
    e.plan(p, null, null, 0);
    expect(kinds(e.plan({ ...p, path: '/v1/messages' }, null, null, 0))).toBe('serverError');
  });
});

describe('precedence', () => {
  it('an error beats the body faults: cut, stall and malformed did not happen', () => {
    const e = engine([
      { kind: 'cutStream', afterEvents: 2 },
      { kind: 'malformed', mode: 'invalidJson' },
      { kind: 'hang', afterEvents: 1, ms: 100 },
      { kind: 'latency', ttfb: { fixed: 30 } },
      { kind: 'rateLimit' },
    ]);
    const p = e.plan(A, null, null, 0);
    expect(p.error?.kind).toBe('rate_limit');
    expect(p.cut).toBeNull();
    expect(p.stall).toBeNull();
    expect(p.malformed).toBeNull();
    // Latency still delays the error reply.
    expect(p.ttfbMs).toBe(30);
    expect(kinds(p)).toBe('latency,rateLimit');
  });

  it('the first error wins; the others are not reported as fired', () => {
    const e = engine([
      { kind: 'serverError', status: 503 },
      { kind: 'rateLimit' },
      { kind: 'serverError', status: 500 },
    ]);
    const p = e.plan(A, null, null, 0);
    expect(p.error).toMatchObject({ kind: 'unavailable', status: 503 });
    expect(kinds(p)).toBe('serverError');
  });

  it("a call's own faults come before tapedeck.json's", () => {
    const e = engine([{ kind: 'rateLimit' }]);
    const own = sourcesOf(faults({ kind: 'serverError', status: 500 }), 'call:x');
    const p = e.plan(A, 'x', own, 0);
    expect(p.error?.kind).toBe('server_error');
    expect(p.fired).toEqual([{ kind: 'serverError', origin: 'call:x' }]);
  });

  it('529 is the overloaded kind with no fixed status (Anthropic 529, others 503)', () => {
    const p = engine([{ kind: 'serverError', status: 529 }]).plan(CLAUDE, null, null, 0);
    expect(p.error).toMatchObject({ kind: 'overloaded' });
    expect(p.error?.status).toBeUndefined();
    for (const status of [500, 502, 503] as const)
      expect(engine([{ kind: 'serverError', status }]).plan(A, null, null, 0).error?.status).toBe(
        status,
      );
  });

  it('cut and stall exclude each other: the first declared wins', () => {
    const cutFirst = engine([
      { kind: 'cutStream', afterEvents: 2 },
      { kind: 'hang', afterEvents: 1 },
    ]).plan(A, null, null, 0);
    expect(cutFirst.cut).toEqual({ afterEvents: 2 });
    expect(cutFirst.stall).toBeNull();
    expect(kinds(cutFirst)).toBe('cutStream');
    const stallFirst = engine([
      { kind: 'hang', afterEvents: 1 },
      { kind: 'cutStream', afterEvents: 2 },
    ]).plan(A, null, null, 0);
    expect(stallFirst.stall).toEqual({ afterEvents: 1, ms: null });
    expect(stallFirst.cut).toBeNull();
  });

  it('one malformed mode per reply: the first declared', () => {
    const p = engine([
      { kind: 'malformed', mode: 'toolName' },
      { kind: 'malformed', mode: 'truncate' },
    ]).plan(A, null, null, 0);
    expect(p.malformed).toEqual({ mode: 'toolName' });
    expect(kinds(p)).toBe('malformed');
  });

  it('latency faults add their delays and multiply their scales', () => {
    const p = engine([
      { kind: 'latency', ttfb: { fixed: 100 }, scale: 2 },
      { kind: 'latency', ttfb: { fixed: 50 }, perEvent: { fixed: 5 }, scale: 1.5 },
      { kind: 'latency', perEvent: { fixed: 7 } },
    ]).plan(A, null, null, 0);
    expect(p.ttfbMs).toBe(150);
    expect(p.scale).toBe(3);
    expect(p.eventGapMs?.(1)).toBe(12);
  });

  it('hang: before headers for N ms, until the client gives up, or a stall after K events', () => {
    expect(
      engine([{ kind: 'hang', beforeHeadersMs: 5000 }]).plan(A, null, null, 0).hangBeforeHeaders,
    ).toEqual({ ms: 5000 });
    expect(
      engine([{ kind: 'hang', beforeHeadersMs: null }]).plan(A, null, null, 0).hangBeforeHeaders,
    ).toEqual({ ms: null });
    expect(engine([{ kind: 'hang' }]).plan(A, null, null, 0).hangBeforeHeaders).toEqual({
      ms: null,
    });
    expect(
      engine([{ kind: 'hang', afterEvents: 3, ms: 250 }]).plan(A, null, null, 0).stall,
    ).toEqual({ afterEvents: 3, ms: 250 });
  });
});

describe('seeds (R7)', () => {
  const mixed = [
    { kind: 'serverError', status: 503, when: { probability: 0.05 } },
    { kind: 'rateLimit', when: { probability: 0.05 } },
    {
      kind: 'latency',
      ttfb: { lognormal: { median: 400, p95: 1200 } },
      when: { probability: 0.3 },
    },
    { kind: 'cutStream', afterEvents: 2, when: { probability: 0.1 } },
    { kind: 'malformed', mode: 'toolName', when: { probability: 0.1 } },
  ];

  function sequence(seed: string, requests = 1000): string[] {
    const e = engine(mixed, seed);
    return range(1, requests).map((n) => {
      const p = e.plan(n % 3 === 0 ? B : A, null, null, 0);
      return `${kinds(p)}|${p.ttfbMs === null ? '' : p.ttfbMs.toFixed(3)}`;
    });
  }

  it('the same seed gives the same faults on the same requests, over 1,000 requests', () => {
    const first = sequence('run-42');
    expect(sequence('run-42')).toEqual(first);
    // Not a trivial sequence: several kinds fire, on a minority of requests.
    const fired = first.filter((s) => !s.startsWith('|'));
    expect(fired.length).toBeGreaterThan(300);
    expect(fired.length).toBeLessThan(700);
    for (const kind of ['serverError', 'rateLimit', 'latency', 'cutStream', 'malformed'])
      expect(
        first.some((s) => s.includes(kind)),
        kind,
      ).toBe(true);
  });

  it('another seed gives another sequence', () => {
    const a = sequence('run-42');
    const b = sequence('run-43');
    const same = a.filter((s, i) => s === b[i]).length;
    expect(same).toBeLessThan(800);
  });

  it('the order in which upstreams interleave does not change any upstream’s faults', () => {
    const f = [{ kind: 'serverError', status: 500, when: { probability: 0.3 } }];
    const perUpstream = (order: RequestFacts[]) => {
      const e = engine(f, 's');
      const out: Record<string, boolean[]> = { a: [], b: [] };
      for (const facts of order) out[facts.upstream]?.push(!!e.plan(facts, null, null, 0).error);
      return out;
    };
    const interleaved = range(1, 200).map((n) => (n % 2 ? A : B));
    const grouped = [...range(1, 100).map(() => B), ...range(1, 100).map(() => A)];
    expect(perUpstream(grouped)).toEqual(perUpstream(interleaved));
  });

  it('probability 0 never fires, 1 always fires', () => {
    expect(
      firedAt(engine([{ kind: 'serverError', status: 500, when: { probability: 0 } }]), 1000),
    ).toEqual([]);
    expect(
      firedAt(engine([{ kind: 'serverError', status: 500, when: { probability: 1 } }]), 1000),
    ).toEqual(range(1, 1000));
  });

  it('a fixed seed gives an exact count', () => {
    const count = (seed: string, p: number) =>
      firedAt(engine([{ kind: 'serverError', status: 500, when: { probability: p } }], seed), 1000)
        .length;
    expect(count('42', 0.1)).toBe(EXPECTED_AT_0_1);
    expect(count('42', 0.5)).toBe(EXPECTED_AT_0_5);
    // Within the binomial spread (±4 sd), so the pinned numbers are not a broken generator's.
    expect(Math.abs(EXPECTED_AT_0_1 - 100)).toBeLessThan(4 * Math.sqrt(90));
    expect(Math.abs(EXPECTED_AT_0_5 - 500)).toBeLessThan(4 * Math.sqrt(250));
  });

  it('draws are uniform in [0, 1)', () => {
    const xs = range(1, 20_000).map((n) => draw('seed', 'k', n));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const buckets = new Array<number>(10).fill(0);
    for (const x of xs) buckets[Math.floor(x * 10)]! += 1;
    for (const b of buckets) expect(Math.abs(b - 2000)).toBeLessThan(250);
  });
});

// Pinned from the generator (cyrb53 of seed, fault, counter, request): a change to how draws are
// made changes which requests fail for every user with a seed, so it must be deliberate.
const EXPECTED_AT_0_1 = 95;
const EXPECTED_AT_0_5 = 496;

describe('distributions', () => {
  const draws = (n: number) => range(1, n).map((i) => [draw('d', i, 1), draw('d', i, 2)] as const);

  function quantile(xs: number[], q: number): number {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
  }

  it('fixed is exact', () => {
    for (const [u1, u2] of draws(100)) expect(sample({ fixed: 200 }, u1, u2)).toBe(200);
  });

  it('uniform stays within its bounds (either order) and covers them', () => {
    for (const bounds of [
      [8000, 12000],
      [300, 100],
    ] as const) {
      const xs = draws(5000).map(([u1, u2]) => sample({ uniform: [bounds[0], bounds[1]] }, u1, u2));
      const lo = Math.min(...bounds);
      const hi = Math.max(...bounds);
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(lo);
      expect(Math.max(...xs)).toBeLessThanOrEqual(hi);
      expect(Math.min(...xs)).toBeLessThan(lo + (hi - lo) * 0.01);
      expect(Math.max(...xs)).toBeGreaterThan(hi - (hi - lo) * 0.01);
    }
  });

  it('normal has its mean and sd, never below 0', () => {
    const xs = draws(20_000).map(([u1, u2]) => sample({ normal: { mean: 400, sd: 40 } }, u1, u2));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    expect(mean).toBeGreaterThan(395);
    expect(mean).toBeLessThan(405);
    expect(sd).toBeGreaterThan(37);
    expect(sd).toBeLessThan(43);
    const wide = draws(2000).map(([u1, u2]) => sample({ normal: { mean: 10, sd: 100 } }, u1, u2));
    expect(Math.min(...wide)).toBe(0);
  });

  it('lognormal has roughly its median and p95', () => {
    const xs = draws(20_000).map(([u1, u2]) =>
      sample({ lognormal: { median: 400, p95: 1200 } }, u1, u2),
    );
    expect(quantile(xs, 0.5)).toBeGreaterThan(400 * 0.95);
    expect(quantile(xs, 0.5)).toBeLessThan(400 * 1.05);
    expect(quantile(xs, 0.95)).toBeGreaterThan(1200 * 0.92);
    expect(quantile(xs, 0.95)).toBeLessThan(1200 * 1.08);
    expect(Math.min(...xs)).toBeGreaterThan(0);
  });

  it('per-event gaps are drawn per event and the same when asked twice', () => {
    const p = engine([{ kind: 'latency', perEvent: { uniform: [10, 50] } }]).plan(A, null, null, 0);
    const gaps = range(1, 50).map((i) => p.eventGapMs?.(i) ?? -1);
    expect(range(1, 50).map((i) => p.eventGapMs?.(i))).toEqual(gaps);
    for (const g of gaps) expect(g >= 10 && g <= 50).toBe(true);
    expect(new Set(gaps.map((g) => Math.round(g))).size).toBeGreaterThan(20);
  });

  it('each request draws its own ttfb, reproducibly', () => {
    const ttfbs = (seed: string) => {
      const e = engine([{ kind: 'latency', ttfb: { uniform: [8000, 12000] } }], seed);
      return range(1, 20).map(() => e.plan(B, null, null, 0).ttfbMs);
    };
    const first = ttfbs('x');
    expect(ttfbs('x')).toEqual(first);
    expect(new Set(first).size).toBe(20);
    expect(ttfbs('y')).not.toEqual(first);
  });
});

// ---- malformed transforms ----

function parses(text: string | undefined): boolean {
  try {
    JSON.parse(text ?? '');
    return true;
  } catch {
    return false;
  }
}

const REQUIRED_BODY: Readonly<Record<Family, string>> = {
  'openai-chat': 'choices',
  'openai-responses': 'output',
  'anthropic-messages': 'content',
  gemini: 'candidates',
};

function bodyOf(out: ReturnType<typeof malformReply>): string {
  if (!out || !('bodyText' in out)) throw new Error(`expected a body, got ${JSON.stringify(out)}`);
  return out.bodyText;
}

function eventsOf(out: ReturnType<typeof malformReply>): StreamEvent[] {
  if (!out || !('events' in out)) throw new Error(`expected events, got ${JSON.stringify(out)}`);
  return out.events;
}

/** Indexes of the events whose data differs. */
function changed(a: readonly StreamEvent[], b: readonly StreamEvent[]): number[] {
  return a.flatMap((e, i) => (b[i]?.data === e.data && b[i]?.event === e.event ? [] : [i]));
}

describe('malformed replies, non-streamed', () => {
  for (const family of FAMILIES) {
    describe(family, () => {
      const call = recordedCall(family, false);
      const original = JSON.stringify(call.response.body);
      const field = REQUIRED_BODY[family];

      it('invalidJson: a trailing comma, otherwise the same JSON', () => {
        const text = bodyOf(malformReply(call, 'invalidJson'));
        expect(parses(text)).toBe(false);
        expect(text.replace(/,\}$/, '}')).toBe(original);
      });

      it('truncate: the first half of the bytes', () => {
        const text = bodyOf(malformReply(call, 'truncate'));
        expect(parses(text)).toBe(false);
        expect(original.startsWith(text)).toBe(true);
        expect(text.length).toBe(Math.floor(original.length / 2));
      });

      it(`dropField: valid JSON without ${field}, the rest unchanged`, () => {
        const body = JSON.parse(bodyOf(malformReply(call, 'dropField'))) as Record<string, unknown>;
        expect(body).not.toHaveProperty(field);
        expect({
          ...body,
          [field]: (call.response.body as Record<string, unknown>)[field],
        }).toEqual(call.response.body);
      });

      it(`wrongType: ${field} of another JSON type`, () => {
        const body = JSON.parse(bodyOf(malformReply(call, 'wrongType'))) as Record<string, unknown>;
        const before = (call.response.body as Record<string, unknown>)[field];
        expect(Array.isArray(before)).toBe(true);
        // An array becomes an object, as a model that ignores the schema sends it.
        expect(body[field]).toEqual({});
      });

      it('dropField and wrongType at a given path; null when the path names nothing', () => {
        const path = '$.usage';
        const hasUsage = Object.hasOwn(call.response.body as object, 'usage');
        const dropped = malformReply(call, 'dropField', path);
        if (!hasUsage) {
          expect(dropped).toBeNull();
          return;
        }
        expect(JSON.parse(bodyOf(dropped))).not.toHaveProperty('usage');
        expect(typeof JSON.parse(bodyOf(malformReply(call, 'wrongType', path))).usage).toBe(
          'string',
        );
        expect(malformReply(call, 'dropField', '$.no_such_field')).toBeNull();
      });

      it('never changes the recorded call', () => {
        const before = JSON.stringify(call);
        for (const mode of ['invalidJson', 'truncate', 'dropField', 'wrongType'] as MalformMode[])
          malformReply(call, mode);
        expect(JSON.stringify(call)).toBe(before);
      });
    });
  }

  it('a plain-text body can be truncated or made invalid, not edited by path', () => {
    const call: Call = {
      ...recordedCall('openai-chat', false),
      response: { status: 200, headers: {}, bodyText: '{"ok":true}' },
    };
    expect(bodyOf(malformReply(call, 'invalidJson'))).toBe('{"ok":true,}');
    expect(bodyOf(malformReply(call, 'truncate'))).toBe('{"ok"');
    expect(malformReply(call, 'dropField')).toBeNull();
    expect(malformReply(call, 'wrongType')).toBeNull();
  });

  it('withTrailingComma puts the comma inside the closing bracket', () => {
    expect(withTrailingComma('{"a":1}')).toBe('{"a":1,}');
    expect(withTrailingComma('[1,2]\n')).toBe('[1,2,]');
    expect(withTrailingComma('plain')).toBe('plain,');
  });
});

describe('malformed replies, streamed', () => {
  for (const family of FAMILIES) {
    describe(family, () => {
      const call = recordedCall(family, true);
      const events = call.response.stream ?? [];

      it('invalidJson: exactly one event stops parsing', () => {
        const out = eventsOf(malformReply(call, 'invalidJson'));
        expect(out).toHaveLength(events.length);
        const diff = changed(events, out);
        expect(diff).toHaveLength(1);
        const i = diff[0] as number;
        expect(parses(events[i]?.data)).toBe(true);
        expect(parses(out[i]?.data)).toBe(false);
        expect(out[i]?.at).toBe(events[i]?.at);
      });

      it('truncate: the stream ends cleanly halfway, before its terminal event', () => {
        const out = eventsOf(malformReply(call, 'truncate'));
        expect(out.length).toBe(Math.floor(events.length / 2));
        expect(out).toEqual(events.slice(0, out.length));
      });

      it('dropField: one event loses the field its clients need', () => {
        const out = eventsOf(malformReply(call, 'dropField'));
        const diff = changed(events, out);
        expect(diff).toHaveLength(1);
        const before = JSON.parse(events[diff[0] as number]?.data ?? '') as Record<string, unknown>;
        const after = JSON.parse(out[diff[0] as number]?.data ?? '') as Record<string, unknown>;
        const [lost] = Object.keys(before).filter((k) => !(k in after));
        expect(lost).toBeDefined();
        expect({ ...after, [lost as string]: before[lost as string] }).toEqual(before);
      });

      it('wrongType: one event carries that field with another type', () => {
        const out = eventsOf(malformReply(call, 'wrongType'));
        const diff = changed(events, out);
        expect(diff).toHaveLength(1);
        const before = JSON.parse(events[diff[0] as number]?.data ?? '') as Record<string, unknown>;
        const after = JSON.parse(out[diff[0] as number]?.data ?? '') as Record<string, unknown>;
        const [key] = Object.keys(before).filter(
          (k) =>
            typeof before[k] !== typeof after[k] ||
            Array.isArray(before[k]) !== Array.isArray(after[k]),
        );
        expect(key).toBeDefined();
        expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
      });
    });
  }

  it('dropField with a path edits every event that has it', () => {
    const call = recordedCall('openai-chat', true);
    const out = eventsOf(malformReply(call, 'dropField', '$.model'));
    const withModel = (call.response.stream ?? []).filter((e) => e.data?.includes('"model"'));
    expect(withModel.length).toBeGreaterThan(2);
    expect(out.filter((e) => e.data?.includes('"model"'))).toEqual([]);
    expect(out.at(-1)?.data).toBe('[DONE]');
  });
});

describe('malformed tool calls', () => {
  it('misspells a tool name the way a model does', () => {
    expect(misspell('web_search')).toBe('web_serch');
    expect(misspell('get_weather')).toBe('get_weathr');
    expect(misspell('ab')).toBe('abb');
  });

  for (const family of FAMILIES) {
    for (const stream of [false, true]) {
      // The Gemini stream fixture is plain text; every other reply has one get_weather call.
      if (family === 'gemini' && stream) continue;
      const call = recordedCall(family, stream);
      it(`${family}${stream ? ' stream' : ''}: toolName, toolArgs and textThenHalfTool`, () => {
        const [before] = toolCallsOf(call);
        expect(before?.name).toBe('get_weather');

        const named = toolCallsOf(breakToolCalls(call, 'toolName') as Call);
        expect(named.map((c) => c.name)).toEqual(['get_weathr']);
        expect(named[0]?.arguments).toBe(before?.arguments);

        const args = toolCallsOf(breakToolCalls(call, 'toolArgs') as Call);
        expect(args.map((c) => c.name)).toEqual(['get_weather']);
        const shaped = JSON.parse(args[0]?.arguments ?? '') as Record<string, unknown>;
        const original = JSON.parse(before?.arguments ?? '') as Record<string, unknown>;
        // Still JSON, same keys, but the first value has another type (a string became a list).
        expect(Object.keys(shaped)).toEqual(Object.keys(original));
        expect(shaped['city']).toEqual(['Paris']);

        const half = breakToolCalls(call, 'textThenHalfTool') as Call;
        expect(toolCallsOf(half)).toEqual([]);
        // The payload is written as text, {"name":"get_weather","arguments":…, cut in the middle.
        expect(JSON.stringify(half.response)).toMatch(/name\\+"\s*:\s*\\+"get_weather/);
      });
    }
  }

  it('a reply without a tool call has nothing to break', () => {
    expect(breakToolCalls(recordedCall('gemini', true), 'toolName')).toBeNull();
  });
});
