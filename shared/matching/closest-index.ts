/**
 * The closest-call search of a miss over many literal signatures, without comparing each one.
 *
 * A literal signature's distance to a request (diff.ts) is a sum over its parts: upstream, method
 * and path count one each when they differ, and a query or body object counts, key by key, at
 * least one for every top-level value that differs (a body object against a request body that is
 * not an object counts exactly one). So each signature is cut into *units*, one per part and per
 * top-level key, hashed with their value; a request that shares `m` of a signature's `u` units
 * is at least `u − m` differences from it. Shared units are counted through an inverted index,
 * signatures are visited in order of that lower bound (then precedence order), and the real
 * distance is only computed until no unvisited signature can beat the best found: usually one or
 * two comparisons, whatever the size of the snapshot.
 *
 * Equal hashes may still hide different values; that only makes a bound lower (still a bound).
 */
import { isPlainObject } from './canonical.js';
import { Hash } from './hash.js';
import type { LiveView } from './live-view.js';
import type { StringNormalizer } from './normalize.js';
import { operatorOf } from './operators.js';

const TAG_UPSTREAM = 'u';
const TAG_METHOD = 'm';
const TAG_PATH = 'p';
const TAG_QUERY = 'q';
const TAG_BODY_KEY = 'b';
const TAG_BODY = 'B';
const TAG_LEAF = 'l';
const TAG_SHAPE = 's';
/** Bounds above this are visited last, together, in precedence order. */
const MAX_BOUND = 255;

/** A group's literal parts: stored JSON (escapes not decoded, not normalized) or compiled. */
export interface UnitSource {
  readonly upstream: string;
  readonly method: string;
  readonly path: string;
  /** undefined: not compared. */
  readonly query: unknown;
  readonly body: unknown;
  readonly stored: boolean;
}

/** One group's units: field hashes and unit hashes, pairwise. */
interface Units {
  fields: number[];
  values: number[];
  bodyKeys: number;
  bodyIsObject: boolean;
  /** The leaf units of the values that hold objects (see `leafUnits`). */
  leaves: number[];
}

/** `stored` values are read as the literal they stand for (escapes, normalizers, `$literal`). */
class UnitHasher {
  constructor(private readonly norm: StringNormalizer | null) {}

  /** Field hashes repeat across groups (the same few keys): computed once each. */
  private readonly fields = new Map<string, number>();

  field(tag: string, key: string | null): number {
    const name = key === null ? tag : tag + '\0' + key;
    let f = this.fields.get(name);
    if (f === undefined) {
      const h = new Hash();
      h.string(tag);
      if (key !== null) h.string(key);
      this.fields.set(name, (f = small(h.digest())));
    }
    return f;
  }

  unit(tag: string, key: string | null, value: unknown, stored: boolean): number | null {
    const h = new Hash();
    h.string(tag);
    if (key !== null) h.string(key);
    h.string('=');
    if (!stored) h.value(value);
    else if (!h.stored(value, this.norm)) return null;
    return small(h.digest());
  }
}

/**
 * The top-level entries of an object part, each as a value `Hash.stored` reads the same way;
 * null when the part is not an object (or an operator other than `$literal`).
 */
function entriesOf(v: unknown, stored: boolean): Array<[string, unknown]> | null {
  if (stored) {
    const op = operatorOf(v);
    if (op !== null) {
      if (op.kind !== 'literal' || !isPlainObject(op.value)) return null;
      return Object.entries(op.value).map(([k, x]) => [k, { $literal: x }]);
    }
  }
  return isPlainObject(v) ? Object.entries(v) : null;
}

/**
 * A recorded object compares key by key and leaves the request's extra keys out (a key missing in
 * the signature is not compared), so a value holding one may differ in hash and still match.
 * Such a value is cut into leaf units instead (each scalar with its path, each object and each
 * array length as a shape): it matches only if the request has every one of them, so one missing
 * among all the leaf units of a signature is at least one difference (the bound counts one for
 * them all, since one difference higher up may stand for many leaves).
 */
function holdsObject(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(holdsObject);
  return typeof v === 'object' && v !== null;
}

/** False when a pattern sits inside (then the group is compared one by one). */
function leafUnits(
  path: string,
  v: unknown,
  stored: boolean,
  hasher: UnitHasher,
  out: number[],
): boolean {
  if (Array.isArray(v)) {
    out.push(hasher.unit(TAG_SHAPE, path, v.length, false) as number);
    for (let i = 0; i < v.length; i++) {
      if (!leafUnits(`${path}[${String(i)}]`, v[i], stored, hasher, out)) return false;
    }
    return true;
  }
  if (typeof v === 'object' && v !== null) {
    if (stored && operatorOf(v) !== null) return false;
    out.push(hasher.unit(TAG_SHAPE, path, '{}', false) as number);
    for (const [k, x] of Object.entries(v)) {
      if (!leafUnits(`${path}.${JSON.stringify(k)}`, x, stored, hasher, out)) return false;
    }
    return true;
  }
  const u = hasher.unit(TAG_LEAF, path, v, stored);
  if (u === null) return false;
  out.push(u);
  return true;
}

/** The request's leaf units of an object or array value, as `leafUnits` cuts recorded ones. */
function liveLeafUnits(path: string, v: unknown, hasher: UnitHasher, out: number[]): void {
  if (Array.isArray(v)) {
    out.push(hasher.unit(TAG_SHAPE, path, v.length, false) as number);
    for (let i = 0; i < v.length; i++) liveLeafUnits(`${path}[${String(i)}]`, v[i], hasher, out);
  } else if (isPlainObject(v)) {
    out.push(hasher.unit(TAG_SHAPE, path, '{}', false) as number);
    for (const k in v) {
      if (Object.hasOwn(v, k)) liveLeafUnits(`${path}.${JSON.stringify(k)}`, v[k], hasher, out);
    }
  } else out.push(hasher.unit(TAG_LEAF, path, v, false) as number);
}

function unitsOf(src: UnitSource, hasher: UnitHasher): Units | null {
  const fields: number[] = [];
  const values: number[] = [];
  const leaves: number[] = [];
  const add = (tag: string, key: string | null, value: unknown, stored: boolean): boolean => {
    if (tag !== TAG_QUERY && holdsObject(value)) {
      return leafUnits(`${tag}\0${key ?? ''}`, value, stored, hasher, leaves);
    }
    const u = hasher.unit(tag, key, value, stored);
    if (u === null) return false;
    fields.push(hasher.field(tag, key));
    values.push(u);
    return true;
  };
  // Upstream, method and path are literal here: the caller only passes such groups.
  add(TAG_UPSTREAM, null, src.upstream, false);
  add(TAG_METHOD, null, src.method, false);
  add(TAG_PATH, null, src.path, false);
  if (src.query !== undefined) {
    const entries = entriesOf(src.query, src.stored);
    if (entries === null) return null;
    for (const [k, x] of entries) if (!add(TAG_QUERY, k, x, src.stored)) return null;
  }
  let bodyKeys = 0;
  let bodyIsObject = false;
  if (src.body !== undefined) {
    const entries = entriesOf(src.body, src.stored);
    if (entries === null) {
      if (!add(TAG_BODY, null, src.body, src.stored)) return null;
    } else {
      bodyIsObject = true;
      const before = values.length;
      for (const [k, x] of entries) if (!add(TAG_BODY_KEY, k, x, src.stored)) return null;
      bodyKeys = values.length - before;
    }
  }
  return { fields, values, bodyKeys, bodyIsObject, leaves };
}

/** The request's units, in the same hashes: one per part and per top-level key of query and body. */
function liveUnits(
  view: LiveView,
  hasher: UnitHasher,
): { fields: number[]; values: number[]; leaves: number[] } {
  const fields: number[] = [];
  const values: number[] = [];
  const leaves: number[] = [];
  const add = (tag: string, key: string | null, value: unknown): void => {
    fields.push(hasher.field(tag, key));
    values.push(hasher.unit(tag, key, value, false) as number);
  };
  add(TAG_UPSTREAM, null, view.upstream);
  add(TAG_METHOD, null, view.method);
  add(TAG_PATH, null, view.path);
  for (const k in view.query) if (Object.hasOwn(view.query, k)) add(TAG_QUERY, k, view.query[k]);
  if (view.body !== undefined) {
    add(TAG_BODY, null, view.body);
    if (typeof view.body === 'object' && view.body !== null)
      liveLeafUnits(`${TAG_BODY}\0`, view.body, hasher, leaves);
    if (isPlainObject(view.body)) {
      for (const k in view.body) {
        if (!Object.hasOwn(view.body, k)) continue;
        const v = view.body[k];
        add(TAG_BODY_KEY, k, v);
        if (typeof v === 'object' && v !== null)
          liveLeafUnits(`${TAG_BODY_KEY}\0${k}`, v, hasher, leaves);
      }
    }
  }
  return { fields, values, leaves };
}

interface Field {
  /** How many indexed groups have a unit of this field. */
  count: number;
  /** The distinct unit hashes of this field. */
  units: number[];
}

export interface ClosestCandidate {
  /** Precedence among equally close groups: lower wins. */
  readonly index: number;
}

/**
 * The best so far, kept by the caller: `offer` returns nothing, `score` is its distance (Infinity
 * while there is none) and `index` its precedence.
 */
export interface ClosestPick<G> {
  readonly score: number;
  readonly group: G | null;
  offer(g: G, score: number): void;
}

export class ClosestIndex<G extends ClosestCandidate> {
  /** Groups in precedence order; positions below index these. */
  private readonly members: G[] = [];
  /** Groups the units cannot describe (patterns): compared one by one. */
  private readonly scan: G[] = [];
  private readonly byUnit = new Map<number, number | number[]>();
  /** Leaf units → positions, and each position's count of them. */
  private readonly byLeaf = new Map<number, number | number[]>();
  private readonly leafCount: Uint32Array;
  private readonly fields = new Map<number, Field>();
  private readonly unitCount: Uint16Array;
  private readonly bodyKeys: Uint16Array;
  private readonly bodyIsObject: Uint8Array;
  private readonly hasher: UnitHasher;

  /** Groups not looked at yet: filing runs in slices (`build`), so start-up need not wait. */
  private next = 0;

  /** `groups` in precedence order (lowest `index` first), as the matcher keeps its lists. */
  constructor(
    private readonly groups: readonly G[],
    private readonly sourceOf: (g: G) => UnitSource | null,
    norm: StringNormalizer | null,
  ) {
    this.hasher = new UnitHasher(norm);
    const n = groups.length;
    this.unitCount = new Uint16Array(n);
    this.bodyKeys = new Uint16Array(n);
    this.bodyIsObject = new Uint8Array(n);
    this.leafCount = new Uint32Array(n);
  }

  get built(): boolean {
    return this.next === this.groups.length;
  }

  /** Files groups until `until()` says stop; true once every group is filed. */
  build(until: () => boolean = () => false): boolean {
    const groups = this.groups;
    while (this.next < groups.length) {
      const g = groups[this.next++] as G;
      const src = this.sourceOf(g);
      const u = src === null ? null : unitsOf(src, this.hasher);
      if (u === null) this.scan.push(g);
      else this.file(g, u);
      if ((this.next & 63) === 0 && until()) break;
    }
    return this.built;
  }

  private file(g: G, u: Units): void {
    const pos = this.members.length;
    this.members.push(g);
    this.unitCount[pos] = Math.min(u.values.length, 0xffff);
    this.bodyKeys[pos] = Math.min(u.bodyKeys, 0xffff);
    this.bodyIsObject[pos] = u.bodyIsObject ? 1 : 0;
    // A unit repeated within one value (two equal messages) counts once, as the request's does.
    const leaves = [...new Set(u.leaves)];
    this.leafCount[pos] = leaves.length;
    for (const leaf of leaves) {
      const list = this.byLeaf.get(leaf);
      if (list === undefined) this.byLeaf.set(leaf, pos);
      else if (Array.isArray(list)) list.push(pos);
      else this.byLeaf.set(leaf, [list, pos]);
    }
    for (let i = 0; i < u.values.length; i++) {
      const unit = u.values[i] as number;
      const fieldKey = u.fields[i] as number;
      const list = this.byUnit.get(unit);
      if (list === undefined) this.byUnit.set(unit, pos);
      else if (Array.isArray(list)) list.push(pos);
      else this.byUnit.set(unit, [list, pos]);
      let field = this.fields.get(fieldKey);
      if (field === undefined) this.fields.set(fieldKey, (field = { count: 0, units: [] }));
      field.count++;
      if (list === undefined) field.units.push(unit);
    }
  }

  get size(): number {
    return this.groups.length;
  }

  /**
   * Offers `pick` every group that can be the closest: the same result as offering all of them
   * with `distance(g, limit)` (a number above `limit` once it is exceeded).
   */
  search(view: LiveView, pick: ClosestPick<G>, distance: (g: G, limit: number) => number): void {
    this.build();
    for (const g of this.scan) pick.offer(g, distance(g, pick.score));
    const n = this.members.length;
    if (n === 0) return;
    const matched = new Int32Array(n);
    let everyone = 0;
    const live = liveUnits(view, this.hasher);
    for (let i = 0; i < live.values.length; i++) {
      const unit = live.values[i] as number;
      const list = this.byUnit.get(unit);
      const size = list === undefined ? 0 : Array.isArray(list) ? list.length : 1;
      const field = this.fields.get(live.fields[i] as number);
      // A value most groups share: count it for all, and take it back from those with another
      // value of the field, which are fewer.
      if (field !== undefined && field.count === n && size > n / 2) {
        everyone++;
        for (const other of field.units) {
          if (other === unit) continue;
          const o = this.byUnit.get(other);
          if (Array.isArray(o)) for (const pos of o) add(matched, pos, -1);
          else if (o !== undefined) add(matched, o, -1);
        }
      } else if (Array.isArray(list)) {
        for (const pos of list) add(matched, pos, 1);
      } else if (list !== undefined) {
        add(matched, list, 1);
      }
    }
    const matchedLeaves = new Int32Array(n);
    for (const leaf of new Set(live.leaves)) {
      const list = this.byLeaf.get(leaf);
      if (Array.isArray(list)) for (const pos of list) add(matchedLeaves, pos, 1);
      else if (list !== undefined) add(matchedLeaves, list, 1);
    }
    const requestBodyIsObject = isPlainObject(view.body);
    // Counting sort of positions by bound; within a bound they stay in precedence order.
    const bound = new Uint8Array(n);
    const starts = new Int32Array(MAX_BOUND + 2);
    for (let pos = 0; pos < n; pos++) {
      let units = this.unitCount[pos] as number;
      // Against a request body that is not an object, a body object differs once, not per key.
      if (!requestBodyIsObject && this.bodyIsObject[pos] === 1)
        units = units - (this.bodyKeys[pos] as number) + 1;
      // A leaf the request lacks is at least one difference among the values holding objects.
      else if ((matchedLeaves[pos] as number) < (this.leafCount[pos] as number)) units += 1;
      const b = Math.min(MAX_BOUND, Math.max(0, units - (matched[pos] as number) - everyone));
      bound[pos] = b;
      add(starts, b + 1, 1);
    }
    for (let b = 1; b <= MAX_BOUND + 1; b++) add(starts, b, starts[b - 1] as number);
    const order = new Int32Array(n);
    const fill = starts.slice(0, MAX_BOUND + 1);
    for (let pos = 0; pos < n; pos++) {
      const b = bound[pos] as number;
      order[fill[b] as number] = pos;
      add(fill, b, 1);
    }

    // The last level also holds every bound above it: a lower bound for those, still.
    for (let b = 0; b <= MAX_BOUND; b++) {
      if (b > pick.score) return;
      const end = starts[b + 1] as number;
      for (let k = starts[b] as number; k < end; k++) {
        if (b > pick.score) return;
        const g = this.members[order[k] as number] as G;
        const top = pick.group;
        // Equally close and later in precedence cannot win; neither can anything after it here.
        if (b === pick.score && top !== null && g.index > top.index) break;
        pick.offer(g, distance(g, pick.score));
      }
    }
  }
}

function add(a: Int32Array, i: number, d: number): void {
  a[i] = (a[i] as number) + d;
}

/**
 * 30 bits: small integers are map keys V8 stores without a heap number each (100,000 calls have
 * 100,000 distinct prompts). A collision only lowers a bound, which costs a comparison, never a
 * wrong result.
 */
function small(hash: number): number {
  return hash & 0x3fffffff;
}
