import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A port free right now on 127.0.0.1, for servers that cannot be told `--port 0` and report the
 * port back. Another process could take it before the server binds; on this bench machine the
 * window is short enough.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
