/** A client that numbers its attempts is taken at its word; others are judged by repeated bodies. */
import { describe, expect, it } from 'vitest';
import { RetryDetector } from '../proxy/mock/retries.js';

const body = Buffer.from('{"model":"gpt-4o-mini","messages":[]}');

describe('RetryDetector', () => {
  it('counts the same body again as a new request when the client marks attempt 0', () => {
    const d = new RetryDetector();
    const first = { 'x-stainless-retry-count': '0' };
    expect(d.check('openai', '/v1/chat/completions', first, body, 1000)).toBe(false);
    expect(d.check('openai', '/v1/chat/completions', first, body, 1001)).toBe(false);
    const retry = { 'x-stainless-retry-count': '1' };
    expect(d.check('openai', '/v1/chat/completions', retry, body, 1002)).toBe(true);
  });

  it('counts the same body within 30 s as a retry from a client that does not mark attempts', () => {
    const d = new RetryDetector();
    expect(d.check('openai', '/v1/chat/completions', {}, body, 1000)).toBe(false);
    expect(d.check('openai', '/v1/chat/completions', {}, body, 2000)).toBe(true);
    expect(d.check('openai', '/v1/chat/completions', {}, body, 2000 + 31_000)).toBe(false);
  });
});
