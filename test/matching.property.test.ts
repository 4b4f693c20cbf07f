import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Signature } from '../shared/schema.js';
import { canonicalJson, isPlainObject } from '../shared/matching/canonical.js';
import { compileSignature, exactKeyOf } from '../shared/matching/compile-signature.js';
import { escapeGlobPiece } from '../shared/matching/glob.js';
import { hashJson } from '../shared/matching/hash.js';
import type { LiveRequest } from '../shared/matching/live-request.js';
import { LeafIndex } from '../shared/matching/leaf-index.js';
import { Matcher, type Matchable } from '../shared/matching/matcher.js';
import { matchLiteral } from '../shared/matching/pattern.js';
import {
  normalizeDeep,
  compileNormalizers,
  stringNormalizer,
} from '../shared/matching/normalize.js';
import { VOLATILE_BODY_FIELDS, escapeValue, signatureOf } from '../shared/matching/signature.js';

/** Text that likes the characters the signature syntax cares about. */
const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.constantFrom('*', '\\', 'a', ' ', '1', '2024-01-01T00:00:00Z', '$', 'x'), {
        maxLength: 6,
      })
      .map((parts) => parts.join('')),
  },
);

/** Keys include operator names and volatile fields, to reach every special case. */
const key = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 6 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '$any',
      '$regex',
      '$flags',
      '$literal',
      'user',
      'metadata',
      'model',
      'stream',
    ),
  },
);

const { json } = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(key, tie('json'), { maxKeys: 4 }),
    // Operator-shaped objects, which a recording must still match literally.
    fc.record({ $regex: text }),
    fc.record({ $any: fc.constant(true) }),
    fc.record({ $literal: tie('json') }),
  ),
}));

const query = fc.dictionary(
  fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom('key', 'api_key', 'alt')),
  fc.oneof(text, fc.array(text, { minLength: 2, maxLength: 3 })),
  { maxKeys: 3 },
);

const liveRequest: fc.Arbitrary<LiveRequest> = fc.record({
  upstream: fc.constantFrom('openai', 'anthropic', 'groq'),
  method: fc.constantFrom('GET', 'POST', 'PUT'),
  path: fc.oneof(
    fc.constantFrom('/v1/chat/completions', '/v1/messages'),
    text.map((t) => '/' + t),
  ),
  query,
  body: fc.oneof(fc.constant(undefined), json, fc.dictionary(key, json, { maxKeys: 5 })),
});

const normalizers = [{ pattern: '\\d', replace: '#' }];

function call(signature: Signature, id = 'c1', seq = 1): Matchable {
  return { id, seq, signature };
}

/** The same JSON with every object's keys in reverse order. */
function reorder(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reorder);
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).reverse()) {
    Object.defineProperty(out, k, {
      value: reorder(v[k]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

type Path = (string | number)[];

function pathsOf(v: unknown, at: Path = []): Path[] {
  const here = at.length > 0 ? [at] : [];
  if (Array.isArray(v)) return [...here, ...v.flatMap((x, i) => pathsOf(x, [...at, i]))];
  if (isPlainObject(v)) {
    // Inside a $literal everything is literal; the wrapper itself is replaced as a whole.
    if (Object.hasOwn(v, '$literal')) return here;
    return [...here, ...Object.keys(v).flatMap((k) => pathsOf(v[k], [...at, k]))];
  }
  return here;
}

function replaceAt(v: unknown, path: Path, make: (old: unknown) => unknown, i = 0): unknown {
  if (i === path.length) return make(v);
  const seg = path[i] as string | number;
  if (Array.isArray(v)) return v.map((x, j) => (j === seg ? replaceAt(x, path, make, i + 1) : x));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v as object)) {
    const x = (v as Record<string, unknown>)[k];
    Object.defineProperty(out, k, {
      value: k === seg ? replaceAt(x, path, make, i + 1) : x,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function deleteAt(v: unknown, path: Path): unknown {
  const parent = path.slice(0, -1);
  const last = path[path.length - 1];
  return replaceAt(v, parent, (p) => {
    if (!isPlainObject(p) || typeof last !== 'string') return p;
    const out = { ...p };
    delete out[last];
    return out;
  });
}

function jsonPathOf(path: Path): string {
  return (
    '$.body' +
    path.map((s) => (typeof s === 'number' ? `[${s}]` : `[${JSON.stringify(s)}]`)).join('')
  );
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

type Widen = (sig: Signature, body: unknown, path: Path | undefined) => Signature;

/** Ways to make a signature accept more; each must keep accepting what it accepted. */
const widenings: [string, Widen][] = [
  ['"*" in place of a value', (s, b, p) => (p ? { ...s, body: replaceAt(b, p, () => '*') } : s)],
  [
    '{$any:true} in place of a value',
    (s, b, p) => (p ? { ...s, body: replaceAt(b, p, () => ({ $any: true })) } : s),
  ],
  [
    'a key left out',
    (s, b, p) => (p && typeof p[p.length - 1] === 'string' ? { ...s, body: deleteAt(b, p) } : s),
  ],
  ['an ignore path', (s, _b, p) => (p ? { ...s, ignore: [jsonPathOf(p)] } : s)],
  [
    'a string turned into a prefix glob',
    (s, b, p) =>
      p
        ? {
            ...s,
            body: replaceAt(b, p, (old) =>
              typeof old === 'string' && !old.includes('*')
                ? escapeGlobPiece(old.slice(0, 2)) + '*'
                : old,
            ),
          }
        : s,
  ],
  [
    'a string turned into a regex',
    (s, b, p) =>
      p
        ? {
            ...s,
            body: replaceAt(b, p, (old) =>
              typeof old === 'string' && !old.includes('*')
                ? { $regex: `^${escapeRegex(old)}$` }
                : old,
            ),
          }
        : s,
  ],
  ['the body left out', (s) => ({ ...s, body: undefined })],
  ['the query left out', (s) => ({ ...s, query: undefined })],
  ['the path as a glob', (s) => ({ ...s, path: '*' })],
  ['upstream and method left out', (s) => ({ ...s, upstream: undefined, method: undefined })],
];

describe('matching properties', () => {
  it('signatureOf a request always matches that request exactly', () => {
    fc.assert(
      fc.property(liveRequest, fc.boolean(), (req, normalize) => {
        const m = new Matcher([call(signatureOf(req))], normalize ? { normalizers } : {});
        expect(m.match(req)).toMatchObject({ kind: 'hit', exact: true });
      }),
      { numRuns: 500 },
    );
  });

  it('a recorded signature never matches a request whose body differs at a leaf', () => {
    fc.assert(
      fc.property(liveRequest, fc.nat(), (req, at) => {
        // Volatile top-level fields are not part of the signature, so changing them must not miss.
        const paths = pathsOf(req.body).filter((p) => {
          if (isPlainObject(req.body) && VOLATILE_BODY_FIELDS.includes(String(p[0]))) return false;
          let v: unknown = req.body;
          for (const s of p) v = (v as Record<string | number, unknown>)[s];
          return typeof v === 'string' || typeof v === 'number';
        });
        fc.pre(paths.length > 0);
        const path = paths[at % paths.length] as Path;
        // A number turned into text: `+ 1` would not change a large double.
        const changed = replaceAt(req.body, path, (old) => `${String(old)}~`);
        const m = new Matcher([call(signatureOf(req))]);
        expect(m.match({ ...req, body: changed }).kind).toBe('miss');
      }),
      { numRuns: 300 },
    );
  });

  it('adding a wildcard never turns a hit into a miss', () => {
    fc.assert(
      fc.property(
        liveRequest,
        fc.nat(),
        fc.nat({ max: widenings.length - 1 }),
        (req, at, which) => {
          const sig = signatureOf(req);
          // Writing under an operator's own key would change what the operator object is.
          const paths = pathsOf(sig.body).filter(
            (p) => !p.some((seg) => ['$any', '$regex', '$flags', '$literal'].includes(String(seg))),
          );
          const path = paths.length > 0 ? paths[at % paths.length] : undefined;
          const [name, widen] = widenings[which] as [string, Widen];
          const widened = widen(sig, sig.body, path);
          const r = new Matcher([call(widened)]).match(req);
          expect(r.kind, `${name}: ${JSON.stringify(widened)}`).toBe('hit');
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('the canonical key does not depend on object key order', () => {
    fc.assert(
      fc.property(json, (v) => {
        const shuffled = reorder(v);
        expect(canonicalJson(shuffled)).toBe(canonicalJson(v));
        expect(hashJson(shuffled)).toBe(hashJson(v));
      }),
      { numRuns: 500 },
    );
  });

  it('a recording with its keys in another order still hits exactly', () => {
    fc.assert(
      fc.property(liveRequest, (req) => {
        const sig = signatureOf(req);
        const reordered = reorder({ ...sig }) as Signature;
        expect(new Matcher([call(reordered)]).match(req)).toMatchObject({
          kind: 'hit',
          exact: true,
        });
      }),
      { numRuns: 300 },
    );
  });

  it('the load-time fast path agrees with the compiled signature', () => {
    const norm = stringNormalizer(compileNormalizers(normalizers));
    fc.assert(
      fc.property(liveRequest, fc.boolean(), fc.boolean(), (req, normalize, tamper) => {
        const n = normalize ? norm : null;
        let sig = signatureOf(req);
        // Raw signatures a user might write: patterns and operators right in the body.
        if (tamper) sig = { ...sig, body: normalizeDeep(sig.body, (s) => s.replace(/\\/g, '')) };
        const fast = exactKeyOf(sig, n);
        const full = compileSignature(sig, n);
        if (fast !== null) {
          expect(full.exact).toBe(true);
          expect(full.hash).toBe(fast.hash);
        }
        if (!tamper) expect(fast).not.toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  it('identical signatures replay in seq order, then repeat the last', () => {
    fc.assert(
      fc.property(
        liveRequest,
        fc.uniqueArray(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 6 }),
        (req, seqs) => {
          const sig = signatureOf(req);
          const calls = seqs.map((seq) => call(structuredClone(sig), `s${seq}`, seq));
          const m = new Matcher(calls);
          const order = [...seqs].sort((a, b) => a - b).map((s) => `s${s}`);
          const got = Array.from({ length: seqs.length + 2 }, () => {
            const r = m.match(req);
            return r.kind === 'hit' ? r.call.id : 'miss';
          });
          expect(got).toEqual([...order, order[order.length - 1], order[order.length - 1]]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the leaf index never hides a literal signature that matches', () => {
    interface Member {
      query: unknown;
      body: unknown;
    }
    const plainBody = fc.dictionary(key, json, { minKeys: 1, maxKeys: 4 });
    fc.assert(
      fc.property(
        fc.array(plainBody, { minLength: 300, maxLength: 330 }),
        fc.array(fc.tuple(fc.nat(), fc.boolean(), fc.boolean()), { minLength: 10, maxLength: 30 }),
        fc.boolean(),
        (bodies, probes, stored) => {
          const members: Member[] = bodies.map((body, i) => ({
            query: { page: String(i % 7) },
            body,
          }));
          // Stored members are kept as the recorder writes them: escaped, read back by the index.
          const index = new LeafIndex<Member>(
            (m) =>
              stored
                ? { query: escapeValue(m.query), body: escapeValue(m.body), stored: true }
                : { ...m, stored: false },
            null,
          );
          members.forEach((m) => index.add(m));
          for (const [at, trim, extra] of probes) {
            const source = members[at % members.length] as Member;
            const body = { ...(source.body as Record<string, unknown>) };
            if (extra) body['added by the probe'] = 1;
            if (trim) delete body[Object.keys(body)[0] as string];
            const seen = new Set<Member>();
            index.forCandidates(source.query, body, (m) => seen.add(m));
            for (const m of members) {
              if (matchLiteral(m.body, body) && matchLiteral(m.query, source.query)) {
                expect(seen.has(m)).toBe(true);
              }
            }
            if (!trim) expect(seen.has(source)).toBe(true);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
