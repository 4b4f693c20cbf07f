/** Parsing of the limit flags `record` and `mock` share: `--max-body` and `--body-timeout`. */

export class LimitFlagError extends Error {}

const UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Bytes, or a number with k/m/g (binary: 1k = 1024), with or without a trailing "b"/"ib". */
export function parseByteSize(flag: string, v: string): number {
  const m = /^\s*(\d+)\s*(?:([kmg])(?:i?b)?|b)?\s*$/i.exec(v);
  const n = m ? Number(m[1]) * (UNITS[(m[2] ?? '').toLowerCase()] ?? 1) : NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new LimitFlagError(`${flag} wants a size such as 32m, 512k or 1048576, got "${v}"`);
  return n;
}

/** Milliseconds, 0 for no limit. */
export function parseMs(flag: string, v: string): number {
  const n = Number(v);
  // Node's timers hold at most 2^31-1 ms.
  if (v.trim() === '' || !Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1)
    throw new LimitFlagError(`${flag} wants milliseconds (0 for none), got "${v}"`);
  return n;
}
