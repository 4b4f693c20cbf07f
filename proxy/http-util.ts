/** Small HTTP helpers shared by the record and mock servers. */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { ReplySink } from './reply-sink.js';

/** Headers that describe one connection or one encoding of the bytes, never the message itself. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authenticate',
]);

export function isHopByHop(name: string): boolean {
  return HOP_BY_HOP.has(name.toLowerCase());
}

/** Flattens Node/undici header objects into the stored `name → value` shape. */
export function flattenHeaders(
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || isHopByHop(name)) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/** A request body over the server's limit: the caller answers 413 and the connection is closed. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body over ${limit} bytes`);
  }
}

/**
 * Reads a request body whole; rejects if the client goes away first. Over `limit` bytes it stops
 * keeping chunks and rejects with BodyTooLargeError at once (before reading anything when the
 * content-length says so), so an oversized body costs no more memory than the limit.
 */
export function readBody(req: IncomingMessage, limit = Number.POSITIVE_INFINITY): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) {
      // The rest is discarded as it arrives; the 413 reply closes the connection.
      req.resume();
      reject(new BodyTooLargeError(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        chunks.length = 0;
        req.off('data', onData);
        req.resume();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () =>
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)),
    );
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('client aborted the request')));
  });
}

export function sendJson(
  res: ReplySink,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const body = Buffer.from(JSON.stringify(value, null, 2) + '\n');
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': body.length,
    ...headers,
  });
  res.end(body);
}

export function isEventStream(contentType: string | undefined): boolean {
  return !!contentType && /^\s*text\/event-stream/i.test(contentType);
}
