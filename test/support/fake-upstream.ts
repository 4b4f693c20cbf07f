/**
 * A local stand-in for the LLM providers: answers the OpenAI, Anthropic and Gemini routes the SDKs
 * call, from fixtures written after the providers' documented wire formats, so record/replay tests
 * run offline against traffic that looks and streams like the real thing.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

export interface Received {
  method: string;
  /** Path plus query, as the request line carried it. */
  url: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface FakeUpstream {
  url: string;
  requests: Received[];
  close(): Promise<void>;
}

export interface FakeUpstreamOptions {
  /** Pause between stream events, so recorded timings are real (default 10 ms). */
  eventDelayMs?: number;
}

type Json = Record<string, unknown>;
interface SseEvent {
  event?: string;
  data: string;
}
type Encoding = 'gzip' | 'br' | 'deflate';

function fixture<T>(name: string): T {
  return JSON.parse(
    readFileSync(new URL(`../fixtures/fake-upstream/${name}`, import.meta.url), 'utf8'),
  ) as T;
}

/** The fixtures, as the tests compare against them. */
export const fixtures = {
  openaiChat: fixture<Json>('openai-chat.json'),
  openaiChatStream: fixture<{ chunks: Json[]; usage: Json }>('openai-chat-stream.json'),
  openaiResponsesStream: fixture<{ events: Json[] }>('openai-responses-stream.json'),
  anthropicMessages: fixture<Json>('anthropic-messages.json'),
  anthropicMessagesStream: fixture<{ events: { event: string; data: Json }[] }>(
    'anthropic-messages-stream.json',
  ),
  geminiGenerate: fixture<Json>('gemini-generate.json'),
  geminiStream: fixture<{ chunks: Json[] }>('gemini-stream.json'),
};

const openaiHeaders = (n: number): http.OutgoingHttpHeaders => ({
  'x-request-id': `req_tdk${String(n).padStart(6, '0')}`,
  'openai-version': '2020-10-01',
  'openai-processing-ms': '212',
  'x-ratelimit-limit-requests': '10000',
  'x-ratelimit-remaining-requests': '9999',
  'x-ratelimit-reset-requests': '6ms',
  'x-ratelimit-limit-tokens': '200000',
  'x-ratelimit-remaining-tokens': '199750',
  'x-ratelimit-reset-tokens': '75ms',
});

const anthropicHeaders = (n: number): http.OutgoingHttpHeaders => ({
  'request-id': `req_011TDK${String(n).padStart(6, '0')}`,
  'anthropic-ratelimit-requests-limit': '4000',
  'anthropic-ratelimit-requests-remaining': '3999',
  'anthropic-ratelimit-requests-reset': '2026-01-01T00:00:01Z',
  'anthropic-ratelimit-tokens-limit': '400000',
  'anthropic-ratelimit-tokens-remaining': '399000',
  'anthropic-ratelimit-tokens-reset': '2026-01-01T00:00:01Z',
});

const geminiHeaders = (): http.OutgoingHttpHeaders => ({
  vary: 'Origin, X-Origin, Referer',
  'server-timing': 'gfet4t7; dur=379',
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function compressor(encoding: Encoding): zlib.Gzip | zlib.BrotliCompress | zlib.Deflate {
  if (encoding === 'gzip') return zlib.createGzip();
  if (encoding === 'br') return zlib.createBrotliCompress();
  return zlib.createDeflate();
}

function requestedEncoding(req: http.IncomingMessage): Encoding | undefined {
  const value = req.headers['x-fake-encoding'];
  return value === 'gzip' || value === 'br' || value === 'deflate' ? value : undefined;
}

function sendJson(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders,
  contentType = 'application/json',
): void {
  const bytes = Buffer.from(JSON.stringify(body));
  const encoding = requestedEncoding(req);
  if (!encoding) {
    res.writeHead(status, {
      ...headers,
      'content-type': contentType,
      'content-length': bytes.length,
    });
    res.end(bytes);
    return;
  }
  const packed =
    encoding === 'gzip'
      ? zlib.gzipSync(bytes)
      : encoding === 'br'
        ? zlib.brotliCompressSync(bytes)
        : zlib.deflateSync(bytes);
  res.writeHead(status, {
    ...headers,
    'content-type': contentType,
    'content-encoding': encoding,
    'content-length': packed.length,
  });
  res.end(packed);
}

/** Writes one event at a time with a pause between them, flushing the compressor after each. */
async function sendSse(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  events: SseEvent[],
  headers: http.OutgoingHttpHeaders,
  delayMs: number,
  separator = '\n\n',
): Promise<void> {
  const encoding = requestedEncoding(req);
  res.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...(encoding ? { 'content-encoding': encoding } : {}),
  });
  res.flushHeaders();
  const sink = encoding ? compressor(encoding) : undefined;
  if (sink) sink.pipe(res);
  const out: NodeJS.WritableStream = sink ?? res;
  for (const [i, e] of events.entries()) {
    if (i > 0) await sleep(delayMs);
    if (res.destroyed) return;
    const lines = e.event === undefined ? `data: ${e.data}` : `event: ${e.event}\ndata: ${e.data}`;
    out.write(lines + separator);
    if (sink) await new Promise<void>((resolve) => sink.flush(() => resolve()));
  }
  out.end();
}

function openaiChatStreamEvents(body: Json): SseEvent[] {
  const { chunks, usage } = fixtures.openaiChatStream;
  const options = body['stream_options'] as Json | undefined;
  const includeUsage = options?.['include_usage'] === true;
  // With include_usage every chunk carries `usage: null` and one extra chunk with empty choices ends the stream.
  const sent = chunks.map((c) => (includeUsage ? { ...c, usage: null } : c));
  const first = chunks[0] ?? {};
  if (includeUsage) {
    sent.push({
      id: first['id'],
      object: 'chat.completion.chunk',
      created: first['created'],
      model: first['model'],
      service_tier: first['service_tier'],
      system_fingerprint: first['system_fingerprint'],
      choices: [],
      usage,
    });
  }
  return [...sent.map((c) => ({ data: JSON.stringify(c) })), { data: '[DONE]' }];
}

function notFound(res: http.ServerResponse, path: string): void {
  const body = JSON.stringify({
    error: {
      message: `fake upstream has no route for ${path}`,
      type: 'invalid_request_error',
      param: null,
      code: null,
    },
  });
  res.writeHead(404, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

async function route(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  received: Received,
  n: number,
  delayMs: number,
) {
  let body: Json = {};
  if (received.body) body = JSON.parse(received.body) as Json;
  const streaming = body['stream'] === true;
  const path = received.path;

  if (req.method === 'POST' && path === '/v1/chat/completions') {
    if (streaming)
      return sendSse(req, res, openaiChatStreamEvents(body), openaiHeaders(n), delayMs);
    return sendJson(req, res, 200, fixtures.openaiChat, openaiHeaders(n));
  }
  if (req.method === 'POST' && path === '/v1/responses') {
    const events = fixtures.openaiResponsesStream.events;
    if (streaming) {
      const sse = events.map((e) => ({ event: String(e['type']), data: JSON.stringify(e) }));
      return sendSse(req, res, sse, openaiHeaders(n), delayMs);
    }
    const completed = events.at(-1)?.['response'];
    return sendJson(req, res, 200, completed, openaiHeaders(n));
  }
  if (req.method === 'POST' && path === '/v1/messages') {
    if (streaming) {
      const sse = fixtures.anthropicMessagesStream.events.map((e) => ({
        event: e.event,
        data: JSON.stringify(e.data),
      }));
      return sendSse(req, res, sse, anthropicHeaders(n), delayMs);
    }
    return sendJson(req, res, 200, fixtures.anthropicMessages, anthropicHeaders(n));
  }
  const gemini = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(path);
  if (req.method === 'POST' && gemini) {
    if (gemini[2] === 'generateContent') {
      return sendJson(
        req,
        res,
        200,
        fixtures.geminiGenerate,
        geminiHeaders(),
        'application/json; charset=UTF-8',
      );
    }
    const sse = fixtures.geminiStream.chunks.map((c) => ({ data: JSON.stringify(c) }));
    // Gemini frames its SSE events with CRLF pairs on the real wire.
    return sendSse(req, res, sse, geminiHeaders(), delayMs, '\r\n\r\n');
  }
  return notFound(res, path);
}

export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const delayMs = options.eventDelayMs ?? 10;
  const requests: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      const received: Received = {
        method: req.method ?? 'GET',
        url,
        path: new URL(url, 'http://fake.invalid').pathname,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(received);
      route(req, res, received, requests.length, delayMs).catch((err: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(err));
        } else {
          res.destroy(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
