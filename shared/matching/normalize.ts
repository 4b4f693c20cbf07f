/**
 * Normalizers from the manifest: regex replacements run over every string value of both the
 * recorded signature and the live request, so timestamps, UUIDs and run ids inside prompts stop
 * deciding the match.
 */
import type { Normalizer } from '../schema.js';
import { isPlainObject, setOwn } from './canonical.js';

export interface CompiledNormalizer {
  readonly re: RegExp;
  readonly replace: string;
}

export type StringNormalizer = (s: string) => string;

export function compileNormalizers(normalizers: readonly Normalizer[]): CompiledNormalizer[] {
  return normalizers.map((n) => {
    // Replacement must touch every occurrence; a sticky regex would only ever see position 0.
    const flags = (n.flags ?? '').replace(/[gy]/g, '') + 'g';
    let re: RegExp;
    try {
      re = new RegExp(n.pattern, flags);
    } catch (e) {
      throw new Error(
        `invalid normalizer pattern ${JSON.stringify(n.pattern)} (flags "${n.flags ?? ''}"): ${(e as Error).message}`,
        { cause: e },
      );
    }
    return { re, replace: n.replace ?? '' };
  });
}

/** null when there is nothing to do, so callers can skip the walk entirely. */
export function stringNormalizer(compiled: readonly CompiledNormalizer[]): StringNormalizer | null {
  if (compiled.length === 0) return null;
  return (s) => {
    let out = s;
    for (const n of compiled) out = out.replace(n.re, n.replace);
    return out;
  };
}

/** Copy-on-write: returns the very same value when no string changed. */
export function normalizeDeep(value: unknown, norm: StringNormalizer): unknown {
  if (typeof value === 'string') return norm(value);
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      const n = normalizeDeep(v, norm);
      if (n !== v && out === null) out = value.slice(0, i);
      if (out !== null) out.push(n);
    }
    return out ?? value;
  }
  if (isPlainObject(value)) {
    let out: Record<string, unknown> | null = null;
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      const v = value[k];
      const n = normalizeDeep(v, norm);
      if (n !== v && out === null) {
        out = {};
        for (let j = 0; j < i; j++) setOwn(out, keys[j] as string, value[keys[j] as string]);
      }
      if (out !== null) setOwn(out, k, n);
    }
    return out ?? value;
  }
  return value;
}
