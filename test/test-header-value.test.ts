/** Any test name becomes a valid, stable x-tapedeck-test value. */
import { describe, expect, it } from 'vitest';
import { testIdProblem } from '../proxy/mock/test-scopes.js';
import { MAX_TEST_ID_LENGTH, testHeaderValue } from '../shared/test-header.js';

describe('testHeaderValue', () => {
  it('keeps a printable ASCII name as it is', () => {
    expect(testHeaderValue('checkout > applies the coupon')).toBe('checkout > applies the coupon');
  });

  it('encodes other names, and every result is a valid id', () => {
    const names = [
      'café — naïve test',
      'emoji 🎉',
      ' leading space',
      'trailing space ',
      'tab\there',
      'x'.repeat(300),
      'é'.repeat(300),
    ];
    for (const name of names) {
      const v = testHeaderValue(name);
      expect(testIdProblem(v), name).toBeNull();
      expect(v.length).toBeLessThanOrEqual(MAX_TEST_ID_LENGTH);
      expect(testHeaderValue(name)).toBe(v);
      // A header value is trimmed on the wire: the id must survive that.
      expect(v.trim()).toBe(v);
    }
    expect(testHeaderValue('café')).toBe('caf%C3%A9');
  });

  it('tells apart long names that share their first 256 characters', () => {
    const a = 'y'.repeat(300) + 'a';
    const b = 'y'.repeat(300) + 'b';
    expect(testHeaderValue(a)).not.toBe(testHeaderValue(b));
  });

  it('refuses an empty name', () => {
    expect(() => testHeaderValue('')).toThrow(TypeError);
  });
});
