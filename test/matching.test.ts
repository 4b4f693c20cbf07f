import { describe, expect, it } from 'vitest';
import type { Signature } from '../shared/schema.js';
import { canonicalJson } from '../shared/matching/canonical.js';
import { hashJson } from '../shared/matching/hash.js';
import { checkSignature } from '../shared/matching/compile-signature.js';
import type { LiveRequest } from '../shared/matching/live-request.js';
import { Matcher, type Matchable, type MatchResult } from '../shared/matching/matcher.js';
import {
  CREDENTIAL_QUERY_PARAMS,
  VOLATILE_BODY_FIELDS,
  signatureOf,
} from '../shared/matching/signature.js';

interface TestCall extends Matchable {
  label?: string;
}

function chat(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Hi' },
    ],
    ...overrides,
  };
}

function req(over: Partial<LiveRequest> = {}): LiveRequest {
  return {
    upstream: 'openai',
    method: 'POST',
    path: '/v1/chat/completions',
    query: {},
    body: chat(),
    ...over,
  };
}

let nextSeq = 1;
function call(signature: Signature, id = `c${nextSeq}`, seq = nextSeq++): TestCall {
  return { id, seq, signature };
}

function hitId(r: MatchResult<TestCall>): string {
  if (r.kind !== 'hit') throw new Error(`expected a hit, got a miss: ${r.diff.join(' | ')}`);
  return r.call.id;
}

describe('signatureOf', () => {
  it('keeps what decides the reply and drops credentials and volatile fields', () => {
    const sig = signatureOf(
      req({
        method: 'post',
        query: { key: 'secret', API_KEY: 'x', alt: 'sse' },
        body: chat({
          stream: true,
          stream_options: { include_usage: true },
          user: 'u1',
          metadata: { a: 1 },
        }),
      }),
    );
    expect(sig).toEqual({
      upstream: 'openai',
      method: 'POST',
      path: '/v1/chat/completions',
      query: { alt: 'sse' },
      body: chat({ stream: true }),
    });
    expect(CREDENTIAL_QUERY_PARAMS).toContain('key');
    expect(VOLATILE_BODY_FIELDS).toEqual(
      expect.arrayContaining(['stream_options', 'user', 'metadata']),
    );
  });

  it('omits an empty query and an absent body', () => {
    const sig = signatureOf(
      req({ method: 'GET', path: '/v1/models', query: { key: 'k' }, body: undefined }),
    );
    expect(sig).toEqual({ upstream: 'openai', method: 'GET', path: '/v1/models' });
  });

  it('escapes text that would otherwise read as a pattern', () => {
    const sig = signatureOf(req({ body: { p: '**bold** a\\b', q: { $regex: 'x' }, r: '*' } }));
    expect(sig.body).toEqual({
      p: '\\*\\*bold\\*\\* a\\\\b',
      q: { $literal: { $regex: 'x' } },
      r: '\\*',
    });
  });
});

describe('Matcher: exact matches', () => {
  it('hits the recorded call exactly', () => {
    const a = call(signatureOf(req()), 'a');
    const b = call(signatureOf(req({ body: chat({ model: 'gpt-4o' }) })), 'b');
    const m = new Matcher([a, b]);
    expect(m.size).toBe(2);
    expect(m.match(req())).toEqual({ kind: 'hit', call: a, exact: true });
    expect(hitId(m.match(req({ body: chat({ model: 'gpt-4o' }) })))).toBe('b');
  });

  it('still hits when only credentials differ', () => {
    const m = new Matcher([call(signatureOf(req({ query: { key: 'old-key' } })), 'a')]);
    const r = m.match(req({ query: { key: 'new-key', access_token: 't' } }));
    expect(r).toMatchObject({ kind: 'hit', exact: true });
  });

  it('ignores volatile body fields', () => {
    const m = new Matcher([
      call(signatureOf(req({ body: chat({ user: 'alice', metadata: { run: 1 } }) })), 'a'),
    ]);
    const r = m.match(
      req({ body: chat({ user: 'bob', stream_options: { include_usage: true } }) }),
    );
    expect(r).toMatchObject({ kind: 'hit', exact: true });
  });

  it('keeps stream:true and stream:false apart', () => {
    const streamed = call(signatureOf(req({ body: chat({ stream: true }) })), 'streamed');
    const plain = call(signatureOf(req({ body: chat({ stream: false }) })), 'plain');
    const m = new Matcher([streamed, plain]);
    expect(hitId(m.match(req({ body: chat({ stream: false }) })))).toBe('plain');
    expect(hitId(m.match(req({ body: chat({ stream: true }) })))).toBe('streamed');
  });

  it('does not care about key order in objects', () => {
    const sig = signatureOf(req());
    const reordered: Signature = {
      body: {
        messages: [
          { content: 'You are terse.', role: 'system' },
          { content: 'Hi', role: 'user' },
        ],
        model: 'gpt-4o-mini',
      },
      path: sig.path,
      method: sig.method,
      upstream: sig.upstream,
    };
    const m = new Matcher([call(reordered, 'a')]);
    expect(m.match(req())).toMatchObject({ kind: 'hit', exact: true });
    expect(canonicalJson(reordered.body)).toBe(canonicalJson(sig.body));
    expect(hashJson(reordered.body)).toBe(hashJson(sig.body));
  });

  it('matches prompts that contain stars and backslashes literally and exactly', () => {
    const body = chat({ messages: [{ role: 'user', content: 'Make **this** bold: a\\*b' }] });
    const m = new Matcher([call(signatureOf(req({ body })), 'a')]);
    expect(m.match(req({ body }))).toMatchObject({ kind: 'hit', exact: true });
    const other = chat({ messages: [{ role: 'user', content: 'Make **that** bold: a\\*b' }] });
    expect(m.match(req({ body: other })).kind).toBe('miss');
  });

  it('a recorded body containing operator-shaped objects still matches only itself', () => {
    const body = { filter: { name: { $regex: '^a' } }, any: { $any: true } };
    const m = new Matcher([call(signatureOf(req({ body })), 'a')]);
    expect(m.match(req({ body }))).toMatchObject({ kind: 'hit', exact: true });
    expect(m.match(req({ body: { filter: { name: 'abc' }, any: { $any: true } } })).kind).toBe(
      'miss',
    );
  });

  it('compares the query, repeated parameters included', () => {
    const m = new Matcher([
      call(signatureOf(req({ query: { alt: 'sse' } })), 'sse'),
      call(signatureOf(req({ query: { tag: ['a', 'b'] } })), 'tags'),
    ]);
    expect(hitId(m.match(req({ query: { alt: 'sse' } })))).toBe('sse');
    expect(hitId(m.match(req({ query: { tag: ['a', 'b'] } })))).toBe('tags');
    expect(m.match(req({ query: { tag: ['b', 'a'] } })).kind).toBe('miss');
  });

  it('does not mix up upstreams, methods or paths', () => {
    const m = new Matcher([call(signatureOf(req()), 'a')]);
    expect(m.match(req({ upstream: 'groq' })).kind).toBe('miss');
    expect(m.match(req({ method: 'PUT' })).kind).toBe('miss');
    expect(m.match(req({ path: '/v1/responses' })).kind).toBe('miss');
  });

  it('reads text bodies and empty bodies', () => {
    const m = new Matcher([
      call(signatureOf(req({ path: '/echo', body: 'plain text' })), 'text'),
      call(signatureOf(req({ method: 'GET', path: '/v1/models', body: undefined })), 'models'),
    ]);
    expect(hitId(m.match(req({ path: '/echo', body: 'plain text' })))).toBe('text');
    expect(m.match(req({ path: '/echo', body: 'other text' })).kind).toBe('miss');
    const glob = new Matcher([call({ path: '/echo', body: 'plain *' }, 'glob')]);
    expect(hitId(glob.match(req({ path: '/echo', body: 'plain words' })))).toBe('glob');
    expect(glob.match(req({ path: '/echo', body: { text: 'plain words' } })).kind).toBe('miss');
    expect(m.match(req({ method: 'GET', path: '/v1/models', body: undefined }))).toMatchObject({
      exact: true,
    });
  });
});

describe('Matcher: wildcards', () => {
  const base = signatureOf(req());

  it('"*" matches any value of any type, but it must be present', () => {
    const m = new Matcher([call({ ...base, body: chat({ temperature: '*' }) }, 'a')]);
    expect(m.match(req({ body: chat({ temperature: 0.2 }) }))).toMatchObject({
      kind: 'hit',
      exact: false,
    });
    expect(hitId(m.match(req({ body: chat({ temperature: { x: [1] } }) })))).toBe('a');
    expect(hitId(m.match(req({ body: chat({ temperature: null }) })))).toBe('a');
    expect(m.match(req()).kind).toBe('miss');
  });

  it('globs: prefix, suffix and infix, on strings only', () => {
    const m = new Matcher([
      call({ ...base, body: chat({ model: 'gpt-4*' }) }, 'prefix'),
      call({ ...base, path: '/v2/x', body: { name: '*-mini' } }, 'suffix'),
      call({ ...base, path: '/v3/x', body: { name: 'a*z' } }, 'infix'),
    ]);
    expect(hitId(m.match(req({ body: chat({ model: 'gpt-4o' }) })))).toBe('prefix');
    expect(m.match(req({ body: chat({ model: 'claude-3' }) })).kind).toBe('miss');
    expect(hitId(m.match(req({ path: '/v2/x', body: { name: 'gpt-4o-mini' } })))).toBe('suffix');
    expect(m.match(req({ path: '/v2/x', body: { name: 'gpt-4o' } })).kind).toBe('miss');
    expect(hitId(m.match(req({ path: '/v3/x', body: { name: 'abcz' } })))).toBe('infix');
    expect(hitId(m.match(req({ path: '/v3/x', body: { name: 'az' } })))).toBe('infix');
    expect(m.match(req({ path: '/v3/x', body: { name: 'a' } })).kind).toBe('miss');
    expect(m.match(req({ path: '/v3/x', body: { name: 5 } })).kind).toBe('miss');
  });

  it('an escaped star is a literal star', () => {
    const m = new Matcher([call({ ...base, body: { q: '2\\*3 = *' } }, 'a')]);
    expect(hitId(m.match(req({ body: { q: '2*3 = 6' } })))).toBe('a');
    expect(m.match(req({ body: { q: '2x3 = 6' } })).kind).toBe('miss');
  });

  it('$regex with $flags, on strings only', () => {
    const m = new Matcher([
      call({ ...base, body: chat({ model: { $regex: '^GPT-4', $flags: 'i' } }) }, 'a'),
    ]);
    expect(hitId(m.match(req({ body: chat({ model: 'gpt-4o' }) })))).toBe('a');
    expect(hitId(m.match(req({ body: chat({ model: 'gpt-4o' }) })))).toBe('a');
    expect(m.match(req({ body: chat({ model: 'o1' }) })).kind).toBe('miss');
    expect(m.match(req({ body: chat({ model: 4 }) })).kind).toBe('miss');
  });

  it('$any matches a whole subtree, present or absent', () => {
    const m = new Matcher([call({ ...base, body: chat({ tools: { $any: true } }) }, 'a')]);
    expect(hitId(m.match(req({ body: chat({ tools: [{ type: 'function' }] }) })))).toBe('a');
    expect(hitId(m.match(req()))).toBe('a');
  });

  it('ignore drops body and query paths from comparison', () => {
    const m = new Matcher([
      call(
        { ...base, query: { alt: 'sse', t: '1' }, ignore: ['$.messages[1].content', '$.query.t'] },
        'a',
      ),
    ]);
    const other = chat({
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Bye' },
      ],
    });
    expect(hitId(m.match(req({ body: other, query: { alt: 'sse', t: '2' } })))).toBe('a');
    expect(hitId(m.match(req({ body: other, query: { alt: 'sse' } })))).toBe('a');
    expect(m.match(req({ body: other, query: { alt: 'json', t: '1' } })).kind).toBe('miss');
    const changedSystem = chat({
      messages: [
        { role: 'system', content: 'Be verbose.' },
        { role: 'user', content: 'Hi' },
      ],
    });
    expect(m.match(req({ body: changedSystem, query: { alt: 'sse' } })).kind).toBe('miss');
  });

  it('ignore accepts $.body. paths, quoted names and [*]', () => {
    const m = new Matcher([
      call(
        {
          ...base,
          body: { 'run id': 'r1', messages: [{ content: 'a' }, { content: 'b' }] },
          ignore: ["$.body['run id']", '$.messages[*].content'],
        },
        'a',
      ),
    ]);
    expect(
      hitId(
        m.match(req({ body: { 'run id': 'r9', messages: [{ content: 'x' }, { content: 'y' }] } })),
      ),
    ).toBe('a');
    expect(m.match(req({ body: { 'run id': 'r9', messages: [{ content: 'x' }] } })).kind).toBe(
      'miss',
    );
  });

  it('globs in the path', () => {
    const m = new Matcher([
      call({ upstream: 'gemini', method: 'POST', path: '/v1beta/models/*:generateContent' }, 'a'),
    ]);
    const r = m.match(
      req({
        upstream: 'gemini',
        path: '/v1beta/models/gemini-2.5-flash:generateContent',
        body: { contents: [] },
      }),
    );
    expect(r).toMatchObject({ kind: 'hit', exact: false });
    expect(
      m.match(req({ upstream: 'gemini', path: '/v1beta/models/x:streamGenerateContent' })).kind,
    ).toBe('miss');
  });

  it('keys the signature leaves out are not compared', () => {
    const m = new Matcher([
      call(
        {
          upstream: 'openai',
          method: 'POST',
          path: '/v1/chat/completions',
          body: { model: 'gpt-4o-mini' },
        },
        'model-only',
      ),
      call({ path: '/v1/embeddings' }, 'path-only'),
    ]);
    expect(hitId(m.match(req({ body: chat({ temperature: 1 }), query: { x: '1' } })))).toBe(
      'model-only',
    );
    expect(
      hitId(
        m.match(req({ upstream: 'groq', method: 'GET', path: '/v1/embeddings', body: undefined })),
      ),
    ).toBe('path-only');
  });

  it('missing keys inside nested objects are not compared, arrays need equal length', () => {
    const m = new Matcher([
      call(
        {
          ...base,
          body: { model: 'gpt-4o-mini', messages: [{ role: 'system' }, { role: 'user' }] },
        },
        'a',
      ),
    ]);
    expect(hitId(m.match(req()))).toBe('a');
    const three = chat({ messages: [{ role: 'system' }, { role: 'user' }, { role: 'user' }] });
    expect(m.match(req({ body: three })).kind).toBe('miss');
  });

  it('a signature that omits a key of a complete recording still matches by comparison', () => {
    const complete = signatureOf(req({ body: chat({ temperature: 0 }) }));
    const trimmed = structuredClone(complete);
    delete (trimmed.body as Record<string, unknown>).temperature;
    const m = new Matcher([call(trimmed, 'trimmed')]);
    expect(m.match(req({ body: chat({ temperature: 0.7 }) }))).toMatchObject({
      kind: 'hit',
      exact: false,
    });
  });

  it('a signature naming a volatile field compares it', () => {
    const m = new Matcher([call({ ...base, body: chat({ user: 'alice' }) }, 'alice')]);
    expect(hitId(m.match(req({ body: chat({ user: 'alice' }) })))).toBe('alice');
    expect(m.match(req({ body: chat({ user: 'bob' }) })).kind).toBe('miss');
  });

  it('credentials in a stored query take no part', () => {
    const m = new Matcher([call({ ...base, query: { key: 'abc' } }, 'a')]);
    expect(m.match(req({ query: { key: 'other' } }))).toMatchObject({ kind: 'hit' });
    expect(m.match(req())).toMatchObject({ kind: 'hit', exact: true });
  });
});

describe('Matcher: precedence', () => {
  const base = signatureOf(req());

  it('exact beats wildcard, even with a lower seq', () => {
    const wild = call({ ...base, body: chat({ model: '*' }) }, 'wild', 1);
    const exact = call(base, 'exact', 2);
    expect(hitId(new Matcher([wild, exact]).match(req()))).toBe('exact');
  });

  it('fewer wildcards beat more', () => {
    const two = call({ ...base, body: { model: '*', messages: '*' } }, 'two', 1);
    const one = call(
      {
        ...base,
        body: {
          model: 'gpt-4*',
          messages: base.body && (base.body as { messages: unknown }).messages,
        },
      },
      'one',
      2,
    );
    const pathOnly = call({ path: '/v1/chat/completions' }, 'left-out', 0);
    const m = new Matcher([pathOnly, two, one]);
    expect(hitId(m.match(req()))).toBe('one');
    expect(hitId(m.match(req({ body: chat({ model: 'o3' }) })))).toBe('two');
    expect(hitId(m.match(req({ body: 'text' })))).toBe('left-out');
  });

  it('lowest seq wins a tie', () => {
    const late = call({ ...base, body: { model: '*' } }, 'late', 9);
    const early = call({ ...base, body: { messages: '*' } }, 'early', 3);
    expect(hitId(new Matcher([late, early]).match(req()))).toBe('early');
  });
});

describe('Matcher: sequences', () => {
  it('replays identical signatures in seq order, then repeats the last; reset restarts', () => {
    const sig = signatureOf(req());
    const calls = [
      call(sig, 'third', 30),
      call(sig, 'first', 10),
      call(structuredClone(sig), 'second', 20),
    ];
    const m = new Matcher(calls);
    const ids = () => hitId(m.match(req()));
    expect([ids(), ids(), ids(), ids(), ids()]).toEqual([
      'first',
      'second',
      'third',
      'third',
      'third',
    ]);
    m.reset();
    expect([ids(), ids()]).toEqual(['first', 'second']);
  });

  it('keeps one counter per sequence', () => {
    const a = signatureOf(req());
    const b = signatureOf(req({ body: chat({ model: 'gpt-4o' }) }));
    const m = new Matcher([call(a, 'a1', 1), call(b, 'b1', 2), call(a, 'a2', 3), call(b, 'b2', 4)]);
    expect(hitId(m.match(req()))).toBe('a1');
    expect(hitId(m.match(req({ body: chat({ model: 'gpt-4o' }) })))).toBe('b1');
    expect(hitId(m.match(req()))).toBe('a2');
    expect(hitId(m.match(req({ body: chat({ model: 'gpt-4o' }) })))).toBe('b2');
  });

  it('wildcard signatures form sequences too, and normalization joins them', () => {
    const normalizers = [{ pattern: '\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z', replace: '<ts>' }];
    const at = (ts: string): Signature => ({
      upstream: 'openai',
      method: 'POST',
      path: '/v1/chat/completions',
      body: { model: '*', messages: [{ role: 'user', content: `now is ${ts}` }] },
    });
    const m = new Matcher(
      [call(at('2024-01-01T10:00:00Z'), 'x1', 1), call(at('2025-05-05T11:11:11.5Z'), 'x2', 2)],
      { normalizers },
    );
    const live = req({
      body: { model: 'm', messages: [{ role: 'user', content: 'now is 2026-11-23T09:00:00Z' }] },
    });
    expect([hitId(m.match(live)), hitId(m.match(live)), hitId(m.match(live))]).toEqual([
      'x1',
      'x2',
      'x2',
    ]);
  });
});

describe('Matcher: normalizers', () => {
  const normalizers = [
    { pattern: '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z', replace: '<ts>' },
    { pattern: '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', flags: 'i' },
  ];
  const withPrompt = (prompt: string) => chat({ messages: [{ role: 'user', content: prompt }] });

  it('a timestamp in the prompt no longer decides the match, and the hit stays exact', () => {
    const recorded = signatureOf(
      req({
        body: withPrompt('It is 2024-01-01T10:00:00Z, run 3F2504E0-4F89-11D3-9A0C-0305E82C3301'),
      }),
    );
    const m = new Matcher([call(recorded, 'a')], { normalizers });
    const live = req({
      body: withPrompt('It is 2026-11-23T09:30:12.123Z, run 6ba7b810-9dad-11d1-80b4-00c04fd430c8'),
    });
    expect(m.match(live)).toMatchObject({ kind: 'hit', exact: true });
    expect(m.match(req({ body: withPrompt('It was 2026-11-23T09:30:12Z, run x') })).kind).toBe(
      'miss',
    );
    expect(new Matcher([call(recorded, 'a')]).match(live).kind).toBe('miss');
  });

  it('applies to globs, paths and query values too', () => {
    const m = new Matcher(
      [
        call(
          {
            upstream: 'openai',
            method: 'POST',
            path: '/v1/threads/3f2504e0-4f89-11d3-9a0c-0305e82c3301/runs',
            query: { since: '2024-01-01T00:00:00Z' },
            body: { note: 'at 2024-01-01T10:00:00Z *' },
          },
          'a',
        ),
      ],
      { normalizers },
    );
    const live = req({
      path: '/v1/threads/6ba7b810-9dad-11d1-80b4-00c04fd430c8/runs',
      query: { since: '2030-02-02T02:02:02Z' },
      body: { note: 'at 2030-02-02T02:02:02Z and more' },
    });
    expect(hitId(m.match(live))).toBe('a');
  });

  it('an invalid regex fails at construction and names the pattern', () => {
    expect(() => new Matcher([], { normalizers: [{ pattern: '(unclosed' }] })).toThrow(
      /\(unclosed/,
    );
    expect(() => new Matcher([], { normalizers: [{ pattern: 'a', flags: 'q' }] })).toThrow(
      /normalizer pattern "a"/,
    );
  });

  it('an invalid $regex or ignore path fails at construction and names the call', () => {
    const bad: Signature = { path: '/x', body: { a: { $regex: '[' } } };
    expect(() => new Matcher([call(bad, 'bad-call')])).toThrow(/bad-call.*\$regex "\["/);
    expect(checkSignature(bad)).toMatch(/\$regex/);
    expect(() => new Matcher([call({ path: '/x', ignore: ['messages'] }, 'p')])).toThrow(
      /ignore path "messages"/,
    );
    expect(checkSignature(signatureOf(req()))).toBeNull();
  });
});

describe('Matcher: misses', () => {
  it('names the closest call and says what differs', () => {
    const a = call(signatureOf(req()), 'close');
    const b = call(signatureOf(req({ body: chat({ model: 'gpt-4o', temperature: 1 }) })), 'far');
    const c = call(
      signatureOf(
        req({
          upstream: 'anthropic',
          path: '/v1/messages',
          body: chat({ messages: [{ role: 'user', content: 'Hello' }] }),
        }),
      ),
      'other-upstream',
    );
    const m = new Matcher([b, a, c]);
    const live = req({
      body: chat({
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'Hello' },
        ],
      }),
    });
    const r = m.match(live);
    expect(r.kind).toBe('miss');
    if (r.kind !== 'miss') return;
    expect(r.closest?.id).toBe('close');
    expect(r.diff).toEqual(['$.messages[1].content: recorded "Hi" ≠ request "Hello"']);
    expect(m.match(live)).toEqual(r);
  });

  it('reports missing and extra elements, and shortens long strings around the change', () => {
    const long = 'x'.repeat(200);
    const recorded = signatureOf(
      req({
        body: chat({
          messages: [{ role: 'user', content: long + ' at 10:00' }],
          temperature: 0,
          tools: [{ a: 1 }],
        }),
      }),
    );
    const m = new Matcher([call(recorded, 'a')]);
    const r = m.match(
      req({
        body: chat({
          messages: [
            { role: 'user', content: long + ' at 11:00' },
            { role: 'user', content: 'more' },
          ],
          tools: [],
        }),
      }),
    );
    if (r.kind !== 'miss') throw new Error('expected a miss');
    expect(r.diff).toEqual([
      '$.messages[0].content: recorded "…xxxxxxx at 10:00" ≠ request "…xxxxxxx at 11:00"',
      '$.messages[1]: not in recording (request {"role":"user","content":"more"})',
      '$.temperature: recorded 0, missing in request',
      '$.tools[0]: recorded {"a":1}, missing in request',
    ]);
  });

  it('describes pattern mismatches and top-level parts', () => {
    const m = new Matcher([
      call(
        {
          upstream: 'openai',
          method: 'GET',
          path: '/v1/chat/*',
          query: { alt: 'sse' },
          body: { model: { $regex: '^o\\d' }, n: '*' },
        },
        'a',
      ),
    ]);
    const r = m.match(req({ query: {} }));
    if (r.kind !== 'miss') throw new Error('expected a miss');
    expect(r.closest?.id).toBe('a');
    expect(r.diff).toEqual([
      'method: recorded "GET" ≠ request "POST"',
      '$.query.alt: recorded "sse", missing in request',
      '$.model: recorded regex /^o\\d/ ≠ request "gpt-4o-mini"',
      '$.n: recorded "*" (any value), missing in request',
    ]);
  });

  it('keeps the diff short', () => {
    const body = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [`k${String(i).padStart(2, '0')}`, i]),
    );
    const m = new Matcher([call({ path: '/x', body }, 'a')]);
    const r = m.match(req({ path: '/x', body: {} }));
    if (r.kind !== 'miss') throw new Error('expected a miss');
    expect(r.diff).toHaveLength(10);
    expect(r.diff[0]).toBe('$.k00: recorded 0, missing in request');
    expect(r.diff[9]).toBe('… and 21 more differences');
  });

  it('prefers the same upstream, then the same path, then the fewest differences', () => {
    const sameUpstreamOtherPath = call(
      signatureOf(req({ path: '/v1/responses' })),
      'same-upstream',
    );
    const otherUpstreamSamePath = call(signatureOf(req({ upstream: 'groq' })), 'same-path');
    const m = new Matcher([otherUpstreamSamePath, sameUpstreamOtherPath]);
    const r = m.match(req({ body: chat({ model: 'x' }) }));
    expect(r.kind === 'miss' && r.closest?.id).toBe('same-upstream');
    const r2 = m.match(req({ upstream: 'xai', body: chat({ model: 'x' }) }));
    expect(r2.kind === 'miss' && r2.closest?.id).toBe('same-path');
  });

  it('an empty matcher misses with no closest call', () => {
    const r = new Matcher<TestCall>([]).match(req());
    expect(r).toEqual({ kind: 'miss', closest: null, diff: ['no calls recorded'], items: [] });
  });
});

describe('Matcher: scale', () => {
  it('builds over 100,000 calls and matches them (timings printed, not asserted)', () => {
    const n = 100_000;
    const system = 'You are a support agent for ACME. Answer briefly and cite the policy. '.repeat(
      4,
    );
    const requests: LiveRequest[] = [];
    const calls: TestCall[] = [];
    for (let i = 0; i < n; i++) {
      const r = req({
        body: {
          model: i % 3 === 0 ? 'gpt-4o' : 'gpt-4o-mini',
          temperature: 0.2,
          stream: i % 2 === 0,
          messages: [
            { role: 'system', content: system },
            {
              role: 'user',
              content: `Question ${i}: where is order #${i * 7} and when will it arrive?`,
            },
            { role: 'assistant', content: `Order #${i * 7} ships **today**.` },
            { role: 'user', content: 'Thanks, and the invoice?' },
          ],
          tools: [
            {
              type: 'function',
              function: {
                name: 'lookup_order',
                parameters: { type: 'object', properties: { id: { type: 'string' } } },
              },
            },
          ],
        },
      });
      requests.push(r);
      calls.push({ id: `c${i}`, seq: i, signature: signatureOf(r) });
    }
    // Hand edits, as users make them: one recording with a key deleted (it must now match by
    // comparison, through the bucket's leaf index) and a few wildcard signatures.
    const trimmed = structuredClone(calls[50]?.signature) as Signature;
    delete (trimmed.body as Record<string, unknown>).temperature;
    calls.push({ id: 'trimmed-50', seq: n + 100, signature: trimmed });
    for (let i = 0; i < 20; i++) {
      calls.push({
        id: `w${i}`,
        seq: n + i,
        signature: {
          upstream: 'openai',
          method: 'POST',
          path: '/v1/chat/completions',
          body: { model: `ft-${i}-*` },
        },
      });
    }

    const time = (rounds: number, run: (i: number) => void): number => {
      const start = performance.now();
      for (let i = 0; i < rounds; i++) run(i);
      return (performance.now() - start) / rounds;
    };
    const expectHit = (r: MatchResult<TestCall>, exact: boolean): void => {
      if (r.kind !== 'hit' || r.exact !== exact)
        throw new Error(`expected a hit (exact: ${exact})`);
    };

    // CPU time too: on a shared machine wall time also counts other people's work. The first
    // build runs cold (the JIT still compiling); a second one shows the steady cost.
    let m = new Matcher<TestCall>([]);
    const build = (): string => {
      const cpuBefore = process.cpuUsage();
      const ms = time(1, () => (m = new Matcher(calls)));
      const cpu = process.cpuUsage(cpuBefore);
      return `${ms.toFixed(0)} ms (${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU)`;
    };
    const coldBuild = build();
    const warmBuild = build();
    const pick = (i: number): LiveRequest => requests[(i * 7919) % n] as LiveRequest;
    const firstExactUs = 1000 * time(20_000, (i) => expectHit(m.match(pick(i)), true));
    const exactUs = 1000 * time(20_000, (i) => expectHit(m.match(pick(i)), true));
    const wild = (i: number): LiveRequest => req({ body: { model: `ft-${i % 20}-2025` } });
    const firstWildMs = time(1, (i) => expectHit(m.match(wild(i)), false));
    const wildUs = 1000 * time(2_000, (i) => expectHit(m.match(wild(i)), false));
    const warmer = req({ body: { ...(requests[50]?.body as object), temperature: 0.9 } });
    const trimmedHit = m.match(warmer);
    expect(trimmedHit).toMatchObject({ kind: 'hit', exact: false });
    expect(trimmedHit.kind === 'hit' && trimmedHit.call.id).toBe('trimmed-50');
    const firstMissMs = time(1, () => m.match(req({ body: { model: 'unknown' } })));
    const missed = (i: number): LiveRequest =>
      req({ body: { ...(requests[i]?.body as object), temperature: 0.3 } });
    const missMs = time(20, (i) => {
      const r = m.match(missed(i));
      if (r.kind !== 'miss') throw new Error('expected a miss');
      expect(r.closest?.id).toBe(`c${i}`);
      expect(r.diff).toEqual(['$.temperature: recorded 0.2 ≠ request 0.3']);
    });

    console.log(
      `Matcher over ${calls.length} calls: build ${coldBuild} cold, ${warmBuild} warm; ` +
        `exact hit ${firstExactUs.toFixed(1)} µs (first touch), ${exactUs.toFixed(1)} µs (again); ` +
        `wildcard hit ${firstWildMs.toFixed(0)} ms (first, files the bucket), ${wildUs.toFixed(1)} µs (then); ` +
        `miss ${firstMissMs.toFixed(0)} ms (first), ${missMs.toFixed(1)} ms (then)`,
    );
    expect(m.size).toBe(n + 21);
    // A generous limit: the work is fixed, only a loaded machine makes it slow (timings are printed).
  }, 180_000);
});
