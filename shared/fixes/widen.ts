/**
 * "Widen this call": the closest call's signature edited so that a missed request matches it,
 * changing only the places the miss report names (docs/fixes.md).
 */
import type { DiffItem } from '../mock-link.js';
import { isPlainObject } from '../matching/canonical.js';
import { escapeGlobPiece, literalOf } from '../matching/glob.js';
import { hasOperatorKey, operatorOf } from '../matching/operators.js';
import { escapeValue } from '../matching/signature.js';
import type { Signature } from '../schema.js';
import { lengthChange, pathText, placeOf, shown, within, type Place } from './paths.js';

/** A kept prefix or suffix shorter than this says nothing about the text; the glob drops it. */
export const MIN_GLOB_PIECE = 3;

export interface Widened {
  signature: Signature;
  /** One line per changed place, e.g. `$.messages[1].content: "…Q3" → "…for *"`. */
  changes: string[];
}

export function widenSignature(signature: Signature, items: readonly DiffItem[]): Widened {
  const out = JSON.parse(JSON.stringify(signature)) as Signature;
  const changes: string[] = [];
  const ignored: Place[] = [];
  const ignore = (place: Place, why: string): void => {
    if (ignored.some((p) => within(place, p))) return;
    const text = pathText(place);
    const list = (out.ignore ??= []);
    if (!list.includes(text)) list.push(text);
    ignored.push(place);
    changes.push(`${text}: added to ignore (${why})`);
  };

  // Arrays of another length first: their ignore paths cover every item inside them.
  const rest: Array<{ item: DiffItem; place: Place }> = [];
  for (const item of items) {
    const place = placeOf(item);
    if (place === null) {
      widenPart(out, item, changes);
      continue;
    }
    const array = lengthChange(item, place);
    if (array) ignore(array, 'the request has another number of items');
    else rest.push({ item, place });
  }

  const seen = new Set<string>();
  for (const { item, place } of rest) {
    if (ignored.some((p) => within(place, p))) continue;
    const text = pathText(place);
    if (seen.has(text)) continue;
    seen.add(text);
    const edit = editAt(out, place, (stored) =>
      item.kind === 'missing' ? { $any: true } : widened(stored, item),
    );
    if (edit === null) ignore(place, 'it cannot take a pattern there');
    else
      changes.push(
        `${text}: ${shown(edit.before)} → ${shown(edit.after)}` +
          (item.kind === 'missing' ? ' (the request leaves it out)' : ''),
      );
  }
  return { signature: out, changes };
}

/** Upstream and method name another call, never a variant of this one; the path takes a glob. */
function widenPart(out: Signature, item: DiffItem, changes: string[]): void {
  const { part } = item;
  if (part === 'path' && typeof out.path === 'string' && typeof item.request === 'string') {
    const before = out.path;
    const lit = literalOf(before);
    out.path =
      lit !== null && typeof item.recorded === 'string'
        ? globOver(item.recorded, item.request)
        : '*';
    changes.push(`path: ${shown(before)} → ${shown(out.path)}`);
    return;
  }
  changes.push(
    `${part}: recorded ${shown(item.recorded)}, request ${shown(item.request)}; left as it is ` +
      `(a request to another ${part} is another call: record it instead)`,
  );
}

/** The new value for a differing place: a glob over the changed part of a text, else `"*"`. */
function widened(stored: unknown, item: DiffItem): unknown {
  const storedText =
    typeof stored === 'string'
      ? literalOf(stored)
      : operatorOf(stored)?.kind === 'literal' &&
          typeof (stored as { $literal: unknown }).$literal === 'string'
        ? ((stored as { $literal: string }).$literal as string)
        : null;
  // A pattern already there, or a value that is no text: any value will do.
  if (storedText === null || typeof item.recorded !== 'string' || typeof item.request !== 'string')
    return '*';
  return globOver(item.recorded, item.request);
}

const WORD = /[\p{L}\p{N}_]/u;
const isWord = (c: string | undefined): boolean => c !== undefined && WORD.test(c);

/**
 * `prefix*suffix` from the text both strings share at each end. A piece ending inside a word is
 * cut back to the word's start (`…for Q3` / `…for Q4` → `…for *`), since the word is what changed;
 * pieces shorter than MIN_GLOB_PIECE are dropped, and with none left the result is `"*"`.
 * Both strings always match the result: the pieces are common to both and do not overlap.
 */
export function globOver(recorded: string, request: string): string {
  const max = Math.min(recorded.length, request.length);
  let p = 0;
  while (p < max && recorded[p] === request[p]) p++;
  let s = 0;
  while (s < max - p && recorded[recorded.length - 1 - s] === request[request.length - 1 - s]) s++;
  while (p > 0 && isWord(request[p - 1]) && (isWord(request[p]) || isWord(recorded[p]))) p--;
  while (
    s > 0 &&
    isWord(request[request.length - s]) &&
    (isWord(request[request.length - s - 1]) || isWord(recorded[recorded.length - s - 1]))
  )
    s--;
  const prefix = p >= MIN_GLOB_PIECE ? request.slice(0, p) : '';
  const suffix = s >= MIN_GLOB_PIECE ? request.slice(request.length - s) : '';
  if (prefix === '' && suffix === '') return '*';
  return escapeGlobPiece(prefix) + '*' + escapeGlobPiece(suffix);
}

/**
 * Replaces the value at `place` with `make(old)`, or returns null when the stored signature has
 * no editable value there (the path runs through an operator, or the shapes differ). A
 * `{"$literal": …}` on the way is unwrapped into the escaped form that means the same, so one
 * value inside it can become a pattern; it cannot when its object has operator-named keys.
 */
function editAt(
  out: Signature,
  place: Place,
  make: (old: unknown) => unknown,
): { before: unknown; after: unknown } | null {
  const holder = out as Record<string, unknown>;
  if (!Object.hasOwn(holder, place.target)) return null;
  const root = { v: JSON.parse(JSON.stringify(holder[place.target])) as unknown };
  let parent: Record<string, unknown> | unknown[] = root as Record<string, unknown>;
  let key: string | number = 'v';
  for (const seg of place.segments) {
    const at = unwrapped(childOf(parent, key));
    if (at === null) return null;
    setChild(parent, key, at);
    if (typeof seg === 'number') {
      if (!Array.isArray(at) || seg >= at.length) return null;
    } else if (!isPlainObject(at) || operatorOf(at) !== null || !Object.hasOwn(at, seg)) {
      return null;
    }
    parent = at as Record<string, unknown> | unknown[];
    key = seg;
  }
  const before = childOf(parent, key);
  const after = make(before);
  setChild(parent, key, after);
  holder[place.target] = root.v;
  return { before, after };
}

function childOf(parent: Record<string, unknown> | unknown[], key: string | number): unknown {
  return Array.isArray(parent) ? parent[key as number] : parent[key as string];
}

function setChild(parent: Record<string, unknown> | unknown[], key: string | number, v: unknown) {
  if (Array.isArray(parent)) parent[key as number] = v;
  else
    Object.defineProperty(parent, key, {
      value: v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
}

/** A container to step into: as it is, or a `$literal`'s content escaped; null for none. */
function unwrapped(v: unknown): unknown {
  const op = operatorOf(v);
  if (op === null) return Array.isArray(v) || isPlainObject(v) ? v : null;
  if (op.kind !== 'literal') return null;
  const inner = op.value;
  if (Array.isArray(inner)) return inner.map(escapeValue);
  if (isPlainObject(inner) && !hasOperatorKey(inner)) {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(inner)) setChild(o, k, escapeValue(inner[k]));
    return o;
  }
  return null;
}
