/**
 * How an SSE stream was framed, so the events a call file keeps go out as the bytes the upstream
 * sent (docs/byte-exact.md): line endings, `data:` with or without a space, field order, and the
 * bytes after the last event. An event the framing cannot rebuild keeps its own text as `raw`.
 * Events are split the way the recorder's parser (eventsource-parser) reads them, so comments and
 * `retry` lines are events of their own.
 */
import { createParser } from 'eventsource-parser';

export interface StreamFormat {
  /** Line ending (default `\n`). */
  eol?: string;
  /** `false`: fields are written `data:x`, without the space after the colon. */
  space?: boolean;
  /** Order of the fields of an event (default event, id, retry, data). */
  order?: Field[];
  /** Bytes after the last event (a stream that ends without its blank line, extra new lines). */
  end?: string;
}

export type Field = 'event' | 'id' | 'retry' | 'data';
const DEFAULT_ORDER: readonly Field[] = ['event', 'id', 'retry', 'data'];

export interface SseEvent {
  event?: string;
  data?: string;
  id?: string;
  retry?: number;
  comment?: string;
  raw?: string;
}

/** One event as text in the stream's framing (its `raw` aside). */
export function renderEvent(e: SseEvent, f: StreamFormat | undefined): string {
  const eol = f?.eol ?? '\n';
  const sp = f?.space === false ? '' : ' ';
  let s = '';
  if (e.comment !== undefined) for (const line of e.comment.split('\n')) s += `:${sp}${line}${eol}`;
  for (const field of f?.order ?? DEFAULT_ORDER) {
    const v = e[field];
    if (v === undefined) continue;
    if (field === 'data') for (const line of e.data!.split('\n')) s += `data:${sp}${line}${eol}`;
    else s += `${field}:${sp}${String(v)}${eol}`;
  }
  return s + eol;
}

type Parsed = Omit<SseEvent, 'raw'>;

function parse(text: string, onEach?: (e: Parsed) => void): Parsed[] {
  const out: Parsed[] = [];
  const push = (e: Parsed) => {
    out.push(e);
    onEach?.(e);
  };
  const parser = createParser({
    onEvent: (e) => {
      const ev: Parsed = {};
      if (e.event !== undefined) ev.event = e.event;
      if (e.id !== undefined) ev.id = e.id;
      ev.data = e.data;
      push(ev);
    },
    onRetry: (retry) => push({ retry }),
    onComment: (comment) => push({ comment }),
  });
  // The recorder's decoder drops a byte order mark before its parser sees the text.
  parser.feed(text.startsWith('\ufeff') ? text.slice(1) : text);
  parser.feed('\n\n');
  return out;
}

function sameEvent(a: Parsed, b: SseEvent): boolean {
  return (
    a.event === b.event &&
    a.data === b.data &&
    a.id === b.id &&
    a.retry === b.retry &&
    a.comment === b.comment
  );
}

const LINE = /[^\r\n]*(?:\r\n|\r|\n)?/g;

/**
 * The framing of `text` and, per event, the text that framing cannot rebuild. `events` are the
 * recorder's (same parser, so the same sequence); null when they do not line up with the text.
 */
export function describeStream(
  text: string,
  events: readonly SseEvent[],
): { format: StreamFormat | undefined; raws: (string | undefined)[] } | null {
  // Where each event ends: fed line by line, an event fires while the line that ends it is fed.
  const ends: number[] = [];
  let pos = 0;
  const found: Parsed[] = [];
  const parser = createParser({
    onEvent: (e) => {
      const ev: Parsed = {};
      if (e.event !== undefined) ev.event = e.event;
      if (e.id !== undefined) ev.id = e.id;
      ev.data = e.data;
      found.push(ev);
      ends.push(pos);
    },
    onRetry: (retry) => (found.push({ retry }), ends.push(pos)),
    onComment: (comment) => (found.push({ comment }), ends.push(pos)),
  });
  // A byte order mark is not part of the first line, as the recorder's decoder dropped it.
  const bom = text.startsWith('\ufeff') ? 1 : 0;
  for (const m of text.slice(bom).matchAll(LINE)) {
    if (m[0] === '') break;
    pos = bom + (m.index ?? 0) + m[0].length;
    parser.feed(m[0]);
  }
  pos = text.length;
  parser.feed('\n\n');
  if (found.length !== events.length || found.some((e, i) => !sameEvent(e, events[i]!)))
    return null;
  // A comment or retry line fires at once; the blank line after it belongs to it.
  for (let k = 0; k < ends.length; k++) {
    const e = found[k]!;
    if (e.comment === undefined && e.retry === undefined) continue;
    const blank = /^(?:\r\n|\r|\n)/.exec(text.slice(ends[k]!, ends[k]! + 2));
    if (blank) ends[k] = ends[k]! + blank[0].length;
  }

  const format: StreamFormat = {};
  const eol = /\r\n|\r|\n/.exec(text)?.[0] ?? '\n';
  if (eol !== '\n') format.eol = eol;
  const firstField = /^(?:data|event|id|retry):(.?)/m.exec(text);
  if (firstField && firstField[1] !== ' ') format.space = false;
  const order = fieldOrder(text, found, ends);
  if (order) format.order = order;

  const raws: (string | undefined)[] = [];
  let from = 0;
  for (let k = 0; k < found.length; k++) {
    const raw = text.slice(from, ends[k]);
    raws.push(raw === renderEvent(found[k]!, format) ? undefined : raw);
    from = ends[k]!;
  }
  if (from < text.length) format.end = text.slice(from);
  return { format: Object.keys(format).length > 0 ? format : undefined, raws };
}

/** The field order of the first event with more than one field, when it is not the default. */
function fieldOrder(
  text: string,
  found: readonly Parsed[],
  ends: readonly number[],
): Field[] | null {
  let from = 0;
  for (let k = 0; k < found.length; k++) {
    const e = found[k]!;
    const seen: Field[] = [];
    for (const m of text.slice(from, ends[k]).matchAll(/^(event|id|retry|data):/gm)) {
      const f = m[1] as Field;
      if (!seen.includes(f)) seen.push(f);
    }
    from = ends[k]!;
    if (e.data === undefined || seen.length < 2) continue;
    const rank = (f: Field) => DEFAULT_ORDER.indexOf(f);
    const inDefault = seen.every((f, i) => i === 0 || rank(seen[i - 1]!) < rank(f));
    if (inDefault) return null;
    return [...seen, ...DEFAULT_ORDER.filter((f) => !seen.includes(f))];
  }
  return null;
}

/**
 * Each event's bytes on the wire, `end` added to the last. While the events are as recorded the
 * kept `raw` texts go out as they are; an edited event is written from its fields in the stream's
 * framing, and a `raw` that no longer reads as its own event is not used.
 */
export function streamTexts(
  events: readonly SseEvent[],
  format: StreamFormat | undefined,
): string[] {
  const anyRaw = events.some((e) => e.raw !== undefined);
  let texts = events.map((e) => e.raw ?? renderEvent(e, format));
  if (anyRaw) {
    const whole = parse(texts.join('') + (format?.end ?? ''));
    const unchanged =
      whole.length === events.length && whole.every((p, i) => sameEvent(p, events[i]!));
    if (!unchanged) {
      texts = events.map((e) => {
        if (e.raw === undefined) return renderEvent(e, format);
        const alone = parse(e.raw);
        return alone.length === 1 && sameEvent(alone[0]!, e) ? e.raw : renderEvent(e, format);
      });
    }
  }
  const end = format?.end;
  if (end) {
    if (texts.length > 0) texts[texts.length - 1] += end;
    else texts.push(end);
  }
  return texts;
}
