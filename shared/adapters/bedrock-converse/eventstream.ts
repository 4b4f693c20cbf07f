/**
 * The AWS event-stream framing (`application/vnd.amazon.eventstream`) that Bedrock's
 * converse-stream answers with: binary frames of
 *
 *   total length (u32) | headers length (u32) | prelude CRC32 | headers | payload | message CRC32
 *
 * all big-endian, the prelude CRC over the first 8 bytes and the message CRC over everything
 * before it. Headers are `name length (u8) | name | type (u8) | value`.
 *
 * Written here rather than taken from `@smithy/core/event-streams`: `shared/` is pure (the UI runs
 * it too), and the Smithy codec needs its own CRC package and UTF-8 helpers built on Node buffers.
 * The whole format, CRC included, is this one small file.
 */

export class EventStreamError extends Error {
  override name = 'EventStreamError';
}

// ---- CRC32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as the event-stream spec names ----

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The CRC32 of `bytes`; pass a previous result as `crc` to continue over more bytes. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = (crc ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    c = (CRC_TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

// ---- Headers ----

/** A header value with its wire type; 64-bit values are bigint so nothing is rounded. */
export type HeaderValue =
  | { type: 'boolean'; value: boolean }
  | { type: 'byte' | 'short' | 'integer'; value: number }
  | { type: 'long' | 'timestamp'; value: bigint }
  | { type: 'binary'; value: Uint8Array }
  | { type: 'string'; value: string }
  | { type: 'uuid'; value: Uint8Array };

export interface Header {
  name: string;
  value: HeaderValue;
}

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function headerValueBytes(v: HeaderValue): Uint8Array {
  switch (v.type) {
    case 'boolean':
      return Uint8Array.of(v.value ? 0 : 1);
    case 'byte':
      return Uint8Array.of(2, v.value & 0xff);
    case 'short': {
      const out = new Uint8Array(3);
      out[0] = 3;
      new DataView(out.buffer).setInt16(1, v.value, false);
      return out;
    }
    case 'integer': {
      const out = new Uint8Array(5);
      out[0] = 4;
      new DataView(out.buffer).setInt32(1, v.value, false);
      return out;
    }
    case 'long':
    case 'timestamp': {
      const out = new Uint8Array(9);
      out[0] = v.type === 'long' ? 5 : 8;
      new DataView(out.buffer).setBigInt64(1, v.value, false);
      return out;
    }
    case 'binary':
    case 'string': {
      const bytes = v.type === 'string' ? utf8.encode(v.value) : v.value;
      if (bytes.length > 0xffff) throw new EventStreamError('header value over 65535 bytes');
      const out = new Uint8Array(3 + bytes.length);
      out[0] = v.type === 'string' ? 7 : 6;
      new DataView(out.buffer).setUint16(1, bytes.length, false);
      out.set(bytes, 3);
      return out;
    }
    case 'uuid': {
      if (v.value.length !== 16) throw new EventStreamError('a uuid header holds 16 bytes');
      const out = new Uint8Array(17);
      out[0] = 9;
      out.set(v.value, 1);
      return out;
    }
  }
}

/** The header block of a frame, headers in the order given. */
export function encodeHeaders(headers: readonly Header[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const h of headers) {
    const name = utf8.encode(h.name);
    if (name.length === 0 || name.length > 255)
      throw new EventStreamError(`header name "${h.name}" must be 1-255 bytes`);
    parts.push(Uint8Array.of(name.length), name, headerValueBytes(h.value));
  }
  return concat(parts);
}

/** Parses a header block; throws EventStreamError on a malformed one. */
export function decodeHeaders(block: Uint8Array): Header[] {
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const out: Header[] = [];
  let p = 0;
  const need = (n: number) => {
    if (p + n > block.length) throw new EventStreamError('header block ends inside a header');
  };
  while (p < block.length) {
    const nameLength = block[p++] as number;
    need(nameLength + 1);
    const name = strictUtf8.decode(block.subarray(p, p + nameLength));
    p += nameLength;
    const type = block[p++] as number;
    let value: HeaderValue;
    switch (type) {
      case 0:
      case 1:
        value = { type: 'boolean', value: type === 0 };
        break;
      case 2:
        need(1);
        value = { type: 'byte', value: view.getInt8(p) };
        p += 1;
        break;
      case 3:
        need(2);
        value = { type: 'short', value: view.getInt16(p, false) };
        p += 2;
        break;
      case 4:
        need(4);
        value = { type: 'integer', value: view.getInt32(p, false) };
        p += 4;
        break;
      case 5:
      case 8:
        need(8);
        value = { type: type === 5 ? 'long' : 'timestamp', value: view.getBigInt64(p, false) };
        p += 8;
        break;
      case 6:
      case 7: {
        need(2);
        const length = view.getUint16(p, false);
        p += 2;
        need(length);
        const bytes = block.slice(p, p + length);
        p += length;
        value =
          type === 7
            ? { type: 'string', value: strictUtf8.decode(bytes) }
            : { type: 'binary', value: bytes };
        break;
      }
      case 9:
        need(16);
        value = { type: 'uuid', value: block.slice(p, p + 16) };
        p += 16;
        break;
      default:
        throw new EventStreamError(`unknown header value type ${type}`);
    }
    out.push({ name, value });
  }
  return out;
}

// ---- Frames ----

/** One complete frame as it came off the wire. */
export interface RawFrame {
  /** The whole frame, prelude and CRCs included. */
  bytes: Uint8Array;
  headerBytes: Uint8Array;
  payload: Uint8Array;
}

const PRELUDE = 12;
const OVERHEAD = PRELUDE + 4;
/** The limit the AWS SDKs enforce (16 MiB); a bigger length means a corrupt prelude. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

export function encodeFrame(headerBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  const total = OVERHEAD + headerBytes.length + payload.length;
  if (total > MAX_FRAME_BYTES) throw new EventStreamError(`frame of ${total} bytes is too long`);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, total, false);
  view.setUint32(4, headerBytes.length, false);
  view.setUint32(8, crc32(out.subarray(0, 8)), false);
  out.set(headerBytes, PRELUDE);
  out.set(payload, PRELUDE + headerBytes.length);
  view.setUint32(total - 4, crc32(out.subarray(0, total - 4)), false);
  return out;
}

/** Checks one whole frame's lengths and both CRCs and splits it. */
export function decodeFrame(bytes: Uint8Array): RawFrame {
  if (bytes.length < OVERHEAD) throw new EventStreamError('frame shorter than its prelude');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const total = view.getUint32(0, false);
  const headersLength = view.getUint32(4, false);
  if (view.getUint32(8, false) !== crc32(bytes.subarray(0, 8)))
    throw new EventStreamError('prelude CRC mismatch');
  if (total !== bytes.length) throw new EventStreamError('frame length does not match its prelude');
  if (headersLength > total - OVERHEAD)
    throw new EventStreamError('headers length exceeds the frame');
  if (view.getUint32(total - 4, false) !== crc32(bytes.subarray(0, total - 4)))
    throw new EventStreamError('message CRC mismatch');
  return {
    bytes,
    headerBytes: bytes.subarray(PRELUDE, PRELUDE + headersLength),
    payload: bytes.subarray(PRELUDE + headersLength, total - 4),
  };
}

/**
 * Incremental decoder: push bytes as they arrive, get back the frames they complete. A frame may
 * be split across any number of pushes. After an error it stays failed (the stream has lost its
 * framing and nothing after the bad frame can be trusted).
 */
export class FrameDecoder {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private failed: EventStreamError | null = null;

  /** Bytes received that do not yet make a whole frame. */
  get pending(): number {
    return this.buffered;
  }

  push(chunk: Uint8Array): RawFrame[] {
    if (this.failed) throw this.failed;
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const out: RawFrame[] = [];
    try {
      for (;;) {
        if (this.buffered < PRELUDE) break;
        const head = this.peek(PRELUDE);
        const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
        // The prelude CRC is checked before the length is trusted, so a corrupt length never
        // makes the decoder wait for megabytes that will not come.
        if (view.getUint32(8, false) !== crc32(head.subarray(0, 8)))
          throw new EventStreamError('prelude CRC mismatch');
        const total = view.getUint32(0, false);
        if (total < OVERHEAD || total > MAX_FRAME_BYTES)
          throw new EventStreamError(`frame length ${total} out of range`);
        if (this.buffered < total) break;
        out.push(decodeFrame(this.take(total)));
      }
    } catch (e) {
      this.failed = e instanceof EventStreamError ? e : new EventStreamError(String(e));
      throw this.failed;
    }
    return out;
  }

  private peek(n: number): Uint8Array {
    const first = this.chunks[0] as Uint8Array;
    if (first.length >= n) return first.subarray(0, n);
    this.chunks = [concat(this.chunks)];
    return (this.chunks[0] as Uint8Array).subarray(0, n);
  }

  private take(n: number): Uint8Array {
    const whole = this.peek(n);
    // A copy: the caller keeps the frame, the chunk it came from may be reused.
    const frame = whole.slice();
    const first = this.chunks[0] as Uint8Array;
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return frame;
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
