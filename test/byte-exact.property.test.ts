/**
 * For any JSON value written in any of the styles real servers use (and respelled the ways they
 * respell numbers and strings), the stored body plus its format gives back the exact bytes; the
 * regular styles need no raw text. Also for SSE: any stream of events in any framing.
 */
import { createParser } from 'eventsource-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bodyBytes, storeReplyBody } from '../proxy/body.js';
import { describeStream, streamTexts, type SseEvent } from '../shared/wire/sse-format.js';

const key = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('10', '2', '0', 'a', 'é', '😀', '__proto__x'),
);
const leaf = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('café', 'a/b', 'tab\there', '"q"', '😀'),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0.00000775, 1e-7, 1e21, 123.5, -0),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(key, tie('v'), { maxKeys: 4 }),
  ),
})).v;

/** Python's float repr where it differs from JS's: `1.0`, `7.75e-06`, `1e+21`. */
function pythonNumber(n: number): string {
  if (Object.is(n, -0)) return '-0.0';
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return `${n}.0`;
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2');
}

interface Style {
  indent: string | null;
  colon: string;
  comma: string;
  ascii: boolean;
  python: boolean;
  eol: string;
  after: string;
}

function write(v: unknown, s: Style, depth = 0): string {
  const str = (x: string) => {
    const j = JSON.stringify(x);
    return s.ascii
      ? j.replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
      : j;
  };
  if (typeof v === 'string') return str(v);
  if (typeof v === 'number') return s.python ? pythonNumber(v) : JSON.stringify(v);
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  const items = Array.isArray(v)
    ? v.map((x) => write(x, s, depth + 1))
    : Object.entries(v).map(([k, x]) => str(k) + s.colon + write(x, s, depth + 1));
  const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
  if (items.length === 0) return open + close;
  if (s.indent === null) return open + items.join(s.comma) + close;
  const inner = s.eol + s.indent.repeat(depth + 1);
  return open + inner + items.join(s.comma + inner) + s.eol + s.indent.repeat(depth) + close;
}

const style: fc.Arbitrary<Style> = fc.record({
  indent: fc.constantFrom(null, '  ', '    ', '\t'),
  colon: fc.constantFrom(':', ': '),
  comma: fc.constantFrom(',', ', '),
  ascii: fc.boolean(),
  python: fc.boolean(),
  eol: fc.constantFrom('\n', '\r\n'),
  after: fc.constantFrom('', '\n', '\r\n'),
});

describe('byte-exact JSON bodies', () => {
  it('give back the exact bytes for any value in any style, without raw text', () => {
    fc.assert(
      fc.property(value, style, (v, s) => {
        const text = write(v, s) + s.after;
        const stored = storeReplyBody(Buffer.from(text), 'application/json');
        expect(bodyBytes(stored).toString()).toBe(text);
        expect(stored.bodyFormat?.raw).toBeUndefined();
      }),
      { numRuns: 400 },
    );
  });
});

const field = fc.stringMatching(/^[^\r\n]{0,6}$/);
const event: fc.Arbitrary<SseEvent> = fc.oneof(
  fc.record({ data: fc.array(field, { minLength: 1, maxLength: 3 }).map((l) => l.join('\n')) }),
  fc.record({ event: field.filter((s) => s !== ''), data: field }),
  fc.record({ data: field, id: field.filter((s) => !s.includes('\0')) }),
  fc.record({ comment: field }),
  fc.record({ retry: fc.nat(100000) }),
);

function frame(e: SseEvent, eol: string, sp: string, dataFirst: boolean): string {
  if (e.comment !== undefined) return `:${sp}${e.comment}${eol}${eol}`;
  if (e.retry !== undefined) return `retry:${sp}${e.retry}${eol}${eol}`;
  const data = e
    .data!.split('\n')
    .map((l) => `data:${sp}${l}${eol}`)
    .join('');
  const rest =
    (e.event !== undefined ? `event:${sp}${e.event}${eol}` : '') +
    (e.id !== undefined ? `id:${sp}${e.id}${eol}` : '');
  return (dataFirst ? data + rest : rest + data) + eol;
}

describe('byte-exact streams', () => {
  it('give back the exact bytes for any events in any framing', () => {
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 6 }),
        fc.constantFrom('\n', '\r\n'),
        fc.constantFrom(' ', ''),
        fc.boolean(),
        fc.constantFrom('', '\n', ': tail'),
        (events, eol, sp, dataFirst, end) => {
          const text = events.map((e) => frame(e, eol, sp, dataFirst)).join('') + end;
          const parsed = describeStream(text, readEvents(text));
          expect(parsed).not.toBeNull();
          const stored = readEvents(text).map((e, i) => {
            const raw = parsed!.raws[i];
            return raw === undefined ? e : { ...e, raw };
          });
          expect(streamTexts(stored, parsed!.format).join('')).toBe(text);
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** The recorder's reading of a stream: the same parser, fed the whole text. */
function readEvents(text: string): SseEvent[] {
  const out: SseEvent[] = [];
  const parser = createParser({
    onEvent: (e) => {
      const ev: SseEvent = {};
      if (e.event !== undefined) ev.event = e.event;
      if (e.id !== undefined) ev.id = e.id;
      ev.data = e.data;
      out.push(ev);
    },
    onRetry: (retry) => out.push({ retry }),
    onComment: (comment) => out.push({ comment }),
  });
  parser.feed(text);
  parser.feed('\n\n');
  return out;
}
