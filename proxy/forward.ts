/**
 * Sends one client request upstream and streams the reply back as it arrives, while capturing
 * it: decoded bytes for a plain body, SSE events with their arrival times for a stream.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Transform, Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createParser } from 'eventsource-parser';
import { request, type Dispatcher } from 'undici';
import type { StreamEvent } from '../shared/schema.js';
import { ACCEPT_ENCODING, canDecode, decoders, parseEncodings } from './body.js';
import { flattenHeaders, isEventStream, isHopByHop } from './http-util.js';
import { AwsEventStreamTap, isAwsEventStream } from './stream-framing.js';

/** Where the reply goes as it arrives: the client's response, or a sink when no client waits. */
export interface ReplySink extends Writable {
  writeHead(status: number, headers: OutgoingHttpHeaders): unknown;
  flushHeaders(): void;
}

export interface ForwardInput {
  req: { method?: string; headers: IncomingHttpHeaders };
  res: ReplySink;
  url: string;
  body: Buffer;
  dispatcher: Dispatcher;
}

export type Outcome = 'complete' | 'aborted' | 'upstream_error';

export interface Capture {
  /** null when no reply headers came from upstream. */
  status: number | null;
  headers: Record<string, string>;
  /** The decoded body bytes (plain replies), or the raw bytes when they could not be decoded. */
  bytes: Buffer;
  /** True when `bytes` are still encoded (an encoding Node cannot decode). */
  encoded: boolean;
  events: StreamEvent[] | null;
  /** A stream's text as it arrived (byte order mark and all), to record its framing. */
  streamText: string | null;
  ttfbMs: number;
  totalMs: number;
  outcome: Outcome;
  error?: string;
}

/** The headers sent upstream: the client's, minus what describes the client connection. */
export function upstreamHeaders(req: {
  headers: IncomingHttpHeaders;
}): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || isHopByHop(name)) continue;
    if (
      name === 'host' ||
      name === 'content-length' ||
      name === 'accept-encoding' ||
      name === 'expect'
    )
      continue;
    out[name] = value;
  }
  out['accept-encoding'] = ACCEPT_ENCODING;
  return out;
}

/** Turns decoded bytes into SSE events stamped with the time their last byte arrived. */
class SseTap extends Transform {
  readonly events: StreamEvent[] = [];
  private readonly parts: string[] = [];
  // The byte order mark is kept for the record and dropped for the parser, as before.
  private readonly text = new TextDecoder('utf-8', { ignoreBOM: true });
  private started = false;
  private readonly parser;
  constructor(private readonly t0: number) {
    super();
    this.parser = createParser({
      onEvent: (e) => {
        const ev: StreamEvent = { at: this.now() };
        if (e.event !== undefined) ev.event = e.event;
        if (e.id !== undefined) ev.id = e.id;
        ev.data = e.data;
        this.events.push(ev);
      },
      onRetry: (retry) => this.events.push({ at: this.now(), retry }),
      onComment: (comment) => this.events.push({ at: this.now(), comment }),
    });
  }
  private now(): number {
    return Math.round((performance.now() - this.t0) * 10) / 10;
  }
  get streamText(): string {
    return this.parts.join('');
  }
  private feed(text: string): void {
    if (!text) return;
    this.parts.push(text);
    const first = !this.started;
    this.started = true;
    this.parser.feed(first && text.startsWith('\ufeff') ? text.slice(1) : text);
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    // Forward first: the client must not wait for our bookkeeping.
    this.push(chunk);
    this.feed(this.text.decode(chunk, { stream: true }));
    done();
  }
  override _flush(done: TransformCallback): void {
    this.feed(this.text.decode());
    // An event without its closing blank line is still what the upstream sent.
    this.parser.feed('\n\n');
    done();
  }
}

class BytesTap extends Transform {
  readonly chunks: Buffer[] = [];
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.chunks.push(chunk);
    done(null, chunk);
  }
}

export async function forward(input: ForwardInput): Promise<Capture> {
  const { req, res, url, body, dispatcher } = input;
  const t0 = performance.now();
  const since = () => Math.round((performance.now() - t0) * 10) / 10;
  const abort = new AbortController();
  let clientGone = false;
  const onClose = () => {
    if (!res.writableFinished) {
      clientGone = true;
      abort.abort();
    }
  };
  res.on('close', onClose);

  const capture: Capture = {
    status: null,
    headers: {},
    bytes: Buffer.alloc(0),
    encoded: false,
    events: null,
    streamText: null,
    ttfbMs: 0,
    totalMs: 0,
    outcome: 'complete',
  };

  let upstream: Dispatcher.ResponseData;
  try {
    upstream = await request(url, {
      method: req.method as Dispatcher.HttpMethod,
      headers: upstreamHeaders(req),
      body: body.length > 0 ? body : undefined,
      dispatcher,
      signal: abort.signal,
    });
  } catch (e) {
    capture.totalMs = since();
    capture.outcome = clientGone ? 'aborted' : 'upstream_error';
    capture.error = (e as Error).message;
    res.off('close', onClose);
    return capture;
  }

  capture.ttfbMs = since();
  capture.status = upstream.statusCode;
  const rawHeaders = upstream.headers as Record<string, string | string[] | undefined>;
  const contentType =
    typeof rawHeaders['content-type'] === 'string' ? rawHeaders['content-type'] : undefined;
  const encodings = parseEncodings(
    typeof rawHeaders['content-encoding'] === 'string' ? rawHeaders['content-encoding'] : undefined,
  );
  const decode = encodings.length > 0 && canDecode(encodings);
  capture.encoded = encodings.length > 0 && !decode;

  // Replies are passed on decoded so that what the client gets is what the file holds and what
  // the mock will replay: no body whose content-encoding header no longer applies.
  const clientHeaders: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(rawHeaders)) {
    if (value === undefined || isHopByHop(name)) continue;
    if (decode && (name === 'content-encoding' || name === 'content-length')) continue;
    clientHeaders[name] = value;
  }
  capture.headers = flattenHeaders(clientHeaders);
  delete capture.headers['content-length'];

  const sse = isEventStream(contentType) && !capture.encoded;
  const aws = isAwsEventStream(contentType) && !capture.encoded;
  if (!res.destroyed) {
    res.writeHead(upstream.statusCode, clientHeaders);
    if (sse || aws) res.flushHeaders();
  }

  const tap = sse ? new SseTap(t0) : aws ? new AwsEventStreamTap(t0) : new BytesTap();
  try {
    await pipeline([upstream.body, ...(decode ? decoders(encodings) : []), tap, res]);
  } catch (e) {
    capture.outcome = clientGone ? 'aborted' : 'upstream_error';
    capture.error = (e as Error).message;
    // The client must see an error, never a clean end of a reply that was cut.
    if (!res.destroyed) res.destroy();
    upstream.body.destroy();
  } finally {
    res.off('close', onClose);
  }
  capture.totalMs = since();
  if (tap instanceof SseTap) {
    capture.events = tap.events;
    capture.streamText = tap.streamText;
  }
  // Frames that did not decode are kept as the bytes that came, so nothing is lost.
  else if (tap instanceof AwsEventStreamTap && tap.failed === null) capture.events = tap.events;
  else capture.bytes = Buffer.concat((tap as BytesTap | AwsEventStreamTap).chunks);
  return capture;
}

/** A reply sink that keeps nothing: for a request forwarded with no client waiting (the capture keeps the reply). */
export class DiscardReply extends Writable implements ReplySink {
  writeHead(): this {
    return this;
  }
  flushHeaders(): void {}
  override _write(_chunk: unknown, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    done();
  }
}
