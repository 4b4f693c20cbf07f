/**
 * A local upstream that answers with one cassette's recorded replies, in order, exactly as recorded
 * (minus the framing headers node sets itself), and keeps what each request looked like on arrival.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { CassetteResponse, Interaction } from './corpus-cassettes.js';

export interface Arrived {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface CassetteUpstream {
  url: string;
  arrived: Arrived[];
  close(): Promise<void>;
}

/** Hop-by-hop and framing headers: they described the recorded connection, not the reply. */
const DROPPED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-encoding',
  'content-length',
]);

export function replyHeaders(response: CassetteResponse): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of response.headers) {
    const lower = name.toLowerCase();
    if (DROPPED.has(lower)) continue;
    (out[lower] ??= []).push(value);
  }
  return out;
}

/** Splits an SSE body after each blank line, so each event goes out as its own write. */
export function sseChunks(text: string): string[] {
  return text.split(/(?<=\r\n\r\n|\n\n|\r\r)/).filter((c) => c.length > 0);
}

async function reply(res: http.ServerResponse, response: CassetteResponse): Promise<void> {
  res.writeHead(response.status, replyHeaders(response));
  if (!response.sse) {
    res.end(response.body);
    return;
  }
  res.flushHeaders();
  for (const chunk of sseChunks(response.body.toString('utf8'))) {
    if (res.destroyed) return;
    res.write(chunk);
    await nextTurn();
  }
  res.end();
}

export async function startCassetteUpstream(
  interactions: Interaction[],
): Promise<CassetteUpstream> {
  const arrived: Arrived[] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      arrived.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(parts),
      });
      const next = interactions[arrived.length - 1];
      if (!next) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`cassette exhausted: request ${arrived.length} of ${interactions.length}`);
        return;
      }
      reply(res, next.response).catch((err: unknown) =>
        res.destroy(err instanceof Error ? err : new Error(String(err))),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    arrived,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
