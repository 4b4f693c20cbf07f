import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, bytesExceedDepth, exceedsDepth } from '../shared/limits.js';

function nested(levels: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = i % 2 ? { a: v } : [v];
  return v;
}

describe('exceedsDepth', () => {
  it('accepts scalars and values up to the limit', () => {
    expect(exceedsDepth('x')).toBe(false);
    expect(exceedsDepth(null)).toBe(false);
    expect(exceedsDepth(nested(MAX_JSON_DEPTH))).toBe(false);
  });
  it('refuses one level more, and values deep enough to overflow a recursive walk', () => {
    expect(exceedsDepth(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(exceedsDepth(nested(50_000))).toBe(true);
  });
  it('honours a smaller limit', () => {
    expect(exceedsDepth({ a: { b: {} } }, 2)).toBe(true);
    expect(exceedsDepth({ a: { b: {} } }, 3)).toBe(false);
  });
});

describe('bytesExceedDepth', () => {
  const bytes = (v: unknown) => Buffer.from(JSON.stringify(v));
  it('agrees with exceedsDepth on JSON text at and around the limit', () => {
    expect(bytesExceedDepth(bytes(nested(MAX_JSON_DEPTH)))).toBe(false);
    expect(bytesExceedDepth(bytes(nested(MAX_JSON_DEPTH + 1)))).toBe(true);
    expect(bytesExceedDepth(Buffer.from('['.repeat(20_000) + ']'.repeat(20_000)))).toBe(true);
  });
  it('does not count brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ s: '[{'.repeat(MAX_JSON_DEPTH) + '\\"' + '{['.repeat(300) });
    expect(bytesExceedDepth(Buffer.from(text))).toBe(false);
  });
  it('equals exceedsDepth(JSON.parse(text)) for any JSON value and limit', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (v, max) => {
        const text = Buffer.from(JSON.stringify(v));
        // The byte scan skips texts no longer than the limit: they cannot nest deeper than it.
        expect(bytesExceedDepth(text, max)).toBe(exceedsDepth(JSON.parse(text.toString()), max));
      }),
    );
  });
});
