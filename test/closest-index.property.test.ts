import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Signature } from '../shared/schema.js';
import { compileSignature } from '../shared/matching/compile-signature.js';
import { distance } from '../shared/matching/diff.js';
import type { LiveRequest } from '../shared/matching/live-request.js';
import { liveView } from '../shared/matching/live-view.js';
import { Matcher, type Matchable } from '../shared/matching/matcher.js';
import { matchNode, type Node } from '../shared/matching/pattern.js';
import { signatureOf } from '../shared/matching/signature.js';

/**
 * Few distinct values, so random snapshots are full of near misses and ties: the cases where an
 * index could pick another closest call than comparing every call does.
 */
const word = fc.constantFrom('a', 'b', 'hello', 'gpt-4o', 'gpt-4o-mini', '');
const scalar = fc.oneof(word, fc.constantFrom(0, 1, 0.5, true, false, null));
const message = fc.record({ role: fc.constantFrom('user', 'system'), content: word });
const bodyValue = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 2, arbitrary: fc.array(message, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('x', 'y'), scalar, { maxKeys: 2 }) },
);
const objectBody = fc.dictionary(
  fc.constantFrom('model', 'messages', 'temperature', 'stream', 'n', 'input'),
  bodyValue,
  { maxKeys: 5 },
);
const body = fc.oneof(
  { weight: 8, arbitrary: objectBody },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: word },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
);
const request: fc.Arbitrary<LiveRequest> = fc.record({
  upstream: fc.constantFrom('openai', 'anthropic', 'groq'),
  method: fc.constantFrom('POST', 'GET'),
  path: fc.constantFrom('/v1/chat/completions', '/v1/messages', '/v1/x'),
  query: fc.dictionary(fc.constantFrom('alt', 'v', 'key'), word, { maxKeys: 2 }),
  body,
});

/** Hand edits that make a signature a pattern: the search must compare those one by one. */
const edit = fc.constantFrom(
  'none',
  'none',
  'none',
  'none',
  'any-model',
  'glob-model',
  'no-method',
  'no-path',
  'no-upstream',
  'optional-stream',
);

function edited(sig: Signature, how: string): Signature {
  const out = structuredClone(sig);
  const b = out.body as Record<string, unknown> | undefined;
  const isObject = typeof b === 'object' && b !== null && !Array.isArray(b);
  if (how === 'any-model' && isObject) b.model = '*';
  if (how === 'glob-model' && isObject) b.model = 'gpt-*';
  if (how === 'optional-stream' && isObject) b.stream = { $any: true };
  if (how === 'no-method') delete out.method;
  if (how === 'no-path') delete out.path;
  if (how === 'no-upstream') delete out.upstream;
  return out;
}

/** A request close to a recorded one: one part or one top-level value changed. */
const nearby = (recorded: LiveRequest): fc.Arbitrary<LiveRequest> =>
  fc.oneof(
    request,
    fc
      .tuple(fc.constantFrom('model', 'messages', 'temperature', 'input'), bodyValue)
      .map(([k, v]) => {
        const b = recorded.body;
        const isObject = typeof b === 'object' && b !== null && !Array.isArray(b);
        return { ...recorded, body: isObject ? { ...b, [k]: v } : { [k]: v } };
      }),
    fc.constantFrom('/v1/messages', '/v1/x').map((path) => ({ ...recorded, path })),
    word.map((w) => ({ ...recorded, query: { ...recorded.query, alt: w } })),
  );

interface TestCall extends Matchable {
  signature: Signature;
}

/**
 * The definition, comparing every call: the first non-empty tier (same upstream and path, same
 * upstream, same path, all), then fewest differences, then lowest seq.
 */
function bruteClosest(calls: readonly TestCall[], req: LiveRequest): string | null {
  const view = liveView(req, null);
  const part = (node: Node | null, value: string): boolean =>
    node === null || matchNode(node, value, true);
  const compiled = [...calls]
    .sort((a, b) => a.seq - b.seq || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((c) => ({ c, sig: compileSignature(c.signature, null) }));
  const tiers = [
    compiled.filter(({ sig }) => part(sig.upstream, view.upstream) && part(sig.path, view.path)),
    compiled.filter(({ sig }) => part(sig.upstream, view.upstream)),
    compiled.filter(({ sig }) => part(sig.path, view.path)),
    compiled,
  ];
  const tier = tiers.find((t) => t.length > 0) ?? [];
  let best: TestCall | null = null;
  let bestScore = Infinity;
  for (const { c, sig } of tier) {
    const d = distance(sig, view, Infinity);
    if (d < bestScore) {
      best = c;
      bestScore = d;
    }
  }
  return best?.id ?? null;
}

function req(upstream: string, query: Record<string, string>, body: unknown): LiveRequest {
  return { upstream, method: 'POST', path: '/v1/chat/completions', query, body };
}

describe('closest-call index', () => {
  it('finds the same closest call as comparing every call', { timeout: 120_000 }, () => {
    const snapshot = fc
      .array(fc.tuple(request, edit, fc.nat(40)), { minLength: 1, maxLength: 40 })
      .chain((rows) =>
        fc.record({
          rows: fc.constant(rows),
          live: fc.array(
            fc.nat(rows.length - 1).chain((i) => nearby((rows[i] as (typeof rows)[number])[0])),
            { minLength: 1, maxLength: 8 },
          ),
        }),
      );
    let misses = 0;
    fc.assert(
      fc.property(snapshot, ({ rows, live }) => {
        const calls: TestCall[] = rows.map(([req, how, seq], i) => ({
          id: `c${i}`,
          seq,
          signature: edited(signatureOf(req), how),
        }));
        // An index for every tier, however small, against the one-by-one reference.
        const indexed = new Matcher(calls, { redact: null, closestIndexMin: 1 });
        for (const req of live) {
          const r = indexed.match(req);
          if (r.kind !== 'miss') continue;
          misses++;
          expect(r.closest?.id ?? null).toBe(bruteClosest(calls, req));
        }
      }),
      {
        numRuns: 400,
        // Found by this property: a recorded `messages: {}` matches any messages object, so a
        // differing hash of an object value is no difference (c0 is as close as c1, and first).
        examples: [
          [
            {
              rows: [
                [req('anthropic', {}, { messages: {}, model: 0 }), 'none', 0],
                [req('anthropic', { alt: 'a' }, { messages: { x: 0 } }), 'none', 0],
                [req('openai', {}, {}), 'none', 0],
              ],
              live: [req('anthropic', { alt: 'b' }, { messages: { x: 0 } })],
            },
          ],
        ],
      },
    );
    // The generators must mostly produce misses, or the property would say little.
    expect(misses).toBeGreaterThan(400);
  });
});
