/**
 * Per-test isolation on one shared mock (issue #11): requests that carry this header get their own
 * sequence positions, fault counters and misses list, so parallel tests cannot drift each other's
 * sequences. `POST /__tapedeck/reset?test=ID` starts one test over. See docs/testing.md.
 */
export const TEST_HEADER = 'x-tapedeck-test';
/** Longest test id kept; a longer header is refused (it would be a key in a map). */
export const MAX_TEST_ID_LENGTH = 256;

/**
 * Any test name as a valid `x-tapedeck-test` value, always the same for the same name: a printable
 * ASCII name as it is, others percent-encoded (`encodeURIComponent`), and one still over the limit
 * cut, with a hash of the whole name so two long names stay apart. Test runners name tests in any
 * language and at any length; a header must be printable ASCII.
 */
export function testHeaderValue(name: string): string {
  if (name === '') throw new TypeError('a test id must not be empty');
  // Spaces at either end would not survive as a header (HTTP trims them): encoded too.
  const ascii = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(name)
    ? name
    : encodeURIComponent(name);
  if (ascii.length <= MAX_TEST_ID_LENGTH) return ascii;
  const tag = `~${fnv1a(name)}`;
  return ascii.slice(0, MAX_TEST_ID_LENGTH - tag.length) + tag;
}

/** 32-bit FNV-1a over the UTF-16 code units, as 8 hex digits: enough to tell names apart. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
