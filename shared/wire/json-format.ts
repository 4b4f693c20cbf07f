/**
 * How a JSON reply was spelled, so the parsed body a call file keeps can be written back as the
 * exact bytes the upstream sent (docs/byte-exact.md). The style (indentation, separators, escapes,
 * bytes around the value) applies to any value, edited or not; `literals` and `keys` apply where
 * the value at their path is still the one they spell; `raw` only while the body still equals it.
 */
import { jsonEquals } from '../matching/canonical.js';
import { memberPath, scanJson } from './json-scan.js';

export interface JsonFormat {
  /** One level of indentation; absent: the value is on one line. */
  indent?: string;
  /** The line break of an indented layout (default `\n`). */
  eol?: string;
  /** Between a key and its value (default `:` on one line, `: ` indented). */
  colon?: string;
  /** After each item but the last (default `,`; Python's one-line default is `, `). */
  comma?: string;
  /** Non-ASCII characters written as `\uXXXX` escapes (Python's `ensure_ascii`). */
  ascii?: boolean;
  /** Bytes before the value (a byte order mark, white space). */
  before?: string;
  /** Bytes after the value (a trailing newline). */
  after?: string;
  /** JSON path → the token as sent, where the style writes it differently (`1.0`, `7.75e-06`, `-0.0`). */
  literals?: Record<string, string>;
  /** JSON path → key order as sent, where a JS object orders them differently (integer-like keys). */
  keys?: Record<string, string[]>;
  /** The exact text, only where the rest cannot rebuild it (a duplicate key, odd white space). */
  raw?: string;
}

const NON_ASCII = /[\u0080-\uffff]/g;

function escapeNonAscii(s: string): string {
  return s.replace(NON_ASCII, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

function leafText(v: unknown, ascii: boolean): string {
  const s = JSON.stringify(v) ?? 'null';
  return ascii ? escapeNonAscii(s) : s;
}

/** Whether a recorded token still spells the value now at its path. */
function literalFits(literal: string, v: unknown): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(literal);
  } catch {
    return false;
  }
  // `===`, not Object.is: a `-0.0` is read back from the call file as 0 and still fits.
  if (typeof parsed === 'number' || typeof parsed !== 'object' || parsed === null)
    return parsed === v;
  if (Array.isArray(parsed)) return Array.isArray(v) && v.length === 0 && parsed.length === 0;
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.keys(v).length === 0 &&
    Object.keys(parsed).length === 0
  );
}

/** Recorded order first for the keys still there, then any new ones in the object's order. */
function orderedKeys(
  o: Record<string, unknown>,
  recorded: readonly string[] | undefined,
): string[] {
  const own = Object.keys(o);
  if (!recorded) return own;
  const known = new Set(recorded.filter((k) => Object.hasOwn(o, k)));
  return [...known, ...own.filter((k) => !known.has(k))];
}

interface Layout {
  indent: string | undefined;
  eol: string;
  colon: string;
  comma: string;
  ascii: boolean;
  literals: Record<string, string> | undefined;
  keys: Record<string, string[]> | undefined;
}

function layoutOf(f: JsonFormat): Layout {
  return {
    indent: f.indent,
    eol: f.eol ?? '\n',
    colon: f.colon ?? (f.indent !== undefined ? ': ' : ':'),
    comma: f.comma ?? ',',
    ascii: f.ascii === true,
    literals: f.literals,
    keys: f.keys,
  };
}

function renderValue(v: unknown, path: string, depth: number, l: Layout): string {
  const literal = l.literals?.[path];
  if (literal !== undefined && literalFits(literal, v)) return literal;
  const isArray = Array.isArray(v);
  if (!isArray && (typeof v !== 'object' || v === null)) return leafText(v, l.ascii);
  const items: string[] = [];
  if (isArray) {
    (v as unknown[]).forEach((x, i) => items.push(renderValue(x, `${path}[${i}]`, depth + 1, l)));
  } else {
    const o = v as Record<string, unknown>;
    for (const k of orderedKeys(o, l.keys?.[path]))
      items.push(
        leafText(k, l.ascii) + l.colon + renderValue(o[k], memberPath(path, k), depth + 1, l),
      );
  }
  const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
  if (items.length === 0) return open + close;
  if (l.indent === undefined) return open + items.join(l.comma) + close;
  const inner = l.eol + l.indent.repeat(depth + 1);
  return open + inner + items.join(l.comma + inner) + l.eol + l.indent.repeat(depth) + close;
}

/** The value as text in the recorded style, without `raw`. */
export function renderStyled(value: unknown, format: JsonFormat): string {
  const l = layoutOf(format);
  let text: string;
  // The common styles are JSON.stringify's own: native speed for large bodies.
  const native =
    !l.literals &&
    !l.keys &&
    l.comma === ',' &&
    (l.indent === undefined
      ? l.colon === ':'
      : l.colon === ': ' &&
        l.eol === '\n' &&
        l.indent.length > 0 &&
        l.indent.length <= 10 &&
        /^[ \t]*$/.test(l.indent));
  if (native) {
    text = JSON.stringify(value, null, l.indent) ?? 'null';
    if (l.ascii) text = escapeNonAscii(text);
  } else text = renderValue(value, '$', 0, l);
  return (format.before ?? '') + text + (format.after ?? '');
}

/** What a reply body is on the wire: the recorded bytes while the value is unchanged, else the value in the recorded style. */
export function renderJson(value: unknown, format: JsonFormat | undefined): string {
  if (!format) return JSON.stringify(value) ?? 'null';
  if (format.raw !== undefined && rawStillFits(format.raw, value)) return format.raw;
  return renderStyled(value, format);
}

function rawStillFits(raw: string, value: unknown): boolean {
  try {
    return jsonEquals(JSON.parse(raw.replace(/^\ufeff/, '')), value);
  } catch {
    return false;
  }
}

function edges(text: string): { before: string; inner: string; after: string } {
  const before = /^\ufeff?[ \t\r\n]*/.exec(text)?.[0] ?? '';
  const after = /[ \t\r\n]*$/.exec(text.slice(before.length))?.[0] ?? '';
  return { before, inner: text.slice(before.length, text.length - after.length), after };
}

/**
 * The format that rebuilds `text` from `value` (JSON.parse of it, as the call file will hold it),
 * or undefined when JSON.stringify already does. Checked by rebuilding: whatever the style and
 * the per-path spellings cannot reproduce is covered by keeping the text itself as `raw`.
 */
export function describeJson(text: string, value: unknown): JsonFormat | undefined {
  const stored = JSON.parse(JSON.stringify(value)) as unknown;
  if (JSON.stringify(stored) === text) return undefined;
  const { before, inner, after } = edges(text);
  const scan = scanJson(inner);
  const format: JsonFormat = {};
  const open = scan.afterOpen ?? '';
  const nl = open.indexOf('\n');
  if (nl >= 0) {
    format.indent = open.slice(nl + 1);
    if (open[nl - 1] === '\r') format.eol = '\r\n';
  }
  const comma = scan.between === null ? ',' : scan.between.replace(/\r?\n[ \t]*$/, '');
  if (comma !== ',') format.comma = comma;
  const colon = scan.colon ?? (format.indent !== undefined ? ': ' : ':');
  if (colon !== (format.indent !== undefined ? ': ' : ':')) format.colon = colon;
  // eslint-disable-next-line no-control-regex -- any character outside ASCII
  if (!/[^\u0000-\u007f]/.test(inner) && /\\u(?:00[89a-fA-F]|0[1-9a-fA-F]|[1-9a-fA-F])/.test(inner))
    format.ascii = true;
  if (before) format.before = before;
  if (after) format.after = after;

  const l = layoutOf(format);
  const literals: Record<string, string> = {};
  for (const [path, token] of scan.leaves) {
    const c = token[0];
    const expected = c === '{' ? '{}' : c === '[' ? '[]' : leafText(JSON.parse(token), l.ascii);
    if (token !== expected) literals[path] = token;
  }
  if (Object.keys(literals).length > 0) format.literals = literals;
  const keys: Record<string, string[]> = {};
  for (const [path, sent] of scan.keys) {
    const own = Object.keys(JSON.parse(`{${sent.map((k) => JSON.stringify(k) + ':0').join(',')}}`));
    if (own.some((k, i) => k !== sent[i])) keys[path] = sent;
  }
  if (Object.keys(keys).length > 0) format.keys = keys;
  const oddKey = scan.keySpellings.some((k) => leafText(JSON.parse(k), l.ascii) !== k);
  if (scan.duplicateKey || oddKey || renderStyled(stored, format) !== text) format.raw = text;
  return format;
}

/**
 * The format of a reply the recorder redacted: the style stays, and so does every spelling whose
 * value the redaction left alone. A spelling of a replaced value, and the raw text, would keep
 * what was redacted, so they go.
 */
export function formatAfterRedaction(
  format: JsonFormat | undefined,
  original: unknown,
  redacted: unknown,
): JsonFormat | undefined {
  if (!format || jsonEquals(original, redacted)) return format;
  const { literals, raw: _raw, ...rest } = format;
  const out: JsonFormat = rest;
  if (literals) {
    const kept: Record<string, string> = {};
    const valueAt = pathValues(redacted);
    for (const [path, token] of Object.entries(literals))
      if (valueAt.has(path) && literalFits(token, valueAt.get(path))) kept[path] = token;
    if (Object.keys(kept).length > 0) out.literals = kept;
  }
  return out;
}

function pathValues(value: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (v: unknown, path: string) => {
    out.set(path, v);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v !== null && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) walk(x, memberPath(path, k));
  };
  walk(value, '$');
  return out;
}
