/** Content decoding and the body/bodyText/bodyBase64 choice, shared by recorder and mock. */
import { Transform, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { bytesExceedDepth } from '../shared/limits.js';
import { describeJson, renderJson, type JsonFormat } from '../shared/wire/json-format.js';

/** Node 20's zlib has no zstd: ask upstream only for what we can always decode. */
export const ACCEPT_ENCODING = 'gzip, deflate, br';

const KNOWN = new Set(['gzip', 'x-gzip', 'deflate', 'br', 'zstd', 'identity']);

export function parseEncodings(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e && e !== 'identity');
}

export function canDecode(encodings: readonly string[]): boolean {
  return encodings.every((e) => KNOWN.has(e));
}

/** `deflate` is zlib-wrapped by the RFC but raw on some servers; sniff the first byte. */
class DeflateAny extends Transform {
  private inner: zlib.Inflate | zlib.InflateRaw | null = null;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (!this.inner) {
      // 0x78 is the zlib header's CMF byte for deflate with a 32K window.
      this.inner = (chunk[0] ?? 0) === 0x78 ? zlib.createInflate() : zlib.createInflateRaw();
      this.inner.on('data', (d: Buffer) => this.push(d));
      this.inner.on('error', (e) => this.destroy(e));
    }
    this.inner.write(chunk, done);
  }
  override _flush(done: TransformCallback): void {
    if (!this.inner) return done();
    this.inner.once('end', () => done());
    this.inner.end();
  }
}

class ZstdAny extends Transform {
  private readonly inner = new ZstdDecompress((data) => {
    this.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.inner.push(chunk);
      done();
    } catch (e) {
      done(e as Error);
    }
  }
  override _flush(done: TransformCallback): void {
    try {
      this.inner.push(new Uint8Array(0), true);
      done();
    } catch (e) {
      done(e as Error);
    }
  }
}

function decoderFor(encoding: string): Transform {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      // Some servers end gzip streams early or pad them; accept what decodes.
      return zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
    case 'deflate':
      return new DeflateAny();
    case 'br':
      return zlib.createBrotliDecompress();
    case 'zstd':
      return new ZstdAny();
    default:
      throw new Error(`cannot decode content-encoding ${encoding}`);
  }
}

/** Decoders for a content-encoding list, in the order they must be applied (last applied first). */
export function decoders(encodings: readonly string[]): Transform[] {
  return [...encodings].reverse().map(decoderFor);
}

export interface StoredBody {
  body?: unknown;
  /** How `body` was spelled, when JSON.stringify would spell it differently (replies only). */
  bodyFormat?: JsonFormat;
  bodyText?: string;
  bodyBase64?: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
// A reply's byte order mark is part of its bytes; requests keep the decoder they were matched with.
const utf8WithBom = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function looksJson(contentType: string | undefined, text: string): boolean {
  if (contentType && /\bjson\b/i.test(contentType)) return true;
  const first = text.trimStart()[0];
  return first === '{' || first === '[';
}

/** The body as text, or as what it is stored as when it is not text: empty, or base64 bytes. */
function textOrStored(
  buf: Buffer,
  forceBinary: boolean,
  decoder: typeof utf8,
): string | StoredBody {
  if (buf.length === 0) return {};
  if (forceBinary) return { bodyBase64: buf.toString('base64') };
  try {
    return decoder.decode(buf);
  } catch {
    return { bodyBase64: buf.toString('base64') };
  }
}

/**
 * JSON bodies are stored parsed so that people can read and edit them; anything else as text, and
 * bytes that are not UTF-8 as base64, so nothing is lost.
 */
export function storeBody(
  buf: Buffer,
  contentType: string | undefined,
  forceBinary = false,
): StoredBody {
  const text = textOrStored(buf, forceBinary, utf8);
  if (typeof text !== 'string') return text;
  // JSON nested deeper than the limit could not be written back (JSON.stringify recurses): text.
  if (looksJson(contentType, text) && !bytesExceedDepth(buf)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      return { bodyText: text }; // not JSON after all
    }
    // An integer literal beyond 2^53 parses to a number that is no safe integer, so only such a
    // value sends us to the scan of the text (which tells 1e300 from 100000000000000000000).
    if (!(holdsUnsafeInteger(parsed) && hasUnsafeInteger(text))) return { body: parsed };
  }
  return { bodyText: text };
}

/** Whether parsed JSON may have lost digits: it holds an integer beyond 2^53 written as one. */
export function mayHoldUnsafeInteger(parsed: unknown, text: string): boolean {
  return holdsUnsafeInteger(parsed) && hasUnsafeInteger(text);
}

function isUnsafeInteger(n: number): boolean {
  return Number.isInteger(n) && !Number.isSafeInteger(n);
}

/**
 * Whether a parsed value holds a number that may have been written as an unsafe integer. The mock
 * runs this for every new request body, so it visits values, not characters: a prompt of a few KB
 * is a handful of values, where a scan of its text (even a native /\d{16}/, which retries at each
 * digit) costs tens of microseconds. Iterative: a body may be nested deeply.
 */
function holdsUnsafeInteger(value: unknown): boolean {
  if (typeof value === 'number') return isUnsafeInteger(value);
  if (value === null || typeof value !== 'object') return false;
  const stack: object[] = [value];
  while (stack.length > 0) {
    const v = stack.pop() as Record<string, unknown> | unknown[];
    const items = Array.isArray(v) ? v : Object.values(v);
    for (const x of items) {
      if (typeof x === 'number') {
        if (isUnsafeInteger(x)) return true;
      } else if (x !== null && typeof x === 'object') stack.push(x);
    }
  }
  return false;
}

/**
 * A reply body as the call file keeps it: like `storeBody`, plus the format that rebuilds the
 * exact bytes from the parsed value (docs/byte-exact.md). A number JSON cannot hold (`1e400`
 * parses to Infinity, written back as null) keeps the body as text, as an unsafe integer does.
 */
export function storeReplyBody(
  buf: Buffer,
  contentType: string | undefined,
  forceBinary = false,
): StoredBody {
  const text = textOrStored(buf, forceBinary, utf8WithBom);
  if (typeof text !== 'string') return text;
  const inner = text.startsWith('\ufeff') ? text.slice(1) : text;
  if (!looksJson(contentType, inner) || bytesExceedDepth(buf)) return { bodyText: text };
  let parsed: unknown;
  try {
    parsed = JSON.parse(inner) as unknown;
  } catch {
    return { bodyText: text };
  }
  if (holdsNonFinite(parsed) || (holdsUnsafeInteger(parsed) && hasUnsafeInteger(inner)))
    return { bodyText: text };
  const bodyFormat = describeJson(text, parsed);
  return bodyFormat ? { body: parsed, bodyFormat } : { body: parsed };
}

function holdsNonFinite(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (value === null || typeof value !== 'object') return false;
  const stack: object[] = [value];
  while (stack.length > 0) {
    const v = stack.pop() as Record<string, unknown> | unknown[];
    for (const x of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof x === 'number') {
        if (!Number.isFinite(x)) return true;
      } else if (x !== null && typeof x === 'object') stack.push(x);
    }
  }
  return false;
}

/** Integers beyond 2^53 would change on a JSON round trip; such bodies stay text. */
function hasUnsafeInteger(text: string): boolean {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
      continue;
    }
    if (c >= 48 && c <= 57) {
      let j = i;
      while (j < text.length && /[0-9]/.test(text[j] ?? '')) j++;
      const isInteger = text[j] !== '.' && text[j] !== 'e' && text[j] !== 'E';
      if (isInteger && j - i >= 16 && !Number.isSafeInteger(Number(text.slice(i, j)))) return true;
      i = j - 1;
    }
  }
  return false;
}

/** The bytes a stored body stands for: JSON in its recorded format (compact when it has none). */
export function bodyBytes(b: StoredBody): Buffer {
  if (b.bodyBase64 !== undefined) return Buffer.from(b.bodyBase64, 'base64');
  if (b.bodyText !== undefined) return Buffer.from(b.bodyText, 'utf8');
  if (b.body !== undefined) return Buffer.from(renderJson(b.body, b.bodyFormat), 'utf8');
  return Buffer.alloc(0);
}

/** What a request body means for matching: parsed JSON, text, base64 text, or undefined. */
export function bodyForMatching(b: StoredBody): unknown {
  if (b.body !== undefined) return b.body;
  if (b.bodyText !== undefined) return b.bodyText;
  if (b.bodyBase64 !== undefined) return b.bodyBase64;
  return undefined;
}

/**
 * A live request body for matching: exactly the value the recorder compared when it wrote the
 * signature (`bodyForMatching(storeBody(…))`), so the same bytes always meet the same value. A
 * cheaper parse of its own would differ at the edges and turn identical requests into misses:
 * integers beyond 2^53 (stored as text), a content type in capitals, bytes that are not UTF-8.
 */
export function liveBody(buf: Buffer, contentType: string | undefined): unknown {
  return bodyForMatching(storeBody(buf, contentType));
}

/** Whether bytes (or their text) are JSON: the recorder and the mock refuse over-deep JSON alike. */
export function parsesAsJson(bytes: Buffer | string): boolean {
  try {
    JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}
