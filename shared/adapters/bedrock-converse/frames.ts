/**
 * How one AWS event-stream frame is kept in a call file's `response.stream`: as a readable event
 * like an SSE one, and back to the same bytes on replay.
 *
 * - `event`: the `:event-type` of an event frame (`contentBlockDelta`), `exception:TYPE` for an
 *   exception frame (`exception:throttlingException`), `error:CODE` for an error frame.
 * - `data`: the payload as text (Bedrock's are JSON).
 * - `headersBase64`: only when the frame's header block is not the standard one for its `event`
 *   (`:event-type` or `:exception-type`, then `:content-type: application/json`, then
 *   `:message-type`, all strings, in that order, as Bedrock sends them). Real Bedrock frames
 *   never need it; it is there so that no recording can lose bytes.
 * - `dataBase64`: only for a payload that is not UTF-8.
 */
import type { StreamEvent } from '../../schema.js';
import {
  decodeHeaders,
  encodeFrame,
  encodeHeaders,
  type Header,
  type RawFrame,
} from './eventstream.js';

export const EVENTSTREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';

export function isAwsEventStream(contentType: string | undefined): boolean {
  return !!contentType && /^\s*application\/vnd\.amazon\.eventstream\b/i.test(contentType);
}

const JSON_TYPE = 'application/json';
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function str(name: string, value: string): Header {
  return { name, value: { type: 'string', value } };
}

/** The header block Bedrock writes for a frame of this `event` name. */
export function standardHeaders(event: string): Header[] {
  if (event.startsWith('exception:'))
    return [
      str(':exception-type', event.slice('exception:'.length)),
      str(':content-type', JSON_TYPE),
      str(':message-type', 'exception'),
    ];
  return [
    str(':event-type', event),
    str(':content-type', JSON_TYPE),
    str(':message-type', 'event'),
  ];
}

// Streams repeat a handful of event names thousands of times: their header blocks are built once.
const standardBytes = new Map<string, Uint8Array>();

function standardHeaderBytes(event: string): Uint8Array {
  let bytes = standardBytes.get(event);
  if (!bytes) {
    bytes = encodeHeaders(standardHeaders(event));
    if (standardBytes.size < 256) standardBytes.set(event, bytes);
  }
  return bytes;
}

function stringHeader(headers: readonly Header[], name: string): string | undefined {
  const h = headers.find((x) => x.name === name);
  return h?.value.type === 'string' ? h.value.value : undefined;
}

/** The `event` name of a frame with these headers; undefined when they name none. */
export function eventNameOf(headers: readonly Header[]): string | undefined {
  const type = stringHeader(headers, ':message-type');
  if (type === 'event') return stringHeader(headers, ':event-type');
  if (type === 'exception') {
    const t = stringHeader(headers, ':exception-type');
    return t === undefined ? undefined : `exception:${t}`;
  }
  if (type === 'error') {
    const code = stringHeader(headers, ':error-code');
    return code === undefined ? undefined : `error:${code}`;
  }
  return undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function decodedName(headerBytes: Uint8Array): string | undefined {
  try {
    return eventNameOf(decodeHeaders(headerBytes));
  } catch {
    return undefined;
  }
}

/** A received frame as a stream event, `at` ms after the request started. */
export function frameToEvent(frame: RawFrame, at: number): StreamEvent {
  const ev: StreamEvent = { at };
  const name = decodedName(frame.headerBytes);
  if (name !== undefined) ev.event = name;
  if (name === undefined || !sameBytes(standardHeaderBytes(name), frame.headerBytes))
    ev.headersBase64 = toBase64(frame.headerBytes);
  if (frame.payload.length > 0) {
    try {
      ev.data = strictUtf8.decode(frame.payload);
    } catch {
      ev.dataBase64 = toBase64(frame.payload);
    }
  }
  return ev;
}

function headerBytesOf(e: StreamEvent): Uint8Array {
  if (e.headersBase64 !== undefined) {
    const raw = fromBase64(e.headersBase64);
    // An `event` edited by hand wins over recorded headers that would contradict it.
    if (e.event === undefined || e.event === decodedName(raw)) return raw;
  }
  return e.event === undefined ? new Uint8Array(0) : standardHeaderBytes(e.event);
}

/** The frame bytes of a stored event: the recorded bytes when it was not edited. */
export function eventToFrame(e: StreamEvent): Uint8Array {
  const payload = e.dataBase64 !== undefined ? fromBase64(e.dataBase64) : utf8.encode(e.data ?? '');
  return encodeFrame(headerBytesOf(e), payload);
}
