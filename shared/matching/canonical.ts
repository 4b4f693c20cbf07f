/**
 * Plain-JSON helpers: a stable-key-order serialization and a deep equality that confirms a hash
 * hit. Object key order matters to neither.
 */

import { isObject } from '../providers/json.js';

type Obj = Record<string, unknown>;

/** The one plain-object test (shared/providers/json.ts), under the name the matcher reads well with. */
export const isPlainObject: (v: unknown) => v is Obj = isObject;

export function ownValue(o: Obj, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

/** Assigns without tripping over a key named `__proto__`. */
export function setOwn(o: Obj, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    o[key] = value;
  }
}

function sortedKeys(o: Obj, skip?: ReadonlySet<string>): string[] {
  const keys = Object.keys(o);
  return (skip ? keys.filter((k) => !skip.has(k)) : keys).sort();
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
  if (isPlainObject(value)) {
    return (
      '{' +
      sortedKeys(value)
        .map((k) => JSON.stringify(k) + ':' + canonicalJson(value[k]))
        .join(',') +
      '}'
    );
  }
  return value === undefined ? 'null' : JSON.stringify(value);
}

/** Deep equality of parsed JSON; `skip` leaves out top-level keys of `b` only. */
export function jsonEquals(a: unknown, b: unknown, skip?: ReadonlySet<string>): boolean {
  if (a === b) return skip === undefined || !isPlainObject(b) || !hasAnyKey(b, skip);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEquals(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Obj;
  const bo = b as Obj;
  let bCount = 0;
  for (const k in bo) {
    if (!Object.hasOwn(bo, k) || skip?.has(k)) continue;
    bCount++;
    if (!Object.hasOwn(ao, k) || !jsonEquals(ao[k], bo[k])) return false;
  }
  let aCount = 0;
  for (const k in ao) if (Object.hasOwn(ao, k)) aCount++;
  return aCount === bCount;
}

function hasAnyKey(o: Obj, keys: ReadonlySet<string>): boolean {
  for (const k of keys) if (Object.hasOwn(o, k)) return true;
  return false;
}
