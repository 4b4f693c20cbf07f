/** The places a fix edits, read from a DiffItem's path and written back in the form `ignore` takes. */
import type { DiffItem } from '../mock-link.js';
import { formatPath, parseIgnorePath, type PathSegment } from '../matching/json-path.js';

export interface Place {
  target: 'body' | 'query';
  /** Indexes and names only: a DiffItem's path never holds `*`. */
  segments: Array<string | number>;
}

/** Where a body or query item points; null for upstream/method/path items. */
export function placeOf(item: DiffItem): Place | null {
  if (item.part !== 'body' && item.part !== 'query') return null;
  // A difference of the whole part is labelled with the part's name.
  if (item.path === item.part) return { target: item.part, segments: [] };
  const { target, segments } = parseIgnorePath(item.path);
  return { target, segments: segments.filter((s): s is string | number => typeof s !== 'symbol') };
}

/**
 * An array whose length differs cannot be fixed element by element (arrays must have the same
 * length to match), so an item only one side has stands for its whole array.
 */
export function lengthChange(item: DiffItem, place: Place): Place | null {
  const last = place.segments[place.segments.length - 1];
  if (item.kind === 'extra' || (item.kind === 'missing' && typeof last === 'number'))
    return { target: place.target, segments: place.segments.slice(0, -1) };
  return null;
}

/** The path as `ignore` takes it and the miss report writes it: `$.messages[1].content`. */
export function pathText(place: Place): string {
  if (place.segments.length === 0) return place.target === 'query' ? '$.query' : '$';
  return formatPath(place.target, place.segments);
}

/** True when `inner` is `outer` or lies inside it. */
export function within(inner: Place, outer: Place): boolean {
  if (inner.target !== outer.target || inner.segments.length < outer.segments.length) return false;
  return outer.segments.every((s, i) => inner.segments[i] === s);
}

/** Whether an ignore path (which may hold `*`) covers a place. */
export function ignoreCovers(ignore: string, place: Place): boolean {
  let parsed: { target: 'body' | 'query'; segments: PathSegment[] };
  try {
    parsed = parseIgnorePath(ignore);
  } catch {
    return false;
  }
  if (parsed.target !== place.target || parsed.segments.length > place.segments.length)
    return false;
  return parsed.segments.every((s, i) => typeof s === 'symbol' || s === place.segments[i]);
}

/** A value for a change line: JSON, long text cut in the middle so both ends stay readable. */
export function shown(v: unknown): string {
  const s = v === undefined ? 'nothing' : JSON.stringify(v);
  return s.length <= 120 ? s : s.slice(0, 70) + '…' + s.slice(-45);
}
