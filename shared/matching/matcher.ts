/**
 * Replays recorded calls: finds the call whose signature a live request matches.
 *
 * Exact signatures sit in a hash index, so the common case costs one canonical pass over the
 * request. Everything else is compared node by node, but only against signatures that can apply:
 * the bucket with the same upstream + method + path (literal signatures there through a leaf
 * index) plus the few whose upstream, method or path is a pattern.
 *
 * Loading does the least it can: a signature as the recorder wrote it is hashed straight from its
 * JSON and compiled only when something needs it (its first hit, a comparison, a miss report).
 *
 * Redaction is a built-in normalizer: the recorded signature and the live request both go through
 * the same `Redactor` before comparing, so a secret replaced by the marker on disk matches any
 * secret of that shape in the same place of a live request (docs/redaction.md).
 */
import { Redactor } from '../redact.js';
import type { MatchRule, Normalizer, Signature } from '../schema.js';
import { isPlainObject, jsonEquals } from './canonical.js';
import {
  compileSignature,
  exactKeyOf,
  literal,
  withoutCredentialsStored,
  type CompiledSignature,
} from './compile-signature.js';
import type { DiffItem } from '../mock-link.js';
import { distance, explainDiff } from './diff.js';
import type { LiveRequest } from './live-request.js';
import { liveExactHash, liveView, type LiveRedaction, type LiveView } from './live-view.js';
import { compileNormalizers, stringNormalizer, type StringNormalizer } from './normalize.js';
import { matchNode, nodeEquals, type Node } from './pattern.js';
import { ClosestIndex, type UnitSource } from './closest-index.js';
import { LeafIndex, type LeafSource } from './leaf-index.js';
import { compileRules, withRules } from './rules.js';
import { VOLATILE_SET } from './signature.js';

/** Raw requests remembered per matcher; bounded so a stream of distinct prompts cannot grow it. */
const RAW_MEMO_ENTRIES = 4096;

declare const POSITIONS: unique symbol;
/**
 * Sequence positions a caller keeps apart from the matcher's own (one test's, see
 * proxy/mock/test-scopes.ts). Opaque: made by `Matcher.newPositions()` and valid only for that
 * matcher. A reload builds a new matcher, so positions kept across it must be made again (they
 * start over, as the matcher's own do); passing old ones throws `ForeignPositionsError`, and
 * `owns` tells beforehand.
 */
export interface Positions {
  readonly [POSITIONS]: true;
}

/**
 * What a `Positions` is inside. The owner is named by number, not held, so positions outliving a
 * reload do not keep the old matcher (and its snapshot) in memory. Sparse: a test hits a few of
 * the groups, and thousands of tests each holding one counter per group would not fit.
 */
interface PositionsState {
  readonly owner: number;
  readonly counters: Map<number, number>;
}

let matchers = 0;

/** Positions given to a matcher other than the one that made them (usually: kept across a reload). */
export class ForeignPositionsError extends Error {
  constructor() {
    super(
      'Tapedeck: these sequence positions belong to another Matcher (kept across a reload?); make new ones with newPositions()',
    );
    this.name = 'ForeignPositionsError';
  }
}

export interface Matchable {
  id: string;
  seq: number;
  signature: Signature;
  /** The model the recorded request names; only manifest rules scoped by model read it. */
  model?: string | null;
}

export type MatchResult<C> =
  | { kind: 'hit'; call: C; exact: boolean }
  /** `diff`: readable lines; `items`: the same differences, structured (see explainDiff). */
  | { kind: 'miss'; closest: C | null; diff: string[]; items: DiffItem[] };

export interface MatcherOptions {
  normalizers?: Normalizer[];
  /** The snapshot's redaction rules; default the built-in detectors, null for none at all. */
  redact?: Redactor | null;
  /**
   * A miss searches groups of at least this many calls through a `ClosestIndex` (default 64);
   * smaller ones are compared one by one. The result is the same either way.
   */
  closestIndexMin?: number;
  /** `tapedeck.json`'s rules: their ignore paths are added to every call in scope. */
  rules?: readonly MatchRule[];
}

/** Calls with identical normalized signatures: one sequence, replayed in `seq` order. */
interface Group<C> {
  readonly calls: C[];
  /** Creation order = order of the lowest (seq, id) in the group: the precedence tie-break. */
  readonly index: number;
  readonly exact: boolean;
  readonly hash: number;
  /** Literal upstream, method and path; undefined when a pattern or left out. */
  readonly upstream: string | undefined;
  readonly method: string | undefined;
  readonly path: string | undefined;
  /** Null until first needed (exact signatures only). */
  compiled: CompiledSignature | null;
}

const NONE: readonly never[] = [];

/** Signatures sharing a literal upstream + method + path. */
interface Bucket<C> {
  /** Literal signatures, filed by a rare leaf. */
  readonly leaves: LeafIndex<Group<C>>;
  /** Patterns, and literal signatures without a string leaf: compared one by one. */
  readonly scan: Group<C>[];
}

/** The best candidate so far: fewest wildcards, then lowest index. */
class Pick<C> {
  group: Group<C> | null = null;
  score = Infinity;

  offer(g: Group<C>, score: number): void {
    if (
      score < this.score ||
      (score === this.score && this.group !== null && g.index < this.group.index)
    ) {
      this.group = g;
      this.score = score;
    }
  }
}

export class Matcher<C extends Matchable> {
  readonly size: number;
  /** Which matcher made a `Positions`. */
  private readonly instance = ++matchers;
  private readonly norm: StringNormalizer | null;
  private readonly redaction: LiveRedaction | null;
  /**
   * Try the request unredacted before redacting it (see `matchLive`); only sound without user
   * normalizers, whose output need not be a fixed point of the redactor.
   */
  private readonly plainFirst: boolean;
  /**
   * Stored signatures as compared, where that differs from the file: the redactor's structural
   * rules applied, and the manifest rules' ignore paths added.
   */
  private readonly effectiveSignatures = new Map<C, Signature>();
  private readonly groups: Group<C>[] = [];
  private readonly byHash = new Map<number, Group<C> | Group<C>[]>();
  /** Key: upstream \0 METHOD \0 path, for signatures where all three are literal. */
  private readonly buckets = new Map<string, Bucket<C>>();
  /** Signatures whose upstream, method or path is a pattern or left out. */
  private readonly unbucketed: Group<C>[] = [];
  private readonly byUpstreamPath = new Map<string, Group<C>[]>();
  private readonly byUpstream = new Map<string, Group<C>[]>();
  /** Literal paths, whatever the upstream: the third tier of the closest-call search. */
  private readonly byPath = new Map<string, Group<C>[]>();
  /** Signatures whose upstream or path is a pattern or left out. */
  private readonly patterned: Group<C>[] = [];
  private readonly closestIndexes = new Map<string, ClosestIndex<Group<C>>>();
  private readonly closestIndexMin: number;
  private counters: Uint32Array;
  private readonly sharedParts = new Map<string, Node>();
  private readonly rawExact = new Map<string, Group<C>>();

  constructor(calls: readonly C[], options: MatcherOptions = {}) {
    this.size = calls.length;
    this.closestIndexMin = options.closestIndexMin ?? 64;
    const plainNorm = stringNormalizer(compileNormalizers(options.normalizers ?? []));
    const redactor = options.redact === undefined ? Redactor.builtin : options.redact;
    const redactText = redactor?.redactsText ? redactor.text : null;
    // Redaction first: the recorder stored the redacted text, so only that order lets a
    // normalizer see the same string on both sides.
    this.norm =
      redactText === null ? plainNorm : plainNorm ? (s) => plainNorm(redactText(s)) : redactText;
    this.redaction =
      redactor && (redactText || redactor.redactsStructure) ? { redactor, plainNorm } : null;
    this.plainFirst = this.redaction !== null && plainNorm === null;
    const rules = compileRules(options.rules);
    if (redactor?.redactsStructure || rules.length > 0) {
      for (const call of calls) {
        let sig = call.signature;
        if (redactor?.redactsStructure && sig.body !== undefined) {
          const redacted = redactor.storedStructure(sig.body);
          if (redacted !== sig.body) sig = { ...sig, body: redacted };
        }
        // A rule's paths are ignore paths like the file's own, so the call leaves the exact index
        // and counts them as wildcards.
        if (rules.length > 0) sig = withRules(sig, rules, call.model ?? null);
        if (sig !== call.signature) this.effectiveSignatures.set(call, sig);
      }
    }
    const byOrder = (a: C, b: C): number => a.seq - b.seq || compareStrings(a.id, b.id);
    // Snapshots usually arrive in seq order already; sorting is then a wasted pass.
    const sorted = calls.every((c, i) => i === 0 || byOrder(calls[i - 1] as C, c) <= 0);
    const ordered = sorted ? calls : [...calls].sort(byOrder);
    for (const call of ordered) this.add(call);
    this.counters = new Uint32Array(this.groups.length);
    for (const g of this.groups) this.index(g);
  }

  /** `positions`: the caller's own (see `newPositions`); without them the matcher's. */
  match(req: LiveRequest, positions?: Positions): MatchResult<C> {
    return this.matchLive(req, null, this.countersOf(positions));
  }

  /** Fresh positions for this matcher: every sequence at its start, the matcher's own untouched. */
  newPositions(): Positions {
    const state: PositionsState = { owner: this.instance, counters: new Map() };
    return state as unknown as Positions;
  }

  /** True when `positions` were made by this matcher (false: kept from before a reload). */
  owns(positions: Positions): boolean {
    return (positions as unknown as PositionsState).owner === this.instance;
  }

  /** Starts every sequence of `positions` over (what `reset` does to the matcher's own). */
  resetPositions(positions: Positions): void {
    this.countersOf(positions)?.clear();
  }

  /** Null: the matcher's own. */
  private countersOf(positions: Positions | undefined): Map<number, number> | null {
    if (positions === undefined) return null;
    if (!this.owns(positions)) throw new ForeignPositionsError();
    return (positions as unknown as PositionsState).counters;
  }

  /**
   * `match` for a request known by its raw form (`rawKey`: upstream, method, path, query and body
   * bytes as received). An exact hit is remembered under that key, so the same bytes again skip
   * parsing and hashing: exact lookup comes first, so the same bytes always find the same group.
   */
  matchRaw(rawKey: string, parse: () => LiveRequest, positions?: Positions): MatchResult<C> {
    const counters = this.countersOf(positions);
    const known = this.rawExact.get(rawKey);
    if (known) return this.hit(known, true, counters);
    return this.matchLive(parse(), rawKey, counters);
  }

  private matchLive(
    req: LiveRequest,
    rawKey: string | null,
    counters: Map<number, number> | null,
  ): MatchResult<C> {
    if (this.plainFirst) {
      // A request with nothing to redact that equals a stored signature is found without
      // running a detector: every stored signature is a fixed point of the redactor
      // (redacting twice changes nothing), so if the request as it is equals one, the redacted
      // request equals it too, and exact precedence picks the same group either way.
      const exact = this.findExact(liveView(req, null));
      if (exact) return this.exactHit(exact, rawKey, counters);
    }
    return this.matchView(liveView(req, this.norm, this.redaction), rawKey, counters);
  }

  private exactHit(
    g: Group<C>,
    rawKey: string | null,
    counters: Map<number, number> | null,
  ): MatchResult<C> {
    if (rawKey !== null && this.rawExact.size < RAW_MEMO_ENTRIES) this.rawExact.set(rawKey, g);
    return this.hit(g, true, counters);
  }

  private matchView(
    view: LiveView,
    rawKey: string | null,
    counters: Map<number, number> | null,
  ): MatchResult<C> {
    const exact = this.findExact(view);
    if (exact) return this.exactHit(exact, rawKey, counters);

    const pick = new Pick<C>();
    const consider = (g: Group<C>): void => {
      const sig = this.sig(g);
      if (matches(sig, view)) pick.offer(g, sig.wildcards + leftOut(sig, view));
    };
    const bucket = this.bucketOf(view);
    if (bucket) {
      bucket.leaves.forCandidates(view.query, view.body, consider);
      bucket.scan.forEach(consider);
    }
    this.unbucketed.forEach(consider);
    return pick.group ? this.hit(pick.group, false, counters) : this.miss(view);
  }

  reset(): void {
    this.counters.fill(0);
  }

  private add(call: C): void {
    const key = exactKeyOf(this.signatureOf(call), this.norm);
    const compiled = key ? null : this.compile(call);
    const hash = key ? key.hash : (compiled as CompiledSignature).hash;
    const entry = this.byHash.get(hash);
    const list = entry === undefined ? NONE : Array.isArray(entry) ? entry : [entry];
    for (const g of list) {
      if (this.sameSignature(g, call, compiled)) {
        g.calls.push(call);
        return;
      }
    }
    // One object shape for every group keeps property access monomorphic.
    const group: Group<C> = {
      calls: [call],
      index: this.groups.length,
      exact: key ? true : (compiled as CompiledSignature).exact,
      hash,
      upstream: key ? key.upstream : literalString((compiled as CompiledSignature).upstream),
      method: key ? key.method : literalString((compiled as CompiledSignature).method),
      path: key ? key.path : literalString((compiled as CompiledSignature).path),
      compiled,
    };
    this.groups.push(group);
    this.byHash.set(hash, entry === undefined ? group : [...list, group]);
  }

  private compile(call: C): CompiledSignature {
    try {
      return compileSignature(this.signatureOf(call), this.norm, this.sharedParts);
    } catch (e) {
      throw new Error(`call ${call.id}: ${(e as Error).message}`, { cause: e });
    }
  }

  /** A call's signature as compared: redactor's structural rules and manifest rules applied. */
  private signatureOf(call: C): Signature {
    return this.effectiveSignatures.get(call) ?? call.signature;
  }

  /** The compiled signature of a group, compiled now if this is the first time it is needed. */
  private sig(g: Group<C>): CompiledSignature {
    g.compiled ??= this.compile(g.calls[0] as C);
    return g.compiled;
  }

  /** Identical stored JSON settles it cheaply; otherwise the compiled forms are compared. */
  private sameSignature(g: Group<C>, call: C, compiled: CompiledSignature | null): boolean {
    const first = g.calls[0] as C;
    if (jsonEquals(this.signatureOf(first), this.signatureOf(call))) return true;
    const a = this.sig(g);
    const b = compiled ?? this.compile(call);
    if (a.exact !== b.exact || a.wildcards !== b.wildcards) return false;
    return (
      nodeEquals(a.upstream, b.upstream) &&
      nodeEquals(a.method, b.method) &&
      nodeEquals(a.path, b.path) &&
      nodeEquals(a.query, b.query) &&
      nodeEquals(a.body, b.body)
    );
  }

  private index(g: Group<C>): void {
    const { upstream: up, method: m, path: p } = g;
    if (up !== undefined) push(this.byUpstream, up, g);
    if (up !== undefined && p !== undefined) push(this.byUpstreamPath, bucketKey(up, '', p), g);
    if (p !== undefined) push(this.byPath, p, g);
    if (up === undefined || p === undefined) this.patterned.push(g);
    if (up === undefined || m === undefined || p === undefined) {
      this.unbucketed.push(g);
      return;
    }
    const key = bucketKey(up, m, p);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { leaves: new LeafIndex((group) => this.literalParts(group), this.norm), scan: [] };
      this.buckets.set(key, bucket);
    }
    const sig = g.compiled;
    const literalParts =
      sig === null ||
      ((sig.query === null || sig.query.t === 'val') &&
        (sig.body === null || sig.body.t === 'val'));
    if (literalParts) bucket.leaves.add(g);
    else bucket.scan.push(g);
  }

  /** Stored JSON while a group is not compiled, so filing a bucket compiles nothing. */
  private literalParts(g: Group<C>): LeafSource {
    const sig = g.compiled;
    if (sig === null) {
      const { query, body } = this.signatureOf(g.calls[0] as C);
      return { query: withoutCredentialsStored(query), body, stored: true };
    }
    return { query: literal(sig.query), body: literal(sig.body), stored: false };
  }

  private bucketOf(view: LiveView): Bucket<C> | undefined {
    return this.buckets.get(bucketKey(view.upstream, view.method, view.path));
  }

  private findExact(view: LiveView): Group<C> | null {
    if (this.byHash.size === 0) return null;
    const entry = this.byHash.get(liveExactHash(view));
    if (entry === undefined) return null;
    for (const g of Array.isArray(entry) ? entry : [entry]) {
      if (g.exact && exactlyEqual(this.sig(g), view)) return g;
    }
    return null;
  }

  /** `own`: a caller's positions (see `newPositions`); null for the matcher's. */
  private hit(g: Group<C>, exact: boolean, own: Map<number, number> | null): MatchResult<C> {
    const n = own === null ? (this.counters[g.index] as number) : (own.get(g.index) ?? 0);
    const last = g.calls.length - 1;
    if (n <= last) {
      if (own === null) this.counters[g.index] = n + 1;
      else own.set(g.index, n + 1);
    }
    return { kind: 'hit', call: g.calls[Math.min(n, last)] as C, exact };
  }

  /** Closest: same upstream first, then same path, then fewest differences, then lowest seq. */
  private miss(view: LiveView): MatchResult<C> {
    const pick = new Pick<C>();
    const dist = (g: Group<C>, limit: number): number => distance(this.sig(g), view, limit);
    const tier = this.missTier(view);
    if (tier.indexed.length >= this.closestIndexMin) {
      this.closestIndexOf(tier.key, tier.indexed).search(view, pick, dist);
    } else {
      for (const g of tier.indexed) pick.offer(g, dist(g, pick.score));
    }
    for (const g of tier.extra) pick.offer(g, dist(g, pick.score));
    const best = pick.group;
    if (best === null)
      return { kind: 'miss', closest: null, diff: ['no calls recorded'], items: [] };
    const { lines, items } = explainDiff(this.sig(best), view);
    return { kind: 'miss', closest: best.calls[0] as C, diff: lines, items };
  }

  /**
   * The first non-empty tier: groups with the request's upstream and path, else its upstream,
   * else its path, else all. `indexed` is a list kept by the matcher (so its index can be reused);
   * `extra` the few patterned groups that join it.
   */
  private missTier(view: LiveView): {
    key: string;
    indexed: readonly Group<C>[];
    extra: readonly Group<C>[];
  } {
    // Literal parts answer without compiling the group.
    const upOk = (g: Group<C>): boolean =>
      g.upstream !== undefined
        ? g.upstream === view.upstream
        : partMatches(this.sig(g).upstream, view.upstream);
    const pathOk = (g: Group<C>): boolean =>
      g.path !== undefined ? g.path === view.path : partMatches(this.sig(g).path, view.path);
    const tiers: Array<[string, readonly Group<C>[] | undefined, (g: Group<C>) => boolean]> = [
      [
        'up\0' + bucketKey(view.upstream, '', view.path),
        this.byUpstreamPath.get(bucketKey(view.upstream, '', view.path)),
        (g) => upOk(g) && pathOk(g),
      ],
      [
        'u\0' + view.upstream,
        this.byUpstream.get(view.upstream),
        (g) => g.upstream === undefined && upOk(g),
      ],
      ['p\0' + view.path, this.byPath.get(view.path), (g) => g.path === undefined && pathOk(g)],
    ];
    for (const [key, indexed = NONE, join] of tiers) {
      const extra = this.patterned.filter(join);
      if (indexed.length > 0 || extra.length > 0) return { key, indexed, extra };
    }
    return { key: 'all', indexed: this.groups, extra: NONE };
  }

  /** Filed the first time a tier is searched, unless `prepareMisses` did it already. */
  private closestIndexOf(key: string, groups: readonly Group<C>[]): ClosestIndex<Group<C>> {
    let index = this.closestIndexes.get(key);
    if (index === undefined) {
      index = new ClosestIndex(groups, (g) => this.unitSource(g), this.norm);
      this.closestIndexes.set(key, index);
    }
    return index;
  }

  /**
   * Files the leaf index of every bucket and the closest-call index of every recorded upstream +
   * path ahead of the first non-exact request, a slice at a time: false when `until()` asked to
   * stop before it was done (call again later), true when done. Only makes the first such
   * requests faster; matching never waits for it.
   */
  prepareMisses(until: () => boolean): boolean {
    // A miss first compares the request with its bucket (as any non-exact request does).
    for (const bucket of this.buckets.values()) if (!bucket.leaves.prepare(until)) return false;
    for (const [key, groups] of this.byUpstreamPath) {
      if (groups.length < this.closestIndexMin) continue;
      if (!this.closestIndexOf('up\0' + key, groups).build(until)) return false;
    }
    return true;
  }

  /** Stored JSON while a group is not compiled, as for the leaf index; null for patterns. */
  private unitSource(g: Group<C>): UnitSource | null {
    if (!g.exact || g.upstream === undefined || g.method === undefined || g.path === undefined)
      return null;
    const { upstream, method, path } = g;
    const sig = g.compiled;
    if (sig === null) {
      const { query, body } = this.signatureOf(g.calls[0] as C);
      return { upstream, method, path, query: withoutCredentialsStored(query), body, stored: true };
    }
    return {
      upstream,
      method,
      path,
      query: literal(sig.query),
      body: literal(sig.body),
      stored: false,
    };
  }
}

function matches(sig: CompiledSignature, view: LiveView): boolean {
  return (
    partMatches(sig.upstream, view.upstream) &&
    partMatches(sig.method, view.method) &&
    partMatches(sig.path, view.path) &&
    (sig.query === null || matchNode(sig.query, view.query, true)) &&
    (sig.body === null || matchNode(sig.body, view.body, view.body !== undefined))
  );
}

function partMatches(node: Node | null, value: string): boolean {
  return node === null || matchNode(node, value, true);
}

/** A left-out query or body counts as a wildcard only when the request has one. */
function leftOut(sig: CompiledSignature, view: LiveView): number {
  return (
    (sig.query === null && view.hasQuery ? 1 : 0) +
    (sig.body === null && view.body !== undefined ? 1 : 0)
  );
}

function exactlyEqual(sig: CompiledSignature, view: LiveView): boolean {
  return (
    literal(sig.upstream) === view.upstream &&
    literal(sig.method) === view.method &&
    literal(sig.path) === view.path &&
    jsonEquals(literal(sig.query), view.hasQuery ? view.query : undefined) &&
    jsonEquals(literal(sig.body), view.body, isPlainObject(view.body) ? VOLATILE_SET : undefined)
  );
}

function bucketKey(upstream: string, method: string, path: string): string {
  return upstream + '\0' + method + '\0' + path;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function literalString(node: Node | null): string | undefined {
  return node !== null && node.t === 'val' && typeof node.v === 'string' ? node.v : undefined;
}

/** Code-unit order, independent of locale, so ties break the same way everywhere. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
