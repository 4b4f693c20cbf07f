/**
 * The bounds every part of Tapedeck enforces, in one place so the recorder, the mock, the loaders
 * and the desktop host refuse the same inputs for the same reasons.
 */

/** Default `--max-body` of `record` and `mock`: larger request bodies get a 413. */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

/**
 * Deepest JSON nesting Tapedeck accepts in a body, a signature or a snapshot file. Real provider
 * payloads (tool schemas included) stay far below it; far deeper input exhausts the call stack of
 * every recursive walk (hashing, diffing, canonical forms), so it is refused at the edge instead.
 */
export const MAX_JSON_DEPTH = 256;

/**
 * Largest snapshot file that is read. A call holding a body at the default limit stores it about
 * twice (request body and signature), base64 or pretty-printed, so this leaves room for that.
 */
export const MAX_SNAPSHOT_FILE_BYTES = 4 * DEFAULT_MAX_BODY_BYTES;

/**
 * True when `value` nests objects/arrays deeper than `max` levels. Safe on exactly the inputs that
 * would overflow an unbounded recursive walk: this one never descends more than `max + 1` levels,
 * and it allocates nothing, since the schema runs it over every body of every loaded call.
 */
export function exceedsDepth(value: unknown, max: number = MAX_JSON_DEPTH): boolean {
  return value !== null && typeof value === 'object' && deeperThan(value, 1, max);
}

function deeperThan(v: object, depth: number, max: number): boolean {
  if (depth > max) return true;
  if (Array.isArray(v)) {
    for (const c of v as unknown[])
      if (c !== null && typeof c === 'object' && deeperThan(c, depth + 1, max)) return true;
    return false;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const c = o[k];
    if (c !== null && typeof c === 'object' && deeperThan(c, depth + 1, max)) return true;
  }
  return false;
}

/**
 * True when the JSON text in `bytes` nests objects/arrays deeper than `max`, read off the bytes
 * without parsing: brackets inside strings are skipped, so for text that is valid JSON the answer
 * equals `exceedsDepth(JSON.parse(text))`. Cheaper than walking the parsed value, and O(1) for
 * bodies too short to reach the limit (each level needs at least one byte).
 */
export function bytesExceedDepth(bytes: Uint8Array, max: number = MAX_JSON_DEPTH): boolean {
  if (bytes.length <= max) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i] as number;
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > max) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return false;
}
