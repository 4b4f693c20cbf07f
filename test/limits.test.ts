import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, exceedsDepth } from '../shared/limits.js';

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
