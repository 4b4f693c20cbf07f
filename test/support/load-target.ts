/** A bare node:http service for `tapedeck load` to drive: it counts what it is sent. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoadTarget {
  url: string;
  /** Requests received, in total and per path (with query). */
  total(): number;
  byPath(): Record<string, number>;
  close(): Promise<void>;
}

/** `answer` picks each reply (status and body) from the request; default 200 "ok". */
export async function startLoadTarget(
  answer: (
    req: http.IncomingMessage,
    body: string,
  ) => Promise<{ status: number; body: string }> = async () => ({
    status: 200,
    body: 'ok',
  }),
): Promise<LoadTarget> {
  let total = 0;
  const paths: Record<string, number> = {};
  const server = http.createServer((req, res) => {
    total++;
    const p = req.url ?? '';
    paths[p] = (paths[p] ?? 0) + 1;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      answer(req, Buffer.concat(chunks).toString('utf8')).then(
        (a) => {
          res.statusCode = a.status;
          res.end(a.body);
        },
        (e: unknown) => {
          res.statusCode = 500;
          res.end(String(e));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    total: () => total,
    byPath: () => ({ ...paths }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
