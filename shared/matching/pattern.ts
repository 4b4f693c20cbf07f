/**
 * A signature value compiled for matching. Literal subtrees stay the parsed JSON they came from
 * (no per-node wrappers, no copies unless escapes or normalizers change a string), so a large
 * snapshot costs little more than the signatures themselves.
 *
 * Matching is "every key the pattern names": objects in the pattern may leave keys out, arrays
 * compare element-wise with equal length, scalars compare by value.
 */
import { isPlainObject, jsonEquals, ownValue, setOwn } from './canonical.js';
import type { Hash } from './hash.js';
import { globMatch, globSegments } from './glob.js';
import { EVERY, type PathSegment } from './json-path.js';
import { normalizeDeep, type StringNormalizer } from './normalize.js';
import { operatorOf } from './operators.js';

export type Node =
  | { readonly t: 'val'; readonly v: unknown }
  | { readonly t: 'any' }
  | { readonly t: 'opt' }
  | { readonly t: 'glob'; readonly segs: readonly string[]; readonly src: string }
  | { readonly t: 're'; readonly re: RegExp }
  | { readonly t: 'arr'; readonly items: readonly Node[] }
  | { readonly t: 'obj'; readonly keys: readonly string[]; readonly vals: readonly Node[] };

/** `"*"`: any value, but it must be there. */
export const ANY: Node = { t: 'any' };
/** `{"$any": true}` and ignored paths: anything, present or not. */
export const OPTIONAL: Node = { t: 'opt' };

export interface CompileContext {
  readonly norm: StringNormalizer | null;
  /** Incremented once per wildcard node. */
  wildcards: number;
}

export function compileValue(value: unknown, ctx: CompileContext): Node {
  const r = compileInner(value, ctx);
  return r instanceof Pattern ? r.node : { t: 'val', v: r };
}

/** Marks a non-literal result of the compile pass; a literal comes back as plain JSON. */
class Pattern {
  constructor(readonly node: Node) {}
}

function asNode(r: unknown): Node {
  return r instanceof Pattern ? r.node : { t: 'val', v: r };
}

/**
 * One pass, copy-on-write: a literal subtree comes back as the very object it was unless an
 * escape or a normalizer changed one of its strings.
 */
function compileInner(value: unknown, ctx: CompileContext): unknown {
  if (typeof value === 'string') {
    if (!value.includes('*')) return ctx.norm ? ctx.norm(value) : value;
    const n = compileString(value, ctx);
    return n.t === 'val' ? n.v : new Pattern(n);
  }
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    let patterned = false;
    for (let i = 0; i < value.length; i++) {
      const r = compileInner(value[i], ctx);
      if (r !== value[i] && out === null) out = value.slice(0, i);
      if (out !== null) out.push(r);
      if (r instanceof Pattern) patterned = true;
    }
    if (patterned) return new Pattern({ t: 'arr', items: (out as unknown[]).map(asNode) });
    return out ?? value;
  }
  const obj = value as Record<string, unknown>;
  const op = operatorOf(obj);
  if (op?.kind === 'any') {
    ctx.wildcards++;
    return new Pattern(OPTIONAL);
  }
  if (op?.kind === 'regex') {
    ctx.wildcards++;
    return new Pattern({ t: 're', re: compileRegex(op.source, op.flags) });
  }
  if (op?.kind === 'literal') return ctx.norm ? normalizeDeep(op.value, ctx.norm) : op.value;
  // for-in walks the same keys in the same order as Object.keys, without allocating; the key
  // list is only made once a child turns out different.
  let keys: string[] | null = null;
  let results: unknown[] | null = null;
  let patterned = false;
  let i = 0;
  for (const k in obj) {
    if (!Object.hasOwn(obj, k)) continue;
    const v = obj[k];
    const r = compileInner(v, ctx);
    if (results === null && r !== v) {
      const all = Object.keys(obj);
      keys = all;
      results = all.slice(0, i).map((key) => obj[key]);
    }
    if (results !== null) results.push(r);
    if (r instanceof Pattern) patterned = true;
    i++;
  }
  if (keys === null || results === null) return value;
  const names = keys;
  const values = results;
  if (patterned) {
    const order = names
      .map((_, j) => j)
      .sort((a, b) => compareKeys(names[a] as string, names[b] as string));
    return new Pattern({
      t: 'obj',
      keys: order.map((j) => names[j] as string),
      vals: order.map((j) => asNode(values[j])),
    });
  }
  const copy: Record<string, unknown> = {};
  names.forEach((k, j) => setOwn(copy, k, values[j]));
  return copy;
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A stored string: `*` alone, a glob, or a literal (escapes decoded). Glob pieces are normalized
 * one by one, since a normalizer cannot see across a star.
 */
export function compileString(s: string, ctx: CompileContext): Node {
  if (s === '*') {
    ctx.wildcards++;
    return ANY;
  }
  const norm = ctx.norm ?? identity;
  if (!s.includes('*')) return { t: 'val', v: norm(s) };
  const segs = globSegments(s);
  if (segs.length === 1) return { t: 'val', v: norm(segs[0] as string) };
  ctx.wildcards++;
  return { t: 'glob', segs: segs.map(norm), src: s };
}

function identity(s: string): string {
  return s;
}

type ValNode = Extract<Node, { t: 'val' }>;

export function compileRegex(source: string, flags: string): RegExp {
  try {
    // Without g and y a RegExp keeps no state between tests.
    return new RegExp(source, flags.replace(/[gy]/g, ''));
  } catch (e) {
    throw new Error(
      `invalid $regex ${JSON.stringify(source)} (flags "${flags}"): ${(e as Error).message}`,
      { cause: e },
    );
  }
}

export function matchNode(node: Node, value: unknown, present: boolean): boolean {
  switch (node.t) {
    case 'val':
      return matchLiteral(node.v, value);
    case 'any':
      return present;
    case 'opt':
      return true;
    case 'glob':
      return typeof value === 'string' && globMatch(node.segs, value);
    case 're':
      return typeof value === 'string' && node.re.test(value);
    case 'arr': {
      if (!Array.isArray(value) || value.length !== node.items.length) return false;
      for (let i = 0; i < value.length; i++) {
        if (!matchNode(node.items[i] as Node, value[i], true)) return false;
      }
      return true;
    }
    case 'obj': {
      if (!isPlainObject(value)) return false;
      for (let i = 0; i < node.keys.length; i++) {
        const k = node.keys[i] as string;
        const has = Object.hasOwn(value, k);
        if (!matchNode(node.vals[i] as Node, has ? value[k] : undefined, has)) return false;
      }
      return true;
    }
  }
}

/** A literal pattern against a live value: keys the pattern leaves out are not compared. */
export function matchLiteral(p: unknown, v: unknown): boolean {
  if (p === v) return true;
  if (typeof p !== 'object' || p === null || typeof v !== 'object' || v === null) return false;
  if (Array.isArray(p)) {
    if (!Array.isArray(v) || v.length !== p.length) return false;
    for (let i = 0; i < p.length; i++) if (!matchLiteral(p[i], v[i])) return false;
    return true;
  }
  if (Array.isArray(v)) return false;
  const po = p as Record<string, unknown>;
  const vo = v as Record<string, unknown>;
  for (const k in po) {
    if (!Object.hasOwn(po, k)) continue;
    if (!Object.hasOwn(vo, k) || !matchLiteral(po[k], vo[k])) return false;
  }
  return true;
}

/** Replaces the node(s) at a path with OPTIONAL; a path the pattern does not name changes nothing. */
export function ignoreAt(node: Node, segments: readonly PathSegment[], from = 0): Node {
  if (from === segments.length) return OPTIONAL;
  const seg = segments[from] as PathSegment;
  const expanded = expand(node);
  if (expanded.t === 'arr') {
    if (typeof seg === 'string') return node;
    const items = expanded.items.map((item, i) =>
      seg === EVERY || seg === i ? ignoreAt(item, segments, from + 1) : item,
    );
    return { t: 'arr', items };
  }
  if (expanded.t === 'obj') {
    if (typeof seg === 'number') return node;
    const vals = expanded.keys.map((k, i) =>
      seg === EVERY || seg === k
        ? ignoreAt(expanded.vals[i] as Node, segments, from + 1)
        : (expanded.vals[i] as Node),
    );
    return { t: 'obj', keys: expanded.keys, vals };
  }
  return node;
}

/** A literal container as a node with literal children, so one child can be replaced. */
function expand(node: Node): Node {
  if (node.t !== 'val') return node;
  const v = node.v;
  if (Array.isArray(v)) return { t: 'arr', items: v.map((x) => ({ t: 'val', v: x })) };
  if (isPlainObject(v)) {
    const keys = Object.keys(v).sort();
    return { t: 'obj', keys, vals: keys.map((k) => ({ t: 'val', v: ownValue(v, k) })) };
  }
  return node;
}

/** Identical patterns hash alike; used to group calls into sequences. */
export function hashNode(h: Hash, node: Node | null): void {
  if (node === null) {
    h.chain(0x20000, 0);
    return;
  }
  switch (node.t) {
    case 'val':
      h.chain(0x20001, 0);
      h.value(node.v);
      return;
    case 'any':
      h.chain(0x20002, 0);
      return;
    case 'opt':
      h.chain(0x20003, 0);
      return;
    case 'glob':
      h.chain(0x20004, 0);
      h.value(node.segs);
      return;
    case 're':
      h.chain(0x20005, 0);
      h.string(node.re.source);
      h.string(node.re.flags);
      return;
    case 'arr':
      h.chain(0x20006, node.items.length);
      for (const item of node.items) hashNode(h, item);
      return;
    case 'obj':
      h.chain(0x20007, node.keys.length);
      node.keys.forEach((k, i) => {
        h.string(k);
        hashNode(h, node.vals[i] as Node);
      });
      return;
  }
}

export function nodeEquals(a: Node | null, b: Node | null): boolean {
  if (a === b) return true;
  if (a === null || b === null || a.t !== b.t) return false;
  switch (a.t) {
    case 'val':
      return jsonEquals(a.v, (b as ValNode).v);
    case 'any':
    case 'opt':
      return true;
    case 'glob':
      return jsonEquals(a.segs, (b as typeof a).segs);
    case 're': {
      const br = (b as typeof a).re;
      return a.re.source === br.source && a.re.flags === br.flags;
    }
    case 'arr': {
      const bi = (b as typeof a).items;
      return a.items.length === bi.length && a.items.every((n, i) => nodeEquals(n, bi[i] as Node));
    }
    case 'obj': {
      const bo = b as typeof a;
      return (
        a.keys.length === bo.keys.length &&
        a.keys.every(
          (k, i) => k === bo.keys[i] && nodeEquals(a.vals[i] as Node, bo.vals[i] as Node),
        )
      );
    }
  }
}
