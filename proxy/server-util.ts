/** Start and stop of the HTTP servers, with the one-line errors a CLI user should see. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A server that cannot start for a reason the user can fix (exit code 2, one line). */
export class StartError extends Error {}

export class ListenError extends StartError {}

export function listen(
  server: http.Server,
  port: number,
  host: string,
): Promise<{ url: string; port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (e.code === 'EADDRINUSE')
        reject(new ListenError(`port ${port} on ${host} is already in use`));
      else if (e.code === 'EACCES')
        reject(new ListenError(`no permission to listen on ${host}:${port}`));
      else if (e.code === 'EADDRNOTAVAIL')
        reject(new ListenError(`address ${host} is not available on this machine`));
      else reject(new ListenError(`cannot listen on ${host}:${port}: ${e.message}`));
    };
    const onListening = () => {
      server.off('error', onError);
      const addr = server.address() as AddressInfo;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({ url: `http://${shownHost}:${addr.port}`, port: addr.port });
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Stops accepting, ends idle keep-alive sockets, and cuts what is still in flight. */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    server.closeAllConnections();
  });
}

/** How long a client may take to send its request headers (Node's own default). */
export const DEFAULT_HEADERS_TIMEOUT_MS = 60_000;
/** How long a client may take to send a whole request, headers and body (Node's own default). */
export const DEFAULT_BODY_TIMEOUT_MS = 300_000;

export interface ServerTimeouts {
  /** Longest time to receive a whole request; 0 for no limit. Replies are never timed. */
  bodyTimeoutMs?: number;
  /** The class of the responses (the mock's notes when headers go out); Node's own by default. */
  ServerResponse?: typeof http.ServerResponse<http.IncomingMessage>;
}

const timedOut = new WeakSet<object>();

/** True when the server closed this connection because its request did not arrive in time. */
export function closedByTimeout(socket: object | null | undefined): boolean {
  return !!socket && timedOut.has(socket);
}

/** `_httpMessage` is the response Node has assigned to a socket (what Node's own handler checks). */
function replyStarted(socket: Duplex): boolean {
  const res = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  return !!res?.headersSent;
}

export function createServer(
  handler: http.RequestListener,
  timeouts: ServerTimeouts = {},
): http.Server {
  const requestTimeout = timeouts.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  // Node refuses a headers timeout longer than the request timeout.
  const headersTimeout =
    requestTimeout > 0
      ? Math.min(DEFAULT_HEADERS_TIMEOUT_MS, requestTimeout)
      : DEFAULT_HEADERS_TIMEOUT_MS;
  const server = http.createServer(
    {
      keepAliveTimeout: 65_000,
      // Both timeouts count only while a request is being received: once it is complete, a reply
      // may stream for as long as the provider takes (LLM streams run for minutes).
      requestTimeout,
      headersTimeout,
      // Node looks for expired requests every 30 s by default; check often enough that a short
      // timeout is kept to within about a quarter of itself.
      connectionsCheckingInterval: Math.max(
        10,
        Math.min(30_000, Math.floor(Math.min(headersTimeout, requestTimeout || Infinity) / 4)),
      ),
      ...(timeouts.ServerResponse ? { ServerResponse: timeouts.ServerResponse } : {}),
    },
    handler,
  );
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') timedOut.add(socket);
    // Never write into a reply already on its way: that would corrupt what the client reads.
    if (!socket.writable || replyStarted(socket)) return socket.destroy();
    const status =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? '408 Request Timeout'
          : '400 Bad Request';
    // Written, then destroyed, as Node's own handler does: end() alone would leave a request that
    // is still arriving open, and its handler waiting for a body that never ends.
    socket.write(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    socket.destroy();
  });
  return server;
}
