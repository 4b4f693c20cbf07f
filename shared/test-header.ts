/**
 * Per-test isolation on one shared mock (issue #11): requests that carry this header get their own
 * sequence positions, fault counters and misses list, so parallel tests cannot drift each other's
 * sequences. `POST /__tapedeck/reset?test=ID` starts one test over. See docs/testing.md.
 */
export const TEST_HEADER = 'x-tapedeck-test';
/** Longest test id kept; a longer header is refused (it would be a key in a map). */
export const MAX_TEST_ID_LENGTH = 256;
