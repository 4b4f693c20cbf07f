/**
 * Where a mock's reply is written: a node:http ServerResponse on a socket, or the in-process
 * `FetchReply` of `tapedeck/testing` (proxy/mock/fetch-reply.ts). The replay and answer stages
 * use only this much of a response, so both carry the same bytes with the same timing and faults.
 */
export interface ReplySink {
  readonly headersSent: boolean;
  /** The client is gone (socket closed, or the fetch aborted): nothing more will be read. */
  readonly destroyed: boolean;
  writeHead(status: number, headers: Record<string, string | number>): unknown;
  flushHeaders(): void;
  write(chunk: Buffer | Uint8Array): unknown;
  end(chunk?: Buffer | null): unknown;
  destroy(): unknown;
  once(event: 'close', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
  /**
   * The connection, for a cut: the written bytes leave, then it closes. A sink without a socket
   * (or one already gone) is cut by `destroy()` alone.
   */
  readonly socket: { end(callback: () => void): unknown } | null;
  /** performance.now() when the headers went out, 0 until then (TimedResponse, FetchReply). */
  readonly headersAt?: number;
  /**
   * The client left before the reply ended (an abort, a timeout, a reset): a give-up. False for a
   * reply the mock ended or cut itself; absent on a sink that cannot tell.
   */
  readonly clientLeft?: boolean;
}
