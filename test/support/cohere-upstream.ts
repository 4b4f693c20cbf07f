/**
 * A local stand-in for Cohere's v2 chat API: JSON replies, SSE streams whose events are named
 * (`event: content-delta`) and carry their type in the data too, and a tool-call reply.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { STREAM_EVENTS, TEXT_REPLY, TOOL_REPLY } from './cohere-wire.js';

export interface CohereRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface CohereUpstream {
  url: string;
  requests: CohereRequest[];
  /** The bytes of every stream reply sent, in order. */
  streamed: Buffer[];
  close(): Promise<void>;
}

export async function startCohereUpstream(eventDelayMs = 5): Promise<CohereUpstream> {
  const requests: CohereRequest[] = [];
  const streamed: Buffer[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ path: req.url ?? '/', headers: req.headers, body });
      if (req.url !== '/v2/chat' || req.method !== 'POST') {
        res.writeHead(404, { 'content-type': 'application/json' });
        return res.end('{"id":"00000000-0000-4000-8000-000000000000","message":"Not Found"}');
      }
      const parsed = JSON.parse(body) as { stream?: boolean; messages?: unknown };
      const weather = JSON.stringify(parsed.messages).includes('weather');
      const headers = { 'x-debug-trace-id': 'a1b2c3d4e5f60718', num_tokens: '46' };
      if (!parsed.stream) {
        res.writeHead(200, { 'content-type': 'application/json', ...headers });
        return res.end(JSON.stringify(weather ? TOOL_REPLY : TEXT_REPLY));
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', ...headers });
      res.flushHeaders();
      const frames = STREAM_EVENTS.map(
        (e) => `event: ${String(e['type'])}\ndata: ${JSON.stringify(e)}\n\n`,
      );
      const sent: string[] = [];
      const slot = streamed.push(Buffer.alloc(0)) - 1;
      let i = 0;
      const next = () => {
        const f = frames[i++];
        if (f === undefined) {
          streamed[slot] = Buffer.from(sent.join(''));
          return res.end();
        }
        sent.push(f);
        res.write(f);
        setTimeout(next, eventDelayMs);
      };
      next();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    streamed,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
