/**
 * A stored signature compiled for matching: parts as pattern nodes (null = not compared), its
 * wildcard count for precedence, and whether it is exact, i.e. what `signatureOf` would produce
 * for some request, so the O(1) index can find it by hash.
 */
import type { Signature } from '../schema.js';
import { isPlainObject } from './canonical.js';
import { Hash } from './hash.js';
import { parseIgnorePath } from './json-path.js';
import type { StringNormalizer } from './normalize.js';
import {
  compileString,
  compileValue,
  hashNode,
  ignoreAt,
  type CompileContext,
  type Node,
} from './pattern.js';
import { literalOf } from './glob.js';
import { operatorOf } from './operators.js';
import { VOLATILE_SET, withoutCredentials } from './signature.js';

export interface CompiledSignature {
  readonly upstream: Node | null;
  readonly method: Node | null;
  readonly path: Node | null;
  readonly query: Node | null;
  readonly body: Node | null;
  /** Wildcard nodes + ignore paths + left-out upstream/method/path. */
  readonly wildcards: number;
  readonly exact: boolean;
  /** For an exact signature the same hash a matching live request has; else a pattern hash. */
  readonly hash: number;
}

/**
 * `shared` lets many signatures share one node per distinct upstream, method and path: a large
 * snapshot repeats the same few.
 */
export function compileSignature(
  sig: Signature,
  norm: StringNormalizer | null,
  shared: Map<string, Node> = new Map(),
): CompiledSignature {
  const ctx: CompileContext = { norm, wildcards: 0 };
  const plain: CompileContext = { norm: null, wildcards: 0 };
  const part = (tag: string, s: string | undefined, c: CompileContext): Node | null => {
    if (s === undefined) return null;
    const key = tag + s;
    const known = shared.get(key);
    if (known) return known;
    const node = compileString(s, c);
    if (node.t === 'val') shared.set(key, node);
    return node;
  };
  const upstream = part('u', sig.upstream, plain);
  const method = part('m', sig.method?.toUpperCase(), plain);
  const path = part('p', sig.path, ctx);
  let query = compileQuery(sig.query, ctx);
  let body = sig.body === undefined ? null : compileValue(sig.body, ctx);

  const ignore = sig.ignore ?? [];
  for (const raw of ignore) {
    const { target, segments } = parseIgnorePath(raw);
    if (target === 'query' && query !== null) query = ignoreAt(query, segments);
    if (target === 'body' && body !== null) body = ignoreAt(body, segments);
  }

  const wildcards =
    ctx.wildcards +
    plain.wildcards +
    ignore.length +
    (upstream === null ? 1 : 0) +
    (method === null ? 1 : 0) +
    (path === null ? 1 : 0);

  const exact =
    isLiteralString(upstream) &&
    isLiteralString(method) &&
    isLiteralString(path) &&
    ignore.length === 0 &&
    (query === null || (query.t === 'val' && isQueryShaped(query.v))) &&
    (body === null || (body.t === 'val' && !hasVolatileField(body.v)));

  let hash: number;
  if (exact) {
    hash = exactHash(
      literal(upstream) as string,
      literal(method) as string,
      literal(path) as string,
      query === null ? undefined : literal(query),
      body === null ? undefined : literal(body),
    );
  } else {
    const h = new Hash();
    h.chain(0x30000, wildcards);
    for (const node of [upstream, method, path, query, body]) hashNode(h, node);
    hash = h.digest();
  }
  return { upstream, method, path, query, body, wildcards, exact, hash };
}

export interface ExactKey {
  readonly upstream: string;
  readonly method: string;
  readonly path: string;
  readonly hash: number;
}

/**
 * The fast path at load time for the usual signature, the one the recorder wrote: its exact key
 * straight from the stored JSON, with nothing compiled or copied. Null when it takes compiling
 * to tell (patterns, ignore, operator objects at the top); `compileSignature` agrees with every
 * key this returns.
 */
export function exactKeyOf(sig: Signature, norm: StringNormalizer | null): ExactKey | null {
  if (sig.ignore !== undefined && sig.ignore.length > 0) return null;
  if (sig.upstream === undefined || sig.method === undefined || sig.path === undefined) return null;
  const upstream = literalOf(sig.upstream);
  const method = literalOf(sig.method.toUpperCase());
  const rawPath = literalOf(sig.path);
  if (upstream === null || method === null || rawPath === null) return null;
  const path = norm ? norm(rawPath) : rawPath;
  const { query, body } = sig;
  // What the parts stand for at the top; a `$literal` wrapper is fine, any other operator is not.
  const queryTop = literalTop(query);
  const bodyTop = literalTop(body);
  if (queryTop === NOT_LITERAL || bodyTop === NOT_LITERAL) return null;
  if (queryTop !== undefined && !isQueryShaped(queryTop)) return null;
  if (isPlainObject(bodyTop) && hasVolatileField(bodyTop)) return null;

  const h = new Hash();
  h.string(upstream);
  h.string(method);
  h.string(path);
  const kept = withoutCredentialsStored(query);
  if (kept === undefined) h.value(undefined);
  else if (!h.stored(kept, norm)) return null;
  if (body === undefined) h.value(undefined);
  else if (!h.stored(body, norm)) return null;
  return { upstream, method, path, hash: h.digest() };
}

const NOT_LITERAL = Symbol('not literal');

function literalTop(v: unknown): unknown {
  const op = operatorOf(v);
  if (op === null) return v;
  return op.kind === 'literal' ? op.value : NOT_LITERAL;
}

/** Credentials never take part; a query naming nothing is the same as no query. */
function compileQuery(q: unknown, ctx: CompileContext): Node | null {
  const kept = withoutCredentialsStored(q);
  return kept === undefined ? null : compileValue(kept, ctx);
}

/** A stored query without credential parameters (also inside `$literal`); undefined if empty. */
export function withoutCredentialsStored(q: unknown): unknown {
  const op = operatorOf(q);
  if (op?.kind === 'literal' && isPlainObject(op.value)) {
    const kept = withoutCredentials(op.value);
    return Object.keys(kept).length === 0 ? undefined : { $literal: kept };
  }
  if (!isPlainObject(q) || op !== null) return q;
  const kept = withoutCredentials(q);
  return Object.keys(kept).length === 0 ? undefined : kept;
}

/**
 * The hash both sides of the exact index agree on. `skip` leaves out top-level body keys, so a
 * live body is hashed without its volatile fields and without being copied.
 */
export function exactHash(
  upstream: string,
  method: string,
  path: string,
  query: unknown,
  body: unknown,
  skip?: (key: string) => boolean,
): number {
  const h = new Hash();
  h.string(upstream);
  h.string(method);
  h.string(path);
  h.value(query);
  h.value(body, skip);
  return h.digest();
}

export function literal(node: Node | null): unknown {
  return node !== null && node.t === 'val' ? node.v : undefined;
}

function isLiteralString(node: Node | null): boolean {
  return node !== null && node.t === 'val' && typeof node.v === 'string';
}

function isQueryShaped(v: unknown): boolean {
  if (!isPlainObject(v)) return false;
  for (const k in v) {
    if (!Object.hasOwn(v, k)) continue;
    const x = v[k];
    if (typeof x === 'string') continue;
    if (!Array.isArray(x) || !x.every((s) => typeof s === 'string')) return false;
  }
  return true;
}

function hasVolatileField(body: unknown): boolean {
  if (!isPlainObject(body)) return false;
  for (const k of VOLATILE_SET) if (Object.hasOwn(body, k)) return true;
  return false;
}

/** Why a signature cannot be compiled (bad $regex, bad ignore path), or null; for load-time checks. */
export function checkSignature(sig: Signature): string | null {
  try {
    compileSignature(sig, null);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
