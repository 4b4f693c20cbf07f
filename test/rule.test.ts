import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ruleFor } from '../shared/fixes/rule.js';
import type { LiveRequest } from '../shared/matching/live-request.js';
import { Matcher, type Matchable } from '../shared/matching/matcher.js';
import { signatureOf } from '../shared/matching/signature.js';
import type { MissGroup } from '../shared/mock-link.js';
import { Manifest } from '../shared/schema.js';

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

const chat = (model: string, date: string, question: string) => ({
  model,
  messages: [
    { role: 'system', content: `Today is ${date}.` },
    { role: 'user', content: question },
  ],
});

/** A MissGroup as the mock keeps it, from the matcher's miss for `live`. */
function groupOf(calls: Matchable[], live: LiveRequest, key = 'k1'): MissGroup {
  const r = new Matcher(calls).match(live);
  if (r.kind !== 'miss' || r.closest === null)
    throw new Error('expected a miss with a closest call');
  const body = live.body as { model?: string } | undefined;
  return {
    key,
    count: 1,
    firstSeen: '2026-01-01T00:00:00.000Z',
    lastSeen: '2026-01-01T00:00:00.000Z',
    upstream: live.upstream,
    method: live.method,
    path: live.path,
    query: Object.keys(live.query).length ? live.query : null,
    body: live.body ?? null,
    model: body?.model ?? null,
    closest: { call: r.closest.id, file: `calls/${r.closest.id}.json`, seq: r.closest.seq },
    signature: r.closest.signature,
    diff: r.diff,
    items: r.items,
    recordable: true,
  };
}

const call = (id: string, seq: number, live: LiveRequest): Matchable => ({
  id,
  seq,
  signature: signatureOf(live),
  model: (live.body as { model?: string }).model ?? null,
});

describe('ruleFor', () => {
  const a = req(chat('gpt-4o-mini', '2026-01-01', 'Capital of France?'));
  const b = req(chat('gpt-4o-mini', '2026-01-01', 'Capital of Spain?'));
  const calls = [call('a', 1, a), call('b', 2, b)];

  it('adds a rule for the route whose ignore fixes every call on it at once', () => {
    const group = groupOf(calls, req(chat('gpt-4o-mini', '2026-02-02', 'Capital of France?')));
    const { manifest, changes } = ruleFor(null, group, false);
    expect(Manifest.safeParse(manifest).success).toBe(true);
    expect(manifest).toEqual({
      format: 'tapedeck/2',
      rules: [
        { upstream: 'openai', path: '/v1/chat/completions', ignore: ['$.messages[0].content'] },
      ],
    });
    expect(changes).toEqual(['rules[0] openai /v1/chat/completions: ignore $.messages[0].content']);
    const ruled = new Matcher(calls, { rules: manifest.rules });
    for (const [id, q] of [
      ['a', 'Capital of France?'],
      ['b', 'Capital of Spain?'],
    ] as const) {
      const r = ruled.match(req(chat('gpt-4o-mini', '2026-03-03', q)));
      expect(r.kind === 'hit' && r.call.id).toBe(id);
    }
    expect(ruled.match(req(chat('gpt-4o-mini', '2026-03-03', 'Capital of Peru?'))).kind).toBe(
      'miss',
    );
  });

  it('scopes by model when asked, and extends the same rule without repeating a path', () => {
    const group = groupOf(calls, req(chat('gpt-4o-mini', '2026-02-02', 'Capital of France?')));
    const existing: Manifest = {
      format: 'tapedeck/2',
      notes: 'kept',
      rules: [
        {
          upstream: 'openai',
          path: '/v1/chat/completions',
          model: 'gpt-4o-mini',
          ignore: ['$.temperature'],
        },
      ],
    };
    const once = ruleFor(existing, group, true);
    expect(once.manifest.notes).toBe('kept');
    expect(once.manifest.rules).toEqual([
      {
        upstream: 'openai',
        path: '/v1/chat/completions',
        model: 'gpt-4o-mini',
        ignore: ['$.temperature', '$.messages[0].content'],
      },
    ]);
    const twice = ruleFor(once.manifest, group, true);
    expect(twice.manifest.rules).toEqual(once.manifest.rules);
    expect(twice.changes).toEqual([
      'rules[0] openai /v1/chat/completions (model gpt-4o-mini) already ignores $.messages[0].content',
    ]);
    // Scoped by model, a call of another model keeps comparing the date.
    const other = call('o', 3, req(chat('gpt-4o', '2026-01-01', 'Capital of France?')));
    const ruled = new Matcher([...calls, other], { rules: once.manifest.rules });
    expect(ruled.match(req(chat('gpt-4o', '2026-03-03', 'Capital of France?'))).kind).toBe('miss');
    expect(ruled.match(req(chat('gpt-4o-mini', '2026-03-03', 'Capital of France?'))).kind).toBe(
      'hit',
    );
  });

  it('ignores an array of another length as a whole, and says what a rule cannot cover', () => {
    const longer = chat('gpt-4o-mini', '2026-01-01', 'Capital of France?');
    longer.messages.push({ role: 'user', content: 'And Italy?' });
    const group = groupOf(calls, req(longer, { path: '/v1/chat/completions', method: 'PUT' }));
    const { manifest, changes } = ruleFor(null, group, false);
    expect(manifest.rules?.[0]?.ignore).toEqual(['$.messages']);
    expect(changes[0]).toMatch(/^method: differs .*a rule only ignores body and query values/);
  });

  it('escapes a star in the route, since the rule side is a glob', () => {
    const starred = req(chat('m*', '2026-01-01', 'q'), { path: '/v1/a*b' });
    const group = groupOf(
      [call('s', 1, starred)],
      req(chat('m*', '2026-02-02', 'q'), { path: '/v1/a*b' }),
    );
    const { manifest } = ruleFor(null, group, true);
    expect(manifest.rules?.[0]).toMatchObject({ path: '/v1/a\\*b', model: 'm\\*' });
  });

  it('random edits of a shared prompt part: the rule from one miss makes every call on the route answer', () => {
    const textOf = fc
      .array(fc.constantFrom('a', ' ', '*', '\\', 'Q3', 'é', '2026'), { maxLength: 10 })
      .map((a) => a.join(''));
    fc.assert(
      fc.property(textOf, textOf, (recordedDate, newDate) => {
        fc.pre(recordedDate !== newDate);
        const one = req(chat('gpt-4o-mini', recordedDate, 'Capital of France?'));
        const two = req(chat('gpt-4o-mini', recordedDate, 'Capital of Spain?'));
        const recorded = [call('a', 1, one), call('b', 2, two)];
        const group = groupOf(recorded, req(chat('gpt-4o-mini', newDate, 'Capital of France?')));
        const { manifest } = ruleFor(null, group, true);
        expect(Manifest.safeParse(manifest).success).toBe(true);
        const ruled = new Matcher(recorded, { rules: manifest.rules });
        for (const [id, q] of [
          ['a', 'Capital of France?'],
          ['b', 'Capital of Spain?'],
        ] as const) {
          for (const date of [recordedDate, newDate]) {
            const r = ruled.match(req(chat('gpt-4o-mini', date, q)));
            expect(r.kind === 'hit' && r.call.id).toBe(id);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
