/**
 * Per-test isolation on one shared mock (issue #11): a request carrying `x-tapedeck-test: ID`
 * replays sequences, counts faults and keeps misses in that test's own scope, so parallel tests
 * cannot drift each other's sequences. Requests without the header use the mock's global state as
 * before. The scopes live here, in memory; the pipeline asks for one per request and the control
 * API (`?test=ID`) reads and resets them. See docs/testing.md and docs/mock-pipeline.md.
 */
import { FaultCounters } from '../../shared/faults/engine.js';
import type { Matchable, Matcher, Positions } from '../../shared/matching/matcher.js';
import { MAX_TEST_ID_LENGTH, TEST_HEADER } from '../../shared/test-header.js';
import type { MockEvent } from './events.js';
import { MAX_MISSES, missOf, unmatchedOf, type Miss } from './stats.js';

/** Test ids kept at once; the least recently used is forgotten past it. */
export const DEFAULT_MAX_TESTS = 10_000;
/**
 * Misses kept across all tests (each keeps at most `MAX_MISSES`): past it the least recently used
 * tests are forgotten, so many tests that all miss cannot hold 200 diffs each without bound.
 */
export const DEFAULT_MAX_TOTAL_MISSES = 20_000;

export interface TestScopesOptions {
  maxTests?: number;
  maxTotalMisses?: number;
}

/** The header of a request: absent, a valid id, or refused with why. */
export type TestIdResult =
  { kind: 'none' } | { kind: 'test'; id: string } | { kind: 'invalid'; reason: string };

/** Visible ASCII and the space: an id is a map key and goes into JSON and logs as it is. */
const PRINTABLE = /^[\x20-\x7e]+$/;

/** Why `id` is not a test id, or null when it is one. */
export function testIdProblem(id: string): string | null {
  if (id.length === 0) return `${TEST_HEADER} is empty`;
  if (id.length > MAX_TEST_ID_LENGTH)
    return `${TEST_HEADER} is longer than ${MAX_TEST_ID_LENGTH} characters`;
  if (!PRINTABLE.test(id))
    return `${TEST_HEADER} must be printable ASCII (encode other characters, e.g. with encodeURIComponent)`;
  return null;
}

/**
 * The test a request belongs to. Pass `req.headersDistinct` to refuse a header sent twice: in
 * `req.headers` Node joins repeated values with ", " and that cannot be told from one id holding
 * ", ". An array (the header sent more than once) is refused: which test would it be?
 */
/** Shared: most requests carry no test id, and this is asked on every one. */
const NO_TEST: TestIdResult = Object.freeze({ kind: 'none' });

export function testIdOf(
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
): TestIdResult {
  const raw = headers[TEST_HEADER];
  if (raw === undefined) return NO_TEST;
  let id: string;
  if (typeof raw === 'string') id = raw;
  else if (raw.length === 1) id = raw[0] as string;
  else return { kind: 'invalid', reason: `${TEST_HEADER} was sent ${raw.length} times` };
  const problem = testIdProblem(id);
  return problem === null ? { kind: 'test', id } : { kind: 'invalid', reason: problem };
}

/** Where a scope reports the misses it keeps, so the total across tests stays bounded. */
interface MissBudget {
  kept(scope: TestScope, delta: number): void;
}

/** One test's state: what the mock's global state is for requests without the header. */
export class TestScope {
  readonly id: string;
  /** Its fault counters, for `FaultEngine.plan`'s `counters`. */
  readonly faults = new FaultCounters();
  /** performance.now() at creation or reset: the test's fault time windows count from it. */
  startedAt = performance.now();
  /** Requests finished in this test (as the stats count them: unrouted ones aside). */
  requests = 0;
  /** Unmatched requests in this test (more than `misses` keeps). */
  unmatched = 0;
  private kept: Miss[] = [];
  private positions: Positions | null = null;
  /** Null once forgotten: a request still in flight then counts into a scope no one reads. */
  budget: MissBudget | null;

  constructor(id: string, budget: MissBudget | null) {
    this.id = id;
    this.budget = budget;
  }

  /**
   * This test's sequence positions in `matcher`. A reload builds a new matcher: the test's
   * positions then start over, as the mock's global ones do.
   */
  positionsFor<C extends Matchable>(matcher: Matcher<C>): Positions {
    if (this.positions === null || !matcher.owns(this.positions))
      this.positions = matcher.newPositions();
    return this.positions;
  }

  /** The newest unmatched requests of this test (at most 200), oldest first. */
  get misses(): readonly Miss[] {
    return this.kept;
  }

  /** Counts a request of this test as `MockStats.add` counts it for the mock. */
  add(e: MockEvent): void {
    if (e.outcome === 'unrouted') return;
    this.requests++;
    const unmatched = unmatchedOf(e);
    if (unmatched === null) return;
    this.unmatched++;
    this.kept.push(missOf(unmatched));
    if (this.kept.length > MAX_MISSES) this.kept.shift();
    else this.budget?.kept(this, 1);
  }
}

/**
 * Every test's scope, by id, least recently used first. Bounded: a client sending a new id with
 * every request forgets the oldest tests rather than growing memory.
 */
export class TestScopes {
  private readonly scopes = new Map<string, TestScope>();
  private readonly maxTests: number;
  private readonly maxTotalMisses: number;
  private totalMisses = 0;
  private readonly budget: MissBudget = {
    kept: (scope, delta) => {
      this.totalMisses += delta;
      // The scope that just missed is the most recently used, so it goes last.
      for (const [id, oldest] of this.scopes) {
        if (this.totalMisses <= this.maxTotalMisses || oldest === scope) break;
        this.forget(id, oldest);
      }
    },
  };

  constructor(opts: TestScopesOptions = {}) {
    this.maxTests = Math.max(1, opts.maxTests ?? DEFAULT_MAX_TESTS);
    this.maxTotalMisses = Math.max(MAX_MISSES, opts.maxTotalMisses ?? DEFAULT_MAX_TOTAL_MISSES);
  }

  /** The scope of `id`, created on first use; marks it the most recently used. */
  scope(id: string): TestScope {
    let s = this.scopes.get(id);
    if (s !== undefined) {
      // Map keeps insertion order: re-inserting moves the id to the newest end.
      this.scopes.delete(id);
      this.scopes.set(id, s);
      return s;
    }
    s = new TestScope(id, this.budget);
    this.scopes.set(id, s);
    if (this.scopes.size > this.maxTests) {
      const [oldestId, oldest] = this.scopes.entries().next().value as [string, TestScope];
      this.forget(oldestId, oldest);
    }
    return s;
  }

  /** The scope of `id` if it has one, without creating it or changing the order. */
  get(id: string): TestScope | undefined {
    return this.scopes.get(id);
  }

  has(id: string): boolean {
    return this.scopes.has(id);
  }

  /** Forgets `id`: its next request starts every sequence, counter and clock over. */
  reset(id: string): boolean {
    const s = this.scopes.get(id);
    if (s === undefined) return false;
    this.forget(id, s);
    return true;
  }

  /** Forgets every test (the mock's global reset). */
  clear(): void {
    for (const s of this.scopes.values()) s.budget = null;
    this.scopes.clear();
    this.totalMisses = 0;
  }

  get size(): number {
    return this.scopes.size;
  }

  private forget(id: string, s: TestScope): void {
    this.scopes.delete(id);
    this.totalMisses -= s.misses.length;
    s.budget = null;
  }
}
