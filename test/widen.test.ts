import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globOver, widenSignature } from '../shared/fixes/widen.js';
import type { LiveRequest } from '../shared/matching/live-request.js';
import { Matcher, type Matchable } from '../shared/matching/matcher.js';
import { signatureOf } from '../shared/matching/signature.js';
import { Signature } from '../shared/schema.js';

function req(body: unknown, over: Partial<LiveRequest> = {}): LiveRequest {
  return {
    upstream: 'openai',
    method: 'POST',
    path: '/v1/chat/completions',
    query: {},
    body,
    ...over,
  };
}

function matches(signature: Signature, live: LiveRequest): boolean {
  const call: Matchable = { id: 'c1', seq: 1, signature };
  return new Matcher([call]).match(live).kind === 'hit';
}

/** The miss items of `live` against `signature`, widened, then checked as the task demands. */
function widenFor(signature: Signature, live: LiveRequest) {
  const r = new Matcher([{ id: 'c1', seq: 1, signature }]).match(live);
  if (r.kind !== 'miss') throw new Error('expected a miss before widening');
  const widened = widenSignature(signature, r.items);
  expect(Signature.safeParse(widened.signature).success).toBe(true);
  return widened;
}

const chat = (content: string, extra: Record<string, unknown> = {}) => ({
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content },
  ],
  ...extra,
});

describe('widenSignature', () => {
  it('turns the changed word of a prompt into a glob, keeping both ends', () => {
    const old = req(chat('Summarize the report for Q3 in one line'));
    const now = req(chat('Summarize the report for 2025 in one line'));
    const w = widenFor(signatureOf(old), now);
    expect((w.signature.body as ReturnType<typeof chat>).messages[1]?.content).toBe(
      'Summarize the report for * in one line',
    );
    expect(w.changes).toEqual([
      '$.messages[1].content: "Summarize the report for Q3 in one line" → "Summarize the report for * in one line"',
    ]);
    expect(matches(w.signature, now)).toBe(true);
    expect(matches(w.signature, old)).toBe(true);
    // Only the changed place is loosened: another system prompt still misses.
    const other = chat('Summarize the report for 2025 in one line');
    (other.messages[0] as { content: string }).content = 'You are verbose.';
    expect(matches(w.signature, req(other))).toBe(false);
  });

  it('escapes stars and backslashes of the kept text, so they stay literal', () => {
    const old = req(chat('**Bold** C:\\dir report for Q3'));
    const now = req(chat('**Bold** C:\\dir report for Q4'));
    const w = widenFor(signatureOf(old), now);
    expect((w.signature.body as ReturnType<typeof chat>).messages[1]?.content).toBe(
      '\\*\\*Bold\\*\\* C:\\\\dir report for *',
    );
    expect(matches(w.signature, now)).toBe(true);
    expect(matches(w.signature, req(chat('Bold C:\\dir report for Q4')))).toBe(false);
  });

  it('uses "*" when the two texts share too little, and for values that are not text', () => {
    const w = widenFor(
      signatureOf(req(chat('abc', { temperature: 0 }))),
      req(chat('xyz', { temperature: 0.7 })),
    );
    const body = w.signature.body as ReturnType<typeof chat> & { temperature: unknown };
    expect(body.messages[1]?.content).toBe('*');
    expect(body.temperature).toBe('*');
    expect(matches(w.signature, req(chat('xyz', { temperature: 0.7 })))).toBe(true);
  });

  it('makes a value the request leaves out optional, and ignores an array of another length', () => {
    const old = req(chat('hi', { temperature: 0 }));
    const longer = chat('hi');
    longer.messages.push({ role: 'user', content: 'and more' });
    const w = widenFor(signatureOf(old), req(longer));
    const body = w.signature.body as Record<string, unknown>;
    expect(body['temperature']).toEqual({ $any: true });
    expect(w.signature.ignore).toEqual(['$.messages']);
    expect(w.changes).toContain(
      '$.messages: added to ignore (the request has another number of items)',
    );
    expect(w.changes).toContain('$.temperature: 0 → {"$any":true} (the request leaves it out)');
    expect(matches(w.signature, req(longer))).toBe(true);
    expect(matches(w.signature, old)).toBe(true);
  });

  it('globs a changed path and leaves upstream and method alone, saying so', () => {
    const old = req(chat('hi'), { path: '/v1/deployments/alpha-1/chat' });
    const now = req(chat('hi'), { path: '/v1/deployments/beta-2/chat', method: 'PUT' });
    const w = widenFor(signatureOf(old), now);
    expect(w.signature.path).toBe('/v1/deployments/*/chat');
    expect(w.signature.method).toBe('POST');
    expect(
      w.changes.some((c) => c.startsWith('method: recorded "POST", request "PUT"; left as it is')),
    ).toBe(true);
    expect(matches(w.signature, { ...now, method: 'POST' })).toBe(true);
  });

  it('steps into a $literal wrapper to widen one value inside it', () => {
    const tool = { $any: 'not an operator', name: 'lookup', note: 'weather in Paris today' };
    const old = req({ tools: [tool] });
    const sig = signatureOf(old);
    const now = req({ tools: [{ ...tool, note: 'weather in Lyon today' }] });
    const w = widenFor(sig, now);
    expect(matches(w.signature, now)).toBe(true);
    expect(matches(w.signature, old)).toBe(true);
    // The wrapper's object has operator-named keys, so the place is ignored rather than globbed.
    expect(w.signature.ignore).toEqual(['$.tools[0].note']);
    // A wrapper written by hand around a plain object is unwrapped into the form that means the same.
    const wrapped: Signature = {
      ...signatureOf(req({})),
      body: { tool: { $literal: { name: 'lookup city', n: 1 } } },
    };
    const w2 = widenFor(wrapped, req({ tool: { name: 'lookup town', n: 1 } }));
    expect(w2.signature.body).toEqual({ tool: { name: 'lookup *', n: 1 } });
    expect(matches(w2.signature, req({ tool: { name: 'lookup city', n: 1 } }))).toBe(true);
    expect(matches(w2.signature, req({ tool: { name: 'lookup city', n: 2 } }))).toBe(false);
  });

  it('widens a query value', () => {
    const old = req(undefined, {
      method: 'GET',
      path: '/v1/models',
      query: { after: 'cursor-0001' },
    });
    const now = { ...old, query: { after: 'cursor-9999' } };
    const w = widenFor(signatureOf(old), now);
    expect(w.signature.query).toEqual({ after: 'cursor-*' });
    expect(matches(w.signature, now)).toBe(true);
  });

  it('random edits of a prompt: the widened signature matches the new request and the old one', () => {
    const piece = fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.constantFrom('*', '\\', '**', ' ', 'Q3', 'report', '\\*', 'é', '😀'),
    );
    const textOf = fc.array(piece, { maxLength: 8 }).map((a) => a.join(''));
    fc.assert(
      fc.property(textOf, textOf, textOf, textOf, (prefix, cut, insert, suffix) => {
        const before = prefix + cut + suffix;
        const after = prefix + insert + suffix;
        fc.pre(before !== after);
        const old = req(chat(before));
        const now = req(chat(after));
        const w = widenFor(signatureOf(old), now);
        expect(matches(w.signature, now)).toBe(true);
        expect(matches(w.signature, old)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('globOver', () => {
  it('drops a piece shorter than three characters', () => {
    expect(globOver('a-1', 'a-2')).toBe('*');
    expect(globOver('ab-1', 'ab-2')).toBe('ab-*');
    expect(globOver('x alpha beta', 'x gamma beta')).toBe('* beta');
    expect(globOver('Hello there', 'Hello world')).toBe('Hello *');
  });
});
