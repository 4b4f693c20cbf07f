/**
 * Deterministic draws: each one is a hash of (seed, fault, counter, request number, purpose), so
 * the same seed gives the same faults on the same requests whatever the concurrency.
 */

/** cyrb53: a fast 53-bit string hash with good avalanche, pure JS. */
function cyrb53(str: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** A number in [0, 1) fixed by its parts. */
export function draw(...parts: ReadonlyArray<string | number>): number {
  return cyrb53(parts.join('\u0000')) / 2 ** 53;
}
