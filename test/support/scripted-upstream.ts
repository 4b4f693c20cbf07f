/**
 * A provider stand-in whose replies a test scripts request by request: for wire shapes the
 * fixture-driven fake upstream does not serve (advisor usage, background responses and polls).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedRequest {
  method: string;
  url: string;
  body: string;
}

export interface ScriptedReply {
  status?: number;
  /** Sent as JSON; a string is sent as an SSE body (`text/event-stream`). */
  body: unknown;
}

export interface ScriptedUpstream {
  url: string;
  requests: ScriptedRequest[];
  close(): Promise<void>;
}

export async function startScriptedUpstream(
  reply: (req: ScriptedRequest, n: number) => ScriptedReply,
): Promise<ScriptedUpstream> {
  const requests: ScriptedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(r);
      const out = reply(r, requests.length);
      const sse = typeof out.body === 'string';
      res.writeHead(out.status ?? 200, {
        'content-type': sse ? 'text/event-stream' : 'application/json',
      });
      res.end(sse ? out.body : JSON.stringify(out.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
