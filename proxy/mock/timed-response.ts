/**
 * A response that notes when its headers went out, for the events' time to first byte. Every way
 * of sending headers (write, end, flushHeaders) goes through writeHead, so this sees them all, at
 * the cost of one clock read per request and no closure.
 */
import {
  ServerResponse,
  type IncomingMessage,
  type OutgoingHttpHeader,
  type OutgoingHttpHeaders,
} from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ReplySink } from '../reply-sink.js';

type Headers = OutgoingHttpHeaders | OutgoingHttpHeader[];

export class TimedResponse<
  Req extends IncomingMessage = IncomingMessage,
> extends ServerResponse<Req> {
  /** performance.now() when the headers were written; 0 until then. */
  headersAt = 0;
  /** Told once when the headers go out (the vendor samples' queue); one object, no closure. */
  headersWatch: { headersSent(): void } | null = null;
  private cutHere = false;

  /** The client left before the reply ended: not ended by the mock, nor cut by it. */
  get clientLeft(): boolean {
    return this.destroyed && !this.writableEnded && !this.cutHere;
  }

  /** Only the mock destroys its responses (a cut, a failure); a client leaving closes the socket. */
  override destroy(error?: Error): this {
    if (!this.destroyed) this.cutHere = true;
    return super.destroy(error);
  }

  override writeHead(statusCode: number, statusMessage?: string, headers?: Headers): this;
  override writeHead(statusCode: number, headers?: Headers): this;
  override writeHead(statusCode: number, a?: string | Headers, b?: Headers): this {
    if (this.headersAt === 0) {
      this.headersAt = performance.now();
      this.headersWatch?.headersSent();
    }
    // As Node reads them: a string second argument is the reason phrase, else the headers.
    return typeof a === 'string'
      ? super.writeHead(statusCode, a, b)
      : super.writeHead(statusCode, a ?? b);
  }
}

/** ms from `since` to the headers, or null when none went out (or the sink does not note it). */
export function ttfbOf(res: ReplySink, since: number): number | null {
  const at = res.headersAt ?? 0;
  return at > 0 ? at - since : null;
}
