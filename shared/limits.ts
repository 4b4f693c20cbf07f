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
 * True when `value` nests objects/arrays deeper than `max` levels. Iterative on purpose: it must
 * work on exactly the inputs that would overflow a recursive walk.
 */
export function exceedsDepth(value: unknown, max: number = MAX_JSON_DEPTH): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (depth > max) return true;
    const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    for (const c of children) if (c !== null && typeof c === 'object') stack.push([c, depth + 1]);
  }
  return false;
}
