/** Start and stop of the HTTP servers, with the one-line errors a CLI user should see. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export class ListenError extends Error {}

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

export function createServer(handler: http.RequestListener): http.Server {
  const server = http.createServer({ keepAliveTimeout: 65_000 }, handler);
  // A long reply must not be cut by Node's defaults: LLM streams can run for minutes.
  server.requestTimeout = 0;
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const status =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });
  return server;
}
