/**
 * The reply of an in-process mock (`tapedeck/testing`) as a fetch `Response`: the replay stage
 * writes into it as into a socket, with the same schedule, faults and cuts. A reply written in one
 * go (the usual hit, every scripted reply) becomes a `Response` over one buffer; a timed or
 * faulted stream becomes a `ReadableStream` whose chunks arrive when the schedule sends them.
 */
import { performance } from 'node:perf_hooks';
import type { ReplySink } from '../reply-sink.js';
import { bufferedResponse } from './buffered-response.js';

/** Statuses whose Response cannot have a body (the fetch standard's null body statuses). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** As undici reports a connection cut mid-body, so clients see the error they would see for real. */
const terminated = (): TypeError =>
  new TypeError('terminated', { cause: new Error('other side closed') });
/** As undici reports a connection closed before the headers. */
const failed = (): TypeError =>
  new TypeError('fetch failed', { cause: new Error('other side closed') });

export class FetchReply implements ReplySink {
  headersSent = false;
  destroyed = false;
  headersAt = 0;
  /** The client aborted or stopped reading before the reply ended (ReplySink.clientLeft). */
  clientLeft = false;
  /** Resolves with the Response once its headers are out, rejects if the client aborts first. */
  readonly response: Promise<Response>;
  /** A cut ends what was written, then the connection: `destroy()` errors the body after its bytes. */
  readonly socket = { end: (callback: () => void): void => callback() };

  private status = 200;
  private headers: Record<string, string> = {};
  private pending: Uint8Array[] = [];
  private streaming = false;
  private ended = false;
  private error: unknown = null;
  private wake: (() => void) | null = null;
  private closeListeners: Array<() => void> = [];
  private resolve!: (r: Response) => void;
  private reject!: (e: unknown) => void;

  constructor(private readonly signal: AbortSignal | null) {
    this.response = new Promise<Response>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    if (signal) {
      if (signal.aborted) this.abort();
      else signal.addEventListener('abort', this.abort, { once: true });
    }
  }

  writeHead(status: number, headers: Record<string, string | number>): this {
    if (this.headersSent) return this;
    this.status = status;
    for (const [k, v] of Object.entries(headers)) this.headers[k] = String(v);
    this.headersSent = true;
    this.headersAt = performance.now();
    return this;
  }

  /** The headers go to the client now; the body follows as it is written. */
  flushHeaders(): void {
    if (this.streaming || this.destroyed) return;
    this.streaming = true;
    const body = NULL_BODY.has(this.status)
      ? null
      : new ReadableStream<Uint8Array>({
          pull: (controller) => this.pull(controller),
          cancel: () => {
            this.unlisten();
            this.gone();
          },
        });
    this.resolve(new Response(body, { status: this.status, headers: this.headers }));
  }

  write(chunk: Buffer | Uint8Array): boolean {
    if (this.destroyed || this.ended) return false;
    if (chunk.length > 0) this.pending.push(chunk);
    this.wake?.();
    return true;
  }

  end(chunk?: Buffer | null): this {
    if (this.destroyed || this.ended) return this;
    if (chunk && chunk.length > 0) this.pending.push(chunk);
    this.ended = true;
    if (!this.streaming) {
      // Written in one go: one buffer, no stream machinery.
      const body = NULL_BODY.has(this.status) ? null : concat(this.pending);
      this.pending = [];
      this.resolve(bufferedResponse(body, { status: this.status, headers: this.headers }));
    } else this.wake?.();
    this.closed();
    return this;
  }

  /** The connection goes: a body not ended fails as a cut one does, a reply not started fails as fetch does. */
  destroy(): this {
    if (this.destroyed) return this;
    if (!this.ended) {
      if (this.streaming) this.error = terminated();
      else this.reject(failed());
    }
    this.destroyed = true;
    this.wake?.();
    this.closed();
    return this;
  }

  once(_event: 'close', listener: () => void): this {
    this.closeListeners.push(listener);
    return this;
  }

  off(_event: 'close', listener: () => void): this {
    this.closeListeners = this.closeListeners.filter((l) => l !== listener);
    return this;
  }

  private readonly abort = (): void => {
    if (this.ended && !this.streaming) return;
    const reason: unknown = this.signal?.reason ?? new DOMException('aborted', 'AbortError');
    if (this.streaming) {
      this.error = reason;
      // As fetch's body: an abort fails the next read at once; what was queued is dropped.
      this.pending = [];
    } else this.reject(reason);
    this.gone();
  };

  /** The client stopped reading (abort or cancel): the schedule stops writing. */
  private gone(): void {
    if (this.destroyed) return;
    if (!this.ended) this.clientLeft = true;
    this.destroyed = true;
    this.wake?.();
    this.closed();
  }

  private closed(): void {
    // A streamed body can still be aborted while its last bytes wait to be read.
    if (!this.streaming) this.unlisten();
    const listeners = this.closeListeners;
    this.closeListeners = [];
    for (const l of listeners) l();
  }

  private unlisten(): void {
    this.signal?.removeEventListener('abort', this.abort);
  }

  /** Hands out what was written, in order; errors only once every written byte was read. */
  private async pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    for (;;) {
      const next = this.pending.shift();
      if (next) return controller.enqueue(next);
      if (this.error !== null || this.ended || this.destroyed) this.unlisten();
      if (this.error !== null) return controller.error(this.error);
      if (this.ended) return controller.close();
      if (this.destroyed) return controller.error(terminated());
      await new Promise<void>((r) => (this.wake = r));
      this.wake = null;
    }
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  return Buffer.concat(chunks);
}
