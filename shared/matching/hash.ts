import { literalOf } from './glob.js';
import type { StringNormalizer } from './normalize.js';
import { operatorOf } from './operators.js';

/**
 * The 53-bit keys of the exact index. Large bodies are not kept a second time as canonical
 * strings: values are hashed in place (strings by code unit, object entries summed so key order
 * cannot matter and nothing is sorted), and a hit is confirmed by deep equality.
 */

export function fmix(x: number): number {
  let h = x;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

const T_STRING = 0x1b873593;
const T_NUMBER = 0x2c1b3c6d;
const T_TRUE = 0x297a2d39;
const T_FALSE = 0x7ed55d16;
const T_NULL = 0x165667b1;
const T_ARRAY = 0x3c6ef372;
const T_OBJECT = 0x6a09e667;
const T_ABSENT = 0x510e527f;
const SEED_A = 0x6b43a9b5;
const SEED_B = 0x3b9aca07;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** A 64-bit hash in two 32-bit lanes, fed value by value. */
export class Hash {
  a = SEED_A;
  b = SEED_B;

  /** Cheap per step (multiply and rotate); the strong mixing happens once, in `digest`. */
  chain(x: number, y: number): void {
    const a = Math.imul(this.a ^ x, 0xcc9e2d51);
    const b = Math.imul(this.b ^ y, 0x1b873593);
    this.a = (a << 15) | (a >>> 17);
    this.b = (b << 13) | (b >>> 19);
  }

  string(s: string): void {
    let a = this.a ^ T_STRING;
    let b = this.b;
    // Two code units per step: each step is a bijection of the state, so one changed unit
    // always changes the result, at half the multiplications.
    const n = s.length;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      const c = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
      a = Math.imul(a ^ c, 2654435761);
      b = Math.imul(b ^ c, 1597334677);
    }
    if (i < n) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, 2654435761);
      b = Math.imul(b ^ c, 1597334677);
    }
    this.a = a;
    this.b = b;
    this.chain(n, n);
  }

  /** Appends a JSON value; `skip` leaves out top-level keys of an object (volatile fields). */
  value(v: unknown, skip?: (key: string) => boolean): void {
    this.walk(v, null, skip, true);
  }

  /**
   * Appends the literal a stored signature value stands for (escapes decoded, normalizers
   * applied) exactly as `value` would append that literal, without building it. False as soon as
   * part of it is a pattern; the lanes are then of no use.
   */
  stored(v: unknown, norm: StringNormalizer | null, skip?: (key: string) => boolean): boolean {
    return this.walk(v, norm, skip, false);
  }

  /**
   * Every encoding is self-delimiting (lengths, counts), so values chain without separators.
   * `verbatim`: plain JSON, or the inside of a `$literal`; otherwise escapes and operators count.
   */
  private walk(
    v: unknown,
    norm: StringNormalizer | null,
    skip: ((key: string) => boolean) | undefined,
    verbatim: boolean,
  ): boolean {
    switch (typeof v) {
      case 'string': {
        const s = verbatim ? v : literalOf(v);
        if (s === null) return false;
        this.string(norm ? norm(s) : s);
        return true;
      }
      case 'number':
        f64[0] = v === 0 ? 0 : v;
        this.chain(T_NUMBER ^ (u32[0] as number), T_NUMBER ^ (u32[1] as number));
        return true;
      case 'boolean':
        this.chain(v ? T_TRUE : T_FALSE, v ? T_FALSE : T_TRUE);
        return true;
      case 'undefined':
        this.chain(T_ABSENT, T_ABSENT);
        return true;
    }
    if (v === null || typeof v !== 'object') {
      this.chain(T_NULL, T_NULL);
      return true;
    }
    if (Array.isArray(v)) {
      this.chain(T_ARRAY, v.length);
      for (const item of v) if (!this.walk(item, norm, undefined, verbatim)) return false;
      return true;
    }
    if (!verbatim) {
      const op = operatorOf(v);
      if (op !== null) return op.kind === 'literal' && this.walk(op.value, norm, undefined, true);
    }
    // Entries are hashed from a fresh seed and summed, so key order cannot matter; the lanes of
    // this same object are reused for them, saving an allocation per entry.
    const outerA = this.a;
    const outerB = this.b;
    let sumA = 0;
    let sumB = 0;
    let count = 0;
    const o = v as Record<string, unknown>;
    for (const k in o) {
      if (!Object.hasOwn(o, k) || skip?.(k)) continue;
      this.a = SEED_A;
      this.b = SEED_B;
      this.string(k);
      if (!this.walk(o[k], norm, undefined, verbatim)) return false;
      // Summed lanes must be well spread, or entries could cancel out.
      sumA = (sumA + fmix(this.a)) | 0;
      sumB = (sumB + fmix(this.b ^ 0x5bd1e995)) | 0;
      count++;
    }
    this.a = outerA;
    this.b = outerB;
    this.chain(T_OBJECT ^ count, sumA);
    this.chain(sumB, count);
    return true;
  }

  digest(): number {
    const a = fmix(this.a ^ (this.b >>> 7));
    const b = fmix(this.b ^ a);
    return 4294967296 * (2097151 & b) + (a >>> 0);
  }
}

/** The key of a JSON value: equal for equal values, whatever their key order. */
export function hashJson(value: unknown): number {
  const h = new Hash();
  h.value(value);
  return h.digest();
}
