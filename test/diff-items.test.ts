import { describe, expect, it } from 'vitest';
import type { LiveRequest } from '../shared/matching/live-request.js';
import { Matcher, type Matchable } from '../shared/matching/matcher.js';
import { signatureOf } from '../shared/matching/signature.js';
import type { Signature } from '../shared/schema.js';

function req(body: Record<string, unknown>, over: Partial<LiveRequest> = {}): LiveRequest {
  return {
    upstream: 'openai',
    method: 'POST',
    path: '/v1/chat/completions',
    query: {},
    body,
    ...over,
  };
}

function missOf(signature: Signature, live: LiveRequest) {
  const call: Matchable = { id: 'c1', seq: 1, signature };
  const r = new Matcher([call]).match(live);
  if (r.kind !== 'miss') throw new Error('expected a miss');
  return r;
}

describe('a miss explained as items', () => {
  it('gives each difference its ignore-style path, kind and both values', () => {
    const recorded = signatureOf(
      req({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], temperature: 0 }),
    );
    const r = missOf(
      recorded,
      req({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'user', content: 'Hello' },
          { role: 'user', content: 'more' },
        ],
      }),
    );
    expect(r.items).toEqual([
      {
        part: 'body',
        path: '$.messages[0].content',
        kind: 'differs',
        recorded: 'Hi',
        request: 'Hello',
      },
      {
        part: 'body',
        path: '$.messages[1]',
        kind: 'extra',
        request: { role: 'user', content: 'more' },
      },
      { part: 'body', path: '$.temperature', kind: 'missing', recorded: 0 },
    ]);
    expect(r.diff).toHaveLength(3);
  });

  it('shows a pattern as written and names top-level parts by name', () => {
    const r = missOf(
      { upstream: 'openai', method: 'POST', path: '/v1/*', body: { model: 'gpt-4*' } },
      req({ model: 'claude' }, { method: 'GET', path: '/v2/x' }),
    );
    expect(r.items).toEqual([
      { part: 'method', path: 'method', kind: 'differs', recorded: 'POST', request: 'GET' },
      { part: 'path', path: 'path', kind: 'differs', recorded: '/v1/*', request: '/v2/x' },
      { part: 'body', path: '$.model', kind: 'differs', recorded: 'gpt-4*', request: 'claude' },
    ]);
  });

  it('keeps up to 100 items while the lines stop at ten', () => {
    const many = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`k${i}`, i]));
    const other = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`k${i}`, i + 1]));
    const r = missOf(signatureOf(req(many)), req(other));
    expect(r.items).toHaveLength(100);
    expect(r.diff).toHaveLength(10);
  });
});
