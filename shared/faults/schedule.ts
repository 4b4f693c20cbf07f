/** When a fault fires: `when` (all given conditions must hold) and the kind's own window. */
import type { Fault } from '../schema.js';
import { draw } from './random.js';

export interface Range {
  from: number;
  /** Inclusive; null for open-ended. */
  to: number | null;
}

/** "21-30", "21-" or "7". The schema has checked the shape. */
export function parseRange(text: string): Range {
  const [a, b] = text.split('-');
  const from = Number(a);
  if (b === undefined) return { from, to: from };
  return { from, to: b === '' ? null : Number(b) };
}

export function inRange(n: number, r: Range): boolean {
  return n >= r.from && (r.to === null || n <= r.to);
}

export interface ScheduleInput {
  /** 1-based number of this request on the fault's counter. */
  n: number;
  /** ms since the mock started (or was reset). */
  elapsedMs: number;
  seed: string;
  /** Stable identity of the fault, for its random draws. */
  key: string;
  /** Which counter instance: `upstream:openai`, `call:c_…`, `global`. */
  counterKey: string;
}

/**
 * rateLimit's `after` and `for` as a request window: fine for `after` requests (default 0), then
 * `for` 429s (default: no end).
 */
function kindWindow(f: Fault): Range | null {
  if (f.kind !== 'rateLimit' || (f.after === undefined && f.for === undefined)) return null;
  const after = f.after ?? 0;
  return { from: after + 1, to: f.for === undefined ? null : after + f.for };
}

export function fires(f: Fault, s: ScheduleInput): boolean {
  const window = kindWindow(f);
  if (window && !inRange(s.n, window)) return false;
  const w = f.when;
  if (!w) return true;
  if (w.requests !== undefined && !inRange(s.n, parseRange(w.requests))) return false;
  if (w.every !== undefined && s.n % w.every !== 0) return false;
  if (w.afterMs !== undefined && s.elapsedMs < w.afterMs) return false;
  if (w.probability !== undefined && !(draw(s.seed, s.key, s.counterKey, s.n, 'p') < w.probability))
    return false;
  return true;
}
