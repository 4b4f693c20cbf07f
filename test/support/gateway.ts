/**
 * Shared pieces for the gateway example's component tests (test/gateway-*.test.ts): a clock moved by
 * hand, registry entries, small OpenAI-shaped vendors on real sockets, a gateway whose pino lines
 * are kept in memory (as loop.ts keeps them), and a client for its HTTP front.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LogLine } from '../../examples/gateway/criteria.js';
import { gatewayLogger, LineSink } from '../../examples/gateway/log.js';
import type { ModelEntry } from '../../examples/gateway/registry.js';
import { DEFAULT_OPTIONS, type RouterOptions } from '../../examples/gateway/router.js';
import { startGateway, type Gateway } from '../../examples/gateway/server.js';

/** A clock that only moves when the test says so. */
export class ManualClock {
  private t = 1_000_000;
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

/** A registry entry that covers everything, at a price and speed the test may change. */
export function entry(vendor: string, baseURL: string, o: Partial<ModelEntry> = {}): ModelEntry {
  return {
    vendor,
    model: `${vendor}-model`,
    baseURL,
    contextWindow: 128_000,
    supports: { tools: true, vision: true },
    price: { input: 1, output: 1 },
    latencyP50Ms: 100,
    timeoutMs: 2000,
    fallbacks: [],
    ...o,
  };
}

export interface ToolCallReply {
  name: string;
  /** Sent as the call's `arguments` string, as is. */
  arguments: string;
}

/** An OpenAI chat completion, as a vendor sends it. */
export function completion(
  model: string,
  o: { content?: string; toolCalls?: ToolCallReply[] } = {},
): Record<string, unknown> {
  const calls = o.toolCalls?.map((c, i) => ({
    id: `call_${i}`,
    type: 'function',
    function: { name: c.name, arguments: c.arguments },
  }));
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: calls === undefined ? (o.content ?? 'hello') : null,
          ...(calls === undefined ? {} : { tool_calls: calls }),
        },
        finish_reason: calls === undefined ? 'stop' : 'tool_calls',
      },
    ],
    usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
  };
}

/** What a stub vendor answers: a status with a JSON body, raw text, or nothing ever. */
export type Reply =
  { status: number; json: unknown } | { status: number; raw: string; contentType: string } | 'hang';

export interface VendorHit {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface StubVendor {
  name: string;
  /** The base URL a registry entry takes (ends in /v1). */
  baseURL: string;
  hits: VendorHit[];
  close(): Promise<void>;
}

/** The helper's answer to everything: a completion from this vendor's model. */
export const ok =
  (content = 'hello') =>
  (_hit: VendorHit, model: string): Reply => ({
    status: 200,
    json: completion(model, { content }),
  });

/**
 * A vendor on 127.0.0.1, port 0, speaking OpenAI's chat completions. `reply` is asked for every
 * request (with the 0-based hit number); every request is kept in `hits`.
 */
export async function startVendor(
  name: string,
  reply: (hit: VendorHit, model: string, n: number) => Reply,
): Promise<StubVendor> {
  const hits: VendorHit[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        // kept empty: the test sees it in `hits`
      }
      const hit = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
      };
      const n = hits.push(hit) - 1;
      if (hit.method !== 'POST' || hit.path !== '/v1/chat/completions') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `no route ${hit.method} ${hit.path}` } }));
        return;
      }
      const r = reply(hit, typeof body['model'] === 'string' ? body['model'] : name, n);
      if (r === 'hang') return;
      if ('json' in r) {
        res.writeHead(r.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(r.json));
      } else {
        res.writeHead(r.status, { 'content-type': r.contentType });
        res.end(r.raw);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name,
    baseURL: `http://127.0.0.1:${port}/v1`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A port nothing listens on: bound, then closed, so a connection to it is refused. */
export async function refusedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Router options for tests: the defaults, a short deadline, and any change the test makes. */
export function testOptions(o: Partial<RouterOptions> = {}): RouterOptions {
  return { ...DEFAULT_OPTIONS, deadlineMs: 3000, ...o };
}

export interface TestGateway {
  gw: Gateway;
  url: string;
  /** Every line the gateway logged, parsed, in order. */
  lines: LogLine[];
  close(): Promise<void>;
}

/** `startGateway` on port 0 with its pino log kept in a LineSink, as loop.ts does. */
export async function startTestGateway(
  registry: readonly ModelEntry[],
  options: RouterOptions = testOptions(),
): Promise<TestGateway> {
  const sink = new LineSink();
  const gw = await startGateway({ registry, log: gatewayLogger(sink), options });
  return {
    gw,
    url: gw.url,
    lines: sink.lines as unknown as LogLine[],
    close: () => gw.close(),
  };
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: Record<string, unknown> | undefined;
}

/**
 * One HTTP request with node:http (its own connection, so nothing is pooled across tests). The
 * answer is read even when the server stops reading the upload first (413).
 */
export function request(
  url: string,
  o: {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
  } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(o.path ?? '/', url),
      { method: o.method ?? 'GET', headers: o.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> | undefined;
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

/** POST /v1/route with a JSON body (or raw text, as given). */
export function route(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return request(url, {
    method: 'POST',
    path: '/v1/route',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A chat body as the gateway takes it (no `model`). */
export function chat(o: Record<string, unknown> = {}): Record<string, unknown> {
  return { messages: [{ role: 'user', content: 'What is the weather in Paris?' }], ...o };
}

export const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather now in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    },
  },
} as const;

export const imagePart = {
  type: 'image_url',
  image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' },
} as const;

/** The error object of a gateway answer. */
export function errorOf(a: Answer): Record<string, unknown> | undefined {
  return a.json?.['error'] as Record<string, unknown> | undefined;
}

/** The lines of one event, for one request id when given. */
export function linesWith(lines: readonly LogLine[], event: string, requestId?: string): LogLine[] {
  return lines.filter(
    (l) => l.event === event && (requestId === undefined || l.requestId === requestId),
  );
}
