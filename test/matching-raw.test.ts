import { describe, expect, it } from 'vitest';
import type { LiveRequest } from '../shared/matching/live-request.js';
import { Matcher } from '../shared/matching/matcher.js';
import { signatureOf } from '../shared/matching/signature.js';

const req = (content: string): LiveRequest => ({
  upstream: 'openai',
  method: 'POST',
  path: '/v1/chat/completions',
  query: {},
  body: { model: 'm', messages: [{ role: 'user', content }] },
});

function calls() {
  const exact = signatureOf(req('hi'));
  return [
    { id: 'a1', seq: 1, signature: exact },
    { id: 'a2', seq: 2, signature: exact },
    {
      id: 'w',
      seq: 3,
      signature: { ...exact, body: { model: 'm', messages: [{ role: 'user', content: 'any*' }] } },
    },
  ];
}

describe('matching by raw bytes', () => {
  it('gives what match gives, sequences included, and parses an exact repeat only once', () => {
    const byRaw = new Matcher(calls());
    const byValue = new Matcher(calls());
    let parses = 0;
    const raw = (content: string) =>
      byRaw.matchRaw(`key:${content}`, () => (parses++, req(content)));
    const ids = (r: ReturnType<typeof byRaw.match>) =>
      r.kind === 'hit' ? r.call.id : `miss:${r.closest?.id}`;

    for (const content of ['hi', 'hi', 'hi', 'anything', 'anything', 'nope', 'hi']) {
      expect(ids(raw(content)), content).toBe(ids(byValue.match(req(content))));
    }
    // 'hi' parsed once (then remembered); the wildcard and the miss every time.
    expect(parses).toBe(1 + 2 + 1);

    byRaw.reset();
    byValue.reset();
    expect(ids(raw('hi'))).toBe('a1');
    expect(ids(byValue.match(req('hi')))).toBe('a1');
  });
});
