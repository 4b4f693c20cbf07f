/**
 * Narrows the comparison of literal signatures. A literal signature can only match a request
 * that has each of its string leaves, at the same path, with the same value; so each signature is
 * filed under one of its leaves, a rare one, and a request only meets the signatures filed under
 * leaves it has. No match is lost, and a bucket of similar calls costs a few lookups, not a scan.
 *
 * Small buckets are simply scanned. A large one is filed when it is first searched, so a snapshot
 * replayed with exact hits only never pays for it. Rarity is judged on an even sample of the
 * bucket, which keeps filing to one pass and a small table.
 */
import { literalOf } from './glob.js';
import { fmix } from './hash.js';
import type { StringNormalizer } from './normalize.js';
import { operatorOf } from './operators.js';

const MIN_SIZE = 256;
const SAMPLE = 1024;
const QUERY_ROOT = 0x51a7e3c1;
const BODY_ROOT = 0x2b6d8f09;

/**
 * The literal query (credentials removed) and body of a group: stored JSON (escaped, not
 * normalized) or compiled.
 */
export interface LeafSource {
  readonly query: unknown;
  readonly body: unknown;
  readonly stored: boolean;
}

/** Returns true to stop the walk. */
type Visit = (key: number) => boolean;

export class LeafIndex<G> {
  private members: G[] = [];
  private lists: Map<number, G | G[]> | null = null;
  /** Members without a string leaf: always candidates. */
  private unfiled: G[] = [];
  /** Filing under way (see `prepare`): the sample's leaf counts and the lists so far. */
  private filing: { seen: Map<number, number>; lists: Map<number, G | G[]>; next: number } | null =
    null;

  constructor(
    private readonly partsOf: (g: G) => LeafSource,
    private readonly norm: StringNormalizer | null,
  ) {}

  add(group: G): void {
    if (this.lists !== null) throw new Error('LeafIndex: add after the index was built');
    this.members.push(group);
  }

  /** Every group that may match the request: the filed ones under its leaves, the unfiled. */
  forCandidates(query: unknown, body: unknown, visit: (g: G) => void): void {
    if (this.lists === null) {
      if (this.members.length < MIN_SIZE) {
        for (const g of this.members) visit(g);
        return;
      }
      this.build();
    }
    this.forFiled(query, body, visit);
    for (const g of this.unfiled) visit(g);
  }

  /** Only the groups filed under a leaf of the request; nothing while the bucket is unfiled. */
  forFiled(query: unknown, body: unknown, visit: (g: G) => void): void {
    const lists = this.lists;
    if (lists === null || lists.size === 0) return;
    const onLeaf = (key: number): boolean => {
      const list = lists.get(key);
      if (list === undefined) return false;
      if (Array.isArray(list)) for (const g of list) visit(g);
      else visit(list);
      return false;
    };
    liveLeaves(query, QUERY_ROOT, onLeaf);
    liveLeaves(body, BODY_ROOT, onLeaf);
  }

  private leavesOf(g: G, visit: Visit): void {
    const { query, body, stored } = this.partsOf(g);
    if (stored) {
      if (!storedLeaves(query, QUERY_ROOT, visit, this.norm, true)) {
        storedLeaves(body, BODY_ROOT, visit, this.norm, true);
      }
    } else if (!liveLeaves(query, QUERY_ROOT, visit)) {
      liveLeaves(body, BODY_ROOT, visit);
    }
  }

  /**
   * Files the members until `until()` says stop (checked every 64); true once the index is
   * built. Small buckets are never filed: scanning them is cheaper.
   */
  prepare(until: () => boolean = () => false): boolean {
    if (this.lists !== null || this.members.length < MIN_SIZE) return true;
    const members = this.members;
    const step = Math.max(1, Math.floor(members.length / SAMPLE));
    if (this.filing === null) {
      const seen = new Map<number, number>();
      const count: Visit = (key) => {
        seen.set(key, (seen.get(key) ?? 0) + 1);
        return false;
      };
      for (let i = 0; i < members.length; i += step) this.leavesOf(members[i] as G, count);
      this.filing = { seen, lists: new Map(), next: 0 };
    }
    const { seen, lists } = this.filing;
    while (this.filing.next < members.length) {
      const i = this.filing.next++;
      const g = members[i] as G;
      // A leaf the sample never saw (apart from this member itself) is rare enough: stop there.
      const rare = i % step === 0 ? 1 : 0;
      let best = 0;
      let bestSeen = Infinity;
      this.leavesOf(g, (key) => {
        const n = seen.get(key) ?? 0;
        if (n < bestSeen) {
          best = key;
          bestSeen = n;
        }
        return n <= rare;
      });
      if (bestSeen === Infinity) this.unfiled.push(g);
      else {
        const list = lists.get(best);
        if (list === undefined) lists.set(best, g);
        else if (Array.isArray(list)) list.push(g);
        else lists.set(best, [list, g]);
      }
      if ((i & 63) === 63 && until()) return false;
    }
    this.lists = lists;
    this.members = [];
    this.filing = null;
    return true;
  }

  private build(): void {
    this.prepare();
  }
}

/** The key of every string leaf of plain JSON: its path and its value, hashed together. */
function liveLeaves(v: unknown, path: number, visit: Visit): boolean {
  if (typeof v === 'string') return visit(stringKey(path, v));
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (liveLeaves(v[i], indexStep(path, i), visit)) return true;
  } else if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    for (const k in o) {
      if (Object.hasOwn(o, k) && liveLeaves(o[k], stringKey(path, k) >>> 0, visit)) return true;
    }
  }
  return false;
}

/**
 * The same keys for a stored value, read as the literal it stands for: escapes decoded,
 * normalizers applied, `$literal` unwrapped. (Credential parameters are gone before this.)
 */
function storedLeaves(
  v: unknown,
  path: number,
  visit: Visit,
  norm: StringNormalizer | null,
  decode: boolean,
): boolean {
  if (typeof v === 'string') {
    const s = decode ? literalOf(v) : v;
    return s !== null && visit(stringKey(path, norm ? norm(s) : s));
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      if (storedLeaves(v[i], indexStep(path, i), visit, norm, decode)) return true;
    }
  } else if (typeof v === 'object' && v !== null) {
    const op = decode ? operatorOf(v) : null;
    if (op !== null)
      return op.kind === 'literal' && storedLeaves(op.value, path, visit, norm, false);
    const o = v as Record<string, unknown>;
    for (const k in o) {
      if (!Object.hasOwn(o, k)) continue;
      if (storedLeaves(o[k], stringKey(path, k) >>> 0, visit, norm, decode)) return true;
    }
  }
  return false;
}

function indexStep(path: number, i: number): number {
  return fmix((path + Math.imul(i + 1, 0x85ebca6b)) ^ 0x27d4eb2f) >>> 0;
}

/**
 * 53 bits from a seed and a string. A long string is keyed by its length and both ends only:
 * two that differ just in the middle share a key, which costs a few extra candidates (each is
 * still compared) but keeps filing a big bucket cheap.
 */
function stringKey(seed: number, s: string): number {
  let a = seed ^ 0x9e3779b1 ^ s.length;
  let b = seed ^ 0x7f4a7c15;
  const n = s.length;
  const ends = n > 2 * END ? END : n;
  for (let i = 0; i < ends; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 2654435761);
    b = Math.imul(b ^ c, 1597334677);
  }
  for (let i = n - (n > 2 * END ? END : 0); i < n; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 2654435761);
    b = Math.imul(b ^ c, 1597334677);
  }
  return (fmix(a) >>> 0) + (fmix(b) & 0x1fffff) * 4294967296;
}

const END = 32;
