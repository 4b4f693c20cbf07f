/**
 * Sequence positions a caller keeps (one test's): each replays a sequence from its start, apart
 * from the matcher's own and from each other, and belong to the matcher that made them.
 */
import { describe, expect, it } from 'vitest';
import type { LiveRequest } from '../shared/matching/live-request.js';
import {
  ForeignPositionsError,
  Matcher,
  type Matchable,
  type MatchResult,
} from '../shared/matching/matcher.js';
import { signatureOf } from '../shared/matching/signature.js';
import type { Signature } from '../shared/schema.js';

function req(content = 'Hi'): LiveRequest {
  return {
    upstream: 'openai',
    method: 'POST',
    path: '/v1/chat/completions',
    query: {},
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content }] },
  };
}

function hitId(r: MatchResult<Matchable>): string {
  if (r.kind !== 'hit') throw new Error(`expected a hit, got a miss: ${r.diff.join(' | ')}`);
  return r.call.id;
}

/** Three calls with one signature: a sequence first, second, third (then third repeats). */
function sequence(sig: Signature = signatureOf(req())): Matcher<Matchable> {
  return new Matcher([
    { id: 'first', seq: 1, signature: sig },
    { id: 'second', seq: 2, signature: structuredClone(sig) },
    { id: 'third', seq: 3, signature: structuredClone(sig) },
  ]);
}

const FOUR = ['first', 'second', 'third', 'third'];

describe('Matcher positions', () => {
  it('two positions on one matcher each replay the sequence from its start, interleaved', () => {
    const m = sequence();
    const a = m.newPositions();
    const b = m.newPositions();
    const seenA: string[] = [];
    const seenB: string[] = [];
    for (let i = 0; i < 4; i++) {
      seenA.push(hitId(m.match(req(), a)));
      seenB.push(hitId(m.match(req(), b)));
    }
    expect(seenA).toEqual(FOUR);
    expect(seenB).toEqual(FOUR);
  });

  it('leaves the matcher’s own positions where they were, and is untouched by them', () => {
    const m = sequence();
    expect(hitId(m.match(req()))).toBe('first');
    const a = m.newPositions();
    expect(hitId(m.match(req(), a))).toBe('first');
    expect(hitId(m.match(req(), a))).toBe('second');
    expect(hitId(m.match(req()))).toBe('second');
    expect(hitId(m.match(req()))).toBe('third');
    expect(hitId(m.match(req(), a))).toBe('third');
    m.reset();
    expect(hitId(m.match(req()))).toBe('first');
    expect(hitId(m.match(req(), a))).toBe('third');
    m.resetPositions(a);
    expect(hitId(m.match(req(), a))).toBe('first');
    expect(hitId(m.match(req()))).toBe('second');
  });

  it('matchRaw keeps them too, also for bytes it already knows', () => {
    const m = sequence();
    const a = m.newPositions();
    const b = m.newPositions();
    const raw = (p?: ReturnType<typeof m.newPositions>) => hitId(m.matchRaw('k', () => req(), p));
    // The first call files the raw key; every later one is answered from that memo.
    expect([raw(a), raw(a), raw(a), raw(a)]).toEqual(FOUR);
    expect([raw(b), raw(b), raw(b), raw(b)]).toEqual(FOUR);
    expect([raw(), raw(), raw(), raw()]).toEqual(FOUR);
  });

  it('wildcard sequences (compared, not hashed) keep them too', () => {
    const m = sequence({
      upstream: 'openai',
      method: 'POST',
      path: '/v1/chat/completions',
      body: { model: '*', messages: '*' },
    });
    const a = m.newPositions();
    const b = m.newPositions();
    expect([1, 2, 3, 4].map((i) => hitId(m.match(req(`q${i}`), a)))).toEqual(FOUR);
    expect([1, 2, 3, 4].map((i) => hitId(m.match(req(`r${i}`), b)))).toEqual(FOUR);
    expect(hitId(m.match(req()))).toBe('first');
  });

  it('positions of another matcher (one from before a reload) are refused, not misused', () => {
    const before = sequence();
    const after = sequence();
    const old = before.newPositions();
    expect(before.owns(old)).toBe(true);
    expect(after.owns(old)).toBe(false);
    expect(() => after.match(req(), old)).toThrow(ForeignPositionsError);
    expect(() => after.matchRaw('k', () => req(), old)).toThrow(/another Matcher/);
    expect(hitId(after.match(req(), after.newPositions()))).toBe('first');
  });
});
